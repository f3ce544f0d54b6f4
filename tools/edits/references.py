"""Words that point back at an earlier version of the tune in a conversation.

"the first tune", "the original", "version 2", "the second version", "the previous version",
"the version before the flute", "go back to before the key change", "undo that". Only the words
are read here; which version they mean is decided against the conversation's history by the agent
(`agent/state.py`). The words found are blanked, so "the version before the flute" is not read
again as a request for a flute.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tunesmith.tools.edits.operations import EditKind, EditOp, VersionReference
from tunesmith.tools.planning.words import NUMBER_RE, number_value

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
             "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "original": 1,
             "very first": 1, "initial": 1}
_THING = r"(?:version|tune|one|take|try|attempt|draft|melody|song|piece)"
_STOP = r"(?=\s*(?:[,.;!?]|$|\band\b|\bbut\b|\bthen\b|\bplease\b|\bwith\b|\bagain\b))"
_BEFORE = re.compile(
    rf"\b(?:(?:go|going|get|take\s+it|take\s+me|bring\s+(?:it|me))\s+)?(?:back\s+)?(?:to\s+)?(?:the\s+)?"
    rf"(?:(?:{_THING}|how\s+it\s+was|what\s+it\s+was|what\s+we\s+had)\s+(?:from\s+|just\s+)?)?"
    rf"before\s+(?P<what>(?:(?!\b(?:and|but|then|please)\b)[^,.;!?])*?){_STOP}", re.IGNORECASE)
_ORDINAL = re.compile(
    rf"\b(?:(?:go|going|get|take\s+it|bring\s+it)\s+)?(?:back\s+)?(?:to\s+)?the\s+(?P<ord>{'|'.join(sorted(_ORDINALS, key=len, reverse=True))})"
    rf"(?:\s+{_THING})?\b(?!\s+(?:part|section|strain|bar|note|beat|time))", re.IGNORECASE)
_NUMBERED = re.compile(
    rf"\b(?:(?:go|going|get|take\s+it|bring\s+it)\s+)?(?:back\s+)?(?:to\s+)?(?:the\s+)?(?:version|take|turn|tune|number|#)\s*"
    rf"(?P<n>\d+|{NUMBER_RE})\b", re.IGNORECASE)
_PREVIOUS = re.compile(
    rf"\b(?:(?:go|going|get|take\s+it|bring\s+it)\s+)?(?:back\s+)?(?:to\s+)?(?:the\s+)?(?:previous|last|earlier|older|old)\s+{_THING}\b"
    r"|\b(?:undo|revert|reverse)\s+(?:that|it|this|the\s+last\s+(?:change|edit|one)|your\s+last\s+(?:change|edit))\b"
    r"|\bas\s+it\s+was(?:\s+before)?\b|\bgo(?:ing)?\s+back\b", re.IGNORECASE)

NamedChange = Callable[[str], tuple[EditOp | None, EditKind | None]]


def _blank(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]


def find_reference(text: str, named_change: NamedChange) -> tuple[VersionReference | None, str]:
    """The first reference to an earlier version in `text`, and the text with its words blanked.

    `named_change` reads what a "before ..." phrase names ("the flute" -> an instrument op;
    "the key change" -> the kind "key").
    """
    match = _BEFORE.search(text)
    if match:
        what = match["what"].strip()
        what = re.sub(r"^(?:the|you|we|i|it)\s+(?:changed|made|put|moved|switched|added|went)\s+(?:it\s+)?(?:to\s+|on\s+)?", "",
                      what, flags=re.IGNORECASE)
        op, kind = named_change(what) if what else (None, None)
        if not what:  # "the version before": the one the current version came from
            return VersionReference(kind="previous", evidence=match[0].strip()), _blank(text, match)
        return VersionReference(kind="before", change=op, change_kind=kind, evidence=match[0].strip()), _blank(text, match)
    match = _ORDINAL.search(text)
    if match:
        number = _ORDINALS[match["ord"].lower()]
        return VersionReference(kind="number", number=number, evidence=match[0].strip()), _blank(text, match)
    match = _NUMBERED.search(text)
    if match:
        number = int(number_value(match["n"]))
        return VersionReference(kind="number", number=number, evidence=match[0].strip()), _blank(text, match)
    match = _PREVIOUS.search(text)
    if match:
        return VersionReference(kind="previous", evidence=match[0].strip()), _blank(text, match)
    return None, text
