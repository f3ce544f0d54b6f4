"""One error tree: every error Tunesmith raises on purpose is a `TunesmithError` a person can act on.

Each subclass keeps the built-in base it had (`ValueError`, `LookupError`, `PermissionError`,
`RuntimeError`), so `except ValueError` around older code still works. The message is one sentence
saying what is wrong and what would be valid; `fix`, where there is one, says what to do about it.
Front doors (the CLI, the web app) catch `TunesmithError` and show `str(error)` (the message and
the fix), never a traceback.
"""

from __future__ import annotations

__all__ = [
    "InputError", "NotAllowedError", "NotFoundError", "TunesmithError", "UnavailableError", "exit_code",
]


class TunesmithError(Exception):
    """An expected failure: `message` says what went wrong, `fix` (optional) how to put it right.

    `str(error)` is the one line a person reads: the message, then the fix after a colon.
    """

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(f"{message.rstrip('.')}: {fix}" if fix else message)
        self.message = message
        self.fix = fix


class InputError(TunesmithError, ValueError):
    """Something the user handed over (words, a file, a setting, a tool argument) cannot be used as given."""


class NotFoundError(TunesmithError, LookupError):
    """A thing asked for by name (a session, a tune, a prompt) does not exist."""


class NotAllowedError(TunesmithError, PermissionError):
    """A read or write outside the files the user named or the session's own folder."""


class UnavailableError(TunesmithError, RuntimeError):
    """A model, program or server is missing or down; `fix` says how to get it (there is an offline path)."""


def exit_code(error: BaseException) -> int:
    """The process exit status for an error: 2 for bad input (as argument parsers do), 1 otherwise."""
    return 2 if isinstance(error, InputError) else 1
