"""The musicnn Fréchet distance: zero for the same distribution, growing as the sets move apart."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.tools.audio.musicnn.frechet import frechet_distance


def test_a_set_is_at_distance_zero_from_itself_and_shifted_sets_are_further() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(400, 20))
    assert frechet_distance(base, base) == pytest.approx(0.0, abs=1e-6)
    near, far = base + 0.5, base + 2.0
    assert 0 < frechet_distance(base, near) < frechet_distance(base, far)
    assert frechet_distance(base, far) == pytest.approx(20 * 2.0**2, rel=1e-6)  # |Δμ|², same covariance


def test_a_wider_spread_counts_even_with_the_same_mean() -> None:
    rng = np.random.default_rng(1)
    narrow, wide = rng.normal(size=(500, 5)), 3 * rng.normal(size=(500, 5))
    assert frechet_distance(narrow, wide) > 10


def test_too_few_embeddings_are_refused() -> None:
    with pytest.raises(ValueError, match="need at least 10 embeddings per set"):
        frechet_distance(np.zeros((3, 4)), np.zeros((30, 4)))
