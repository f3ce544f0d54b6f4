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

from tools.harmony import Chord, Scale
from tools.rhythm import Cell, bar_sixteenths, beat_onsets, strong_onsets

Ending = Literal["none", "half", "final"]

# Relative frequency of melodic interval sizes in semitones (both directions), a rough profile of
# folk melodies in which steps dominate and leaps beyond a fifth are rare.
DEFAULT_INTERVAL_SHARES = {0: 0.10, 1: 0.15, 2: 0.30, 3: 0.14, 4: 0.10, 5: 0.08, 6: 0.01, 7: 0.05,
                           8: 0.02, 9: 0.02, 10: 0.01, 11: 0.005, 12: 0.015}


@dataclass
class Note:
    """One melody note: scale step (0 = tonic in octave 4), alteration (semitones), duration (sixteenths)."""

    step: int
    alteration: int
    duration: int


@dataclass(frozen=True)
class IntervalHabits:
    """How often each melodic interval (signed semitones, -12..12) occurs; weights need not sum to 1."""

    weights: dict[int, float] = field(default_factory=dict)

    @classmethod
    def default(cls) -> IntervalHabits:
        shares = {}
        for size, share in DEFAULT_INTERVAL_SHARES.items():
            shares[size] = share if size == 0 else share / 2
            shares[-size] = share / 2 if size else share
        return cls(shares)

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


@dataclass(frozen=True)
class Voice:
    """The fixed facts for choosing pitches: scale, meter, range (MIDI numbers) and interval habits."""

    scale: Scale
    meter: str
    low: int
    high: int
    habits: IntervalHabits

    def candidates(self, chord: Chord, chord_tones_only: bool, near: int | None) -> list[tuple[int, int]]:
        """(step, alteration) pairs inside the range; within an octave and a half of `near` if given."""
        first = (self.low - 60) * 7 // 12 - 8
        last = (self.high - 60) * 7 // 12 + 8
        found = []
        for step in range(first, last + 1):
            if near is not None and abs(step - near) > 10:
                continue
            alteration = chord.alteration_of(step % 7)
            if alteration is None:
                if chord_tones_only:
                    continue
                alteration = 0
            if self.low <= self.scale.midi(step, alteration) <= self.high:
                found.append((step, alteration))
        return found


def realise_bar(plan: BarPlan, previous: list[Note], voice: Voice, rng: Random) -> list[Note]:
    """Pitches for one bar's rhythm. `previous` holds the notes before this bar (for intervals)."""
    strong, beats = strong_onsets(voice.meter), beat_onsets(voice.meter)
    length = bar_sixteenths(voice.meter)
    line = list(previous[-2:])
    notes: list[Note] = []
    onset = 0
    for index, duration in enumerate(plan.rhythm):
        last = index == len(plan.rhythm) - 1
        target = plan.target_start + (plan.target_end - plan.target_start) * onset / length
        near = line[-1].step if line else None
        if last and plan.ending == "final":
            options = [(s, a) for s, a in voice.candidates(plan.chord, True, near) if s % 7 == 0 and a == 0]
            options = options or voice.candidates(plan.chord, True, near)
        else:
            options = voice.candidates(plan.chord, onset in strong or (last and plan.ending == "half"), near)
        if not options:  # `near` excluded everything: fall back to the whole range
            options = voice.candidates(plan.chord, onset in strong, None)
        weights = [_weight(step, alteration, target, line, plan, onset in beats, last, voice) for step, alteration in options]
        step, alteration = rng.choices(options, weights=weights)[0]
        note = Note(step, alteration, duration)
        notes.append(note)
        line.append(note)
        onset += duration
    return notes


def _weight(step: int, alteration: int, target: float, line: list[Note], plan: BarPlan, on_beat: bool,
            last: bool, voice: Voice) -> float:
    weight = math.exp(-((step - target) ** 2) / (2 * 2.5**2))
    if line:
        pitch = voice.scale.midi(step, alteration)
        before = voice.scale.midi(line[-1].step, line[-1].alteration)
        interval = pitch - before
        weight *= voice.habits.weight(interval)
        if len(line) >= 2:
            leap = before - voice.scale.midi(line[-2].step, line[-2].alteration)
            if abs(leap) > 4 and (interval == 0 or (interval > 0) == (leap > 0)):
                weight *= 0.3
            if interval == 0 and leap == 0:
                weight *= 0.3  # a third repeated note in a row
    if on_beat and plan.chord.alteration_of(step % 7) is not None:
        weight *= 2.5
    if last and plan.ending == "half" and step % 7 in (1, 4):
        weight *= 3.0
    return weight
