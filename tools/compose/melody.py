"""Choosing melody pitches bar by bar: chord tones on strong beats, steps and neighbours between.

Each note is drawn, with a seeded random generator, from candidates weighted by
* closeness to the phrase contour (a target in scale steps that moves through the bar),
* the interval habit from the previous note (by default small intervals dominate, as in most
  folk melodies — Huron, *Sweet Anticipation*, 2006, ch. 5 "pitch proximity"; or the habits
  measured in exemplar tunes),
* leap recovery: after a leap of more than a major third the line turns back (Huron's
  "post-skip reversal"),
* harmony: the downbeat (and the mid-bar accent in four-beat bars) must be a chord tone; other
  beats prefer chord tones; off-beats are free scale tones, which the step habit turns into
  passing and neighbour tones.
Phrase endings are fixed: a final cadence lands on the tonic, a half cadence on a tone of its
chord, preferably the 2nd or 5th degree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from random import Random
from typing import Literal

from tunesmith.tools.compose.rhythm import Cell, bar_sixteenths, beat_onsets, strong_onsets
from tunesmith.tools.theory.harmony import Chord, Scale

Ending = Literal["none", "half", "final"]

# Relative frequency of melodic interval sizes in semitones (both directions), a rough profile of
# folk melodies in which steps dominate and leaps beyond a fifth are rare.
DEFAULT_INTERVAL_SHARES = {0: 0.05, 1: 0.17, 2: 0.34, 3: 0.14, 4: 0.10, 5: 0.08, 6: 0.01, 7: 0.05,
                           8: 0.02, 9: 0.02, 10: 0.01, 11: 0.005, 12: 0.015}
# Exponent on interval-habit weights: above 1 sharpens the habit against the contour's pull.
HABIT_EMPHASIS = 1.5
# Preference for chord tones on beats other than the accented ones (which must be chord tones).
CHORD_TONE_ON_BEAT = 1.3
# Extra weight of the tonic degree, so the melody centres on its key (checked by Krumhansl-Schmuckler).
TONIC_PULL = 2.0


@dataclass
class Note:
    """One melody note: scale step (0 = tonic in octave 4), alteration (semitones), duration (sixteenths);
    `rest` makes it a rest of that duration, `tie` ties it to the next note (same pitch)."""

    step: int
    alteration: int
    duration: int
    rest: bool = False
    tie: bool = False


@dataclass(frozen=True)
class IntervalHabits:
    """How often each melodic interval (signed semitones, -12..12) occurs; weights need not sum to 1."""

    weights: dict[int, float] = field(default_factory=dict)

    @classmethod
    def default(cls) -> IntervalHabits:
        """The folk-tune profile above, split equally between rising and falling intervals."""
        shares = {0: DEFAULT_INTERVAL_SHARES[0]}
        for size, share in DEFAULT_INTERVAL_SHARES.items():
            if size:
                shares[size] = shares[-size] = share / 2
        return cls(shares)

    @classmethod
    def from_counts(cls, counts: dict[int, int]) -> IntervalHabits:
        """Habits from counted intervals (signed semitones -> times seen), as shares of the total."""
        total = sum(counts.values()) or 1
        return cls({interval: n / total for interval, n in counts.items()})

    def weight(self, interval: int) -> float:
        """Weight of a melodic interval in semitones; a small floor keeps every interval possible."""
        return self.weights.get(interval, 0.0) + 0.002

    def step_share(self) -> float:
        """Share of intervals of 1-2 semitones."""
        total = sum(self.weights.values()) or 1.0
        return sum(w for i, w in self.weights.items() if 1 <= abs(i) <= 2) / total


@dataclass(frozen=True)
class BarPlan:
    """What one bar must do: its chord, rhythm, contour targets (scale steps) and phrase ending."""

    chord: Chord
    rhythm: Cell
    target_start: float
    target_end: float
    ending: Ending = "none"


@dataclass
class Voice:
    """The fixed facts for choosing pitches: scale, meter, range (MIDI numbers) and interval habits."""

    scale: Scale
    meter: str
    low: int
    high: int
    habits: IntervalHabits
    _in_range: dict[tuple[Chord, bool], list[tuple[int, int, int]]] = field(default_factory=dict, repr=False)

    def candidates(self, chord: Chord, chord_tones_only: bool, near: int | None) -> list[tuple[int, int, int]]:
        """(step, alteration, MIDI) inside the range; within an octave (7 steps) of step `near` if given."""
        key = (chord, chord_tones_only)
        if key not in self._in_range:
            first = (self.low - 60) * 7 // 12 - 8
            last = (self.high - 60) * 7 // 12 + 8
            found = []
            for step in range(first, last + 1):
                alteration = chord.alteration_of(step % 7)
                if alteration is None:
                    if chord_tones_only:
                        continue
                    alteration = 0
                pitch = self.scale.midi(step, alteration)
                if self.low <= pitch <= self.high:
                    found.append((step, alteration, pitch))
            self._in_range[key] = found
        if near is None:
            return self._in_range[key]
        return [option for option in self._in_range[key] if abs(option[0] - near) <= 7]


def realise_bar(plan: BarPlan, previous: list[Note], voice: Voice, rng: Random) -> list[Note]:
    """Pitches for one bar's rhythm. `previous` holds the notes before this bar (for intervals)."""
    strong, beats = strong_onsets(voice.meter), beat_onsets(voice.meter)
    length = bar_sixteenths(voice.meter)
    pitches = [voice.scale.midi(n.step, n.alteration) for n in previous[-3:]]
    near = previous[-1].step if previous else None
    notes: list[Note] = []
    onset = 0
    for index, duration in enumerate(plan.rhythm):
        last = index == len(plan.rhythm) - 1
        if last and plan.ending == "final":
            options = [o for o in voice.candidates(plan.chord, True, near) if o[0] % 7 == 0 and o[1] == 0]
            options = options or voice.candidates(plan.chord, True, near)
        else:
            options = voice.candidates(plan.chord, onset in strong or (last and plan.ending == "half"), near)
        if not options:  # `near` excluded everything: fall back to the whole range
            options = voice.candidates(plan.chord, onset in strong, None)
        context = _Context(
            target=plan.target_start + (plan.target_end - plan.target_start) * onset / length,
            before=pitches[-1] if pitches else None,
            leap=pitches[-1] - pitches[-2] if len(pitches) >= 2 else None,
            trill=len(pitches) >= 3 and pitches[-1] == pitches[-3],
            two_back=pitches[-2] if len(pitches) >= 2 else None,
            prefer_chord_tones=onset in beats,
            half_cadence=last and plan.ending == "half",
        )
        weights = [_weight(option, context, plan.chord, voice.habits) for option in options]
        step, alteration, pitch = rng.choices(options, weights=weights)[0]
        notes.append(Note(step, alteration, duration))
        pitches.append(pitch)
        near = step
        onset += duration
    return notes


@dataclass(frozen=True)
class _Context:
    target: float  # contour target, scale steps
    before: int | None  # previous MIDI pitch
    leap: int | None  # interval (semitones) that led to the previous pitch, if known
    trill: bool  # the last three pitches alternate (x y x)
    two_back: int | None  # the pitch before the previous one
    prefer_chord_tones: bool
    half_cadence: bool


def _weight(option: tuple[int, int, int], context: _Context, chord: Chord, habits: IntervalHabits) -> float:
    step, _, pitch = option
    weight = math.exp(-((step - context.target) ** 2) / (2 * 2.5**2))
    if context.before is not None:
        interval = pitch - context.before
        weight *= habits.weight(interval) ** HABIT_EMPHASIS
        leap = context.leap
        if leap is not None and abs(leap) > 4 and (interval == 0 or (interval > 0) == (leap > 0)):
            weight *= 0.3  # after a leap, turn back
        if interval == 0 and leap == 0:
            weight *= 0.3  # a third repeated note in a row
        if context.trill and pitch == context.two_back:
            weight *= 0.2  # x y x y: a trill, not a tune
    if context.prefer_chord_tones and chord.alteration_of(step % 7) is not None:
        weight *= CHORD_TONE_ON_BEAT
    if step % 7 == 0:
        weight *= TONIC_PULL
    if context.half_cadence and step % 7 in (1, 4):
        weight *= 3.0
    return weight
