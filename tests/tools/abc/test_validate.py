"""Validation: what a user (or a model) is told about a tune, with line and bar positions."""

from __future__ import annotations

import pytest

from tunesmith.tools.abc import MAX_ABC_CHARS, AbcError, count_bars, parse_headers, split_tunes, validate_abc

HEADER = "X:1\nT:Test\nM:{meter}\nL:1/8\nQ:1/4=100\nK:{key}\n"


def tune(body: str, meter: str = "3/4", key: str = "D") -> str:
    return HEADER.format(meter=meter, key=key) + body + "\n"


def messages(report) -> list[str]:
    return [p.message for p in report.problems if p.severity == "error"]


def test_clean_waltz_is_valid_with_no_problems() -> None:
    report = validate_abc(tune("A|d2 f2 a2|g2 e2 c2|d6|]"))
    assert report.valid
    assert report.problems == []
    assert report.bars == 3
    assert report.headers["K"] == "D" and report.headers["M"] == "3/4"


def test_overlong_bar_names_line_bar_and_beats() -> None:
    report = validate_abc(tune("d2 f2 a2|g2 e2 c2 B|d6|]"))
    assert not report.valid
    assert messages(report) == ["line 7, bar 2: 3.5 beats in 3/4 (expected 3)"]
    problem = report.errors[0]
    assert (problem.line, problem.bar, problem.kind) == (7, 2, "bar_duration")


def test_compound_meter_counts_in_eighths() -> None:
    report = validate_abc(tune("dfa afd|gfe dc|d3 d3|]", meter="6/8"))
    assert messages(report) == ["line 7, bar 2: 5 eighths in 6/8 (expected 6)"]


def test_pickup_and_short_final_bar_are_allowed() -> None:
    assert validate_abc(tune("A|d2 f2 a2|g2 e2 c2|d4|]")).valid


def test_pickup_completed_across_a_repeat_is_one_bar() -> None:
    report = validate_abc(tune("|:A|d2 f2 a2|d5:|\n|:e|f2 g2 a2|d5:|"))
    assert report.valid
    # bars: pickup (0), 1, 2 (d5 + e share a bar), 3, 4
    assert report.bars == 4


def test_first_and_second_endings_share_bar_numbers() -> None:
    abc = tune("|:d2 f2 a2|g2 e2 c2|[1 d6:|[2 d4 z2|]")
    report = validate_abc(abc)
    assert report.valid
    assert count_bars(abc) == 3


def test_tuplets_ties_chords_graces_and_broken_rhythm_are_timed_right() -> None:
    body = '"D"(3def d>c B2|[DFA]4 {g}a2|~B2 c2 d2-|d2 !trill!e2 .f2|]'
    report = validate_abc(tune(body))
    assert report.valid, messages(report)


def test_inline_meter_change_is_checked_against_the_new_meter() -> None:
    report = validate_abc(tune("d2 f2 a2|[M:2/4] d2 f2|a2 f2 d2|]"))
    assert messages(report) == ["line 7, bar 3: 3 beats in 2/4 (expected 2)"]


def test_missing_headers_are_reported_with_what_to_write() -> None:
    report = validate_abc("d2 f2 a2 f2|g8|]\n")
    errors = messages(report)
    assert "no X: header; start the tune with X:1" in errors
    assert any(m.startswith("no K: header") for m in errors)
    warnings = [p.message for p in report.problems if p.severity == "warning"]
    assert any("no M: header" in w for w in warnings)
    assert any("no T: header" in w for w in warnings)


def test_bad_key_name_is_an_error_that_says_what_is_valid() -> None:
    report = validate_abc(tune("d2 f2 a2|d6|]", key="d min"), check_abc2midi=False)
    assert not report.valid
    assert any("K:d min" in m and "K:Em" in m for m in messages(report))


def test_long_mode_names_are_valid_abc() -> None:
    assert validate_abc(tune("d2 f2 a2|d6|]", key="Dmajor")).valid
    assert validate_abc(tune("A2 c2 e2|A6|]", key="A dorian")).valid


def test_unknown_symbol_is_located() -> None:
    report = validate_abc(tune("d2 f2 a2|g2 # e2 c2|d6|]"), check_abc2midi=False)
    assert messages(report) == ["line 7, bar 2: unknown symbol '#'; remove it"]


def test_second_open_repeat_and_unclosed_repeat_are_errors() -> None:
    report = validate_abc(tune("|:d2 f2 a2|d6|\n|:a2 f2 d2|d6|]"), check_abc2midi=False)
    kinds = [p.kind for p in report.errors]
    assert kinds.count("repeat") == 2


def test_pitch_beyond_midi_is_an_error_and_beyond_piano_a_warning() -> None:
    report = validate_abc(tune("c'''' z4|C,,,,,, z4|]"), check_abc2midi=False)
    by_severity = {(p.severity, p.kind) for p in report.problems}
    assert ("warning", "pitch") in by_severity  # c'''' is MIDI 120
    assert ("error", "pitch") in by_severity  # C,,,,,, is below MIDI 0


def test_abc2midi_gives_a_second_opinion_with_line_numbers() -> None:
    report = validate_abc(tune("d2 f2 a2|d6|]", key="d min"))
    second = [p for p in report.problems if p.kind == "abc2midi"]
    assert second and all(p.line is not None for p in second)
    assert any("abc2midi" in p.message for p in second)


def test_prose_and_fences_are_errors() -> None:
    report = validate_abc("Here is your tune:\n```abc\n" + tune("d2 f2 a2|d6|]") + "```\n", check_abc2midi=False)
    prose = [p for p in report.errors if p.kind == "prose"]
    assert len(prose) == 3


def test_blank_line_inside_the_music_is_an_error() -> None:
    report = validate_abc(tune("d2 f2 a2|d6|\n\na2 f2 d2|d6|]"), check_abc2midi=False)
    assert any(p.kind == "structure" and "blank line" in p.message for p in report.errors)


def test_oversize_input_is_refused() -> None:
    with pytest.raises(AbcError, match="at most 100000"):
        validate_abc(tune("d6|" * (MAX_ABC_CHARS // 3)))


@pytest.mark.parametrize("text", ["", "   \n", "Sorry, I cannot write that tune in any format you asked."])
def test_text_that_is_not_abc_is_refused(text: str) -> None:
    with pytest.raises(AbcError):
        validate_abc(text)


def test_split_tunes_drops_the_file_header_and_keeps_each_tune() -> None:
    text = "% a collection\n\nX:1\nT:One\nK:D\nd4|]\n\nX:2\nT:Two\nK:G\nG4|]\n"
    tunes = split_tunes(text)
    assert [parse_headers(t)["T"] for t in tunes] == ["One", "Two"]


def test_parse_headers_keeps_the_first_title() -> None:
    headers = parse_headers("X:3\nT:Main\nT:Alternative\nR:reel\nM:C|\nK:Ador\nA4|]")
    assert headers == {"X": "3", "T": "Main", "R": "reel", "M": "C|", "K": "Ador"}


def test_essen_style_bar_at_line_end_without_bar_line_is_a_warning() -> None:
    abc = "X:1\nT:Essen\nM:3/8\nL:1/8\nK:G\n| BBB | B2d | dcc | B2z\nBBB | dcc | Acc | G3 |]\n"
    report = validate_abc(abc, check_abc2midi=False)
    assert report.valid
    assert count_bars(abc) == 8
    assert any(p.kind == "structure" and p.severity == "warning" for p in report.problems)
