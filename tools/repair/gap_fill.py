"""Write notes for missing bars from the bars around them: rhythm borrowed from neighbouring bars,
pitches drawn from the context's key and implied chords, in each part's register, with a melodic
line that steps into the first note after the gap. Also the two baselines (repeat-left, silence).

Times are quarter-note beats; pitches MIDI numbers. Parts (instruments, piano hands), key and
chords come from `tools.gap_context`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

from tunesmith.tools.repair.context_fit import pitch_class_histogram
from tunesmith.tools.repair.gap_context import GapAnalysis, Part, chords_per_bar, gap_context
from tunesmith.tools.repair.gap_harmony import Chord, Key, plan_gap_chords
from tunesmith.tools.repair.midi_bars import PIANO_HIGH, BarNote, PianoPiece

Strategy = Literal["left-rhythm", "sequence", "right-rhythm", "mixed-rhythm", "varied-rhythm"]
# In the order candidates use them. "sequence" takes the bars before the gap as a model and echoes
# their line a step or more higher or lower (a sequence), instead of only their rhythm and contour.
STRATEGIES: tuple[Strategy, ...] = ("left-rhythm", "sequence", "right-rhythm", "mixed-rhythm", "varied-rhythm")
SEQUENCE_SHIFTS = (-5, -3, -2, 2, 3, 5)  # semitones; the scale then snaps the echo into the key


def _source_bar(strategy: Strategy, index: int, gap: tuple[int, int], bars_with_part: list[int],
                rng: random.Random) -> int | None:
    """Which context bar lends its rhythm to the `index`-th missing bar."""
    if not bars_with_part:
        return None
    size = gap[1] - gap[0] + 1
    left = [b for b in bars_with_part if b < gap[0]]
    right = [b for b in bars_with_part if b > gap[1]]
    if strategy == "varied-rhythm":
        return rng.choice(bars_with_part)
    use_left = (strategy in ("left-rhythm", "sequence") or (strategy == "mixed-rhythm" and index < size / 2)) and left
    if use_left or not right:
        wanted = gap[0] - size + index  # the bar as far before the gap as this one is into it
        return min(left or right, key=lambda b: abs(b - wanted))
    wanted = gap[1] + 1 + index
    return min(right, key=lambda b: abs(b - wanted))


def _pitch_cost(pitch: int, previous: int | None, group: OnsetGroup, echo: int | None, target: int | None,
                remaining: int, chord: Chord, stress: float, register: tuple[float, float], is_bass: bool,
                usage: list[float]) -> float:
    """Lower is better: move like the template bar moved (`group.contour_step` semitones) in small
    steps, or echo the template note `echo` semitones away (a sequence); chord tones where the beat is
    stressed (`stress` 0..1), stay in register, reach the target, and favour the pitch classes the
    context uses most (`usage`, largest 1)."""
    cost = 1.6 * (1.0 - usage[pitch % 12])
    contour_step = group.contour_step
    if echo is not None:
        cost += 0.6 * abs(pitch - (group.template_pitch + echo))
    if previous is not None:
        step = pitch - previous
        if contour_step is None:
            cost += 0.35 * abs(step) if abs(step) <= 4 else 1.4 + 0.6 * (abs(step) - 4)
        else:
            cost += 0.3 * abs(step - contour_step) + 0.1 * abs(step)
        cost += 1.2 if step == 0 and contour_step != 0 else 0.0
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


@dataclass(frozen=True)
class OnsetGroup:
    """Notes to write at one onset, copied in shape from a template bar: `offset` and `duration` in
    quarter beats, `intervals` of the lower chord notes below the top (semitones), `contour_step`
    how far the template's top note moved from the note before it (None when it had none)."""

    bar: int
    offset: float
    duration: float
    intervals: tuple[int, ...]
    velocity: int
    contour_step: int | None
    template_pitch: int


def _rhythm_groups(piece: PianoPiece, gap: tuple[int, int], own: list[BarNote], source_bars: list[int],
                   strategy: Strategy, rng: random.Random) -> list[OnsetGroup]:
    """Onset groups for every missing bar, each bar's rhythm and contour borrowed from a context bar."""
    onsets = sorted({n.start for n in own})
    tops = {onset: max(n.pitch for n in own if n.start == onset) for onset in onsets}
    groups = []
    for index, bar in enumerate(range(gap[0], gap[1] + 1)):
        source = _source_bar(strategy, index, gap, source_bars, rng)
        if source is None:
            continue
        length, source_start = piece.bar_length(bar), piece.bar_starts[source]
        for position, onset in enumerate(onsets):
            offset = onset - source_start
            if piece.bar_of(onset) != source or offset >= length - 1e-6:
                continue
            stack = sorted((n for n in own if n.start == onset), key=lambda n: -n.pitch)
            duration = min(max(n.end for n in stack) - onset, length - offset)
            step = tops[onset] - tops[onsets[position - 1]] if position > 0 else None
            groups.append(OnsetGroup(bar, offset, duration, tuple(stack[0].pitch - n.pitch for n in stack[1:]),
                                     stack[0].velocity, step, stack[0].pitch))
    return groups


def _fill_part(piece: PianoPiece, gap: tuple[int, int], part: Part, chords: list[Chord], key: Key,
               is_bass: bool, strategy: Strategy, rng: random.Random, temperature: float,
               borrow_right: bool) -> list[BarNote]:
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
    source_bars = sorted({piece.bar_of(n.start) for n in (own if borrow_right else left)})
    groups = _rhythm_groups(piece, gap, own, source_bars, strategy, rng)
    echo = rng.choice(SEQUENCE_SHIFTS) if strategy == "sequence" else None

    notes: list[BarNote] = []
    for position, group in enumerate(groups):
        units = chords_per_bar(piece, group.bar)
        index = sum(chords_per_bar(piece, b) for b in range(gap[0], group.bar))
        chord = chords[index + min(units - 1, int(group.offset * units / piece.bar_length(group.bar) + 1e-6))]
        stress = _stress(group.offset, piece.bar_length(group.bar), piece.meter[1] == 8)
        costs = [_pitch_cost(p, previous, group, echo, target, len(groups) - 1 - position, chord, stress,
                             register, is_bass, usage) for p in choices]
        best = min(costs)
        top = rng.choices(choices, weights=[math.exp(-(c - best) / temperature) for c in costs])[0]
        start = piece.bar_starts[group.bar] + group.offset
        notes.append(BarNote(top, start, start + group.duration, group.velocity, part.voice))
        used = {top}
        for interval in group.intervals:  # the rest of a chord, spaced like the template's, on chord tones
            near = [p for p in range(top - interval - 2, top - interval + 3)
                    if part.low <= p < top and p % 12 in chord.pitch_classes and p not in used]
            if near:
                pitch = min(near, key=lambda p: abs(p - (top - interval)))
                used.add(pitch)
                notes.append(BarNote(pitch, start, start + group.duration, group.velocity, part.voice))
        previous = top
    return notes


def fill_gap(piece: PianoPiece, gap: tuple[int, int], analysis: GapAnalysis, *, strategy: Strategy, seed: int,
             borrow_right: bool = True, temperature: float = 0.25) -> tuple[list[BarNote], list[Chord]]:
    """Notes for 0-based inclusive bars `gap`, and the chord plan they follow (`chords_per_bar` each).
    With `borrow_right` False, rhythm comes only from bars before the gap (a continuation whose
    right context is an added closing bar)."""
    rng = random.Random(seed)
    spans = sum(chords_per_bar(piece, bar) for bar in range(gap[0], gap[1] + 1))
    chords = plan_gap_chords(analysis.key, analysis.chord_before, analysis.chord_after, spans, rng, analysis.heard)
    context = gap_context(piece, gap)
    means = {part: _mean_pitch([n for n in context.notes if part.holds(n)]) for part in analysis.parts}
    lowest = min(means, key=lambda part: means[part]) if means else None
    notes: list[BarNote] = []
    for part in analysis.parts:
        notes += _fill_part(piece, gap, part, chords, analysis.key, part == lowest and len(analysis.parts) > 1,
                            strategy, rng, temperature, borrow_right)
    return sorted(notes, key=lambda n: (n.start, n.pitch)), chords


def _mean_pitch(notes: list[BarNote]) -> float:
    return sum(n.pitch for n in notes) / len(notes) if notes else float(PIANO_HIGH)


def repeat_left_baseline(piece: PianoPiece, gap: tuple[int, int]) -> list[BarNote]:
    """Baseline: copy the bars just before the gap into it (cycling when fewer exist; the bars after
    it for a gap at the very start). Notes are cut at each bar's end."""
    size = gap[1] - gap[0] + 1
    sources = (list(range(max(0, gap[0] - size), gap[0]))
               or list(range(gap[1] + 1, min(piece.bar_count, gap[1] + 1 + size))))
    notes = []
    for index, bar in enumerate(range(gap[0], gap[1] + 1)):
        source = sources[index % len(sources)]
        shift = piece.bar_starts[bar] - piece.bar_starts[source]
        bar_end = piece.bar_starts[bar + 1]
        for n in piece.notes_in_bars(source, source):
            if n.start + shift < bar_end - 1e-6:
                notes.append(BarNote(n.pitch, n.start + shift, min(n.end + shift, bar_end), n.velocity, n.voice))
    return notes
