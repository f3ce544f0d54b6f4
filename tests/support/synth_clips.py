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
