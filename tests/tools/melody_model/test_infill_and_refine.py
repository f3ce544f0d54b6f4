"""Infilling rewrites exactly the missing bars; refinement keeps every round and never keeps a tune
the critic scores below the first draft."""

from __future__ import annotations

import pytest
from support.tiny_melody import tiny_melody_model
from support.tiny_models import one_torch_thread

from tunesmith.tools.abc import count_bars, tune_notes, validate_abc
from tunesmith.tools.compose.model_composer import plan_frame, render, sample_plan
from tunesmith.tools.compose.model_revisions import infill_window
from tunesmith.tools.compose.refine import refine_with_model
from tunesmith.tools.plan import MusicPlan

PLAN = MusicPlan(key="D", meter="6/8", bars=16, form="AB", tune_type="jig", seed=5)


@pytest.fixture(scope="module")
def model():
    with one_torch_thread():
        yield tiny_melody_model()


def bars_of(abc: str) -> dict[int, list[tuple]]:
    bars: dict[int, list[tuple]] = {}
    for event in tune_notes(abc):
        bars.setdefault(event.bar, []).append((round(event.onset % 3, 3), event.duration, event.midi))
    return bars


def test_infilling_two_bars_changes_only_those_bars_and_keeps_them_whole(model) -> None:
    tune = sample_plan(PLAN, model=model)[0]
    frame = plan_frame(PLAN, model)
    drafts = infill_window(frame, tune.draft, section=0, first=2, network=model.network, count=3, seed=9)
    assert len(drafts) == 3
    before = bars_of(tune.abc)
    for draft in drafts:
        abc = render(frame, draft)
        assert validate_abc(abc, check_abc2midi=False).valid and count_bars(abc) == 16
        after = bars_of(abc)
        assert {b for b in before if before[b] != after[b]} <= {3, 4}
        assert all(sum(d for _, d, _ in after[b]) == 3 for b in (3, 4))  # a whole 6/8 bar, in quarter beats
    assert any(bars_of(render(frame, d))[3] != before[3] or bars_of(render(frame, d))[4] != before[4] for d in drafts)


def test_refinement_keeps_every_round_explains_it_and_never_lowers_the_score(model) -> None:
    refined = refine_with_model(PLAN, rounds=3, candidates=3, model=model)
    assert [r.round for r in refined.rounds] == [0, 1, 2, 3]
    assert refined.rounds[0].change.startswith("first draft by the melody model")
    assert "sampled 3 more drafts" in refined.rounds[1].change
    assert all("rewrote bars" in r.change for r in refined.rounds[2:])
    kept = [r for r in refined.rounds if r.kept]
    assert len(kept) == 1 and kept[0].round == refined.best_round
    assert kept[0].overall >= refined.rounds[0].overall
    assert refined.critique.overall == kept[0].overall
    assert validate_abc(refined.abc).valid and count_bars(refined.abc) == 16
    assert any(choice.startswith("refinement:") for choice in refined.choices)


def test_refinement_with_no_rounds_is_the_first_draft(model) -> None:
    refined = refine_with_model(PLAN, rounds=0, model=model)
    assert len(refined.rounds) == 1 and refined.best_round == 0
    assert refined.abc == sample_plan(PLAN, model=model)[0].abc
