"""Constrained sampling: whatever the network says, every tune is valid ABC with the plan's bars,
key, mode, meter and range, sections that end on the tonic triad, and a tune that ends on the tonic."""

from __future__ import annotations

import random

import pytest
from support.tiny_melody import tiny_melody_model
from support.tiny_models import one_torch_thread

from tunesmith.tools.abc import analyse_abc, count_bars, tune_notes, validate_abc
from tunesmith.tools.compose.model_composer import sample_plan
from tunesmith.tools.melody_model.limits import ModelCannotCompose
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory import MODE_SEMITONES, pitch_class

METERS = ("2/4", "3/4", "4/4", "6/8", "9/8", "2/2", "3/8")
KEYS = ("C", "G", "D", "A", "E", "F", "Bb", "Eb", "F#", "Ab")
MODES = ("major", "minor", "dorian", "mixolydian")
FORMS = ("A", "AB", "AABB", "AABA", "ABAC", "ABC")


@pytest.fixture(scope="module")
def model():
    with one_torch_thread():
        yield tiny_melody_model()


def random_plan(rng: random.Random, seed: int) -> MusicPlan:
    form = rng.choice(FORMS)
    low = rng.randint(48, 67)
    return MusicPlan(key=rng.choice(KEYS), mode=rng.choice(MODES), meter=rng.choice(METERS), form=form,
                     bars=len(form) * rng.choice((2, 4)), low_pitch=low, high_pitch=low + rng.randint(12, 26),
                     seed=seed)


def section_end_notes(abc: str, plan: MusicPlan) -> list[int]:
    """The last pitch of each section of the form, as played."""
    from tunesmith.tools.compose.layout import form_layout

    per_bar: dict[int, list[int]] = {}
    for event in tune_notes(abc):
        if event.midi is not None:
            per_bar.setdefault(event.bar, []).append(event.midi)
    ends, total = [], 0
    for _, bars in form_layout(plan, []):
        total += bars
        ends.append(per_bar[total][-1])
    return ends


def test_random_plans_give_valid_tunes_that_keep_every_constraint(model) -> None:
    rng = random.Random(7)
    for seed in range(16):
        plan = random_plan(rng, seed)
        for tune in sample_plan(plan, count=2, model=model):
            report = validate_abc(tune.abc, check_abc2midi=False)
            assert report.valid, (plan, [p.message for p in report.errors], tune.abc)
            assert count_bars(tune.abc) == plan.bars
            facts = analyse_abc(tune.abc)
            assert (facts.meter, facts.mode) == (plan.meter, plan.mode)
            tonic = pitch_class(plan.key)
            assert pitch_class(facts.key) == tonic
            pitches = [e.midi for e in tune_notes(tune.abc) if e.midi is not None]
            assert plan.low_pitch <= min(pitches) and max(pitches) <= plan.high_pitch
            triad = {(tonic + MODE_SEMITONES[plan.mode][d]) % 12 for d in (0, 2, 4)}
            ends = section_end_notes(tune.abc, plan)
            assert ends[-1] % 12 == tonic
            assert all(end % 12 in triad for end in ends)


def test_abc2midi_accepts_sampled_tunes(model) -> None:
    rng = random.Random(11)
    for seed in range(4):
        tune = sample_plan(random_plan(rng, seed), model=model)[0]
        assert validate_abc(tune.abc, check_abc2midi=True).valid


def test_same_plan_and_seed_give_the_same_tune_and_other_seeds_others(model) -> None:
    plan = MusicPlan(key="D", meter="6/8", bars=16, form="AB", seed=3)
    first = sample_plan(plan, model=model)[0].abc
    assert sample_plan(plan.model_copy(), model=model)[0].abc == first
    others = {sample_plan(plan.model_copy(update={"seed": s}), model=model)[0].abc for s in range(4, 8)}
    assert first not in others and len(others) == 4


def test_a_repeated_section_is_played_twice_note_for_note(model) -> None:
    plan = MusicPlan(key="G", meter="4/4", bars=16, form="AABB", seed=1)
    events = [e for e in tune_notes(sample_plan(plan, model=model)[0].abc)]
    bars = {bar: [(round(e.onset % 4, 3), e.duration, e.midi) for e in events if e.bar == bar] for bar in range(1, 17)}
    assert [bars[b] for b in range(1, 5)] == [bars[b] for b in range(5, 9)]
    assert [bars[b] for b in range(9, 13)] == [bars[b] for b in range(13, 17)]


def test_a_returning_section_repeats_its_first_statement(model) -> None:
    plan = MusicPlan(key="C", meter="3/4", bars=16, form="ABAC", seed=2)
    events = tune_notes(sample_plan(plan, model=model)[0].abc)
    bars = {bar: [(round(e.onset % 3, 3), e.duration, e.midi) for e in events if e.bar == bar] for bar in range(1, 17)}
    assert [bars[b] for b in range(1, 5)] == [bars[b] for b in range(9, 13)]


def test_planned_chords_put_a_chord_tone_on_every_downbeat_and_appear_as_symbols(model) -> None:
    plan = MusicPlan(key="C", meter="4/4", bars=8, form="A", chords=["I", "IV", "V", "I"], seed=4)
    abc = sample_plan(plan, model=model)[0].abc
    chords = [{0, 4, 7}, {5, 9, 0}, {7, 11, 2}, {0, 4, 7}]
    for event in tune_notes(abc):
        if event.midi is not None and event.onset % 4 == 0:
            assert event.midi % 12 in chords[(event.bar - 1) % 4]
    assert '"F"' in abc and '"G"' in abc


def test_a_meter_the_model_has_not_learned_is_refused_in_one_sentence(model) -> None:
    with pytest.raises(ModelCannotCompose, match="learned 7/8 from only 2 tunes"):
        sample_plan(MusicPlan(meter="7/8", bars=8), model=model)


def test_an_exemplar_in_the_plans_meter_is_read_and_named(model) -> None:
    exemplar = "X:1\nT:The Kesh\nM:6/8\nL:1/8\nK:G\n|:GAG GAB|ABA ABd|edd gdd|edB dBA:|\n"
    other = "X:1\nT:A Reel\nM:4/4\nL:1/8\nK:D\nd2fd AdFA|d2fd AdFA|]\n"
    tune = sample_plan(MusicPlan(meter="6/8", bars=8, form="AB"), [exemplar, other], model=model)[0]
    assert tune.exemplar == "The Kesh"
    assert any("'The Kesh'" in c and "prompt" in c for c in tune.choices)
    assert any("'A Reel' is in 4/4" in c for c in tune.choices)


def test_a_tune_longer_than_the_models_context_is_still_whole_and_valid() -> None:
    with one_torch_thread():
        short_memory = tiny_melody_model(context=48)
        plan = MusicPlan(key="E", mode="minor", meter="2/4", bars=24, form="A", seed=6)
        tune = sample_plan(plan, model=short_memory)[0]
    assert validate_abc(tune.abc, check_abc2midi=False).valid
    assert count_bars(tune.abc) == 24
