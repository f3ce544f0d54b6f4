"""Realism: held-out real tunes against generated ones, measured the same way for every source."""

from __future__ import annotations

import pytest

from tunesmith.agent.eval.realism import (
    classifier_auc,
    overlap_of_histograms,
    overlap_of_values,
    played_bars,
    realism_report,
    roc_auc,
    tune_features,
)
from tunesmith.agent.eval.report import _realism_blocks, report_blocks
from tunesmith.agent.eval.run import EvalReport


def test_repeats_and_endings_are_unfolded_as_played() -> None:
    body = "|: n0:12 | n2:12 | [1 n4:12 :| [2 n5:12 || n7:12 | n9:12 :|".split()
    assert [bar[0][0] for bar in played_bars(body)] == [0, 2, 4, 0, 2, 5, 7, 9, 7, 9]


def test_tied_notes_are_one_note_and_there_are_fifteen_features() -> None:
    bars = played_bars("n0:12 - n0:12 n2:24 |]".split())
    assert bars == [[(0, 24), (2, 24)]]
    assert len(tune_features(bars)) == 15


def test_overlaps_and_aucs_are_one_for_the_same_and_zero_or_one_for_apart() -> None:
    from collections import Counter

    assert overlap_of_histograms(Counter({1: 2, 2: 2}), Counter({1: 1, 2: 1})) == pytest.approx(1.0)
    assert overlap_of_histograms(Counter({1: 2}), Counter({2: 2})) == 0.0
    assert overlap_of_values([1, 2, 3], [1, 2, 3]) == 1.0
    assert roc_auc([3, 4], [1, 2]) == 1.0 and roc_auc([1, 2], [1, 2]) == 0.5


def test_a_classifier_cannot_tell_a_set_from_itself_but_tells_apart_shifted_sets() -> None:
    import random

    rng = random.Random(0)
    def features(shift: float) -> list[dict[str, float]]:
        return [{"a": rng.gauss(shift, 1), "b": rng.gauss(0, 1)} for _ in range(60)]
    assert classifier_auc(features(0), features(0)) < 0.7
    assert classifier_auc(features(0), features(3)) > 0.95


@pytest.mark.slow
def test_the_model_is_closer_to_held_out_real_tunes_than_the_rule_based_composer() -> None:
    report = realism_report(30, seed=1, sources=["melody model", "rule-based composer"])
    by_source = {s.source: s for s in report.sources}
    model, rules = by_source["melody model"], by_source["rule-based composer"]
    assert model.valid == rules.valid == 1.0
    assert model.plausibility_auc < rules.plausibility_auc
    assert sum(model.overlaps.values()) > sum(rules.overlaps.values())


def test_the_eval_report_shows_the_realism_table_and_plot() -> None:
    realism = {"note": "2 tunes", "sources": [
        {"source": "real (held out)", "tunes": 2, "valid": 1.0, "classifier_auc": None, "plausibility_auc": None,
         "mean_log_likelihood": -2.3, "overlaps": {"pitch class": 1.0}, "features": {"notes per bar": 4.5}},
        {"source": "melody model", "tunes": 2, "valid": 1.0, "classifier_auc": 0.9, "plausibility_auc": 0.6,
         "mean_log_likelihood": -2.4, "overlaps": {"pitch class": 0.95}, "features": {"notes per bar": 5.0}}],
        "histograms": {"real (held out)": {"pitch class": {"0": 0.5, "7": 0.5}},
                       "melody model": {"pitch class": {"0": 0.6, "7": 0.4}}}}
    blocks = _realism_blocks(realism)
    kinds = [b.kind for b in blocks]
    assert kinds[0] == "h2" and kinds.count("table") == 2 and kinds[-1] == "plot"
    assert blocks[-1].png.startswith(b"\x89PNG")
    report = EvalReport(suites=["x"], seed=0, refine_rounds=0, realism=realism)
    assert any(b.text.startswith("Melody realism") for b in report_blocks(report))
