"""Accepting ABC input: size and type checks, splitting files into tunes, parsing exactly one tune."""

from __future__ import annotations

import re

from tunesmith.tools.abc.parse import parse_tune
from tunesmith.tools.abc.results import MAX_ABC_CHARS, AbcError
from tunesmith.tools.abc.tokens import ParsedTune

_X_LINE = re.compile(r"^X:", re.MULTILINE)
# A file of many tunes may be larger than one tune; each tune is still held to MAX_ABC_CHARS.
MAX_FILE_CHARS = 50 * MAX_ABC_CHARS


def checked_text(abc: object) -> str:
    """The input as text with Unix line ends, or AbcError if it is not a string, empty or too large."""
    if not isinstance(abc, str):
        raise AbcError(f"ABC must be text, got {type(abc).__name__}")
    if len(abc) > MAX_ABC_CHARS:
        raise AbcError(f"the ABC text has {len(abc)} characters; at most {MAX_ABC_CHARS} are accepted")
    if not abc.strip():
        raise AbcError("the ABC text is empty; expected header lines (X:1, T:, M:, L:, K:) and music")
    return _encodable(abc).replace("\r\n", "\n").replace("\r", "\n")


def _encodable(text: str) -> str:
    """The text with lone surrogates (undecodable bytes smuggled into a str) replaced, so it can be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def split_tunes(text: str) -> list[str]:
    """Split a multi-tune file at its X: lines; text before the first X: (a file header) is dropped.

    Text without any X: line is returned whole as one tune (if not blank). Files up to
    MAX_FILE_CHARS (5,000,000) characters are accepted.
    """
    if not isinstance(text, str):
        raise AbcError(f"ABC must be text, got {type(text).__name__}")
    if len(text) > MAX_FILE_CHARS:
        raise AbcError(f"the ABC file has {len(text)} characters; at most {MAX_FILE_CHARS} are accepted")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    starts = [match.start() for match in _X_LINE.finditer(text)]
    if not starts:
        return [text.strip("\n")] if text.strip() else []
    bounds = starts + [len(text)]
    return [text[start:end].rstrip() for start, end in zip(bounds, bounds[1:])]


def parsed_tune(abc: str) -> ParsedTune:
    """Parse one tune; AbcError if the text holds several tunes or nothing that looks like ABC."""
    text = checked_text(abc)
    tunes = split_tunes(text)
    if len(tunes) > 1:
        raise AbcError(f"the text holds {len(tunes)} tunes (X: lines); pass one tune (see split_tunes)")
    tune = parse_tune(text)
    if not tune.bars and not tune.fields:
        raise AbcError("this is not ABC: no header fields (X:, K: ...) and no music were found")
    return tune


def bar_count(tune: ParsedTune) -> int:
    """Distinct bar numbers of the first voice: the pickup not counted, a second ending not counted
    again, a multi-bar rest Z4 counted as 4."""
    if not tune.bars:
        return 0
    voice = tune.bars[0].voice
    numbers = {bar.number + k for bar in tune.bars if bar.voice == voice for k in range(bar.count)}
    return len(numbers - {0})
