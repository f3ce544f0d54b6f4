"""Edit requests ("now make it slower, in minor") -> edit operations, applied to the previous tune's ABC.

`parse_edit` reads the words deterministically, like `tools.request` reads a first request, and
`apply_edits` changes exactly what was asked through `tools.abc` (a tempo edit rewrites Q: and
nothing else). Choices where the words are vague, and why:

* "slower"/"faster" scale the tempo by 0.8/1.25 (about one metronome-marking step, e.g. 120 -> 96),
  "much ..." by 0.65/1.5, "a bit ..." by 0.9/1.1; "calmer"/"livelier" by 0.85/1.15.
* "higher"/"lower" with no interval move by an octave: the only transposition that keeps every
  note name, so the tune is heard as the same tune in a new register.
* "sadder"/"darker" switch to minor, "happier"/"brighter" and "end on a happy note" to major. A
  Picardy third (only the last chord major) needs a harmony part a single-line tune does not have;
  changing the mode is the change a listener hears as a happy ending.
* "shorter"/"longer" halve/double the bars; "as a waltz"/"as a jig" changes the meter only (the
  tune type's meter from tools.tune_types) and records the tune type in the plan; the notes stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tunesmith.tools.edits.operations import EditKind, EditOp
from tunesmith.tools.plan import PLAN_METER_DENOMINATORS, MusicPlan
from tunesmith.tools.planning.targets import RequestError
from tunesmith.tools.planning.words import (
    INSTRUMENT_RE,
    INSTRUMENT_WORDS,
    INTERVALS,
    ITALIAN_RE,
    ITALIAN_TEMPI,
    METER_NAMED_RE,
    METER_NUMERIC_RE,
    METER_WORDS,
    MODE_RE,
    MODE_WORDS,
    NUMBER_RE,
    TEMPO_COMPARATIVES,
    TEMPO_MAX,
    TEMPO_MIN,
    TEMPO_NUMBER_PATTERNS,
    TYPE_NAMES,
    meter_value,
    number_value,
    refuse_unknown_tonic,
    tempo_value,
    tonic_name,
)
from tunesmith.tools.theory.tune_types import TUNE_TYPES

MAX_EDIT_CHARS = 2000

_MODE_MOODS: list[tuple[str, str]] = [
    (r"sadder|darker|more (?:sad|melancholic|melancholy|sombre|somber|mournful|gloomy)", "minor"),
    (r"happier|brighter|more (?:cheerful|happy|joyful)|end (?:it )?on a (?:happy|bright|cheerful|positive) note", "major"),
]
_INTERVAL_NAMES = "|".join(re.escape(n) for n in sorted(INTERVALS, key=len, reverse=True))
_COUNT = rf"(?:an?|{NUMBER_RE})"
_TRANSPOSE = [
    re.compile(rf"\b(?P<dir>up|down|higher|raised?|raises|lower(?:ed)?)\s+(?:it\s+|the\s+tune\s+)?(?:by\s+)?"
               rf"(?P<n>{_COUNT})?\s*(?P<iv>{_INTERVAL_NAMES})s?\b"),
    re.compile(rf"\b(?P<n>{_COUNT})?\s*(?P<iv>{_INTERVAL_NAMES})s?\s+(?P<dir>up|down|higher|lower)\b"),
    re.compile(r"\btranspose(?:\s+it)?\s+(?:by\s+)?(?P<n>[+-]?\d+)\s*(?P<iv>semitone)s?(?:\s+(?P<dir>up|down))?\b"),
]
_REGISTER = re.compile(r"\b(?:higher|lower)(?:\s+(?:register|pitch|up|down))?\b")
# "a brighter register" is an octave up, not a change of mode ("brighter" alone means major).
_COLOUR_REGISTER = re.compile(r"\b(?P<dir>brighter|darker)\s+(?:register|octave|range)\b")
# "the B part", "B section", "the b part" (a lower-case letter only after "the": "a part" is no part name).
_SECTION = re.compile(r"\b(?:the\s+(?P<lower>[a-h])|(?:the\s+)?(?P<upper>[A-H]))[\s-]*(?:part|section|strain)\b")
_SECTION_DROP = re.compile(r"\b(?:drop|remove|cut|skip|delete|lose|without)\s+(?:the\s+)?"
                           r"(?P<letter>[A-Ha-h])[\s-]*(?:part|section|strain)\b")
_SECTION_KEEP = re.compile(r"\b(?:only|just)\s+(?:the\s+)?(?P<letter>[A-Ha-h])[\s-]*(?:part|section|strain)\b")
_KEY = re.compile(rf"(?i:\b(?:in|to|into)\s+(?:the\s+key\s+of\s+)?|\bkey\s+of\s+|\bkey\s+to\s+)"
                  rf"(?P<letter>[A-G])(?P<acc>\s*(?:#|♯|♭|-?\s?sharp|-?\s?flat)|b(?![a-z]))?"
                  rf"(?:\s*(?P<mode>(?i:{MODE_RE}))\b|(?P<abbr>m)\b)?(?![\w#/])(?!\s*(?:part|section|strain))")
# Other modes by name anywhere; "major"/"minor" only as a key ("in minor", "a minor key"), not "a major change".
_MODE = re.compile(r"\b(?P<mode>dorian|mixolydian|lydian|phrygian|locrian|aeolian|ionian)\b"
                   r"|\b(?:in|into|to|make it|turn it|switch(?: it)? to|change(?: it)? to)\s+(?:a\s+|the\s+)?"
                   r"(?P<mm>major|minor)\b|\b(?P<mk>major|minor)(?=\s+(?:key|mode|tonality|scale))")
_AS_TYPE = re.compile(r"\b(?:as|into|like|to)\s+an?\s+(" + "|".join(
    re.escape(w) for w in sorted(TYPE_NAMES, key=len, reverse=True)) + r")\b")
_BARS_NUMBER = re.compile(rf"\b(?:to|make it|only|just|in)?\s*({NUMBER_RE})[\s-]*(?:bars?|measures?)(?:\s+long)?\b")
_BARS_ADD = re.compile(rf"\b(add|remove|drop|cut)\s+({NUMBER_RE})\s+(?:more\s+)?(?:bars?|measures?)\b")
_BARS_WORDS: list[tuple[str, float]] = [(r"half as long|shorter|cut it down|trim it", 0.5),
                                        (r"twice as long|longer|extend it|double the length", 2.0)]


def parse_edit(text: str, current: MusicPlan | None = None) -> list[EditOp]:
    """The edit operations `text` asks for, in the order they are written. With `current` (the previous
    tune's plan) relative changes become absolute values (tempo in BPM, bars). Unrecognised words give
    no operation; an empty list means nothing was recognised."""
    if not isinstance(text, str):
        raise RequestError(f"an edit request must be text, not {type(text).__name__}")
    if len(text) > MAX_EDIT_CHARS:
        raise RequestError(f"the edit request has {len(text):,} characters; at most {MAX_EDIT_CHARS:,} are read")
    refuse_unknown_tonic(text)
    ops: list[tuple[int, EditOp]] = []
    for start, clause in _clauses(text.replace("♯", "#").replace("♭", "b")):
        ops.extend((start + pos, op) for pos, op in _clause_ops(clause, current))
    return [op for _, op in sorted(ops, key=lambda pair: pair[0])]


def _clauses(text: str) -> list[tuple[int, str]]:
    """Split on sentence and clause punctuation; a part named in a clause scopes only that clause."""
    return [(m.start(), m.group(0)) for m in re.finditer(r"[^.;,!?\n]+", text)]


def _clause_ops(clause: str, current: MusicPlan | None) -> list[tuple[int, EditOp]]:
    lower = clause.lower()
    found: list[tuple[int, EditOp]] = []

    def add(match: re.Match[str], kind: EditKind, value: str | int | float) -> None:
        """Record an op with the words that asked for it, and blank those words so nothing reads them twice."""
        nonlocal lower
        found.append((match.start(), EditOp(kind=kind, value=value, evidence=clause[match.start():match.end()].strip())))
        lower = lower[: match.start()] + " " * (match.end() - match.start()) + lower[match.end():]

    for pattern, verb in ((_SECTION_DROP, "drop"), (_SECTION_KEEP, "keep")):
        for match in pattern.finditer(lower):
            add(match, "section", f"{verb} {match['letter'].upper()}")
    section_match = _SECTION.search(clause)
    section = (section_match["lower"] or section_match["upper"]).upper() if section_match else None
    if section_match:
        start, end = section_match.span()
        lower = lower[:start] + " " * (end - start) + lower[end:]

    _read_tempo(lower, add, current)
    for match in METER_NUMERIC_RE.finditer(lower):
        if meter := meter_value(match, PLAN_METER_DENOMINATORS):
            add(match, "meter", meter)
    for match in METER_NAMED_RE.finditer(lower):
        add(match, "meter", METER_WORDS[match[1]])
    for match in _AS_TYPE.finditer(lower):
        name = TYPE_NAMES[match[1]]
        found.append((match.start() + 1, EditOp(kind="tune_type", value=name, evidence=clause[match.start():match.end()].strip())))
        add(match, "meter", TUNE_TYPES[name].meter)
    for pattern in _TRANSPOSE:
        for match in pattern.finditer(lower):
            count = 1.0 if not match["n"] or match["n"] in ("a", "an") else number_value(match["n"])
            sign = -1 if (match["dir"] or "up").startswith(("down", "lower")) or match["n"] and match["n"][0] == "-" else 1
            add(match, "transpose", int(sign * abs(count) * INTERVALS[match["iv"]]))
    for match in _KEY.finditer(clause):
        if lower[match.start():match.end()] == clause[match.start():match.end()].lower():  # not read already
            mode_word = (match["mode"] or "").lower()
            add(match, "key", tonic_name(match["letter"], match["acc"]))
            if mode_word or match["abbr"]:
                found.append((match.start() + 1, EditOp(kind="mode", value=MODE_WORDS.get(mode_word, "minor"),
                                                        evidence=clause[match.start():match.end()].strip())))
    for match in _COLOUR_REGISTER.finditer(lower):
        add(match, "transpose", 12 if match["dir"] == "brighter" else -12)
    for pattern, mode in _MODE_MOODS:
        for match in re.finditer(rf"\b(?:{pattern})\b", lower):
            add(match, "mode", mode)
    for match in _MODE.finditer(lower):
        add(match, "mode", MODE_WORDS[match["mode"] or match["mm"] or match["mk"]])
    for match in _BARS_ADD.finditer(lower):
        delta = int(number_value(match[2])) * (1 if match[1] == "add" else -1)
        add(match, "bars", current.bars + delta if current else f"{delta:+d}")
    for match in _BARS_NUMBER.finditer(lower):
        add(match, "bars", int(number_value(match[1])))
    for pattern, factor in _BARS_WORDS:
        for match in re.finditer(rf"\b(?:{pattern})\b", lower):
            add(match, "bars", max(2, min(128, round(current.bars * factor))) if current else factor)
    for match in INSTRUMENT_RE.finditer(lower):
        add(match, "instrument", INSTRUMENT_WORDS[match[1]])
    for match in _REGISTER.finditer(lower):
        add(match, "transpose", 12 if match.group(0).startswith("higher") else -12)
    if section:
        for _, op in found:
            if op.kind != "section":
                op.section = section
    return found


def _read_tempo(lower: str, add: Callable[..., None], current: MusicPlan | None) -> None:
    """Tempo ops: a number, an Italian term, or a relative word (resolved against `current`)."""
    match = next(filter(None, (pattern.search(lower) for pattern in TEMPO_NUMBER_PATTERNS)), None)
    if match:
        add(match, "tempo", tempo_value(match))
        return
    match = ITALIAN_RE.search(lower)
    if match:
        low, high = ITALIAN_TEMPI[match[1]]
        add(match, "tempo", min(max(current.tempo_bpm, low), high) if current else (low + high) // 2)
        return
    for pattern, factor in TEMPO_COMPARATIVES:
        match = re.search(rf"\b(?:{pattern})\b", lower)
        if match:
            value = max(TEMPO_MIN, min(TEMPO_MAX, round(current.tempo_bpm * factor))) if current else factor
            add(match, "tempo", value)
            return

