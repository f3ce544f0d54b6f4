"""Take a file from the page: cap its bytes, tell what it is by its content, check it with the project's own
readers, and keep it in the session's `uploads/` folder under a safe name.

The name only says what the file claims to be; the content decides. A picture must decode (Pillow,
with the pixel cap that refuses decompression bombs from the header), a clip must decode as audio
within the length cap, a MIDI file must parse, an ABC file must be text holding a tune. A refused
upload leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO

from tunesmith.errors import InputError
from tunesmith.web.queue import Attachment

UPLOAD_FOLDER = "uploads"
MIB = 1024 * 1024
MAX_BYTES = {"image": 20 * MIB, "audio": 50 * MIB, "abc": 2 * MIB, "midi": 2 * MIB}
MAX_REQUEST_BYTES = max(MAX_BYTES.values()) + MIB  # one file plus the words and the form's own bytes
ROLE_WORDS = {"image": "pictures", "audio": "clips", "abc": "ABC files", "midi": "MIDI files"}
ACCEPTED = "a picture (PNG, JPEG, GIF, BMP, TIFF, WebP), a clip (WAV, FLAC, OGG, MP3), an ABC tune or a MIDI file"
CLAIMED_BY_SUFFIX = {
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image", ".bmp": "image", ".tif": "image",
    ".tiff": "image", ".webp": "image", ".wav": "audio", ".flac": "audio", ".ogg": "audio", ".mp3": "audio",
    ".abc": "abc", ".txt": "abc", ".mid": "midi", ".midi": "midi",
}
IMAGE_SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "BMP": ".bmp", "TIFF": ".tif", "WEBP": ".webp"}
AUDIO_SUFFIX = {"WAV": ".wav", "FLAC": ".flac", "OGG": ".ogg", "MP3": ".mp3"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_HEADER_LINE = re.compile(r"^[XK]:", re.MULTILINE)


class UploadRefused(InputError):
    """An upload that is too large, not what it claims, or not usable; the message names the file."""


def safe_stem(filename: str) -> str:
    """The file's name without folders or suffix, reduced to letters, digits, '-' and '_' (at most 40)."""
    stem = Path(filename.replace("\\", "/")).stem
    return _UNSAFE.sub("-", stem).strip("-")[:40] or "upload"


def claimed_role(filename: str, kind: str | None = None) -> str | None:
    """What the page or the file's name says the file is; None when neither says."""
    if kind:
        if kind not in MAX_BYTES:
            raise UploadRefused(f"{kind!r} is not a kind of upload; use one of {', '.join(MAX_BYTES)}")
        return kind
    return CLAIMED_BY_SUFFIX.get(Path(filename).suffix.lower())


def sniff_role(head: bytes) -> str | None:
    """What the first bytes say the file is (magic numbers), for files whose name says nothing."""
    if head.startswith(b"MThd"):
        return "midi"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")) or head[8:12] == b"WEBP":
        return "image"
    if head.startswith((b"fLaC", b"OggS", b"ID3", b"\xff\xfb", b"\xff\xf3")) or head[8:12] == b"WAVE":
        return "audio"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "abc" if _HEADER_LINE.search(text) else None


def readable_size(size: int) -> str:
    """Bytes as people say them: "20 MiB", "512 KiB"."""
    return f"{size / MIB:.0f} MiB" if size >= MIB else f"{size / 1024:.0f} KiB"


def _too_large(name: str, role: str | None, limit: int) -> UploadRefused:
    return UploadRefused(f"{name} is larger than {readable_size(limit)}; {ROLE_WORDS.get(role, 'uploads')} "
                         f"up to {readable_size(limit)} are accepted")


def _copy_capped(source: BinaryIO, target: Path, name: str, role: str | None) -> int:
    """Copy the upload; one byte over the cap for `role` (or for any upload) stops it before the rest is read."""
    limit = MAX_BYTES[role] if role else max(MAX_BYTES.values())
    written = 0
    with target.open("wb") as handle:
        while chunk := source.read(MIB):
            written += len(chunk)
            if written > limit:
                raise _too_large(name, role, limit)
            handle.write(chunk)
    return written


def _check_image(path: Path) -> str:
    from PIL import Image

    from tunesmith.tools.vision.decode import FORMATS_HINT, load_rgb

    load_rgb(path)  # content, header pixel cap (decompression bombs), truncation
    with Image.open(path) as image:
        suffix = IMAGE_SUFFIX.get(image.format or "")
    if suffix is None:
        raise UploadRefused(f"{path} is a {image.format} image; give a {FORMATS_HINT} file")
    return suffix


def _check_audio(path: Path) -> str:
    import soundfile

    from tunesmith.tools.audio.describe import load_audio

    load_audio(path, sample_rate=None)  # decodes, refuses over-long, empty and non-finite audio
    try:
        return AUDIO_SUFFIX.get(soundfile.info(str(path)).format, ".wav")
    except Exception:  # decodable by audioread only (e.g. some MP3s): name it by its magic number
        return ".mp3"


def _check_abc(path: Path) -> str:
    from tunesmith.tools.abc import split_tunes, validate_abc

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UploadRefused(f"{path} is not text, so it is not an ABC tune; give a UTF-8 .abc file") from None
    tunes = split_tunes(text)
    if not tunes or not _HEADER_LINE.search(tunes[0]):
        raise UploadRefused(f"{path} holds no ABC tune (no X: or K: line); give a tune with X:, T:, M:, L:, K: headers")
    validate_abc(tunes[0], check_abc2midi=False)  # AbcError when it is not ABC at all; other problems the agent repairs
    return ".abc"


def _check_midi(path: Path) -> str:
    from tunesmith.tools.repair.midi_bars import load_midi

    with path.open("rb") as handle:
        if handle.read(4) != b"MThd":
            raise UploadRefused(f"{path} is not a MIDI file (it does not start with MThd); give a .mid file")
    load_midi(path)
    return ".mid"


CHECKS = {"image": _check_image, "audio": _check_audio, "abc": _check_abc, "midi": _check_midi}


def _reserve(folder: Path, stem: str, suffix: str) -> Path:
    """A new file name in `folder` that no other upload holds (creating it is the lock)."""
    number = 1
    while True:
        path = folder / f"{stem}{'' if number == 1 else f'-{number}'}{suffix}"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return path
        except FileExistsError:
            number += 1


def accept_upload(source: BinaryIO, filename: str, session_folder: Path, kind: str | None = None) -> Attachment:
    """Check an uploaded file and keep it as `<session>/uploads/<safe name><suffix for its content>`.

    Raises UploadRefused with one sentence naming the file when it is too large, not what it claims
    to be, or not usable (the project's readers say why).
    """
    name = Path(filename.replace("\\", "/")).name or "the file"
    claimed = claimed_role(name, kind)
    folder = Path(session_folder) / UPLOAD_FOLDER
    folder.mkdir(exist_ok=True)
    temp = folder / f".upload-{secrets.token_hex(6)}.part"
    try:
        size = _copy_capped(source, temp, name, claimed)
        if size == 0:
            raise UploadRefused(f"{name} is empty (0 bytes); give {ACCEPTED}")
        with temp.open("rb") as handle:
            role = claimed or sniff_role(handle.read(64))
        if role is None:
            raise UploadRefused(f"{name} is none of the files Tunesmith reads; give {ACCEPTED}")
        if size > MAX_BYTES[role]:
            raise _too_large(name, role, MAX_BYTES[role])
        try:
            suffix = CHECKS[role](temp)
        except ValueError as exc:  # each reader's refusal (ImageInputError, AudioInputError, AbcError, …)
            raise UploadRefused(str(exc).replace(str(temp), name)) from None
        final = _reserve(folder, safe_stem(name), suffix)
        os.replace(temp, final)
        return Attachment(role=role, path=final)
    finally:
        temp.unlink(missing_ok=True)
