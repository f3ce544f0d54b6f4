"""A musicnn analogue of the Fréchet Audio Distance: how far one set of clips sounds from another.

Each clip is cut into 3 s patches and every patch embedded with musicnn (MTT_musicnn's 200-d
penultimate layer); the two sets of patch embeddings are modelled as Gaussians and compared with the
Fréchet distance |μa − μb|² + tr(Σa + Σb − 2 (Σa Σb)^½) (Heusel et al. 2017; Kilgour et al. 2019 for
audio). This is NOT VGGish FAD: the embedding, its scale and its dimension differ, so the numbers are
comparable only with other runs of this function, never with published FAD values.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

MIN_PATCHES = 10  # fewer patches than this give no usable covariance


class FrechetResult(BaseModel):
    """The distance and what it was computed on."""

    distance: float = Field(description="Fréchet distance between the two embedding Gaussians (musicnn units², >= 0).")
    clips: tuple[int, int] = Field(description="Clips in each set.")
    patches: tuple[int, int] = Field(description="3 s patches (embeddings) in each set.")
    note: str = "musicnn MTT_musicnn penultimate-layer embeddings; not VGGish FAD, not comparable to published FAD values"


def clip_embeddings(paths: Sequence[str | Path]) -> np.ndarray:
    """(patches, 200) musicnn embeddings of every 3 s patch of every clip (clips under 1 s are skipped)."""
    from tunesmith.errors import InputError
    from tunesmith.tools.audio.load import load_audio
    from tunesmith.tools.audio.musicnn.tagger import SAMPLE_RATE, embed_samples

    parts = []
    for path in paths:
        samples, _ = load_audio(path, sample_rate=SAMPLE_RATE)
        try:
            parts.append(embed_samples(samples, SAMPLE_RATE))
        except InputError:
            continue
    return np.concatenate(parts) if parts else np.zeros((0, 200))


def frechet_distance(first: np.ndarray, second: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two (n, d) sets of embeddings."""
    from scipy import linalg

    if min(len(first), len(second)) < MIN_PATCHES:
        raise ValueError(f"need at least {MIN_PATCHES} embeddings per set, got {len(first)} and {len(second)}")
    mean_a, mean_b = first.mean(axis=0), second.mean(axis=0)
    cov_a, cov_b = np.cov(first, rowvar=False), np.cov(second, rowvar=False)
    with warnings.catch_warnings():  # a singular product is expected with few patches; handled below
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = linalg.sqrtm(cov_a @ cov_b)
        if not np.isfinite(root).all():  # nudge both covariances, as the reference FAD code does
            offset = np.eye(len(cov_a)) * 1e-6
            root = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    root = root.real
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(root))


def clip_set_distance(ours: Sequence[str | Path], reference: Sequence[str | Path]) -> FrechetResult:
    """The musicnn Fréchet distance between two sets of audio files."""
    a, b = clip_embeddings(ours), clip_embeddings(reference)
    result = FrechetResult(distance=round(max(frechet_distance(a, b), 0.0), 3), clips=(len(ours), len(reference)),
                           patches=(len(a), len(b)))
    if min(len(a), len(b)) <= a.shape[1]:
        result.note += (f"; only {min(len(a), len(b))} patches for {a.shape[1]} dimensions, so a covariance is "
                        "singular and the distance is rough")
    return result
