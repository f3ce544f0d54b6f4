"""What kind of tune a tune is: rhythm in beats, and the library's tunes of the same meter voting."""

from __future__ import annotations

import pytest
from support.exemplar_sample import use_sample_library

from tunesmith.tools.corpus.likeness import guess_tune_kind, rhythm_profile

JIG = "X:1\nT:Test\nM:6/8\nL:1/8\nK:G\nGAB dBG|ABA AGE|GAB dBG|ABA G3|]\n"
REEL = "X:1\nT:Test\nM:4/4\nL:1/8\nK:D\nDFAF DFAF|GBdB GBdB|DFAF DFAF|EFGE D4|]\n"


def test_running_eighths_are_a_third_of_a_beat_in_6_8_and_half_a_beat_in_4_4() -> None:
    jig, reel = rhythm_profile(JIG, "6/8"), rhythm_profile(REEL, "4/4")
    assert jig.index(max(jig)) == 1 and reel.index(max(reel)) == 2  # bins: ..., 1/3 beat, 1/2 beat, ...
    assert sum(jig) == pytest.approx(1.0)


def test_a_tune_that_names_its_type_says_so_first() -> None:
    kind = guess_tune_kind(JIG.replace("K:G", "R:slide\nK:G"), key="G", mode="major", meter="6/8", bars=4)
    assert kind.tune_type == "slide" and kind.evidence[0] == "its R: field names it a slide"


def test_without_a_library_the_guess_says_there_was_nothing_to_compare() -> None:
    kind = guess_tune_kind(JIG, key="G", mode="major", meter="6/8", bars=4)
    assert any("no library tunes to compare" in line for line in kind.evidence)


def test_the_library_votes_by_rhythm_among_tunes_of_the_same_meter(monkeypatch: pytest.MonkeyPatch) -> None:
    use_sample_library(monkeypatch)
    kind = guess_tune_kind(JIG, key="G", mode="major", meter="6/8", bars=4)
    assert kind.tune_type == "jig" and len(kind.neighbours) >= 3
    assert any("most alike in rhythm" in line for line in kind.evidence)
