"""ABC tokens and the records our parser fills: notes, bars, fields, with character positions.

Durations are `Fraction`s of a whole note; pitches are MIDI numbers (middle C = `C` = 60).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from tunesmith.tools.abc.fields import Key, Meter
from tunesmith.tools.abc.results import Problem

ACCIDENTALS = {"^^": 2, "^": 1, "=": 0, "_": -1, "__": -2}
BODY_FIELD_RE = re.compile(r"^([IKLMmNPQRrsTUVWw+]):(.*)$")
HEADER_FIELD_RE = re.compile(r"^([A-Za-z+]):(.*)$")
PROSE_WORD_RE = re.compile(r"[A-Za-z']{2,}")
TOKEN_RE = re.compile(
    r"""(?P<field>\[[A-Za-z]:[^\]\n]*\])
    |(?P<bar>(?::*\[?\|[\]|]*:*|::+)(?:\[?\d+(?:[-,]\d+)*)?)
    |(?P<ending>\[\d+(?:[-,]\d+)*)
    |(?P<note>(?P<acc>\^\^|\^|__|_|=)?(?P<letter>[A-Ga-g])(?P<octave>[,']*)(?P<length>\d*(?:/+\d*)?))
    |(?P<rest>(?P<rest_kind>[zx])(?P<rest_length>\d*(?:/+\d*)?))
    |(?P<multirest>[ZX](?P<bars>\d*))
    |(?P<chord_open>\[)
    |(?P<chord_close>\](?P<chord_length>\d*(?:/+\d*)?))
    |(?P<tuplet>\((?P<p>\d+)(?::(?P<q>\d*))?(?::(?P<r>\d*))?)
    |(?P<grace_open>\{/?)
    |(?P<grace_close>\})
    |(?P<broken>[<>]{1,3})
    |(?P<annotation>"[^"\n]*")
    |(?P<decoration>![^!\s|]*!|\+[^+\s]*\+|[.~H-Wh-w])
    |(?P<score_break>!)
    |(?P<slur_open>\()
    |(?P<ignored>[\s`y$)\-\\*])
    |(?P<overlay>&)
    """,
    re.VERBOSE,
)


@dataclass
class NoteToken:
    """A note or rest as written; `start`/`end` span its pitch spelling (accidental, letter, octave marks)."""

    start: int
    end: int
    letter: str | None  # upper-case letter; None for a rest
    octave: int  # 4 for C..B, 5 for c..b
    accidental: int | None  # as written
    midi: int | None
    key: Key
    grace: bool = False
    chord_member: bool = False  # a second or later note of a chord: sounds with the first
    onset: Fraction = Fraction(0)
    duration: Fraction = Fraction(0)
    bar_index: int = 0
    prefix_start: int = 0  # where its element begins, counting chord symbols, decorations, slurs, graces
    length_start: int = 0  # span of the written length suffix (after the note, or after a chord's ']')
    length_end: int = 0
    base: Fraction = Fraction(0)  # duration the length suffix multiplies (L:, times a chord's inner length)
    written: Fraction = Fraction(0)  # duration as written, before tuplets and broken rhythm


@dataclass
class BarSpan:
    """One bar as written: its content span in the text, its duration and the meter it is checked against."""

    start: int
    end: int
    line: int
    voice: str
    left: str  # bar line before it ('' at the tune start)
    right: str = ""  # bar line after it ('' when the tune ends without one)
    duration: Fraction = Fraction(0)
    meter: Meter = field(default_factory=lambda: Meter("none", None, None))
    count: int = 1  # a multi-bar rest Z4 is 4 bars
    overlay: bool = False
    number: int = 0
    continues: bool = False  # the rest of the previous bar, after a repeat sign (same number)
    onset: Fraction = Fraction(0)
    key: Key | None = None  # key in effect where the bar starts
    unit: Fraction = Fraction(1, 8)  # L: in effect where the bar starts


@dataclass
class FieldSpan:
    """A header or body field (K:, M:, L:, Q: ...) and where its value sits in the text."""

    letter: str
    value: str
    line: int
    start: int  # start of the whole field ('K' or '[')
    end: int  # end of the field (after the value, or the closing ']')
    in_header: bool


@dataclass
class ParsedTune:
    """Everything our parser read from one tune."""

    text: str
    headers: dict[str, str]
    fields: list[FieldSpan]
    body_start: int
    bars: list[BarSpan]
    notes: list[NoteToken]
    problems: list[Problem]
    key: Key
    meter: Meter
    unit: Fraction
    programs: list[tuple[int, int, int]]  # (start, end, program) of %%MIDI program lines
    has_key_field: bool
    chord_symbols: list[tuple[int, int]] = field(default_factory=list)  # spans of "..." annotations
    # Mechanical fixes found while reading: (start, end, replacement, what it fixes), for repair.
    fixes: list[tuple[int, int, str, str]] = field(default_factory=list)


def small_number(digits: str, cap: int = 10**6) -> int:
    """The value of a run of digits, at most `cap` (a fuzzed "C99999…" must not cost a huge integer)."""
    return cap if len(digits) > len(str(cap)) else min(int(digits), cap)


def parse_length(text: str) -> Fraction:
    """A note-length suffix (`2`, `3/2`, `/`, `//`, `/4`) as a multiple of the unit note length."""
    if not text:
        return Fraction(1)
    match = re.fullmatch(r"(\d*)(/*)(\d*)", text)
    numerator = small_number(match.group(1)) if match.group(1) else 1
    slashes = min(len(match.group(2)), 20)
    if not slashes:
        return Fraction(numerator)
    denominator = small_number(match.group(3)) * 2 ** (slashes - 1) if match.group(3) else 2**slashes
    return Fraction(numerator, max(denominator, 1))


def is_prose(line: str) -> bool:
    """True for a line of words (a model's chatter, a code fence) rather than ABC music or fields."""
    stripped = line.strip()
    if stripped.startswith("```"):
        return True
    bare = re.sub(r'"[^"]*"|![^!]*!', " ", stripped)
    wordy = [w for w in PROSE_WORD_RE.findall(bare) if sum(ch in "hijklmnopqrstuvwy" for ch in w) >= 2]
    return len(wordy) >= 2 or (len(wordy) == 1 and "|" not in bare and len(bare.split()) > 1)
