"""Uploads are judged by their content, capped in bytes (and pictures in pixels), and refused in one
sentence that names the file; a refused upload leaves nothing behind."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile
from support.image_samples import bright_warm, save
from support.piano_midi import two_hand_piano

from tunesmith.errors import InputError
from tunesmith.web import uploads
from tunesmith.web.uploads import UploadRefused, accept_upload

JIG = "X:1\nT:Test jig\nM:6/8\nL:1/8\nK:D\nDFA dfa|gfe dcB|AFD DFA|d3 d3|]\n"


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares width×height pixels but holds almost no data: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.fixture
def session_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "20261125-013012-a1b2c3"
    folder.mkdir()
    return folder


def _upload(data: bytes, name: str, folder: Path, kind: str | None = None):
    return accept_upload(io.BytesIO(data), name, folder, kind)


def _left_behind(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "uploads").iterdir()) if (folder / "uploads").is_dir() else []


def test_a_photo_is_kept_in_the_session_under_its_own_name(session_folder: Path, tmp_path: Path) -> None:
    photo = save(bright_warm(), tmp_path, "Beach Day!.png")
    attachment = _upload(photo.read_bytes(), photo.name, session_folder)
    assert attachment.role == "image"
    assert attachment.path == session_folder / "uploads" / "Beach-Day.png"
    assert attachment.path.read_bytes() == photo.read_bytes()


def test_a_jpeg_named_png_is_kept_under_the_suffix_its_content_has(session_folder: Path, tmp_path: Path) -> None:
    photo = save(bright_warm(), tmp_path, "photo.jpg")
    assert _upload(photo.read_bytes(), "photo.png", session_folder).path.name == "photo.jpg"


def test_text_named_like_a_picture_is_refused_saying_what_it_is(session_folder: Path) -> None:
    with pytest.raises(UploadRefused) as refused:
        _upload(b"just some words, not pixels\n" * 10, "photo.png", session_folder)
    assert str(refused.value).startswith("photo.png is not an image (it contains text)")
    assert isinstance(refused.value, InputError)
    assert _left_behind(session_folder) == []


@pytest.mark.parametrize("side", [8_000, 30_000])
def test_a_decompression_bomb_is_refused_from_its_header(session_folder: Path, side: int) -> None:
    bomb = png_declaring(side, side)
    assert len(bomb) < 200  # a few bytes that would decode to gigabytes
    with pytest.raises(UploadRefused) as refused:
        _upload(bomb, "bomb.png", session_folder)
    message = str(refused.value)
    assert message.startswith("bomb.png") and "50 MP are accepted" in message
    assert f"declares {side}×{side} pixels" in message or "decompression bomb" in message
    assert _left_behind(session_folder) == []


def test_a_file_over_the_cap_is_refused_before_it_is_all_read(session_folder: Path, monkeypatch) -> None:
    monkeypatch.setitem(uploads.MAX_BYTES, "image", 4096)
    source = io.BytesIO(b"\x89PNG" + b"\x00" * 10 * uploads.MIB)
    with pytest.raises(UploadRefused) as refused:
        accept_upload(source, "huge.png", session_folder)
    assert str(refused.value) == "huge.png is larger than 4 KiB; pictures up to 4 KiB are accepted"
    assert source.tell() <= 2 * uploads.MIB  # stopped after the first chunk over the cap
    assert _left_behind(session_folder) == []


def test_a_clip_is_accepted_and_a_text_named_like_one_is_not(session_folder: Path) -> None:
    clip = io.BytesIO()
    soundfile.write(clip, np.sin(np.linspace(0, 2000, 22050)).astype(np.float32) * 0.3, 22050, format="WAV")
    assert _upload(clip.getvalue(), "hum.wav", session_folder).role == "audio"
    with pytest.raises(UploadRefused, match="hum.mp3 is not an audio file"):
        _upload(b"not audio at all" * 100, "hum.mp3", session_folder)


def test_midi_and_abc_are_checked_by_content(session_folder: Path, tmp_path: Path) -> None:
    midi = two_hand_piano(tmp_path / "piece.mid")
    assert _upload(midi.read_bytes(), "piece.mid", session_folder).role == "midi"
    assert _upload(JIG.encode(), "jig.abc", session_folder).role == "abc"
    with pytest.raises(UploadRefused, match="fake.mid is not a MIDI file"):
        _upload(JIG.encode(), "fake.mid", session_folder)
    with pytest.raises(UploadRefused, match="noise.abc is not text"):
        _upload(bytes(range(256)) * 4, "noise.abc", session_folder)
    with pytest.raises(UploadRefused, match="notes.txt holds no ABC tune"):
        _upload(b"remember to buy milk\n", "notes.txt", session_folder)


def test_a_file_whose_name_says_nothing_is_recognised_by_its_first_bytes(session_folder: Path, tmp_path: Path) -> None:
    photo = save(bright_warm(), tmp_path, "photo.png")
    attachment = _upload(photo.read_bytes(), "download", session_folder)
    assert (attachment.role, attachment.path.name) == ("image", "download.png")
    assert _upload(JIG.encode(), "tune", session_folder).role == "abc"
    with pytest.raises(UploadRefused, match="mystery is none of the files Tunesmith reads"):
        _upload(b"\x00\x01\x02" * 50, "mystery", session_folder)


def test_two_uploads_with_one_name_keep_both_files(session_folder: Path, tmp_path: Path) -> None:
    photo = save(bright_warm(), tmp_path, "photo.png")
    first = _upload(photo.read_bytes(), "photo.png", session_folder)
    second = _upload(photo.read_bytes(), "photo.png", session_folder)
    assert (first.path.name, second.path.name) == ("photo.png", "photo-2.png")


def test_a_name_cannot_lead_out_of_the_uploads_folder(session_folder: Path, tmp_path: Path) -> None:
    photo = save(bright_warm(), tmp_path, "photo.png")
    for name in ("../../etc/passwd.png", "/tmp/evil.png", "..\\..\\evil.png"):
        attachment = _upload(photo.read_bytes(), name, session_folder)
        assert attachment.path.parent == session_folder / "uploads"
