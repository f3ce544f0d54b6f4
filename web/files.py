"""A session's own files, and nothing else: the only way a URL reaches the disk.

A file is named by session id, then `turn-NNN/<name>` or `uploads/<name>`; the id must be a session's,
the name a plain file name of a served kind, and the resolved path (symlinks followed) must stay
inside that session's folder. `..`, absolute paths, hidden files and links out are refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from tunesmith.errors import NotAllowedError, NotFoundError
from tunesmith.memory.files import OutsideFolderError, confined_path
from tunesmith.memory.sessions import SessionStore, StoredSession

CONTENT_TYPES = {
    ".abc": "text/plain; charset=utf-8", ".mid": "audio/midi", ".wav": "audio/wav", ".flac": "audio/flac",
    ".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".gif": "image/gif", ".bmp": "image/bmp", ".tif": "image/tiff", ".webp": "image/webp",
    ".musicxml": "application/vnd.recordare.musicxml+xml", ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
}
_FOLDER = re.compile(r"^(turn-\d{3,}|uploads)$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def load_session(store: SessionStore, session_id: str) -> StoredSession:
    """A session by id; NotFoundError (one sentence) for a malformed, unknown or unreadable id."""
    from tunesmith.memory.sessions import SessionCorrupt, SessionNotFound

    try:
        return store.load(session_id)
    except SessionNotFound as exc:
        raise NotFoundError(str(exc).split(". ")[0]) from None  # not the list of other sessions' ids
    except SessionCorrupt as exc:
        raise NotFoundError(str(exc)) from None


def session_file(store: SessionStore, session_id: str, relative: str) -> Path:
    """The file `relative` of a session, checked; NotFoundError or NotAllowedError otherwise."""
    session = load_session(store, session_id)
    parts = relative.split("/")
    if len(parts) != 2 or not _FOLDER.match(parts[0]) or not _NAME.match(parts[1]) or ".." in parts[1]:
        raise NotAllowedError(f"{relative!r} is not a session file; files are turn-NNN/<name> or uploads/<name>")
    if Path(parts[1]).suffix.lower() not in CONTENT_TYPES:
        raise NotAllowedError(f"{parts[1]!r} is not a kind of file this server hands out")
    try:
        path = confined_path(session.folder, relative)
    except OutsideFolderError:  # a link that leads out of the session folder
        raise NotAllowedError(f"{relative!r} leads outside session {session_id}") from None
    if path.suffix.lower() not in CONTENT_TYPES:  # a link inside the folder to a kind not handed out
        raise NotAllowedError(f"{relative!r} is not a kind of file this server hands out")
    if not path.is_file():
        raise NotFoundError(f"session {session_id} has no file {relative!r}")
    return path


def content_type(path: Path) -> str:
    return CONTENT_TYPES[path.suffix.lower()]
