"""The critic: scores against the plan and as a melody, with feedback a composer can act on."""

from __future__ import annotations

import json

from tunesmith.tools.critic.critique import INVALID_CAP, critique_abc
from tunesmith.tools.plan import MusicPlan

REEL = """X:1
T:Good Reel
M:4/4
L:1/8
Q:1/4=112
K:D
%%MIDI program 40
|:"D"d2fd AdFA|"G"G2BG dGBd|"D"d2fd AdFA|"A"cBAG FEDC|
"D"d2fd AdFA|"G"G2BG dGBd|"A"ABcd efge|"D"d2f2 d4:|
"""
PLAN = MusicPlan(key="D", mode="major", meter="4/4", tempo_bpm=112, bars=8, low_pitch=60, high_pitch=84,
                 instrument="violin", tune_type="reel")


def dimension(critique, name: str):
    return next(d for d in critique.adherence + critique.quality if d.name == name)


def test_a_tune_that_follows_its_plan_scores_full_adherence() -> None:
    critique = critique_abc(REEL, PLAN)
    assert critique.valid
    assert {d.name: d.score for d in critique.adherence} == {
        "key": 1.0, "mode": 1.0, "meter": 1.0, "tempo": 1.0, "bars": 1.0, "range": 1.0, "instrument": 1.0,
    }
    assert dimension(critique, "cadence").score == 1.0
    # A plausible tune sits near the middle of real tunes (percentile ~0.5), which the full critic weighs
    # as much as all band-based measures; the band-based critic alone finds nothing to fault.
    assert critique.overall > 0.7
    assert critique_abc(REEL, PLAN, with_plausibility=False).overall > 0.8


def test_every_dimension_reports_measured_and_target_values() -> None:
    critique = critique_abc(REEL, PLAN)
    names = [d.name for d in critique.quality]
    assert names == ["pitch_class_entropy", "scale_consistency", "stepwise_motion", "large_leaps",
                     "rhythmic_variety", "repetition", "cadence", "phrase_lengths", "plausibility"]
    without_model = critique_abc(REEL, PLAN, with_plausibility=False)
    assert [d.name for d in without_model.quality] == names[:-1]
    assert all(d.measured and d.target for d in critique.adherence + critique.quality)
    json.dumps(critique.model_dump())  # goes into the trace


def test_wrong_key_meter_and_instrument_give_specific_feedback() -> None:
    plan = PLAN.model_copy(update={"key": "G", "meter": "6/8", "instrument": "flute", "tempo_bpm": 90})
    critique = critique_abc(REEL, plan)
    assert dimension(critique, "key").score == 0.0
    assert dimension(critique, "meter").score == 0.0
    assert dimension(critique, "instrument").score == 0.0
    assert dimension(critique, "tempo").score < 1.0
    text = " ".join(critique.feedback)
    assert "plan asks for G" in text and "M:6/8" in text and "%%MIDI program 73" in text


def test_ending_on_the_dominant_is_named_with_the_fix() -> None:
    ends_on_a = REEL.replace('"D"d2f2 d4:|', '"A"d2f2 A4:|')
    critique = critique_abc(ends_on_a, PLAN)
    assert dimension(critique, "cadence").score == 0.5
    assert "the tune ends on the dominant (A); end on D" in critique.feedback


def test_invalid_abc_is_capped_and_its_errors_come_first() -> None:
    broken = REEL.replace("AdFA|", "AdFA2|", 1)
    critique = critique_abc(broken, PLAN)
    assert not critique.valid
    assert critique.overall <= INVALID_CAP
    assert critique.feedback[0] == "line 8, bar 1: 4.5 beats in 4/4 (expected 4)"


def test_text_that_is_not_abc_scores_zero_with_the_reason() -> None:
    critique = critique_abc("I could not write a tune, sorry.")
    assert critique.overall == 0.0 and not critique.valid
    assert "not ABC" in critique.feedback[0]


def test_notes_outside_the_planned_range_are_named_by_bar() -> None:
    plan = PLAN.model_copy(update={"low_pitch": 62, "high_pitch": 76})
    critique = critique_abc(REEL, plan)
    rng = dimension(critique, "range")
    assert rng.score < 1.0
    assert "bars 1" in rng.note and "octave" in rng.note


def test_a_monotonous_tune_scores_below_a_real_one_and_is_told_why() -> None:
    drone = "X:1\nT:Drone\nM:4/4\nL:1/8\nQ:1/4=112\nK:D\n" + "D8|" * 7 + "D8|]\n"
    good, bad = critique_abc(REEL), critique_abc(drone)
    assert bad.overall < good.overall
    assert dimension(bad, "pitch_class_entropy").score < 0.5
    assert any("too few pitches" in line for line in bad.feedback)
    assert good.adherence == []  # no plan, no adherence


def test_large_leaps_are_located() -> None:
    leapy = REEL.replace("cBAG FEDC", "c'BAG FED,C")
    critique = critique_abc(leapy, PLAN)
    leaps = dimension(critique, "large_leaps")
    assert "bar 4" in leaps.note


def test_relative_keys_share_their_major_so_modal_tunes_are_not_marked_off_key() -> None:
    from tunesmith.tools.critic.adherence import _relative_major

    assert _relative_major(9, "minor") == 0  # A minor -> C major
    assert _relative_major(2, "dorian") == 0  # D dorian -> C major
    assert _relative_major(7, "mixolydian") == 0  # G mixolydian -> C major
    assert _relative_major(4, "minor") == 7  # E minor -> G major
