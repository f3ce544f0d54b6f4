"""The front door's checks: what the user handed over (words, files, an output folder) is checked before
any model loads or any session is made, so bad input costs a fraction of a second and leaves nothing behind.

Each check raises an `InputError` (exit status 2) whose message is one sentence saying what is wrong and
what would be valid. Files are judged by their content, never by their names: an image must decode
within the pixel limit, a clip must decode as audio, a MIDI file must hold pitched notes, an ABC file a
tune with notes. The CLI calls these first; `agent.turn` may call the same functions.
"""

from __future__ import annotations

import os
from pathlib import Path

from tunesmith.errors import InputError

INPUT_ROLES = ("image", "audio", "abc", "midi")
MAX_MIDI_BYTES = 20 * 1024 * 1024  # far more than any song; pretty_midi takes seconds per megabyte
OUT_CLAIM = ".tunesmith-writing"  # marks an --out folder a compose is writing into; removed when it ends


class IntakeError(InputError):
    """A request, file or output folder refused at the front door; the message says what would be valid."""


def check_request(text: object) -> str:
    """The request, stripped; IntakeError when it is empty or too long, RequestError when its words name
    values no tune can have ("tempo 2000 BPM", "in 0/4", "H# major", "10000 bars")."""
    from tunesmith.tools.planning import parse_request
    from tunesmith.tools.planning.request import MAX_REQUEST_CHARS

    if not isinstance(text, str):
        raise IntakeError(f"a request must be text, not {type(text).__name__}")
    request = text.strip()
    if not request:
        raise IntakeError('the request is empty: say what music you want, e.g. "a cheerful jig in D major"')
    if len(request) > MAX_REQUEST_CHARS:
        raise IntakeError(f"the request has {len(request):,} characters; at most {MAX_REQUEST_CHARS:,} are read: "
                          "say what you want in a few sentences")
    parse_request(request)  # the one reader of the user's words refuses out-of-range values here
    return request


def check_attachments(files: dict[str, Path | str] | None) -> dict[str, Path]:
    """role (image, audio, abc, midi) -> the file's resolved path, each one checked by its content."""
    checked = {}
    for role, given in (files or {}).items():
        if role not in INPUT_ROLES:
            raise IntakeError(f"{role!r} is not a kind of input; use one of {', '.join(INPUT_ROLES)}")
        path = Path(given).expanduser()
        _check_readable_file(role, path)
        CONTENT_CHECKS[role](path)
        checked[role] = path.resolve()
    return checked


def _check_readable_file(role: str, path: Path) -> None:
    if not path.exists():
        raise IntakeError(f"the {role} file {path} does not exist; check the path")
    if path.is_dir():
        raise IntakeError(f"{path} is a folder, not an {role} file; give one file")
    if not path.is_file():  # a pipe or a device: reading it could block for good
        raise IntakeError(f"{path} is not a regular file; give a {role} file saved on disk")
    if path.stat().st_size == 0:
        raise IntakeError(f"the {role} file {path} is empty (0 bytes); give a file with content")
    if not os.access(path, os.R_OK):
        raise IntakeError(f"the {role} file {path} cannot be read (permission denied); check its permissions")


def _check_image(path: Path) -> None:
    """Decodes within the pixel limit (tools.vision.decode: content, size, truncation, bombs)."""
    from tunesmith.tools.vision import load_rgb

    load_rgb(path, max_side=64)


def _check_audio(path: Path) -> None:
    """Decodes as audio, lasts at most MAX_AUDIO_SECONDS, holds finite samples."""
    from tunesmith.tools.audio import load_audio

    load_audio(path, sample_rate=None)


def _check_midi(path: Path) -> None:
    """Parses as MIDI and holds pitched notes (drums alone have no pitch to work with)."""
    from tunesmith.tools.repair import load_piano_piece

    size = path.stat().st_size
    if size > MAX_MIDI_BYTES:
        raise IntakeError(f"{path} is {size / 2**20:.0f} MiB; MIDI files up to {MAX_MIDI_BYTES // 2**20} MiB are accepted")
    load_piano_piece(path)


def abc_file_text(path: Path) -> str:
    """The text of an ABC file (UTF-8, else Latin-1 as older collections are); IntakeError for binary data."""
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise IntakeError(f"{path} is not a text file (it holds binary data); give an ABC tune saved as text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _check_abc(path: Path) -> None:
    """Text of at most MAX_FILE_CHARS holding at least one tune with notes, no tune over MAX_ABC_CHARS."""
    from tunesmith.tools.abc import MAX_ABC_CHARS, AbcError, parsed_tune, split_tunes

    text = abc_file_text(path)
    try:
        tunes = split_tunes(text)
    except AbcError as error:
        raise IntakeError(f"{path}: {error}") from None
    largest = max((len(tune) for tune in tunes), default=0)
    if largest > MAX_ABC_CHARS:
        raise IntakeError(f"{path} holds a tune of {largest:,} characters; a tune may have at most {MAX_ABC_CHARS:,} "
                          "(split the file at its X: lines)")
    for tune in tunes:
        try:
            parsed = parsed_tune(tune)
        except AbcError:
            continue
        if parsed.notes and ("X" in parsed.headers or parsed.has_key_field):  # words alone can look like notes
            return
    raise IntakeError(f"{path} holds no ABC tune with notes; an ABC tune has header lines (X:1, T:, M:, L:, K:) "
                      "followed by music lines such as |: GABc dedB :|")


CONTENT_CHECKS = {"image": _check_image, "audio": _check_audio, "abc": _check_abc, "midi": _check_midi}


def check_out_dir(path: Path | str | None) -> Path | None:
    """The --out folder, resolved: new, or existing and empty, and writable; IntakeError otherwise.

    A folder that already holds files is refused rather than overwritten: a second compose into it would
    silently replace the first tune's files. (A chat keeps every turn in its own session folder.)
    """
    if path is None:
        return None
    folder = Path(path).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise IntakeError(f"--out {folder} is a file; give a folder for the tune's files (a new or empty one)")
    if folder.is_dir():
        held = sorted(entry.name for entry in folder.iterdir())
        if held == [OUT_CLAIM]:
            raise IntakeError(f"--out {folder} is being written by another compose; give another folder")
        if held:
            shown = ", ".join(held[:3]) + (", …" if len(held) > 3 else "")
            raise IntakeError(f"--out {folder} already holds files ({shown}); give a new or empty folder so no "
                              "earlier tune is overwritten")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise IntakeError(f"--out {folder} is not writable; give a folder you can write to")
        return folder
    ancestor = next(parent for parent in folder.parents if parent.exists())
    if not ancestor.is_dir():
        raise IntakeError(f"--out {folder} cannot be made: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise IntakeError(f"--out {folder} cannot be made: {ancestor} is not writable; give a folder you can write to")
    return folder


class OutClaim:
    """Holds an --out folder for one compose: made (or found empty) and marked, so a second compose into the
    same folder is refused; on release the mark goes, and a folder this claim made is removed if still empty."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(folder / OUT_CLAIM, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise IntakeError(f"--out {folder} is being written by another compose; give another folder") from None
        except OSError as exc:
            raise IntakeError(f"--out {folder} cannot be written ({exc.strerror or exc}); give another folder") from None
        os.close(descriptor)

    def release(self) -> None:
        """Drop the mark; remove the folder if this claim made it and nothing was written."""
        (self.folder / OUT_CLAIM).unlink(missing_ok=True)
        if self.made:
            try:
                self.folder.rmdir()  # only succeeds when empty
            except OSError:
                pass
