"""The beat grid of a melody: tatum, meter, tempo and downbeat from onsets, lengths and accents."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.tools.audio.beat_grid import find_grid
from tunesmith.tools.audio.notes import HeardNote


def played(lengths_in_beats: list[float], bpm: float, beats_per_bar: float, pickup_beats: float = 0.0,
           jitter_s: float = 0.0) -> tuple[list[HeardNote], np.ndarray]:
    """Notes at `bpm` with the downbeats 4 dB louder, as a player (or abc2midi) accents them."""
    rng = np.random.default_rng(0)
    notes, loudness, position = [], [], -pickup_beats
    beat = 60.0 / bpm
    for number, length in enumerate(lengths_in_beats):
        start = (position + pickup_beats) * beat + rng.normal(0, jitter_s)
        notes.append(HeardNote(start, start + length * beat * 0.95, 60 + number % 7, 0.8))
        on_downbeat = abs(position / beats_per_bar - round(position / beats_per_bar)) < 1e-6
        loudness.append(4.0 if on_downbeat else 0.0)
        position += length
    return notes, np.array(loudness)


def test_running_eighths_in_4_4_at_120_give_4_4_at_120() -> None:
    notes, loudness = played([0.5] * 64, 120, 4)
    grid = find_grid(notes, loudness)
    assert grid.meter == "4/4"
    assert grid.beat_bpm == pytest.approx(120, rel=0.02)
    assert grid.tatum_s == pytest.approx(0.25, rel=0.02)


def test_a_waltz_of_half_and_quarter_notes_is_3_4_not_a_slow_compound_meter() -> None:
    notes, loudness = played([2, 1, 2, 1, 3, 3] * 4, 150, 3)
    grid = find_grid(notes, loudness)
    assert (grid.meter, grid.downbeat) == ("3/4", 0)
    assert grid.beat_bpm == pytest.approx(150, rel=0.02)


def test_a_jig_rhythm_is_compound_and_its_pickup_is_found() -> None:
    notes, loudness = played([0.5] + [1, 0.5, 1, 0.5, 1, 0.5, 1.5] * 6, 120, 3, pickup_beats=0.5)
    grid = find_grid(notes, loudness)
    assert grid.meter == "6/8"
    assert grid.downbeat == 1  # the first note is an eighth-note pickup
    assert grid.beat_bpm == pytest.approx(80, rel=0.02)  # dotted quarters


def test_small_timing_jitter_keeps_the_grid() -> None:
    notes, loudness = played([0.5] * 48, 100, 4, jitter_s=0.008)
    grid = find_grid(notes, loudness)
    assert grid.beat_bpm == pytest.approx(100, rel=0.03)
    assert grid.fit > 0.8
