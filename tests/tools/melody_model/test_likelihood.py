"""The model's likelihood as the critic's plausibility: percentiles among held-out real tunes,
written-out repeats left out, and real tunes ranked above random notes by the shipped model."""

from __future__ import annotations

from support.tiny_melody import THE_KESH as KESH

from tunesmith.tools.abc import parsed_tune
from tunesmith.tools.critic.critique import critique_abc
from tunesmith.tools.melody_model.likelihood import copied_units, percentile, tune_likelihood
from tunesmith.tools.melody_model.prompts import bar_units
from tunesmith.tools.melody_model.tokens import tokenize_parsed
from tunesmith.tools.melody_model.weights import shipped_model

# The same rhythm and range, pitches shuffled by a fixed permutation: notes no real jig plays.
_HEAD, _BODY = KESH.split("K:G\n")
SCRAMBLED = _HEAD.replace("The Kesh", "Scrambled") + "K:G\n" + _BODY.translate(str.maketrans("GABdegfc", "fcGeBAgd"))


def test_percentile_counts_the_reference_tunes_below_with_ties_halved() -> None:
    reference = [-3.0, -2.0, -2.0, -1.0]
    assert percentile(-2.5, reference) == 0.25
    assert percentile(-2.0, reference) == 0.5
    assert percentile(-0.5, reference) == 1.0 and percentile(-9.0, reference) == 0.0


def test_a_section_written_out_again_is_left_out_of_the_mean() -> None:
    body = "n0:24 | n2:24 | n4:24 || n0:24 | n2:24 | n4:24 || n7:24 | n5:24 |]".split()
    assert copied_units(bar_units(body)) == {3, 4, 5}


def test_the_shipped_model_finds_a_real_jig_more_likely_than_its_scrambled_notes() -> None:
    network = shipped_model().network
    real = tune_likelihood(network, tokenize_parsed(parsed_tune(KESH), tune_type="jig"))
    scrambled = tune_likelihood(network, tokenize_parsed(parsed_tune(SCRAMBLED), tune_type="jig"))
    assert real.mean > scrambled.mean + 0.5


def test_the_critic_reports_plausibility_as_a_percentile_and_names_weak_bars() -> None:
    real = next(d for d in critique_abc(KESH).quality if d.name == "plausibility")
    scrambled = next(d for d in critique_abc(SCRAMBLED).quality if d.name == "plausibility")
    assert real.score > scrambled.score
    assert "held-out real" in real.measured
    assert scrambled.score < 0.25 and "least likely" in scrambled.note
