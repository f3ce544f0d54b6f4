"""Our ABC tokenizer and parser: headers, bars and notes with their line and character positions.

Durations are `Fraction`s of a whole note; pitches are MIDI numbers (middle C = `C` = 60).
Repeats are not unfolded: everything is as written. Problems found while reading (unknown symbols,
bad fields, unbalanced repeats) are collected, never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from tools.abc_fields import (
    NATURAL_SEMITONES, FieldError, Key, Meter, default_unit_length, parse_key, parse_meter,
    parse_tempo, parse_unit_length,
)
from tools.abc_types import Problem

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
    |(?P<decoration>![^!\n]*!|\+[^+\s]*\+|[.~H-Wh-w])
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


def parse_length(text: str) -> Fraction:
    """A note-length suffix (`2`, `3/2`, `/`, `//`, `/4`) as a multiple of the unit note length."""
    if not text:
        return Fraction(1)
    match = re.fullmatch(r"(\d*)(/*)(\d*)", text)
    numerator = int(match.group(1)) if match.group(1) else 1
    slashes = len(match.group(2))
    if not slashes:
        return Fraction(numerator)
    denominator = int(match.group(3)) * 2 ** (slashes - 1) if match.group(3) else 2**slashes
    return Fraction(numerator, max(denominator, 1))


def is_prose(line: str) -> bool:
    """True for a line of words (a model's chatter, a code fence) rather than ABC music or fields."""
    stripped = line.strip()
    if stripped.startswith("```"):
        return True
    bare = re.sub(r'"[^"]*"|![^!]*!', " ", stripped)
    wordy = [w for w in PROSE_WORD_RE.findall(bare) if sum(ch in "hijklmnopqrstuvwy" for ch in w) >= 2]
    return len(wordy) >= 2 or (len(wordy) == 1 and "|" not in bare and len(bare.split()) > 1)


def line_starts(text: str) -> list[int]:
    """Character offset of the start of each line."""
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text))
    return starts


class _BodyReader:
    """Reads music lines token by token, closing bars at bar lines."""

    def __init__(self, tune: ParsedTune, problems: list[Problem]) -> None:
        self.tune = tune
        self.problems = problems
        self.key, self.meter, self.unit = tune.key, tune.meter, tune.unit
        self.voice = "1"
        self.voice_onsets: dict[str, Fraction] = {}
        self.pending_left: dict[str, str] = {}
        self.bar: BarSpan | None = None
        self.elements: list[list] = []  # [duration, notes] per rhythmic element of the open bar
        self.bar_accidentals: dict[tuple[str, int], int] = {}
        self.tuplet: tuple[Fraction, int] | None = None
        self.chord: list[NoteToken] | None = None
        self.chord_length: Fraction | None = None
        self.grace = False
        self.broken: Fraction | None = None
        self.repeat_open: int | None = None  # line of an open |:
        self.segment_start = tune.body_start  # just after the last bar line
        self.prefix_start: int | None = None  # start of the decorations before the next element
        self.last_end = tune.body_start  # just after the last token read
        self.positions: list[tuple[Problem, int]] = []  # problems with the index of their bar

    # --- bars -------------------------------------------------------------------------------
    def open_bar(self, offset: int, line: int) -> BarSpan:
        if self.bar is None:
            start = min(self.segment_start, offset)
            while start < offset and self.tune.text[start].isspace():
                start += 1
            left = self.pending_left.pop(self.voice, "")
            self.bar = BarSpan(start, offset, line, self.voice, left, meter=self.meter, key=self.key, unit=self.unit)
        return self.bar

    def close_bar(self, right: str, offset: int) -> None:
        bar = self.bar
        if bar is not None and self.elements:
            bar.right = right
            bar.end = offset
            bar.onset = self.voice_onsets.get(self.voice, Fraction(0))
            position = Fraction(0)
            for duration, notes in self.elements:
                for note in notes:
                    note.onset = bar.onset + position
                    note.duration = duration if not note.grace else Fraction(0)
                    note.bar_index = len(self.tune.bars)
                position += duration
            bar.duration = position
            self.voice_onsets[self.voice] = bar.onset + position
            self.tune.bars.append(bar)
            for _, notes in self.elements:
                self.tune.notes.extend(notes)
        elif right:
            # An empty segment (`|` at a line end, then `|:`): both bar lines border the same bars.
            earlier = [b for b in self.tune.bars if b.voice == self.voice]
            if earlier:
                earlier[-1].right += " " + right
        if right:
            self.pending_left[self.voice] = right
        self.bar, self.elements, self.bar_accidentals, self.broken = None, [], {}, None

    def add_element(self, duration: Fraction, notes: list[NoteToken]) -> None:
        if self.tuplet is not None:
            ratio, remaining = self.tuplet
            duration *= ratio
            self.tuplet = (ratio, remaining - 1) if remaining > 1 else None
        if self.broken is not None:
            duration *= self.broken
            self.broken = None
        self.elements.append([duration, notes])

    # --- tokens -----------------------------------------------------------------------------
    def pitch(self, match: re.Match, offset: int) -> NoteToken:
        letter = match.group("letter")
        octave = 5 if letter.islower() else 4
        octave += match.group("octave").count("'") - match.group("octave").count(",")
        upper = letter.upper()
        written = ACCIDENTALS.get(match.group("acc") or "")
        if written is not None:
            self.bar_accidentals[(upper, octave)] = written
            alter = written
        else:
            alter = self.bar_accidentals.get((upper, octave), self.key.alterations.get(upper, 0))
        midi = 12 * (octave + 1) + NATURAL_SEMITONES[upper] + alter
        end = offset + match.start("length") - match.start()
        return NoteToken(offset, end, upper, octave, written, midi, self.key, grace=self.grace)

    def read_line(self, text: str, offset: int, line: int) -> None:
        position = 0
        while position < len(text):
            match = TOKEN_RE.match(text, position)
            if match is None:
                symbol = text[position]
                self.problem(line, f"unknown symbol {symbol!r}; remove it", "token")
                position += 1
                continue
            self.token(match, offset + position, line)
            if match.lastgroup != "ignored":
                self.last_end = offset + match.end()
            position = match.end()

    def problem(self, line: int, message: str, kind: str, severity: str = "error") -> None:
        problem = Problem(line=line, bar=None, severity=severity, message=message, kind=kind)
        self.problems.append(problem)
        self.positions.append((problem, len(self.tune.bars)))

    def token(self, match: re.Match, offset: int, line: int) -> None:
        kind = match.lastgroup
        if kind in ("annotation", "decoration", "slur_open", "tuplet", "grace_open", "chord_open"):
            if self.prefix_start is None:
                self.prefix_start = offset
            if kind == "annotation":
                self.tune.chord_symbols.append((offset, offset + len(match.group(0))))
        elif kind in ("bar", "ending", "field"):
            self.prefix_start = None
        if kind in ("note", "rest"):
            self.open_bar(offset, line)
            note = self.pitch(match, offset) if kind == "note" else NoteToken(offset, offset + 1, None, 0, None, None, self.key)
            length = parse_length(match.group("length") if kind == "note" else match.group("rest_length"))
            note.prefix_start = offset if self.prefix_start is None else self.prefix_start
            if self.chord is None and not self.grace:
                self.prefix_start = None
            if self.chord is not None:
                note.chord_member = bool(self.chord)
                if not self.chord:
                    self.chord_length = length
                self.chord.append(note)
            elif self.grace:
                if note.letter:
                    self.elements.append([Fraction(0), [note]])
            else:
                self.add_element(self.unit * length, [note])
        elif kind in ("bar", "ending"):
            text = match.group(0)
            if kind == "ending":
                if self.bar is not None:
                    self.bar.left += " " + text
                else:
                    self.pending_left[self.voice] = self.pending_left.get(self.voice, "") + " " + text
                return
            self.repeats(text, line)
            self.close_bar(text, offset)
            self.segment_start = offset + len(text)
        elif kind == "multirest":
            bar = self.open_bar(offset, line)
            bar.count = int(match.group("bars") or 1)
            rest = NoteToken(offset, offset + 1, None, 0, None, None, self.key)
            self.elements.append([(self.meter.bar_length or Fraction(1)) * bar.count, [rest]])
        elif kind == "chord_open":
            self.open_bar(offset, line)
            self.chord, self.chord_length = [], None
        elif kind == "chord_close":
            if self.chord is None:
                self.problem(line, "']' closes a chord that was never opened; remove it", "token")
                return
            notes, self.chord = self.chord, None
            self.prefix_start = None
            if notes:
                length = (self.chord_length or Fraction(1)) * parse_length(match.group("chord_length"))
                self.add_element(self.unit * length, notes)
        elif kind == "tuplet":
            p = int(match.group("p"))
            if not 2 <= p <= 9:
                self.problem(line, f"tuplet ({p} is not supported; use (2 to (9", "token")
                return
            default_q = {2: 3, 3: 2, 4: 3, 6: 2, 8: 3}.get(p, 3 if self.meter.compound else 2)
            q = int(match.group("q")) if match.group("q") else default_q
            r = int(match.group("r")) if match.group("r") else p
            self.tuplet = (Fraction(q, p), r)
        elif kind == "grace_open":
            self.open_bar(offset, line)
            self.grace = True
        elif kind == "grace_close":
            self.grace = False
        elif kind == "broken":
            arrows = match.group(0)
            if not self.elements or arrows.strip("<") and arrows.strip(">"):
                self.problem(line, f"broken rhythm {arrows!r} needs a note on each side, e.g. a>b", "token")
                return
            shift = Fraction(1, 2 ** len(arrows))
            longer, shorter = 2 - shift, shift
            first, second = (longer, shorter) if arrows[0] == ">" else (shorter, longer)
            self.elements[-1][0] *= first
            self.broken = second
        elif kind == "field":
            self.inline_field(match.group(0), offset, line)
        elif kind == "overlay":
            self.open_bar(offset, line).overlay = True

    def repeats(self, text: str, line: int) -> None:
        closes = text.startswith(":") or text == "::"
        opens = text.rstrip("0123456789,-[").endswith(":")
        if closes:
            self.repeat_open = None
        if opens:
            if self.repeat_open is not None:
                self.problem(line, "|: opens a repeat while another is still open; close it with :| first", "repeat", "warning")
            self.repeat_open = line

    def inline_field(self, text: str, offset: int, line: int) -> None:
        letter, value = text[1], text[3:-1]
        self.tune.fields.append(FieldSpan(letter, value, line, offset, offset + len(text), False))
        self.apply_field(letter, value, line, offset)

    def apply_field(self, letter: str, value: str, line: int, offset: int) -> None:
        """Apply a K:, M:, L: or V: field met in the body (its own line or inline)."""
        try:
            if letter == "K":
                self.key = parse_key(value)
            elif letter == "M":
                self.meter = parse_meter(value)
                if self.bar is not None and not self.elements:
                    self.bar.meter = self.meter
            elif letter == "L":
                self.unit = parse_unit_length(value)
            elif letter == "V":
                if self.elements:
                    self.close_bar("", offset)
                self.bar = None
                self.voice = value.split()[0] if value.split() else "1"
        except FieldError as error:
            self.problem(line, str(error), "header")
