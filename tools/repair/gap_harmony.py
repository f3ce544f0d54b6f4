"""Key and harmony implied by context bars: the key (the project's one key finder), one diatonic triad
per bar, and a chord plan for missing bars that leads into what follows. Pitch classes are 0..11 (C=0).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tunesmith.tools.repair.midi_bars import BarNote
from tunesmith.tools.theory import PITCH_CLASS_NAMES, keys

MAJOR_STEPS = keys.MODE_SEMITONES["major"]
MINOR_STEPS = (*keys.MODE_SEMITONES["minor"], 11)  # natural minor plus the raised leading note
# Diatonic triads as (semitones above the tonic, quality); minor uses the major dominant (harmonic minor).
MAJOR_TRIADS = ((0, "maj"), (2, "min"), (4, "min"), (5, "maj"), (7, "maj"), (9, "min"), (11, "dim"))
MINOR_TRIADS = ((0, "min"), (2, "dim"), (3, "maj"), (5, "min"), (7, "maj"), (8, "maj"), (11, "dim"))
QUALITY_STEPS = {"maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6)}


@dataclass(frozen=True)
class Key:
    """A key: `tonic` pitch class and `mode` ('major' or 'minor'); `correlation` is the K–S fit."""

    tonic: int
    mode: str
    correlation: float = 1.0

    @property
    def name(self) -> str:
        return f"{keys.key_name(self.tonic, self.mode)} {self.mode}"

    @property
    def scale(self) -> frozenset[int]:
        steps = MAJOR_STEPS if self.mode == "major" else MINOR_STEPS
        return frozenset((self.tonic + step) % 12 for step in steps)

    def triads(self) -> list[Chord]:
        table = MAJOR_TRIADS if self.mode == "major" else MINOR_TRIADS
        return [Chord((self.tonic + offset) % 12, quality) for offset, quality in table]


@dataclass(frozen=True)
class Chord:
    """A triad: `root` pitch class and `quality` ('maj', 'min', 'dim')."""

    root: int
    quality: str

    @property
    def pitch_classes(self) -> frozenset[int]:
        return frozenset((self.root + step) % 12 for step in QUALITY_STEPS[self.quality])

    @property
    def name(self) -> str:
        return PITCH_CLASS_NAMES[self.root] + {"maj": "", "min": "m", "dim": "dim"}[self.quality]


def estimate_key(notes: list[BarNote]) -> Key:
    """The key of the duration-weighted pitch-class histogram of `notes`; C major when there are no notes."""
    histogram = [0.0] * 12
    for note in notes:
        histogram[note.pitch % 12] += note.end - note.start
    found = keys.estimate_key(histogram)
    return Key(found.tonic_pitch_class, found.mode, round(found.correlation, 3)) if found else Key(0, "major", 0.0)


def chord_of(notes: list[BarNote], key: Key) -> Chord:
    """The diatonic triad that best explains `notes` (duration-weighted; the bass note votes for the root)."""
    triads = key.triads()
    if not notes:
        return triads[0]
    bass = min(notes, key=lambda n: (n.pitch, n.start)).pitch % 12

    def support(chord: Chord) -> float:
        inside = sum(n.end - n.start for n in notes if n.pitch % 12 in chord.pitch_classes)
        outside = sum(n.end - n.start for n in notes if n.pitch % 12 not in chord.pitch_classes)
        return inside - 0.5 * outside + (0.5 if bass == chord.root else 0.0)

    return max(triads, key=support)


def _root_motion_weight(source: Chord, destination: Chord) -> float:
    """How strongly `source` leads to `destination`: falling fifth best, then steps, then thirds."""
    motion = (destination.root - source.root) % 12
    return {5: 6.0, 2: 2.0, 10: 1.5, 3: 1.0, 9: 1.5, 4: 1.0, 8: 1.0, 7: 1.5, 1: 0.5, 11: 0.5}.get(motion, 0.1)


def plan_gap_chords(key: Key, before: Chord | None, after: Chord | None, bars: int, rng: random.Random,
                    heard: list[Chord] = ()) -> list[Chord]:
    """One chord per missing bar. With a chord after the gap the plan is built backwards from it
    (the last missing bar tends to be its dominant); otherwise forwards from the chord before.
    Chords `heard` in the context bars are favoured (each hearing adds to its weight)."""
    triads = key.triads()
    familiarity = {chord: 1.0 + sum(chord == other for other in heard) for chord in triads}
    if after is not None:
        plan: list[Chord] = []
        following = after
        for _ in range(bars):
            weights = [_root_motion_weight(chord, following) * familiarity[chord] * (0.3 if chord == following else 1.0)
                       for chord in triads]
            following = rng.choices(triads, weights=weights)[0]
            plan.insert(0, following)
        return plan
    plan = []
    previous = before or triads[0]
    for _ in range(bars):
        weights = [_root_motion_weight(previous, chord) * familiarity[chord] * (0.3 if chord == previous else 1.0)
                   for chord in triads]
        previous = rng.choices(triads, weights=weights)[0]
        plan.append(previous)
    return plan
