"""Write notes for missing bars from the bars around them: rhythm borrowed from neighbouring bars,
pitches drawn from the context's key and implied chords, in each part's register, with a melodic
line that steps into the first note after the gap. Also the two baselines (repeat-left, silence).

Times are quarter-note beats; pitches MIDI numbers. A "part" is one instrument, or one hand of a
piano track whose context uses both hands (split at middle C, MIDI 60).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

from tools.context_fit import BarContext, pitch_class_histogram
from tools.context_harmony import Chord, Key, chord_of, estimate_key, plan_gap_chords
from tools.midi_bars import PIANO_HIGH, PIANO_LOW, BarNote, PianoPiece

CONTEXT_BARS = 4  # bars each side that inform (and judge) the fill
HAND_SPLIT = 60  # middle C: right hand at or above, left hand below
Strategy = Literal["left-rhythm", "right-rhythm", "mixed-rhythm", "varied-rhythm"]
STRATEGIES: tuple[Strategy, ...] = ("left-rhythm", "right-rhythm", "mixed-rhythm", "varied-rhythm")


@dataclass(frozen=True)
class Part:
    """One line to fill: notes of instrument `voice` with pitch in `low..high` (MIDI numbers)."""

    voice: int
    low: int = PIANO_LOW
    high: int = PIANO_HIGH
    hand: str = ""  # "right"/"left" for a split piano track, "" otherwise

    def holds(self, note: BarNote) -> bool:
        return note.voice == self.voice and self.low <= note.pitch <= self.high


@dataclass
class GapAnalysis:
    """What the context says: key, chords before/after the gap, chords heard in all context bars, parts."""

    key: Key
    chord_before: Chord | None
    chord_after: Chord | None
    heard: list[Chord]
    parts: list[Part]


def gap_context(piece: PianoPiece, gap: tuple[int, int]) -> BarContext:
    """Notes of up to CONTEXT_BARS bars each side of 0-based inclusive bars `gap`."""
    first, last = gap
    return BarContext(
        left=piece.notes_in_bars(max(0, first - CONTEXT_BARS), first - 1),
        right=piece.notes_in_bars(last + 1, min(piece.bar_count - 1, last + CONTEXT_BARS)),
        gap_start=piece.bar_starts[first],
        gap_end=piece.bar_starts[last + 1],
        bar_length=piece.bar_length(first),
    )


def find_parts(notes: list[BarNote]) -> list[Part]:
    """One part per instrument; a piano-like track that plays on both sides of middle C in a wide
    range (over an octave and a half, at least 20% of notes each side) becomes two hands."""
    parts = []
    for voice in sorted({n.voice for n in notes}):
        pitches = [n.pitch for n in notes if n.voice == voice]
        upper = sum(p >= HAND_SPLIT for p in pitches) / len(pitches)
        if max(pitches) - min(pitches) >= 19 and 0.2 <= upper <= 0.8:
            parts += [Part(voice, HAND_SPLIT, PIANO_HIGH, "right"), Part(voice, PIANO_LOW, HAND_SPLIT - 1, "left")]
        else:
            parts.append(Part(voice))
    return parts


def analyse_gap(piece: PianoPiece, gap: tuple[int, int]) -> GapAnalysis:
    """Key from all context bars (Krumhansl–Schmuckler), chords of the bars touching the gap."""
    context = gap_context(piece, gap)
    key = estimate_key(context.notes)
    before = piece.notes_in_bars(gap[0] - 1, gap[0] - 1) if gap[0] > 0 else []
    after = piece.notes_in_bars(gap[1] + 1, gap[1] + 1) if gap[1] + 1 < piece.bar_count else []
    bars = [b for b in range(max(0, gap[0] - CONTEXT_BARS), min(piece.bar_count, gap[1] + 1 + CONTEXT_BARS))
            if not gap[0] <= b <= gap[1]]
    heard = [chord_of(notes, key) for notes in (piece.notes_in_bars(b, b) for b in bars) if notes]
    return GapAnalysis(
        key=key,
        chord_before=chord_of(before, key) if before else None,
        chord_after=chord_of(after, key) if after else None,
        heard=heard,
        parts=find_parts(context.notes),
    )


def _source_bar(strategy: Strategy, index: int, gap: tuple[int, int], bars_with_part: list[int], rng: random.Random) -> int | None:
    """Which context bar lends its rhythm to the `index`-th missing bar."""
    if not bars_with_part:
        return None
    size = gap[1] - gap[0] + 1
    left = [b for b in bars_with_part if b < gap[0]]
    right = [b for b in bars_with_part if b > gap[1]]
    if strategy == "varied-rhythm":
        return rng.choice(bars_with_part)
    use_left = (strategy == "left-rhythm" or (strategy == "mixed-rhythm" and index < size / 2)) and left
    if use_left or not right:
        wanted = gap[0] - size + index  # the bar as far before the gap as this one is into it
        return min(left or right, key=lambda b: abs(b - wanted))
    wanted = gap[1] + 1 + index
    return min(right, key=lambda b: abs(b - wanted))


def _pitch_cost(pitch: int, previous: int | None, target: int | None, remaining: int, chord: Chord,
                stress: float, register: tuple[float, float], is_bass: bool, usage: list[float]) -> float:
    """Lower is better: small steps, chord tones where the beat is stressed (`stress` 0..1), stay in
    register, reach the target, favour the pitch classes the context uses most (`usage`, largest 1)."""
    cost = 1.6 * (1.0 - usage[pitch % 12])
    if previous is not None:
        leap = abs(pitch - previous)
        cost += 0.35 * leap if leap <= 4 else 1.4 + 0.6 * (leap - 4)
        cost += 0.8 if leap == 0 else 0.0
    mean, spread = register
    cost += 0.4 * ((pitch - mean) / max(spread, 2.0)) ** 2
    if pitch % 12 not in chord.pitch_classes:
        cost += 0.3 + 1.7 * stress
    elif is_bass and stress == 1.0 and pitch % 12 == chord.root:
        cost -= 0.8
    if target is not None:
        distance = abs(pitch - target)
        cost += 0.8 * max(0, distance - 2 * (remaining + 1))  # still able to walk into the target
        if remaining == 0:  # the last note approaches the next bar's first note by step
            cost += 0.0 if 1 <= distance <= 2 else (1.5 if distance == 0 else 3.0 + 0.3 * distance)
    return cost


def _stress(offset: float, bar_length: float, compound: bool) -> float:
    """1 on the downbeat and mid-bar (bars of an even number of quarter beats, or compound meters
    such as 6/8), 0.4 on other quarter-note beats, 0 between beats."""
    def on(grid: float) -> bool:
        return abs(offset / grid - round(offset / grid)) < 1e-3

    halves = bar_length % 2 == 0 or compound
    return 1.0 if on(bar_length / 2 if halves else bar_length) else 0.4 if on(1.0) else 0.0


def _fill_part(piece: PianoPiece, gap: tuple[int, int], part: Part, chords: list[Chord], key: Key,
               is_bass: bool, strategy: Strategy, rng: random.Random, temperature: float) -> list[BarNote]:
    context = gap_context(piece, gap)
    left = [n for n in context.left if part.holds(n)]
    right = [n for n in context.right if part.holds(n)]
    own = left + right
    if not own:
        return []
    pitches = [n.pitch for n in own]
    mean = sum(pitches) / len(pitches)
    register = (mean, math.sqrt(sum((p - mean) ** 2 for p in pitches) / len(pitches)))
    low, high = max(part.low, min(pitches) - 3), min(part.high, max(pitches) + 3)
    choices = [p for p in range(low, high + 1) if p % 12 in key.scale] or list(range(low, high + 1))
    histogram = pitch_class_histogram(context.notes)
    usage = [share / max(histogram) for share in histogram]
    previous = max((n for n in left if n.start == left[-1].start), key=lambda n: n.pitch).pitch if left else None
    target = max(n.pitch for n in right if n.start == right[0].start) if right else None
    bars_with_part = sorted({piece.bar_of(n.start) for n in own})

    # Rhythm first: onset groups (bar, offset, duration, template chord intervals, velocity).
    groups = []
    for index, bar in enumerate(range(gap[0], gap[1] + 1)):
        source = _source_bar(strategy, index, gap, bars_with_part, rng)
        if source is None:
            continue
        length, source_start = piece.bar_length(bar), piece.bar_starts[source]
        template = [n for n in own if piece.bar_of(n.start) == source]
        for onset in sorted({n.start for n in template}):
            offset = onset - source_start
            if offset >= length - 1e-6:
                continue
            stack = sorted((n for n in template if n.start == onset), key=lambda n: -n.pitch)
            duration = min(max(n.end for n in stack) - onset, length - offset)
            intervals = [stack[0].pitch - n.pitch for n in stack[1:]]
            groups.append((bar, offset, duration, intervals, stack[0].velocity))

    notes: list[BarNote] = []
    for position, (bar, offset, duration, intervals, velocity) in enumerate(groups):
        chord = chords[bar - gap[0]]
        stress = _stress(offset, piece.bar_length(bar), piece.meter[1] == 8)
        costs = [_pitch_cost(p, previous, target, len(groups) - 1 - position, chord, stress, register, is_bass, usage)
                 for p in choices]
        best = min(costs)
        top = rng.choices(choices, weights=[math.exp(-(c - best) / temperature) for c in costs])[0]
        start = piece.bar_starts[bar] + offset
        notes.append(BarNote(top, start, start + duration, velocity, part.voice))
        used = {top}
        for interval in intervals:  # the rest of a chord, spaced like the template's, on chord tones
            near = [p for p in range(top - interval - 2, top - interval + 3)
                    if part.low <= p < top and p % 12 in chord.pitch_classes and p not in used]
            if near:
                pitch = min(near, key=lambda p: abs(p - (top - interval)))
                used.add(pitch)
                notes.append(BarNote(pitch, start, start + duration, velocity, part.voice))
        previous = top
    return notes


def fill_gap(piece: PianoPiece, gap: tuple[int, int], analysis: GapAnalysis, *, strategy: Strategy, seed: int,
             chords: list[Chord] | None = None, temperature: float = 0.4) -> tuple[list[BarNote], list[Chord]]:
    """Notes for 0-based inclusive bars `gap`, and the chord plan they follow (one chord per bar)."""
    rng = random.Random(seed)
    size = gap[1] - gap[0] + 1
    chords = chords or plan_gap_chords(analysis.key, analysis.chord_before, analysis.chord_after, size, rng,
                                       analysis.heard)
    context = gap_context(piece, gap)
    means = {part: _mean_pitch([n for n in context.notes if part.holds(n)]) for part in analysis.parts}
    lowest = min(means, key=lambda part: means[part]) if means else None
    notes: list[BarNote] = []
    for part in analysis.parts:
        notes += _fill_part(piece, gap, part, chords, analysis.key, part == lowest and len(analysis.parts) > 1,
                            strategy, rng, temperature)
    return sorted(notes, key=lambda n: (n.start, n.pitch)), chords


def _mean_pitch(notes: list[BarNote]) -> float:
    return sum(n.pitch for n in notes) / len(notes) if notes else float(PIANO_HIGH)


def repeat_left_baseline(piece: PianoPiece, gap: tuple[int, int]) -> list[BarNote]:
    """Baseline: copy the bars just before the gap into it (cycling when fewer exist; the bars after
    it for a gap at the very start). Notes are cut at each bar's end."""
    size = gap[1] - gap[0] + 1
    sources = list(range(max(0, gap[0] - size), gap[0])) or list(range(gap[1] + 1, min(piece.bar_count, gap[1] + 1 + size)))
    notes = []
    for index, bar in enumerate(range(gap[0], gap[1] + 1)):
        source = sources[index % len(sources)]
        shift = piece.bar_starts[bar] - piece.bar_starts[source]
        bar_end = piece.bar_starts[bar + 1]
        for n in piece.notes_in_bars(source, source):
            if n.start + shift < bar_end - 1e-6:
                notes.append(BarNote(n.pitch, n.start + shift, min(n.end + shift, bar_end), n.velocity, n.voice))
    return notes
