"""Melody-model tokens -> ABC text that a musician would write: L:1/8, beams by beat, broken rhythm
(`A>B`), tuplets (`(3abc`), ties, chords, repeats and endings, accidentals only where needed.

Lengths in tokens are sounding lengths in 1/96 whole notes; a run of notes whose lengths are not
multiples of 3 units (1/32) is a triplet group, written with `(3` (or `(3:2:r` for r notes) at
3/2 of its sounding length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from tunesmith.tools.abc import length_suffix, parse_key, spell_midi
from tunesmith.tools.melody_model.vocab import (
    BAR_LINES,
    CHORD_NOTE,
    ENDINGS,
    SECTION_ENDS,
    TIE,
    UNITS_PER_WHOLE,
    parse_note,
)
from tunesmith.tools.theory import abc_key

UNIT = Fraction(1, 8)  # L: of the written tune
BARS_PER_LINE = 4


@dataclass
class Event:
    """A note, chord or rest of a bar: MIDI pitches (empty for a rest) and each one's length in units."""

    pitches: list[int]
    units: list[int]
    tied: bool = False

    @property
    def length(self) -> int:
        return self.units[0]


@dataclass
class Bar:
    """The events of one bar, the bar line (and ending) before it, and a meter change at its start."""

    before: list[str] = field(default_factory=list)
    meter: str | None = None
    events: list[Event] = field(default_factory=list)


def bars_of(body: list[str], reference: int) -> tuple[list[Bar], list[str]]:
    """Split body tokens into bars; returns the bars and the bar line (with ending) after the last one."""
    bars, current = [], Bar()
    for token in body:
        if token in BAR_LINES or token in ENDINGS:
            if current.events or current.meter:
                bars.append(current)
                current = Bar()
            current.before.append(token)
        elif token.startswith("M:"):
            current.meter = token[2:]
        elif token == TIE:
            if current.events:
                current.events[-1].tied = True
        elif token == CHORD_NOTE:
            current.events.append(Event([], []))  # filled by the next note
        else:
            note = parse_note(token)
            if note is None:
                continue
            step, units = note
            pitches = [] if step is None else [reference + step]
            if current.events and not current.events[-1].units:  # the chord note announced by '&'
                current.events.pop()
                if current.events:
                    current.events[-1].pitches += pitches
                    current.events[-1].units.append(units)
                    continue
            current.events.append(Event(pitches, [units]))
    if current.events or current.meter:
        bars.append(current)
        current = Bar()
    return bars, current.before


def _bar_line_text(tokens: list[str]) -> str:
    """'|' + '[1' -> '|1'; ':|' + '[2' -> ':|2'; an ending alone -> '[2'."""
    line = next((t for t in tokens if t in BAR_LINES), "")
    ending = next((t for t in tokens if t in ENDINGS), "")
    if not ending:
        return line
    if line in ("|", ":|"):
        return line + ending[1:]
    return f"{line} {ending}".strip()


def _event_text(event: Event, written: list[Fraction], signature, in_bar: dict, unit: Fraction) -> str:
    if not event.pitches:
        return "z" + length_suffix(written[0] / unit)
    names = [spell_midi(p, signature, in_bar) for p in event.pitches]
    if len(names) == 1:
        text = names[0] + length_suffix(written[0] / unit)
    elif len(set(written)) == 1:
        text = "[" + "".join(names) + "]" + length_suffix(written[0] / unit)
    else:
        text = "[" + "".join(n + length_suffix(w / unit) for n, w in zip(names, written)) + "]"
    return text + ("-" if event.tied else "")


def _beat_units(meter: str) -> int:
    """Units (1/96 whole) between beam breaks: a dotted quarter in compound meters, a half bar in
    4/4 and 2/2 (reels are beamed in fours), else a quarter."""
    if meter == "none":
        return 24
    top, bottom = (int(x) for x in meter.split("/"))
    if bottom == 8 and top % 3 == 0:
        return 36
    if (top, bottom) in ((4, 4), (2, 2)):
        return 48
    return 24


def _broken(first: Event, second: Event) -> str | None:
    """'>' or '<' when two single notes are a dotted pair that ABC writes as broken rhythm."""
    if len(first.pitches) != 1 or len(second.pitches) != 1 or first.tied or len(first.units) + len(second.units) != 2:
        return None
    a, b = first.length, second.length
    pair = a + b
    if pair not in (12, 24):  # dotted eighth + sixteenth, or half that
        return None
    if a == 3 * b:
        return ">"
    if b == 3 * a:
        return "<"
    return None


def bar_text(bar: Bar, meter: str, signature, chords: Sequence[tuple[int, str]] = (), unit: Fraction = UNIT) -> str:
    """One bar's notes as ABC (no bar lines) with lengths in units of L: `unit`, beamed by beat;
    `chords` are (position in 1/96 whole notes, symbol), each written on the first note or rest from there."""
    in_bar: dict = {}
    beat = _beat_units(meter)
    pending = sorted(chords)
    pieces: list[str] = []
    position, index, events = 0, 0, bar.events
    while index < len(events):
        event = events[index]
        if position and position % beat == 0:
            pieces.append(" ")
        while pending and pending[0][0] <= position:
            pieces.append(f'"{pending.pop(0)[1]}"')
        if event.length % 3:
            # A triplet group: notes until the lengths add up to a multiple of 1/32 again.
            end, total = index, 0
            while end < len(events) and (end == index or total % 3):
                total += events[end].length
                end += 1
            group = events[index:end]
            pieces.append("(3" if len(group) == 3 else f"(3:2:{len(group)}")
            for member in group:
                written = [Fraction(u * 3, 2 * UNITS_PER_WHOLE) for u in member.units]
                pieces.append(_event_text(member, written, signature, in_bar, unit))
            position += total
            index = end
            continue
        following = events[index + 1] if index + 1 < len(events) else None
        mark = _broken(event, following) if following is not None and following.length % 3 == 0 else None
        if mark:
            half = Fraction((event.length + following.length) // 2, UNITS_PER_WHOLE)
            pieces.append(_event_text(event, [half], signature, in_bar, unit) + mark
                          + _event_text(following, [half], signature, in_bar, unit))
            position += event.length + following.length
            index += 2
            continue
        written = [Fraction(u, UNITS_PER_WHOLE) for u in event.units]
        pieces.append(_event_text(event, written, signature, in_bar, unit))
        position += event.length
        index += 1
    return "".join(pieces)


def body_lines(body: list[str], meter: str, tonic: str, mode: str, reference: int,
               chords: list[str | None] | None = None) -> list[str]:
    """The tune's music lines: four bars a line, a new line after each section end; `chords` are
    chord symbols per bar (None: none)."""
    signature = parse_key(abc_key(tonic, mode))
    bars, closing = bars_of(body, reference)
    lines, line, in_line = [], "", 0
    current_meter = meter
    for index, bar in enumerate(bars):
        before = _bar_line_text(bar.before) or ("|" if index else "")
        line += before + (" " if before[-1:].isdigit() else "")
        if index and (bar.before[:1] and bar.before[0] in SECTION_ENDS or in_line >= BARS_PER_LINE):
            lines.append(line.strip())
            line, in_line = "", 0
        if bar.meter:
            current_meter = bar.meter
            line += f"[M:{bar.meter}]"
        symbol = chords[index] if chords and index < len(chords) else None
        line += bar_text(bar, current_meter, signature, [(0, symbol)] if symbol else ())
        in_line += 1
    line += _bar_line_text(closing)
    if line.strip():
        lines.append(line.strip())
    return lines


def tune_abc(body: list[str], *, meter: str, tonic: str, mode: str, reference: int, title: str = "Untitled",
             header: list[str] | None = None, chords: list[str | None] | None = None) -> str:
    """A complete tune: `header` lines (they must hold X, M, L:1/8 and K with this tonic and mode;
    default X, T, M, L, K), then the music."""
    lines = header or ["X:1", f"T:{' '.join(title.split()) or 'Untitled'}", f"M:{meter}", "L:1/8",
                       f"K:{abc_key(tonic, mode)}"]
    return "\n".join(lines + body_lines(body, meter, tonic, mode, reference, chords)) + "\n"


def round_trip(abc: str) -> tuple[bool, str]:
    """(musically identical, the ABC written back) for tokenize -> write: the same notes and rests
    (onset, length, pitch) and the same bar lines, repeats and endings. TokenizeError if untokenizable."""
    from tunesmith.tools.abc import parsed_tune, tune_notes
    from tunesmith.tools.melody_model.tokens import tokenize_parsed

    tune = parsed_tune(abc)
    tokens = tokenize_parsed(tune)
    written = tune_abc(tokens.body, meter=tokens.meter, tonic=tokens.tonic, mode=tune.key.mode, reference=tokens.reference,
                       title=tokens.title)

    def notes(text: str) -> list[tuple]:
        return [(round(e.onset, 5), round(e.duration, 5), e.midi) for e in tune_notes(text)]

    def structure(body: list[str]) -> list[str]:
        return [t for t in body if t in BAR_LINES or t in ENDINGS or t.startswith("M:")]

    again = tokenize_parsed(parsed_tune(written))
    return notes(abc) == notes(written) and structure(tokens.body) == structure(again.body), written
