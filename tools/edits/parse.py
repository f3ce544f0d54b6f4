"""Edit requests ("now make it slower, in minor") -> edit operations, applied to the previous tune's ABC.

`read_edit` reads the words deterministically, like `tools.planning` reads a first request: the
changes (`EditOp`s, in the order said), values no tune can have ("in 0/4", "up to H": one
sentence each saying what is valid), kinds asked for without a value ("change the key": the
agent's model may fill those), a reference to an earlier version ("the version before the flute",
read by `references.py`, whose words are not read again as changes) and whether the words ask
for a new tune instead (`intent.py`). `apply_edits` then changes exactly what was asked through
`tools.abc`. Choices where the words are vague, and why:

* "slower"/"faster" scale the tempo by 0.8/1.25 (about one metronome-marking step, e.g. 120 -> 96),
  "much ..." by 0.65/1.5, "a bit ..." by 0.9/1.1; "calmer"/"livelier" by 0.85/1.15.
* "higher"/"lower" with no interval move by an octave: the only transposition that keeps every
  note name, so the tune is heard as the same tune in a new register.
* "sadder"/"darker" switch to minor, "happier"/"brighter" and "end on a happy note" to major. A
  Picardy third (only the last chord major) needs a harmony part a single-line tune does not have;
  changing the mode is the change a listener hears as a happy ending.
* "shorter" halves the bars; "longer" adds one part's worth of new bars, "twice as long" doubles
  them (new bars continue the tune in its style). "as a waltz"/"as a jig" makes it that tune type:
  its meter (the melody re-rhythmed), its R: field and a tempo inside the type's usual range.
* "more lively"/"livelier"/"busier" put more notes in each beat (density); "simpler"/"less busy"
  fewer. "calmer" and "more energetic" stay tempo words.
* "end on a high note" moves the final note to the tonic above; "end on a happy note" is major.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tunesmith.tools.edits.intent import asks_for_new_tune
from tunesmith.tools.edits.operations import EditError, EditKind, EditOp, EditReading
from tunesmith.tools.edits.references import find_reference
from tunesmith.tools.plan import PLAN_METER_DENOMINATORS, MusicPlan
from tunesmith.tools.planning.targets import BARS_RANGE, RequestError
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
_KEY = re.compile(rf"(?i:(?P<dir>\b(?:up|down)\s+)?\b(?:in|to|into)\s+(?:the\s+key\s+of\s+)?|\bkey\s+of\s+|\bkey\s+to\s+)"
                  rf"(?P<letter>[A-G])(?P<acc>\s*(?:#|♯|♭|-?\s?sharp|-?\s?flat)|b(?![a-z]))?"
                  rf"(?:\s*(?P<mode>(?i:{MODE_RE}))\b|(?P<abbr>m)\b)?(?![\w#/])(?!\s*(?:part|section|strain))")
# Other modes by name anywhere; "major"/"minor" only as a key ("in minor", "a minor key"), not "a major change".
_MODE = re.compile(r"\b(?P<mode>dorian|mixolydian|lydian|phrygian|locrian|aeolian|ionian)\b"
                   r"|\b(?:in|into|to|make it|turn it|switch(?: it)? to|change(?: it)? to)\s+(?:a\s+|the\s+)?"
                   r"(?P<mm>major|minor)\b|\b(?P<mk>major|minor)(?=\s+(?:key|mode|tonality|scale))")
_AS_TYPE = re.compile(r"\b(?:as|into|like|to|make it|turn it into)\s+an?\s+(" + "|".join(
    re.escape(w) for w in sorted(TYPE_NAMES, key=len, reverse=True)) + r")\b")
# A key letter that is no note ("up to H", "in the key of X"): refused with what is valid.
_BAD_KEY = re.compile(r"\b(?:(?:up|down|move(?:\s+it)?|transpose(?:\s+it)?|change(?:\s+it)?|put\s+it)\s+(?:up\s+|down\s+)?to"
                      r"|(?:in|into)\s+the\s+key\s+of|key\s+of)\s+(?P<letter>[H-Zh-z])\b(?!['\w])")
_BAD_METER = re.compile(r"(?<![\d/])(\d{1,3})\s*/\s*(\d{1,3})(?![\d/])")
_PLAY_ON = re.compile(r"\b(?:play(?:ed)?\s+(?:it\s+)?on|played\s+by|for)\s+(?:the|a|an) (?P<word>[a-z][a-z-]+)\b")
_DENSITY: list[tuple[str, str]] = [
    (r"more lively|livelier|busier|more notes|more active|more movement|more motion|more bounce|bouncier|"
     r"more rhythm(?:ic)?", "more"),
    (r"simpler|less busy|fewer notes|sparser|more sparse|less notes|plainer|less rhythmic", "less"),
]
_ENDING = re.compile(r"\bend(?:s|ing)?\s+(?:it\s+|the\s+tune\s+)?(?:on|with)\s+(?:a\s+|the\s+)?"
                     r"(?P<where>high|higher|top|low|lower|deep|bottom)(?:est)?\s+note\b")
_ADD_PART = re.compile(r"\b(?:add|give\s+it|with|write)\s+(?:an?\s+)?(?:new\s+|another\s+|extra\s+|second\s+|third\s+)?"
                       r"(?:(?P<letter>[A-Ha-h])(?:\s*-\s*|\s+))?(?:part|section|strain)\b")
# A kind asked for without a value: "change the key", "a different instrument", "another tempo".
_OPEN = re.compile(r"\b(?:change|different|another|new|other|switch)\s+(?:the\s+|its\s+)?"
                   r"(?P<what>key|instrument|tempo|speed|meter|metre|time\s+signature|mode|rhythm)\b")
_OPEN_KINDS: dict[str, EditKind] = {"key": "key", "instrument": "instrument", "tempo": "tempo", "speed": "tempo",
                                    "meter": "meter", "metre": "meter", "time signature": "meter", "mode": "mode",
                                    "rhythm": "density"}
_BARS_NUMBER = re.compile(rf"\b(?:to|make it|only|just|in)?\s*({NUMBER_RE})[\s-]*(?:bars?|measures?)(?:\s+long)?\b")
_BARS_ADD = re.compile(rf"\b(add|remove|drop|cut)\s+({NUMBER_RE})\s+(?:more\s+)?(?:bars?|measures?)\b")
_BARS_WORDS: list[tuple[str, float | str]] = [
    (r"half as long|shorter|cut it down|trim it", 0.5),
    (r"twice as long|double the length|double its length|two times as long", 2.0),
    (r"longer|extend it|lengthen it|add (?:some )?more bars|a bit more", "+part"),
]


def read_edit(text: str, current: MusicPlan | None = None) -> EditReading:
    """Everything `text` says as an edit: the operations in the order written (with `current`, the
    previous tune's plan, relative changes become absolute values), refused values, open asks, a
    reference to an earlier version and whether a new tune is wanted."""
    if not isinstance(text, str):
        raise EditError(f"an edit request must be text, not {type(text).__name__}")
    if len(text) > MAX_EDIT_CHARS:
        raise EditError(f"the edit request has {len(text)} characters; at most {MAX_EDIT_CHARS} are read")
    text = text.replace("♯", "#").replace("♭", "b")
    reading = EditReading(new_tune=asks_for_new_tune(text))
    reference, blanked = find_reference(text, lambda words: _change_named(words, current))
    reading.reference = reference
    ops: list[tuple[int, EditOp]] = []
    for start, clause in _clauses(blanked):
        ops.extend((start + pos, op) for pos, op in _clause_ops(clause, current, reading))
    reading.ops = [op for _, op in sorted(ops, key=lambda pair: pair[0])]
    if not reading.refused:
        try:
            refuse_unknown_tonic(text)  # "H# major" with no "in"/"to" before it
        except RequestError as exc:
            reading.refused.append(str(exc))
    return reading


def parse_edit(text: str, current: MusicPlan | None = None) -> list[EditOp]:
    """The edit operations `text` asks for, in the order written; EditError for a value no tune can
    have ("at 500 bpm"). An empty list means no change was recognised."""
    reading = read_edit(text, current)
    if reading.refused:
        raise EditError(reading.refused[0])
    return reading.ops


def _change_named(words: str, current: MusicPlan | None) -> tuple[EditOp | None, EditKind | None]:
    """What change a reference names ("the flute" -> instrument flute; "the key change" -> kind key)."""
    bare = re.sub(r"^(?:the|a|an)\s+", "", words.strip(), flags=re.IGNORECASE)
    for framed in (words, f"in {bare}", f"as a {bare}", f"for {bare}"):  # "the minor", "the waltz", "the flute"
        found = _clause_ops(framed, current, EditReading())
        if found:
            return found[0][1], None
    kind = next((k for word, k in _KIND_WORDS.items() if re.search(rf"\b{word}\b", words.lower())), None)
    return None, kind


_KIND_WORDS: dict[str, EditKind] = {"key": "key", "transpos\\w*": "transpose", "tempo": "tempo", "speed": "tempo",
                                    "instrument": "instrument", "mode": "mode", "meter": "meter", "metre": "meter",
                                    "time signature": "meter", "length": "bars", "bars": "bars", "part": "section",
                                    "ending": "ending", "rhythm": "density"}


def _clauses(text: str) -> list[tuple[int, str]]:
    """Split on sentence and clause punctuation; a part named in a clause scopes only that clause."""
    return [(m.start(), m.group(0)) for m in re.finditer(r"[^.;,!?\n]+", text)]


def _clause_ops(clause: str, current: MusicPlan | None, reading: EditReading) -> list[tuple[int, EditOp]]:
    lower = clause.lower()
    found: list[tuple[int, EditOp]] = []

    def blank(match: re.Match[str]) -> None:
        nonlocal lower, clause
        start, end = match.span()
        lower = lower[:start] + " " * (end - start) + lower[end:]
        clause = clause[:start] + " " * (end - start) + clause[end:]

    def add(match: re.Match[str], kind: EditKind, value: str | int | float, **extra: str | None) -> None:
        """Record an op with the words that asked for it, and blank those words so nothing reads them twice."""
        found.append((match.start(), EditOp(kind=kind, value=value, evidence=clause[match.start():match.end()].strip(),
                                            **extra)))
        blank(match)

    def refuse(match: re.Match[str], sentence: str) -> None:
        reading.refused.append(sentence)
        blank(match)

    for pattern, verb in ((_SECTION_DROP, "drop"), (_SECTION_KEEP, "keep")):
        for match in pattern.finditer(lower):
            add(match, "section", f"{verb} {match['letter'].upper()}")
    for match in _ADD_PART.finditer(clause):
        add(match, "section", f"add {match['letter'].upper()}" if match["letter"] else "add")
    section_match = _SECTION.search(clause)
    section = (section_match["lower"] or section_match["upper"]).upper() if section_match else None
    if section_match:
        blank(section_match)
    for match in _OPEN.finditer(lower):
        reading.open_kinds.append(_OPEN_KINDS[re.sub(r"\s+", " ", match["what"])])
    for pattern, value in _DENSITY:
        for match in re.finditer(rf"\b(?:{pattern})\b", lower):
            add(match, "density", value)
    for match in _ENDING.finditer(lower):
        add(match, "ending", "high" if match["where"] in ("high", "higher", "top") else "low")

    _read_tempo(lower, add, refuse, current)
    for match in METER_NUMERIC_RE.finditer(lower):
        try:
            if meter := meter_value(match, PLAN_METER_DENOMINATORS):
                add(match, "meter", meter)
        except RequestError as exc:  # "in 0/4": said back, the rest of the edit still happens
            refuse(match, str(exc))
    for match in METER_NAMED_RE.finditer(lower):
        add(match, "meter", METER_WORDS[match[1]])
    for match in _AS_TYPE.finditer(lower):
        add(match, "tune_type", TYPE_NAMES[match[1]])
    for match in _BAD_KEY.finditer(clause):
        refuse(match, f"{match['letter'].upper()!r} is not a note name: a key is a letter A to G, with sharp or flat "
                      "if you like (e.g. 'up to A', 'in B flat')")
    for pattern in _TRANSPOSE:
        for match in pattern.finditer(lower):
            count = 1.0 if not match["n"] or match["n"] in ("a", "an") else number_value(match["n"])
            sign = -1 if (match["dir"] or "up").startswith(("down", "lower")) or match["n"] and match["n"][0] == "-" else 1
            add(match, "transpose", int(sign * abs(count) * INTERVALS[match["iv"]]))
    for match in _KEY.finditer(clause):
        if lower[match.start():match.end()] == clause[match.start():match.end()].lower():  # not read already
            mode_word = (match["mode"] or "").lower()
            direction = (match["dir"] or "").strip().lower() or None
            add(match, "key", tonic_name(match["letter"], match["acc"]), direction=direction)
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
        bars = int(number_value(match[1]))
        if BARS_RANGE[0] <= bars <= BARS_RANGE[1]:
            add(match, "bars", bars)
        else:
            refuse(match, f"{match[0].strip()!r}: a tune here has {BARS_RANGE[0]} to {BARS_RANGE[1]} bars")
    for pattern, factor in _BARS_WORDS:
        for match in re.finditer(rf"\b(?:{pattern})\b", lower):
            if isinstance(factor, str):
                add(match, "bars", factor)
            else:
                add(match, "bars", max(2, min(128, round(current.bars * factor))) if current else factor)
    for match in INSTRUMENT_RE.finditer(lower):
        add(match, "instrument", INSTRUMENT_WORDS[match[1].lower()])
    for match in _PLAY_ON.finditer(lower):
        if match["word"] not in _NOT_INSTRUMENTS:
            refuse(match, f"{match['word']!r} is not an instrument I can play; try e.g. piano, violin, fiddle, flute, "
                          "tin whistle, accordion, guitar, harp, clarinet or cello")
    for match in _REGISTER.finditer(lower):
        add(match, "transpose", 12 if match.group(0).startswith("higher") else -12)
    if section:
        for _, op in found:
            if op.kind != "section":
                op.section = section
    return found


_NOT_INSTRUMENTS = frozenset({"and", "or", "but", "then", "with", "in", "at", "beat", "beats", "downbeat", "offbeat", "repeat", "loop", "radio", "end", "top",
                               "way", "piece", "tune", "song", "record", "same", "other", "first", "second", "last",
                               "next", "wedding", "party", "dance", "dancers", "kids", "children", "baby", "me", "us",
                               "them", "him", "her", "you", "funeral", "night", "morning", "evening", "minute"})


def _read_tempo(lower: str, add: Callable[..., None], refuse: Callable[..., None], current: MusicPlan | None) -> None:
    """Tempo ops: a number, an Italian term, or a relative word (resolved against `current`)."""
    match = next(filter(None, (pattern.search(lower) for pattern in TEMPO_NUMBER_PATTERNS)), None)
    if match:
        try:
            add(match, "tempo", tempo_value(match))
        except RequestError as exc:  # "at 500 bpm": said back, the rest of the edit still happens
            refuse(match, str(exc))
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
