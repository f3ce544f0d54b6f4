"""The model cache's safety with a small stand-in model: no `.part` files outlive a killed assembly, a file
changed in place is caught (header now, hash when it fails to load), and doctor says what it checked."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tunesmith.agent.llm import gguf_cache

CONTENT = b"GGUF" + bytes(range(256)) * 64


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two part files that concatenate to a 16 KB 'GGUF', pinned by size and hash like the real one."""
    parts = [tmp_path / "part1", tmp_path / "part2"]
    parts[0].write_bytes(CONTENT[:5000])
    parts[1].write_bytes(CONTENT[5000:])
    monkeypatch.setattr(gguf_cache, "part_paths", lambda: parts)
    monkeypatch.setattr(gguf_cache, "EXPECTED_SIZE_BYTES", len(CONTENT))
    monkeypatch.setattr(gguf_cache, "EXPECTED_SHA256", hashlib.sha256(CONTENT).hexdigest())
    return tmp_path / "cache"


def test_part_files_a_killed_assembly_left_are_removed_at_the_next_start(stand_in: Path) -> None:
    models = stand_in / "models"
    models.mkdir(parents=True)
    stale = models / f".{gguf_cache.MODEL_FILE_NAME}.k1ll3d.part"
    stale.write_bytes(b"GGUF half a model")
    model = gguf_cache.ensure_embedded_model(stand_in, progress=False)
    assert model.read_bytes() == CONTENT
    assert sorted(p.name for p in models.iterdir()) == sorted([model.name, model.name + ".verified.json"])


def test_a_header_changed_in_place_with_its_date_kept_is_not_called_verified(stand_in: Path) -> None:
    model = gguf_cache.ensure_embedded_model(stand_in, progress=False)
    before = model.stat()
    with open(model, "r+b") as handle:
        handle.write(b"\x00\x00\x00\x00")
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert not gguf_cache.is_verified(stand_in)
    row = gguf_cache.embedded_model_status(stand_in)
    assert "changed since it was verified" in row.detail and "verified at" not in row.detail
    gguf_cache.ensure_embedded_model(stand_in, progress=False)
    assert model.read_bytes() == CONTENT and gguf_cache.is_verified(stand_in)


def test_a_file_that_failed_to_load_is_hashed_again_and_reassembled_when_wrong(stand_in: Path) -> None:
    model = gguf_cache.ensure_embedded_model(stand_in, progress=False)
    before = model.stat()
    with open(model, "r+b") as handle:  # the middle, where no cheap check looks; the date kept
        handle.seek(8000)
        handle.write(b"\xff" * 64)
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert gguf_cache.is_verified(stand_in)  # only a hash can tell...
    assert gguf_cache.recheck_embedded_model(stand_in, progress=False) is True  # ...which the failed load asks for
    assert model.read_bytes() == CONTENT
    assert gguf_cache.recheck_embedded_model(stand_in, progress=False) is False  # intact: the failure lies elsewhere


def test_doctor_says_what_was_checked_rather_than_verified(stand_in: Path) -> None:
    gguf_cache.ensure_embedded_model(stand_in, progress=False)
    detail = gguf_cache.embedded_model_status(stand_in).detail
    assert "SHA-256 checked when assembled" in detail and "GGUF header checked now" in detail
