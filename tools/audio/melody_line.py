"""One melody from the notes heard in a clip: the line that is loudest, highest and most continuous.

Polyphonic notes (a piano's chords, an accompaniment, an octave ghost of the tune) become one
monophonic line by dynamic programming over the notes in onset order. A chain of notes scores
  Σ salience(note) − LEAP_COST · Σ excess leap (octaves beyond a fourth) between neighbours,
where salience is the model's confidence, a little more for longer and higher notes (the tune is
usually the top voice: the "skyline" heuristic, Uitdenbogerd & Zobel 1999), less a floor so faint
ghost notes cost more than they add. Notes whose onsets are closer than a chord's spread cannot
both be in the line. Each chosen note lasts until the next one starts, or until it ends if sooner.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tunesmith.tools.audio.notes import HeardNote

CHORD_SPREAD_S = 0.045  # onsets closer than this sound as one chord: only one of them is the tune's
SALIENCE_FLOOR = 0.18  # a note adds to the line only when its salience is above this
LEAP_COST = 0.9  # per octave of leap beyond a perfect fourth (5 semitones)
HEIGHT_BONUS = 0.08  # per octave above the clip's median pitch
LOOKBACK_NOTES = 40  # predecessors considered per note (bounds the work on long clips)


def _salience(note: HeardNote, median_pitch: float) -> float:
    length = min(1.0, note.duration_s / 0.25) ** 0.5  # notes under a quarter second count less
    return note.amplitude * (0.5 + 0.5 * length) + HEIGHT_BONUS * (note.pitch - median_pitch) / 12 - SALIENCE_FLOOR


def _leap_cost(first: int, second: int) -> float:
    return LEAP_COST * max(0, abs(second - first) - 5) / 12


def melody_line(notes: Sequence[HeardNote]) -> list[HeardNote]:
    """The melody among `notes` (any order), sorted by onset, no two sounding at once."""
    ordered = sorted(notes, key=lambda n: (n.start_s, -n.pitch))
    if not ordered:
        return []
    pitches = sorted(n.pitch for n in ordered)
    median = pitches[len(pitches) // 2]
    salience = [_salience(n, median) for n in ordered]
    best = [0.0] * len(ordered)
    previous: list[int | None] = [None] * len(ordered)
    for j, note in enumerate(ordered):
        best[j], previous[j] = salience[j], None
        for i in range(max(0, j - LOOKBACK_NOTES), j):
            if note.start_s - ordered[i].start_s < CHORD_SPREAD_S:
                continue
            score = best[i] + salience[j] - _leap_cost(ordered[i].pitch, note.pitch)
            if score > best[j]:
                best[j], previous[j] = score, i
    end: int | None = max(range(len(ordered)), key=lambda k: best[k])
    if best[end] <= 0:
        return []
    chain = []
    while end is not None:
        chain.append(ordered[end])
        end = previous[end]
    chain.reverse()
    return [
        HeardNote(n.start_s, min(n.end_s, later.start_s) if later else n.end_s, n.pitch, n.amplitude)
        for n, later in zip(chain, [*chain[1:], None])
    ]


def mean_leap(line: Sequence[HeardNote]) -> float:
    """Mean absolute interval between neighbouring notes, semitones (0 for fewer than two notes)."""
    if len(line) < 2:
        return 0.0
    return math.fsum(abs(b.pitch - a.pitch) for a, b in zip(line, line[1:])) / (len(line) - 1)
