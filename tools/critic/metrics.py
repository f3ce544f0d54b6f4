"""Symbolic melody measures used by the critic; each takes notes as written (onsets in quarter beats).

Sources: pitch-class entropy as in MusPy (Dong et al. 2020, after Yang & Lerch 2018, "On the
evaluation of generative models in music"); scale consistency from Mogren (2016, C-RNN-GAN) as
used in MusPy; pitch proximity / stepwise motion after Huron (2006, "Sweet Anticipation", ch. 5);
repetition as the share of bars whose motif recurs, a coarse form of Foote's (1999) self-similarity.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from tunesmith.tools.abc import NoteEvent

STEP_MAX = 2  # semitones: a major second or less is a step
LEAP_MIN = 8  # semitones: more than a perfect fifth is a large leap


@dataclass
class Interval:
    """A melodic interval between consecutive melody notes (semitones, signed) and where it lands."""

    semitones: int
    bar: int
    low: int  # MIDI number of the first note
    high: int  # MIDI number of the second note


def melody(events: list[NoteEvent]) -> list[NoteEvent]:
    """The top line: at each onset the highest sounding note; rests dropped."""
    top: dict[float, NoteEvent] = {}
    for event in events:
        if event.midi is None:
            continue
        current = top.get(event.onset)
        if current is None or event.midi > current.midi:
            top[event.onset] = event
    return [top[onset] for onset in sorted(top)]


def intervals(line: list[NoteEvent]) -> list[Interval]:
    """Signed intervals between consecutive notes of a melody line."""
    return [Interval(b.midi - a.midi, b.bar, a.midi, b.midi) for a, b in zip(line, line[1:])]


def pitch_class_entropy(line: list[NoteEvent]) -> float:
    """Shannon entropy (bits, 0..log2 12 = 3.58) of the pitch-class histogram (note counts)."""
    counts = Counter(event.midi % 12 for event in line)
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values()) if total else 0.0


def scale_consistency(line: list[NoteEvent], scale: set[int]) -> float:
    """Share (0..1) of notes whose pitch class is in `scale` (pitch classes 0-11)."""
    return sum(event.midi % 12 in scale for event in line) / len(line) if line else 0.0


def stepwise_ratio(steps: list[Interval]) -> float:
    """Share (0..1) of melodic intervals that are steps (1-2 semitones); repeated notes not counted as steps."""
    return sum(1 <= abs(i.semitones) <= STEP_MAX for i in steps) / len(steps) if steps else 0.0


def large_leaps(steps: list[Interval]) -> list[Interval]:
    """Intervals larger than a perfect fifth (8 semitones or more)."""
    return [i for i in steps if abs(i.semitones) >= LEAP_MIN]


def duration_entropy(events: list[NoteEvent]) -> tuple[float, int]:
    """(Shannon entropy in bits of the note-duration histogram, number of distinct durations)."""
    counts = Counter(round(event.duration, 4) for event in events)
    total = sum(counts.values())
    entropy = -sum(c / total * math.log2(c / total) for c in counts.values()) if total else 0.0
    return entropy, len(counts)


def bar_patterns(events: list[NoteEvent]) -> dict[int, tuple]:
    """Per bar: its notes as (onset within the bar, duration, MIDI) from the bar's first onset."""
    by_bar: dict[int, list[NoteEvent]] = {}
    for event in events:
        by_bar.setdefault(event.bar, []).append(event)
    patterns = {}
    for bar, notes in by_bar.items():
        start = min(n.onset for n in notes)
        patterns[bar] = tuple(sorted((round(n.onset - start, 4), round(n.duration, 4), n.midi) for n in notes))
    return patterns


def repetition_ratio(events: list[NoteEvent]) -> float:
    """Share (0..1) of bars whose rhythm and intervals recur in another bar, at any pitch level.

    Transposition-invariant, so a motif repeated a step higher (a sequence) counts as a repeat.
    """
    motifs = {
        bar: tuple((onset, duration, midi - pattern[0][2]) for onset, duration, midi in pattern)
        for bar, pattern in bar_patterns(events).items()
    }
    counts = Counter(motifs.values())
    return sum(counts[m] > 1 for m in motifs.values()) / len(motifs) if motifs else 0.0


def band_score(value: float, low: float, high: float, slack: float) -> float:
    """1 inside [low, high], falling linearly to 0 at `slack` beyond either end."""
    if low <= value <= high:
        return 1.0
    distance = low - value if value < low else value - high
    return max(0.0, 1.0 - distance / slack)
