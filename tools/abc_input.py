"""Accepting ABC input: size and type checks, splitting files into tunes, parsing exactly one tune."""

from __future__ import annotations

import re

from tools.abc_parse import parse_tune
from tools.abc_syntax import ParsedTune
from tools.abc_types import MAX_ABC_CHARS, AbcError

_X_LINE = re.compile(r"^X:", re.MULTILINE)


def checked_text(abc: object) -> str:
    """The input as text with Unix line ends, or AbcError if it is not a string, empty or too large."""
    if not isinstance(abc, str):
        raise AbcError(f"ABC must be text, got {type(abc).__name__}")
    if len(abc) > MAX_ABC_CHARS:
        raise AbcError(f"the ABC text has {len(abc)} characters; at most {MAX_ABC_CHARS} are accepted")
    if not abc.strip():
        raise AbcError("the ABC text is empty; expected header lines (X:1, T:, M:, L:, K:) and music")
    return abc.replace("\r\n", "\n").replace("\r", "\n")


def split_tunes(text: str) -> list[str]:
    """Split a multi-tune file at its X: lines; text before the first X: (a file header) is dropped.

    Text without any X: line is returned whole as one tune (if not blank).
    """
    if not isinstance(text, str) or len(text) > MAX_ABC_CHARS:
        checked_text(text)
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
    """Bars of the first voice as written, the pickup not counted, multi-bar rests counted in full."""
    if not tune.bars:
        return 0
    voice = tune.bars[0].voice
    return sum(bar.count for bar in tune.bars if bar.voice == voice and bar.number > 0)
