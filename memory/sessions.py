"""Conversations on disk: one folder per session, a `session.json`, one subfolder per turn.

    <output_dir>/20261125-013012-a1b2c3/
        session.json        title, created, updated, messages (plain dicts, e.g. LangChain `messages_to_dict`),
                            state (the conversation's versions of the tune, a plain dict; see agent/state.py)
        turn-001/           that turn's artifacts: tune.abc, tune.mid, tune.wav, score.svg, trace.json …
        turn-002/

Every write is atomic (`memory.files`), so a crash leaves the previous `session.json`, never half a file.
A session whose file is broken (not JSON, not a conversation, a message without a type, a folder where
the file should be) raises `SessionCorrupt` on load, naming the file and the fix; listing shows it in its
row with the problem and still lists the others. Session folders that are symbolic links are never
followed: a session lives inside the sessions folder or not at all.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tunesmith.errors import NotFoundError, TunesmithError
from tunesmith.memory.files import atomic_write_json, confined_path

SESSION_FILE = "session.json"
MAX_TITLE_CHARS = 80
# The message kinds a conversation file holds (LangChain's `messages_to_dict` names; memory reads no LangChain).
MESSAGE_TYPES = frozenset({"human", "ai", "system", "chat", "function", "tool"})
_ID_PATTERN = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
_TURN_PATTERN = re.compile(r"^turn-(\d{3,})$")


class SessionCorrupt(TunesmithError, ValueError):
    """A session folder's `session.json` is missing or not valid; the message names the file."""


class SessionNotFound(NotFoundError):
    """No session with that id under the sessions folder; the message lists the ones there are."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class StoredSession:
    """One conversation: its messages (plain dicts, oldest first) and its turn folders."""

    id: str
    folder: Path
    title: str
    created: str  # ISO 8601, UTC
    updated: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)  # the conversation state, written by the agent

    @property
    def turns(self) -> list[Path]:
        """The turn folders (`turn-001`, `turn-002`, …) in order."""
        found = [p for p in self.folder.iterdir() if p.is_dir() and _TURN_PATTERN.match(p.name)]
        return sorted(found, key=lambda p: int(_TURN_PATTERN.match(p.name).group(1)))

    def new_turn_folder(self) -> Path:
        """Create and return the next turn folder; safe if two writers race (mkdir is the lock)."""
        number = len(self.turns) + 1
        while True:
            folder = self.folder / f"turn-{number:03d}"
            try:
                folder.mkdir()
                return folder
            except FileExistsError:
                number += 1

    def save(self) -> None:
        """Write `session.json` atomically and stamp `updated`."""
        self.updated = _now()
        atomic_write_json(
            self.folder / SESSION_FILE,
            {"id": self.id, "title": self.title, "created": self.created, "updated": self.updated, "messages": self.messages,
             "state": self.state},
        )


@dataclass(frozen=True)
class SessionSummary:
    """A line of `tunesmith sessions`: enough to choose one to resume; `problem` is set when broken."""

    id: str
    title: str
    created: str
    updated: str
    turns: int
    messages: int
    problem: str | None = None

    @property
    def corrupt(self) -> bool:
        return self.problem is not None


class SessionStore:
    """The sessions folder (`settings.output_dir` unless given)."""

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            from tunesmith.settings import get_settings

            root = get_settings().output_dir
        self.root = Path(root)

    def create(self, title: str = "Untitled session") -> StoredSession:
        """Start a new session folder with an empty conversation."""
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            session_id = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
            folder = self.root / session_id
            try:
                folder.mkdir()
                break
            except FileExistsError:  # same second, same random suffix: draw again
                continue
        stamp = _now()
        session = StoredSession(session_id, folder, short_title(title), stamp, stamp)
        session.save()
        return session

    def _folder(self, session_id: str) -> Path:
        if not _ID_PATTERN.match(session_id or ""):
            raise SessionNotFound(
                f"{session_id!r} is not a session id (they look like 20261125-013012-a1b2c3). {self._known()}"
            )
        if (self.root / session_id).is_symlink():
            raise SessionCorrupt(f"{self.root / session_id} is a symbolic link; sessions are never followed out of "
                                 f"{self.root}: remove the link")
        folder = confined_path(self.root, session_id)
        if not folder.is_dir():
            raise SessionNotFound(f"no session {session_id!r} in {self.root}. {self._known()}")
        return folder

    def _known(self) -> str:
        ids = [s.id for s in self.list()][:10]
        return f"Sessions there: {', '.join(ids)}" if ids else f"There are no sessions in {self.root} yet."

    def load(self, session_id: str) -> StoredSession:
        """Read a session; raises SessionNotFound or SessionCorrupt (naming the file)."""
        folder = self._folder(session_id)
        path = folder / SESSION_FILE
        if path.is_symlink() or path.exists() and not path.is_file():
            raise SessionCorrupt(f"{path} is not a plain file; delete the session with `tunesmith sessions delete {session_id}`")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SessionCorrupt(f"{path} is missing; the session folder has no conversation file") from None
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise SessionCorrupt(f"{path} is not valid JSON ({str(exc)[:120]}); fix or delete that file") from None
        except OSError as exc:
            raise SessionCorrupt(f"{path} cannot be read ({exc.strerror or exc}); check its permissions") from None
        problem = _shape_problem(data)
        if problem:
            raise SessionCorrupt(f"{path} {problem}; fix or delete that file")
        return StoredSession(
            id=session_id,
            folder=folder,
            title=data["title"],
            created=data["created"],
            updated=data["updated"],
            messages=data["messages"],
            state=data.get("state") or {},
        )

    def list(self) -> list[SessionSummary]:
        """Every session, most recently updated first; broken ones are listed with their problem."""
        if not self.root.is_dir():
            return []
        summaries = []
        for folder in self.root.iterdir():
            if not (_ID_PATTERN.match(folder.name) and (folder.is_dir() or folder.is_symlink())):
                continue
            try:
                session = self.load(folder.name)
                turns = len(session.turns)
            except (TunesmithError, OSError) as exc:  # one broken session must not hide the others
                summaries.append(SessionSummary(folder.name, "(unreadable)", "", "", 0, 0, problem=str(exc)))
                continue
            summaries.append(
                SessionSummary(session.id, session.title, session.created, session.updated, turns, len(session.messages))
            )
        return sorted(summaries, key=lambda s: (s.updated or s.id, s.id), reverse=True)

    def delete(self, session_id: str) -> None:
        """Remove a session folder and everything in it; a link in the sessions folder is removed, not followed."""
        link = self.root / session_id
        if _ID_PATTERN.match(session_id or "") and link.is_symlink():
            link.unlink()
            return
        shutil.rmtree(self._folder(session_id))


def _shape_problem(data: Any) -> str | None:
    """Why a parsed session.json is not a session, or None when it is."""
    if not isinstance(data, dict):
        return f"holds a JSON {type(data).__name__}, not an object"
    for key, kind in (("title", str), ("created", str), ("updated", str), ("messages", list)):
        if not isinstance(data.get(key), kind):
            return f"has no valid '{key}' ({kind.__name__} expected)"
    for number, message in enumerate(data["messages"], start=1):
        if not isinstance(message, dict):
            return f"has message {number} that is not a JSON object"
        body = message.get("data")
        if message.get("type") not in MESSAGE_TYPES or not isinstance(body, dict):
            return f"has message {number} without a 'type' ({', '.join(sorted(MESSAGE_TYPES)[:4])}, …) and a 'data' object"
        if not isinstance(body.get("content"), (str, list)):
            return f"has message {number} whose 'content' is not text"
        if not isinstance(body.get("additional_kwargs", {}), dict):
            return f"has message {number} whose 'additional_kwargs' is not an object"
    if not isinstance(data.get("state", {}), dict):
        return "has a 'state' that is not a JSON object"
    return None


def short_title(title: str) -> str:
    """A session title on one line, at most MAX_TITLE_CHARS characters (cut at a word, with …)."""
    line = " ".join(str(title).split()) or "Untitled session"
    if len(line) <= MAX_TITLE_CHARS:
        return line
    return (line[:MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] or line[:MAX_TITLE_CHARS - 1]) + "…"
