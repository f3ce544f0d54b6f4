"""Melody-model tokens: a tune tokenized and written back is musically the same tune."""

from __future__ import annotations

import pytest
from support.tiny_melody import THE_KESH as JIG

from tunesmith.tools.abc import parsed_tune, tune_notes, validate_abc
from tunesmith.tools.melody_model.abc_writer import round_trip
from tunesmith.tools.melody_model.tokens import TokenizeError, bar_line_tokens, section_lengths, tokenize_parsed
from tunesmith.tools.melody_model.vocab import vocabulary

FEATURES = """X:1
T:Features
M:4/4
L:1/16
K:Dm
A2|:d4 (3c2B2A2 F4 E>D|^C4-C2 z2 [DF]4 A4|1 d8 d4 z4:|2 d8 d4 z4|[M:2/4] d4 z4|]
"""


def test_a_jig_round_trips_to_the_same_notes_and_repeats() -> None:
    same, written = round_trip(JIG)
    assert same
    assert written.count("|:") + written.count("::") == 2 and written.count(":|") + written.count("::") == 2
    assert validate_abc(written, check_abc2midi=False).valid


def test_triplets_broken_rhythm_ties_chords_endings_and_meter_changes_survive() -> None:
    same, written = round_trip(FEATURES)
    assert same, written
    assert "(3" in written and ">" in written and "-" in written and "[" in written and "[M:2/4]" in written
    assert "|1" in written and ":|2" in written
    assert "^C" in written  # the leading note of D minor is a sharp, not D flat


def test_pitches_are_counted_from_the_tonic_so_a_transposed_tune_has_the_same_tokens() -> None:
    in_g = tokenize_parsed(parsed_tune(JIG))
    in_a = tokenize_parsed(parsed_tune(JIG.replace("K:G", "K:A").replace("G", "A")))  # not a transposition
    transposed = tokenize_parsed(parsed_tune(_transpose_to_a(JIG)))
    assert transposed.body == in_g.body
    assert in_a.body != in_g.body


def _transpose_to_a(abc: str) -> str:
    from tunesmith.tools.abc import transpose_abc

    return transpose_abc(abc, 2)


def test_controls_say_meter_mode_type_sections_and_bars_per_section() -> None:
    tokens = tokenize_parsed(parsed_tune(JIG), tune_type="jig")
    assert tokens.controls() == ["M:6/8", "mode:major", "type:jig", "sections:2", "bars:8", "bars:8"]
    assert all(t in vocabulary().ids for t in tokens.controls() + tokens.body)


def test_a_pickup_and_the_short_bar_that_completes_it_count_as_one_bar() -> None:
    body = "n4:12 | n2:24 n2:24 | n0:36 :| n4:12 | n2:48 | n0:36 :|".split()
    assert section_lengths(body, "2/4") == [2, 2]


def test_bar_lines_as_written_become_one_bar_token_and_an_ending() -> None:
    assert bar_line_tokens(":| [2") == [":|", "[2"]
    assert bar_line_tokens("|1") == ["|", "[1"]
    assert bar_line_tokens(":|:") == ["::"]
    assert bar_line_tokens("[|]") == ["|]"]


def test_several_voices_are_refused_with_the_reason() -> None:
    two_voices = "X:1\nM:4/4\nL:1/8\nK:C\nV:1\nCDEF GABc|\nV:2\nC,8|\n"
    with pytest.raises(TokenizeError, match="several voices"):
        tokenize_parsed(parsed_tune(two_voices))


def test_written_tune_keeps_the_notes_of_the_original() -> None:
    _, written = round_trip(JIG)
    assert [e.midi for e in tune_notes(written)] == [e.midi for e in tune_notes(JIG)]


def test_the_model_knows_every_mode_the_planner_can_ask_for() -> None:
    from tunesmith.tools.melody_model.vocab import MODES
    from tunesmith.tools.theory import MODES as THEORY_MODES

    assert set(MODES) == set(THEORY_MODES)
