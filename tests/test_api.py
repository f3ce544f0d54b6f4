"""The Python API a script or notebook uses: one tune from words, rendered to files; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import image_samples as samples

import tunesmith
from tunesmith.tools.abc import analyse_abc, count_bars, validate_abc


def test_compose_tune_follows_the_words_and_explains_each_choice() -> None:
    tune = tunesmith.compose_tune("a melancholic waltz in D minor for violin, 16 bars", seed=3, refine_rounds=1)
    facts = analyse_abc(tune.abc)
    assert (facts.key, facts.mode, facts.meter, count_bars(tune.abc)) == ("D", "minor", "3/4", 16)
    assert validate_abc(tune.abc, check_abc2midi=False).valid
    assert tune.plan.instrument == "violin" and "you asked for" in tune.plan.reasons["key"]
    assert tune.critique is not None and tune.rounds and tune.rounds[0].change.startswith("first draft")


def test_the_same_words_and_seed_give_the_same_tune_and_another_seed_another() -> None:
    first = tunesmith.compose_tune("a jig in G", seed=5, refine_rounds=0)
    assert tunesmith.compose_tune("a jig in G", seed=5, refine_rounds=0).abc == first.abc
    assert tunesmith.compose_tune("a jig in G", seed=6, refine_rounds=0).abc != first.abc


def test_a_picture_shapes_the_plan(tmp_path: Path) -> None:
    photo = samples.save(samples.dark_cool(), tmp_path, "night.png")
    tune = tunesmith.compose_tune("music for this picture", image=photo, refine_rounds=0)
    assert "valence" in tune.plan.reasons["tune_type"] and "brightness" in tune.plan.reasons["low_pitch"]


def test_render_writes_every_file_a_user_opens(tmp_path: Path) -> None:
    tune = tunesmith.compose_tune("a short polka in A, 8 bars", refine_rounds=0)
    files = tune.render(tmp_path / "polka")
    assert set(files) == {"abc", "midi", "wav", "svg", "musicxml"}
    assert all(path.is_file() and path.stat().st_size > 0 for path in files.values())


@pytest.mark.parametrize("request_text", ["", "   ", "a reel at 900 bpm"])
def test_words_no_tune_can_follow_are_one_clear_error(request_text: str) -> None:
    with pytest.raises(tunesmith.InputError):
        tunesmith.compose_tune(request_text)
