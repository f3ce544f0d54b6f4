"""Our ABC tokenizer: reads music lines token by token into bars and notes with their positions.

Durations are `Fraction`s of a whole note; pitches are MIDI numbers (middle C = `C` = 60).
Repeats are not unfolded: everything is as written. Problems found while reading (unknown symbols,
unclosed chords, unbalanced repeats) are collected, never raised.
"""

from __future__ import annotations

import re
from fractions import Fraction

from tunesmith.tools.abc.fields import FieldError, parse_key, parse_meter, parse_unit_length
from tunesmith.tools.abc.results import Problem
from tunesmith.tools.abc.tokens import (
    ACCIDENTALS,
    TOKEN_RE,
    BarSpan,
    FieldSpan,
    NoteToken,
    ParsedTune,
    parse_length,
    small_number,
)
from tunesmith.tools.theory import midi_number

MIN_LENGTH, MAX_LENGTH = Fraction(1, 64), Fraction(64)  # note lengths in multiples of L:
MAX_REST_BARS = 256
PREFIX_TOKENS = ("annotation", "decoration", "slur_open", "tuplet", "grace_open", "chord_open")
# One-letter decorations abc2midi knows (bowing u v, trill T, roll ~ R, staccato . ...). It refuses one
# ("Malformed note") unless what follows, past other one-letter decorations, is a note, rest or chord;
# a staccato dot may also stand before a bar line or a slur.
ONE_LETTER_DECORATIONS = ".~HLMOPRSTuv"
_DECORATED = re.compile(r"[A-Ga-g^_=zx\[]")
_DOT_ALSO_BEFORE = re.compile(r"[(|:\]]")


class BodyReader:
    """Reads music lines token by token, closing bars at bar lines."""

    def __init__(self, tune: ParsedTune) -> None:
        self.tune = tune
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
        """End the open bar at `offset` with bar line `right`: time its notes and store it."""
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
        """Add a note, rest or chord to the open bar, applying a pending tuplet or broken rhythm."""
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
        """A note's MIDI number from letter, octave marks, accidentals in this bar and the key."""
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
        midi = midi_number(upper, alter, octave)
        end = offset + match.start("length") - match.start()
        return NoteToken(offset, end, upper, octave, written, midi, self.key, grace=self.grace)

    def read_line(self, text: str, offset: int, line: int) -> None:
        """Tokenize one music line (comment already stripped); `offset` is its start in the tune text."""
        position = 0
        while position < len(text):
            match = TOKEN_RE.match(text, position)
            if match is None:
                symbol = text[position]
                self.tune.fixes.append((offset + position, offset + position + 1, "", f"removed unknown symbol {symbol!r}"))
                self.problem(line, f"unknown symbol {symbol!r}; remove it", "token")
                position += 1
                continue
            if match.lastgroup == "decoration" and not self.decorates_something(text, position):
                symbol = text[position]
                self.tune.fixes.append((offset + position, offset + position + 1, "", f"removed the mark {symbol!r} that stood before no note"))
                self.problem(line, f"the mark {symbol!r} is not directly before a note, rest or chord, so abc2midi "
                             f"rejects it; write it just before the note (e.g. {symbol}G) or remove it", "token")
            self.token(match, offset + position, line)
            if match.lastgroup != "ignored":
                self.last_end = offset + match.end()
            position = match.end()

    @staticmethod
    def decorates_something(text: str, position: int) -> bool:
        """False for a one-letter decoration at `position` that abc2midi would refuse: nothing to decorate follows."""
        symbol = text[position]
        if symbol not in ONE_LETTER_DECORATIONS:
            return True
        after = position + 1
        while after < len(text) and text[after] in ONE_LETTER_DECORATIONS:
            after += 1
        following = text[after:after + 1]
        return bool(following) and (bool(_DECORATED.match(following)) or symbol == "." and bool(_DOT_ALSO_BEFORE.match(following)))

    def problem(self, line: int, message: str, kind: str, severity: str = "error") -> None:
        problem = Problem(line=line, bar=None, severity=severity, message=message, kind=kind)
        self.tune.problems.append(problem)
        self.positions.append((problem, len(self.tune.bars)))

    def token(self, match: re.Match, offset: int, line: int) -> None:
        """Dispatch one token to its handler; decorations before a note are remembered as its prefix."""
        kind = match.lastgroup
        if kind in PREFIX_TOKENS:
            if self.prefix_start is None:
                self.prefix_start = offset
            if kind == "annotation":
                self.tune.chord_symbols.append((offset, offset + len(match.group(0))))
        elif kind in ("bar", "ending", "field"):
            self.prefix_start = None
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(match, offset, line)

    def _on_note(self, match: re.Match, offset: int, line: int) -> None:
        self.open_bar(offset, line)
        rest = match.lastgroup == "rest"
        note = NoteToken(offset, offset + 1, None, 0, None, None, self.key) if rest else self.pitch(match, offset)
        group = "rest_length" if rest else "length"
        length = self.length_of(match.group(group), line)
        note.length_start = offset + match.start(group) - match.start()
        note.length_end = offset + match.end(group) - match.start()
        note.base, note.written = self.unit, self.unit * length
        note.prefix_start = offset if self.prefix_start is None else self.prefix_start
        if self.chord is not None:
            note.chord_member = bool(self.chord)
            if not self.chord:
                self.chord_length = length
            self.chord.append(note)
        elif self.grace:
            if note.letter:
                self.elements.append([Fraction(0), [note]])
        else:
            self.prefix_start = None
            self.add_element(self.unit * length, [note])

    _on_rest = _on_note

    def _on_ending(self, match: re.Match, offset: int, line: int) -> None:
        if self.bar is not None:
            self.bar.left += " " + match.group(0)
        else:
            self.pending_left[self.voice] = self.pending_left.get(self.voice, "") + " " + match.group(0)

    def _on_bar(self, match: re.Match, offset: int, line: int) -> None:
        text = match.group(0)
        self.close_open_groups(offset, line)
        self.repeats(text, offset, line)
        self.close_bar(text, offset)
        self.segment_start = offset + len(text)

    def _on_multirest(self, match: re.Match, offset: int, line: int) -> None:
        bar = self.open_bar(offset, line)
        bar.count = small_number(match.group("bars") or "1")
        if not 1 <= bar.count <= MAX_REST_BARS:
            self.problem(line, f"a multi-bar rest of {bar.count} bars is out of range; use Z1 to Z{MAX_REST_BARS}", "token")
            bar.count = min(max(bar.count, 1), MAX_REST_BARS)
        rest = NoteToken(offset, offset + 1, None, 0, None, None, self.key)
        self.elements.append([(self.meter.bar_length or Fraction(1)) * bar.count, [rest]])

    def _on_chord_open(self, match: re.Match, offset: int, line: int) -> None:
        self.open_bar(offset, line)
        self.chord, self.chord_length = [], None

    def _on_chord_close(self, match: re.Match, offset: int, line: int) -> None:
        if self.chord is None:
            self.problem(line, "']' closes a chord that was never opened; remove it", "token")
            self.tune.fixes.append((offset, offset + 1, "", "removed a stray ']'"))
            return
        notes, self.chord = self.chord, None
        self.prefix_start = None
        if notes:
            # A chord lasts as long as its first note, times the length written after ']'.
            inner = self.chord_length or Fraction(1)
            length = inner * self.length_of(match.group("chord_length"), line)
            notes[0].length_start = offset + match.start("chord_length") - match.start()
            notes[0].length_end = offset + match.end("chord_length") - match.start()
            notes[0].base, notes[0].written = self.unit * inner, self.unit * length
            self.add_element(self.unit * length, notes)

    def _on_tuplet(self, match: re.Match, offset: int, line: int) -> None:
        p = small_number(match.group("p"))
        if not 2 <= p <= 9:
            self.problem(line, f"tuplet ({p} is not supported; use (2 to (9", "token")
            return
        # ABC 2.1: (p:q:r puts p notes in the time of q for the next r notes.
        default_q = {2: 3, 3: 2, 4: 3, 6: 2, 8: 3}.get(p, 3 if self.meter.compound else 2)
        q = small_number(match.group("q"), 64) if match.group("q") else default_q
        r = small_number(match.group("r"), 64) if match.group("r") else p
        self.tuplet = (Fraction(q, max(p, 1)), r)

    def _on_grace_open(self, match: re.Match, offset: int, line: int) -> None:
        self.open_bar(offset, line)
        self.grace = True

    def _on_grace_close(self, match: re.Match, offset: int, line: int) -> None:
        self.grace = False

    def _on_broken(self, match: re.Match, offset: int, line: int) -> None:
        arrows = match.group(0)
        if not self.elements or arrows.strip("<") and arrows.strip(">"):
            self.problem(line, f"broken rhythm {arrows!r} needs a note on each side, e.g. a>b", "token")
            self.tune.fixes.append((offset, offset + len(arrows), "", f"removed a dangling {arrows!r}"))
            return
        shift = Fraction(1, 2 ** len(arrows))  # > : 3/2 + 1/2, >> : 7/4 + 1/4
        first, second = (2 - shift, shift) if arrows[0] == ">" else (shift, 2 - shift)
        self.elements[-1][0] *= first
        self.broken = second

    def _on_field(self, match: re.Match, offset: int, line: int) -> None:
        text = match.group(0)
        letter, value = text[1], text[3:-1]
        self.tune.fields.append(FieldSpan(letter, value, line, offset, offset + len(text), False))
        self.apply_field(letter, value, line, offset)

    def _on_overlay(self, match: re.Match, offset: int, line: int) -> None:
        self.open_bar(offset, line).overlay = True  # voice overlay `&`: the bar is not duration-checked

    def end_line(self, line_end: int, ends_with_continuation: bool) -> bool:
        """At a line end, close a bar that is exactly full but has no bar line; True if one was closed.

        Files converted from EsAC (the Essen collections) omit the bar line at phrase ends.
        """
        if ends_with_continuation:
            return False
        self.close_open_groups(line_end, self.bar.line if self.bar else 0)
        expected = self.meter.bar_length
        if self.bar is None or expected is None or self.tuplet:
            return False
        if sum(duration for duration, _ in self.elements) != expected:
            return False
        self.close_bar("", line_end)
        self.segment_start = line_end
        return True

    def close_open_groups(self, offset: int, line: int) -> None:
        """A bar line (or the tune end) closes a chord `[` or grace group `{` left open, with a problem."""
        if self.chord is not None:
            self.problem(line, "a chord opened with '[' is not closed before the bar line or line end; close it with ']'", "token")
            self.tune.fixes.append((offset, offset, "]", "closed a chord left open"))
            notes, self.chord = self.chord, None
            if notes:
                self.add_element(self.unit * (self.chord_length or Fraction(1)), notes)
        if self.grace:
            self.problem(line, "grace notes opened with '{' are not closed before the bar line or line end; close them with '}'", "token")
            self.tune.fixes.append((offset, offset, "}", "closed a grace-note group left open"))
            self.grace = False

    def length_of(self, text: str, line: int) -> Fraction:
        """A length suffix as a multiple of L:, clamped to 1/64..64 with a problem when outside."""
        length = parse_length(text)
        if not MIN_LENGTH <= length <= MAX_LENGTH:
            self.problem(line, f"note length {text!r} is out of range; use a multiple of L: from 1/64 to 64, e.g. 2, 3/2 or /2", "token")
            length = min(max(length, MIN_LENGTH), MAX_LENGTH)
        return length

    def repeats(self, text: str, offset: int, line: int) -> None:
        """Track |: and :|; a second |: while one is open is an error, fixed by closing the first."""
        closes = text.startswith(":")
        opens = text.rstrip("0123456789,-[").endswith(":")
        if closes:
            self.repeat_open = None
        if opens:
            if self.repeat_open is not None:
                self.problem(line, "|: opens a repeat while the one opened on line "
                             f"{self.repeat_open} is still open; end that section with :|", "repeat")
                earlier = [b for b in self.tune.bars if b.voice == self.voice]
                position = offset if self.elements or not earlier else earlier[-1].end
                self.tune.fixes.append((position, position, ":", "closed a repeat before the next |:"))
            self.repeat_open = line

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
