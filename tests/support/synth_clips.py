"""Clips synthesised for audio tests: plucked triads at a known tempo, key and brightness."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

SR = 22050


def chord_loop(bpm: float, chords: list[tuple[int, bool]], seconds: float, *, harmonics: int = 3,
               hits_per_beat: int = 1) -> np.ndarray:
    """Plucked triads, one chord per bar of 4 beats. chords: (root pitch class, is_minor); A=9."""
    y = np.zeros(int(seconds * SR))
    step = 60.0 / bpm / hits_per_beat
    for hit in range(int(seconds / step)):
        root, minor = chords[(hit // (4 * hits_per_beat)) % len(chords)]
        start = int(hit * step * SR)
        t = np.arange(min(int(step * SR), len(y) - start)) / SR
        envelope = np.exp(-6 * t / (step / 0.5))
        for interval in (0, 3 if minor else 4, 7):
            freq = 440.0 * 2 ** ((root + interval - 9) / 12)
            for h in range(1, harmonics + 1):
                # Many strong harmonics make the tone brighter (a higher spectral centroid).
                weight = 1 / h if harmonics > 3 else 0.5**h
                y[start : start + len(t)] += envelope * weight * np.sin(2 * np.pi * freq * h * t)
    return (0.3 * y / np.abs(y).max()).astype(np.float32)


def write(path: Path, samples: np.ndarray, sr: int = SR) -> Path:
    soundfile.write(str(path), samples, sr)
    return path


A_MINOR = [(9, True), (2, True), (4, False), (9, True)]  # Am Dm E Am
D_MAJOR = [(2, False), (7, False), (9, False), (2, False)]  # D G A D


def melody(notes: list[tuple[int, float]], bpm: float, *, beats_per_bar: int = 4, pickup_beats: float = 0.0,
           harmonics: int = 4) -> np.ndarray:
    """A plucked-string melody: (MIDI pitch, length in beats) per note, the downbeat of every bar played
    louder (as players and abc2midi do), starting `pickup_beats` before the first downbeat."""
    beat_s = 60.0 / bpm
    total = sum(length for _, length in notes) * beat_s + 0.5
    y = np.zeros(int(total * SR))
    position = -pickup_beats
    for pitch, length in notes:
        start = int((position + pickup_beats) * beat_s * SR)
        t = np.arange(int(length * beat_s * SR)) / SR
        on_downbeat = abs(position / beats_per_bar - round(position / beats_per_bar)) < 1e-6
        envelope = (1.0 if on_downbeat else 0.6) * np.exp(-3 * t) * np.minimum(1.0, t / 0.005)
        freq = 440.0 * 2 ** ((pitch - 69) / 12)
        tone = sum(np.sin(2 * np.pi * freq * h * t) / h for h in range(1, harmonics + 1))
        y[start : start + len(t)] += envelope * tone
        position += length
    return (0.5 * y / np.abs(y).max()).astype(np.float32)


# "Twinkle, twinkle": (pitch, beats), 8 bars of 4/4 in G major
TWINKLE_G = [(67, 1), (67, 1), (74, 1), (74, 1), (76, 1), (76, 1), (74, 2),
             (72, 1), (72, 1), (71, 1), (71, 1), (69, 1), (69, 1), (67, 2)] * 2
