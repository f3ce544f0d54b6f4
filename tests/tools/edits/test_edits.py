"""Edit requests change exactly what they name, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import EVAL_SUITES

from tunesmith.tools.abc import analyse_abc, parse_headers, tune_notes, validate_abc
from tunesmith.tools.edits import EditOp, apply_edits, parse_edit, read_edit
from tunesmith.tools.edits.apply import tune_parts
from tunesmith.tools.plan import MusicPlan

JIG = """X:1
T:Test Jig
R:jig
M:6/8
L:1/8
Q:3/8=116
K:D
%%MIDI program 110
|:"D"dfa afd|"G"gbg "D"fdf|"A"ecA ABc|"D"dfe d3:|
|:"D"d2f a2f|"G"g2b "D"a2f|"A"e2c A2c|"D"d3 d3:|
"""
PLAN = MusicPlan(key="D", mode="major", meter="6/8", tempo_bpm=116, bars=8, tune_type="jig", instrument="fiddle")


def _changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]


def _rhythm(abc: str) -> list[tuple[int, float, float]]:
    return [(n.bar, n.onset, n.duration) for n in tune_notes(abc)]


def _pitches(abc: str) -> list[int | None]:
    return [n.midi for n in tune_notes(abc)]


# --- reading the words ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "value"), [
    ("make it slower", "tempo", 93), ("faster", "tempo", 145), ("much slower", "tempo", 75),
    ("a bit faster please", "tempo", 128), ("at 90 bpm", "tempo", 90), ("twice as fast", "tempo", 232),
    ("in minor", "mode", "minor"), ("make it dorian", "mode", "dorian"), ("sadder", "mode", "minor"),
    ("end on a happy note", "mode", "major"), ("in G", "key", "G"), ("change it to B flat", "key", "Bb"),
    ("up a fourth", "transpose", 5), ("an octave higher", "transpose", 12), ("down two semitones", "transpose", -2),
    ("a minor third lower", "transpose", -3), ("transpose it by -3 semitones", "transpose", -3),
    ("make it higher", "transpose", 12), ("in 3/4", "meter", "3/4"), ("as a waltz", "tune_type", "waltz"),
    ("for violin", "instrument", "violin"), ("play it on the flute instead", "instrument", "flute"),
    ("shorter", "bars", 4), ("longer", "bars", "+part"), ("twice as long", "bars", 16), ("make it 32 bars", "bars", 32),
    ("add 4 bars", "bars", 12), ("more lively", "density", "more"), ("end on a high note", "ending", "high"),
    ("add a C part", "section", "add C"),
    ("drop the B part", "section", "drop B"), ("just the A part", "section", "keep A"),
])
def test_edit_words_become_one_operation(text: str, kind: str, value: object) -> None:
    ops = parse_edit(text, PLAN)
    assert [(op.kind, op.value) for op in ops] == [(kind, value)]


def test_slower_in_minor_is_two_operations_in_the_order_said() -> None:
    ops = parse_edit("now make it slower, in minor", PLAN)
    assert [(op.kind, op.value, op.evidence) for op in ops] == [("tempo", 93, "slower"), ("mode", "minor", "in minor")]


def test_a_key_with_its_mode_is_two_operations() -> None:
    assert [(o.kind, o.value) for o in parse_edit("in E minor", PLAN)] == [("key", "E"), ("mode", "minor")]


def test_without_the_previous_plan_relative_changes_stay_relative() -> None:
    assert [(o.kind, o.value) for o in parse_edit("slower and shorter")] == [("tempo", 0.8), ("bars", 0.5)]
    assert [(o.kind, o.value) for o in parse_edit("longer")] == [("bars", "+part")]


def test_a_part_named_in_the_clause_scopes_its_operations() -> None:
    ops = parse_edit("make the B part an octave higher, and slower", PLAN)
    assert [(o.kind, o.value, o.section) for o in ops] == [("transpose", 12, "B"), ("tempo", 93, None)]


@pytest.mark.parametrize("text", ["make a major change to the ending", "something completely different", "a part for me"])
def test_words_that_name_no_edit_give_no_operation(text: str) -> None:
    assert parse_edit(text, PLAN) == []


def test_bad_edit_input_gives_clear_errors() -> None:
    with pytest.raises(ValueError, match="must be text"):
        parse_edit(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="500 bpm.*30 to 260"):
        parse_edit("at 500 bpm", PLAN)


# --- applying them ---------------------------------------------------------------------------------

def test_slower_changes_only_the_tempo_line() -> None:
    result = apply_edits(JIG, parse_edit("make it slower", PLAN))
    assert _changed_lines(JIG, result.abc) == [("Q:3/8=116", "Q:3/8=93")]
    assert result.plan_changes == {"tempo_bpm": 93}
    assert "116 -> 93" in result.applied[0]


def test_slower_in_minor_changes_tempo_and_mode_and_nothing_else() -> None:
    result = apply_edits(JIG, parse_edit("slower, in minor", PLAN))
    before, after = parse_headers(JIG), parse_headers(result.abc)
    assert {k for k in before if before[k] != after.get(k)} == {"Q", "K"}
    assert analyse_abc(result.abc).mode == "minor" and analyse_abc(result.abc).key == "D"
    assert _rhythm(result.abc) == _rhythm(JIG)
    # D major -> D minor lowers the 3rd, 6th and 7th (F#, B, C#) a semitone; every other note stays,
    # except the leading note C# under the dominant "A" chord (bars 3 and 7), as harmonic minor has it.
    for old, new in zip(tune_notes(JIG), tune_notes(result.abc), strict=True):
        if old.midi % 12 == 1 and old.bar in (3, 7):
            assert new.midi == old.midi
        else:
            assert new.midi == old.midi - 1 if old.midi % 12 in (6, 11, 1) else new.midi == old.midi
    assert "%%MIDI program 110" in result.abc and validate_abc(result.abc).valid
    assert result.plan_changes == {"tempo_bpm": 93, "mode": "minor"}


def test_new_key_moves_every_note_by_the_same_nearest_interval() -> None:
    result = apply_edits(JIG, parse_edit("put it in G", PLAN))
    shifts = {new - old for old, new in zip(_pitches(JIG), _pitches(result.abc), strict=True)}
    assert shifts == {5} and analyse_abc(result.abc).key == "G"
    assert result.plan_changes["key"] == "G" and _rhythm(result.abc) == _rhythm(JIG)


def test_instrument_edit_rewrites_only_the_program_line() -> None:
    result = apply_edits(JIG, parse_edit("for violin", PLAN))
    assert _changed_lines(JIG, result.abc) == [("%%MIDI program 110", "%%MIDI program 40")]


def test_b_part_an_octave_higher_leaves_the_a_part_alone() -> None:
    assert [p[0] for p in tune_parts(JIG)] == ["A", "B"]
    result = apply_edits(JIG, parse_edit("make the B part an octave higher", PLAN))
    before, after = tune_notes(JIG), tune_notes(result.abc)
    assert [n.midi for n in after if n.bar <= 4] == [n.midi for n in before if n.bar <= 4]
    assert [n.midi for n in after if n.bar > 4] == [n.midi + 12 for n in before if n.bar > 4]
    assert validate_abc(result.abc).valid and analyse_abc(result.abc).key == "D"


def test_dropping_the_b_part_keeps_the_a_part_and_a_valid_tune() -> None:
    result = apply_edits(JIG, parse_edit("drop the B part", PLAN))
    assert analyse_abc(result.abc).bars == 4 and validate_abc(result.abc).valid
    assert _pitches(result.abc) == [n.midi for n in tune_notes(JIG) if n.bar <= 4]
    assert result.plan_changes == {"form": "A", "bars": 4}


def test_shorter_keeps_the_first_bars_and_longer_adds_new_bars_in_the_tune_s_style() -> None:
    assert analyse_abc(apply_edits(JIG, parse_edit("shorter", PLAN)).abc).bars == 4
    longer = apply_edits(JIG, parse_edit("longer", PLAN))
    assert analyse_abc(longer.abc).bars == 12 and validate_abc(longer.abc).valid  # one 4-bar part more
    assert _pitches(longer.abc)[:len(_pitches(JIG))] == _pitches(JIG)  # the tune as it was, then new bars
    assert "new bars continuing the tune" in longer.applied[0]


def test_an_impossible_meter_is_refused_in_one_sentence_naming_valid_meters() -> None:
    reading = read_edit("put it in 0/4")
    assert reading.ops == [] and len(reading.refused) == 1
    assert "'0/4' is not a meter" in reading.refused[0] and "6/8" in reading.refused[0]


def test_a_relative_tempo_without_a_plan_uses_the_tunes_own_tempo() -> None:
    result = apply_edits(JIG, [EditOp(kind="tempo", value=0.5, evidence="half speed")])
    assert parse_headers(result.abc)["Q"] == "3/8=58"


def test_an_edit_for_a_part_the_tune_lacks_is_skipped() -> None:
    result = apply_edits(JIG, parse_edit("make the C part higher", PLAN))
    assert result.abc == JIG and "no C part" in result.skipped[0]


# --- the edit suite, end to end -------------------------------------------------------------------

def test_every_conversation_in_the_edit_suite_meets_its_expectations_in_the_abc() -> None:
    """Compose the first request, apply each edit, and measure key/mode/meter/tempo/bars from the ABC."""
    from tunesmith.agent.eval.suite import load_suite
    from tunesmith.tools.compose.composer import compose_abc
    from tunesmith.tools.planning.request import plan_from_request
    from tunesmith.tools.theory.instruments import GM_PROGRAMS

    suite = load_suite(EVAL_SUITES / "edit_requests.yaml")
    state: dict[str, tuple[MusicPlan, str]] = {}
    failures = []
    for case in suite.cases:
        if case.edit_of is None:
            plan = plan_from_request(case.request)
            abc = compose_abc(plan).abc
        else:
            plan, abc = state[case.edit_of]
            result = apply_edits(abc, parse_edit(case.request, plan))
            abc, plan = result.abc, plan.model_copy(update=result.plan_changes)
        state[case.id] = (plan, abc)
        measured = analyse_abc(abc)
        programs = {program: name for name, program in GM_PROGRAMS.items()}
        tune = {**measured.model_dump(), "tune_type": plan.tune_type,
                "instrument": plan.instrument if GM_PROGRAMS[plan.instrument] == measured.instrument_program
                else programs.get(measured.instrument_program)}
        failures += [f"{case.id}: {miss}" for miss in case.expect.unmet(tune)]
        assert validate_abc(abc, check_abc2midi=False).valid, case.id
    assert failures == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(("slower", "faster", "in minor", "in G", "up a fourth", "an octave higher", "for flute",
                                 "shorter", "longer", "in 3/4", "in 4/4", "drop the B part", "the B part in minor",
                                 "at 80 bpm", "much faster", "sadder", "in E minor", "make it blue", "as a waltz",
                                 "more lively", "simpler", "end on a high note", "add a C part", "on the tuba")),
                max_size=4).map(", ".join))
def test_any_chain_of_edits_keeps_a_valid_tune_and_accounts_for_every_change(text: str) -> None:
    ops = parse_edit(text, PLAN)
    result = apply_edits(JIG, ops)
    assert validate_abc(result.abc, check_abc2midi=False).valid
    assert len(result.outcomes) == len(ops)
    assert result.outcomes.count("skipped") == len(result.skipped) and result.outcomes.count("already") == len(result.already)


def test_a_brighter_register_is_an_octave_up_and_bells_are_tubular_bells() -> None:
    ops = parse_edit("like this clip, but for Christmas: bells and a brighter register")
    assert sorted((op.kind, op.value) for op in ops) == [("instrument", "tubular bells"), ("transpose", 12)]
    assert [(op.kind, op.value) for op in parse_edit("make it brighter")] == [("mode", "major")]
