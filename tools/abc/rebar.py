"""Re-rhythm bars of a tune into another meter: read each bar as note events, move them in time, write them back.

Used by `meter_change.change_meter` when bar lines alone cannot do it (4/4 -> 3/4 or 6/8, a held
note across a new bar line). How notes move, and why:

* Beats map to beats. With fewer new beats, the last old beats share one (4/4 -> 3/4: beats 1 and 2
  stay, beats 3 and 4 share beat 3), so the bar opens as written; with more, the first old beat
  spans the extra ones (2/4 -> 3/4: beat 1 becomes a long downbeat over beats 1-2, the waltz's
  "long-short"), so a pickup keeps its length.
* A simple beat becomes a compound one long-short (two eighths `AB` become `A2B`, the jig lilt);
  a compound beat becomes a simple one as eighth-sixteenth pairs (`ABc` -> `A/B/c`).
* Notes land on a grid of eighths (sixteenths where the bar had notes shorter than an eighth).
  Where more notes than grid places fall in one new beat, the metrically weakest (off-beat) notes
  give way, the earlier of two equals kept; a note lasts until the next one starts.
* A note longer than one written length allows, or crossing a new bar line, is written as tied notes.

Grace notes, decorations and slurs of rewritten bars are not kept; chord symbols and other
quoted annotations stay on the note they were written before. Durations are `Fraction`s of a whole note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from tunesmith.tools.abc.fields import Key, Meter
from tunesmith.tools.abc.results import AbcError
from tunesmith.tools.abc.spelling import ACCIDENTAL_TEXT, letter_text
from tunesmith.tools.abc.tokens import BarSpan, ParsedTune
from tunesmith.tools.theory import midi_number

Pitch = tuple[str, int, int]  # (letter, octave, alteration in semitones)
EIGHTH, SIXTEENTH = Fraction(1, 8), Fraction(1, 16)
# Written lengths that need no tie: plain and dotted notes from a sixteenth to a dotted whole.
PRINTABLE = sorted({Fraction(2) ** k for k in range(-4, 1)} | {Fraction(3, 2) * Fraction(2) ** k for k in range(-4, 1)},
                   reverse=True)


@dataclass
class Event:
    """A note, chord or rest of one bar; `onset` counts from the start of a full bar (a pickup sits at its end)."""

    onset: Fraction
    duration: Fraction
    pitches: list[Pitch]  # empty for a rest
    annotations: str = ""  # chord symbols and other quoted text written before it
    tie: bool = False  # tied to the next event
    weight: float = 0.0  # metric weight of its onset in the old meter (bar start highest)


@dataclass
class Beats:
    """How a meter counts: `count` beats of `length` (whole notes), each divided in `division` (2 or 3)."""

    length: Fraction
    count: int
    division: int

    @classmethod
    def of(cls, meter: Meter) -> Beats:
        bar = meter.bar_length
        if meter.compound:
            return cls(Fraction(3, meter.denominator), meter.numerator // 3, 3)
        length = Fraction(1, 4) if meter.denominator <= 4 else Fraction(1, meter.denominator)
        return cls(length, int(bar / length), 2)


@dataclass
class BarEvents:
    """The events of one written bar, where the bar sits in a full bar, and how long it is."""

    bar: BarSpan
    events: list[Event] = field(default_factory=list)
    offset: Fraction = Fraction(0)  # where a short bar starts inside a full one (a pickup: at the end)


def _metric_weight(onset: Fraction, beats: Beats) -> float:
    """4 at the bar start, 3 on a beat (3.5 on the middle beat of an even bar), 2 on a beat's
    division, 1 on its half, 0 elsewhere."""
    if onset == 0:
        return 4.0
    position = onset / beats.length
    if position.denominator == 1:
        middle = beats.count % 2 == 0 and position == beats.count // 2
        return 3.5 if middle else 3.0
    if (position * beats.division).denominator == 1:
        return 2.0
    if (position * beats.division * 2).denominator == 1:
        return 1.0
    return 0.0


def read_bar_events(tune: ParsedTune, index: int, beats: Beats) -> BarEvents:
    """The notes, chords and rests of bar `index` (tied notes joined), with their annotations."""
    bar = tune.bars[index]
    full = bar.meter.bar_length
    found = BarEvents(bar)
    if full is not None and bar.duration < full and (bar.number == 0 or bar.continues):
        found.offset = full - bar.duration
    notes = [n for n in tune.notes if n.bar_index == index and not n.grace]
    symbols = sorted(tune.chord_symbols)
    for note in notes:
        pitch = None if note.letter is None else (note.letter, note.octave, note.midi - midi_number(note.letter, 0, note.octave))
        if note.chord_member and found.events:
            if pitch is not None:
                found.events[-1].pitches.append(pitch)
            continue
        onset = note.onset - bar.onset + found.offset
        text = "".join(tune.text[start:end] for start, end in symbols if note.prefix_start <= start < note.start)
        tied = tune.text[note.length_end:note.length_end + 1] == "-"
        previous = found.events[-1] if found.events else None
        if previous is not None and previous.tie and pitch is not None and previous.pitches == [pitch] and not text:
            previous.duration += note.duration
            previous.tie = tied
            continue
        found.events.append(Event(onset, note.duration, [pitch] if pitch else [], text, tied, _metric_weight(onset, beats)))
    return found


def _division_map(position: Fraction, old: int, new: int) -> Fraction:
    """Where a point `position` (0..1) of a beat divided in `old` lands in a beat divided in `new`."""
    if old == 2 and new == 3:  # two equal halves -> long-short
        return position * Fraction(4, 3) if position <= Fraction(1, 2) else Fraction(2, 3) + (position - Fraction(1, 2)) * Fraction(2, 3)
    if old == 3 and new == 2:  # long-short -> two equal halves
        return position * Fraction(3, 4) if position <= Fraction(2, 3) else Fraction(1, 2) + (position - Fraction(2, 3)) * Fraction(3, 2)
    return position


def beat_spans(old: Beats, new: Beats) -> list[tuple[Fraction, Fraction]]:
    """For each old beat, the (start, length) in the new bar it maps to (whole notes)."""
    spans = []
    if old.count >= new.count:
        base, extra = divmod(old.count, new.count)
        sizes = [base] * (new.count - extra) + [base + 1] * extra  # old beats per new beat, more at the end
        for beat, size in enumerate(sizes):
            share = new.length / size
            spans += [(beat * new.length + k * share, share) for k in range(size)]
    else:
        base, extra = divmod(new.count, old.count)
        start = Fraction(0)
        for size in [base + 1] * extra + [base] * (old.count - extra):  # new beats per old beat, more at the start
            spans.append((start, size * new.length))
            start += size * new.length
    return spans


def warp(onset: Fraction, old: Beats, new: Beats, spans: list[tuple[Fraction, Fraction]]) -> Fraction:
    """Where an onset of the old bar (whole notes from its start) lands in the new bar."""
    beat = min(int(onset / old.length), len(spans) - 1)
    position = (onset - beat * old.length) / old.length
    start, length = spans[beat]
    if length >= new.length:  # a whole new beat or more: change the beat's division feel
        position = _division_map(position, old.division, new.division)
    return start + position * length


def _grid(events: list[Event]) -> Fraction:
    """Sixteenths where the bar has notes shorter than an eighth (triplet eighths do not count), else eighths."""
    return SIXTEENTH if any(e.duration < EIGHTH and e.duration.denominator % 3 for e in events) else EIGHTH


def rerhythm_bar(found: BarEvents, old: Beats, new: Beats, new_length: Fraction) -> tuple[list[Event], Fraction]:
    """The bar's events moved into a bar of `new_length`: (events with new onsets and durations, bar start).

    The bar start is where a pickup begins inside the new full bar (0 for other bars).
    """
    spans = beat_spans(old, new)
    grid = _grid(found.events)
    slots = int(new_length / grid)
    old_full = old.length * old.count
    first = round(warp(found.offset, old, new, spans) / grid) if found.offset else 0
    end = slots
    if found.offset == 0 and found.bar.duration < old_full:  # a short last bar, or the first half of a split one
        end = max(1, round(warp(found.bar.duration, old, new, spans) / grid))
    first = min(first, slots - 1)
    kept = [(e, float(warp(e.onset, old, new, spans) / grid)) for e in found.events]
    kept = _thin(kept, grid, new, first, end)
    places = _assign([x for _, x in kept], first, end)
    moved = []
    for (event, _), place, following in zip(kept, places, [*places[1:], end], strict=True):
        moved.append(Event(place * grid, (following - place) * grid, event.pitches, event.annotations, event.tie, event.weight))
    return moved, first * grid


def _thin(kept: list[tuple[Event, float]], grid: Fraction, new: Beats, first: int, end: int) -> list[tuple[Event, float]]:
    """Drop the weakest events of any new beat that holds more events than grid places, and of the whole bar."""
    per_beat = int(new.length / grid)
    groups: dict[int, list[int]] = {}
    for index, (_, x) in enumerate(kept):
        groups.setdefault(min(int(x + 1e-9) // per_beat, new.count - 1), []).append(index)
    dropped: set[int] = set()
    for beat, members in groups.items():
        room = max(1, min((beat + 1) * per_beat, end) - max(beat * per_beat, first))
        dropped |= set(_weakest(kept, members, len(members) - room))
    remaining = [i for i in range(len(kept)) if i not in dropped]
    dropped |= set(_weakest(kept, remaining, len(remaining) - (end - first)))
    return [pair for index, pair in enumerate(kept) if index not in dropped]


def _weakest(kept: list[tuple[Event, float]], members: list[int], count: int) -> list[int]:
    """The `count` weakest of `members`: rests before notes, low metric weight first, later before earlier."""
    if count <= 0:
        return []
    ranked = sorted(members, key=lambda i: (bool(kept[i][0].pitches), kept[i][0].weight, -i))
    return ranked[:count]


def _assign(targets: list[float], first: int, end: int) -> list[int]:
    """Strictly increasing grid places in [first, end) as near the targets as order allows."""
    places = [min(max(int(x + 0.5 - 1e-9), first), end - 1) for x in targets]
    for i in range(len(places)):
        if i and places[i] <= places[i - 1]:
            places[i] = places[i - 1] + 1
    for i in reversed(range(len(places))):
        limit = end - 1 if i == len(places) - 1 else places[i + 1] - 1
        places[i] = min(places[i], limit)
    if places and places[0] < first:
        raise AbcError("the bar has more notes than the new meter has room for")
    return places


def _pieces(duration: Fraction) -> list[Fraction]:
    """A duration as printable lengths, longest first (tied when there are several)."""
    pieces, left = [], duration
    while left > 0:
        piece = next((p for p in PRINTABLE if p <= left), None)
        if piece is None:
            raise AbcError(f"a note of {duration} whole notes cannot be written; it is shorter than a sixteenth")
        pieces.append(piece)
        left -= piece
    return pieces


def length_text(duration: Fraction, unit: Fraction) -> str:
    """An ABC length suffix for `duration` in units of L: `unit` ("" for one unit, "3", "/2", "3/2")."""
    ratio = duration / unit
    if ratio == 1:
        return ""
    if ratio.denominator == 1:
        return str(ratio.numerator)
    if ratio == Fraction(1, 2):
        return "/"
    return f"{'' if ratio.numerator == 1 else ratio.numerator}/{ratio.denominator}"


class BarWriter:
    """Writes events as ABC bar contents in a key, with accidentals only where the bar needs them."""

    def __init__(self, key: Key, unit: Fraction) -> None:
        self.key, self.unit = key, unit
        self.state: dict[tuple[str, int], int] = {}

    def new_bar(self) -> None:
        self.state = {}

    def _pitch(self, pitch: Pitch) -> str:
        letter, octave, alteration = pitch
        in_effect = self.state.get((letter, octave), self.key.alterations.get(letter, 0))
        self.state[(letter, octave)] = alteration
        return (ACCIDENTAL_TEXT[alteration] if alteration != in_effect else "") + letter_text(letter, octave)

    def element(self, event: Event, duration: Fraction, first_piece: bool, tie: bool) -> str:
        text = event.annotations if first_piece else ""
        if not event.pitches:
            return text + "z" + length_text(duration, self.unit)
        notes = [self._pitch(p) for p in event.pitches]
        body = notes[0] if len(notes) == 1 else "[" + "".join(notes) + "]"
        return text + body + length_text(duration, self.unit) + ("-" if tie else "")


def write_events(events: list[Event], writer: BarWriter, bar_lines: list[Fraction], beat: Fraction) -> str:
    """Bar contents for events on one timeline, with `|` at each time in `bar_lines` and a space at each beat;
    an event crossing a bar line, or too long for one written note, is split into tied notes."""
    out: list[str] = []
    writer.new_bar()
    pending = sorted(set(bar_lines))
    for event in events:
        start, end = event.onset, event.onset + event.duration
        cuts = [b for b in pending if start < b < end]
        segments = list(zip([start, *cuts], [*cuts, end], strict=True))
        for number, (seg_start, seg_end) in enumerate(segments):
            if pending and pending[0] <= seg_start:
                while pending and pending[0] <= seg_start:
                    pending.pop(0)
                out.append(" | ")
                writer.new_bar()
            elif out and seg_start % beat == 0:
                out.append(" ")
            pieces = _pieces(seg_end - seg_start)
            for k, piece in enumerate(pieces):
                last = number == len(segments) - 1 and k == len(pieces) - 1
                tie = bool(event.pitches) and (not last or event.tie)
                out.append(writer.element(event, piece, number == 0 and k == 0, tie))
    return "".join(out).strip()
