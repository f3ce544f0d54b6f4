"""Malformed input never crashes or hangs: every input gets a report or a clear AbcError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.paths import BROKEN_TUNES

from tunesmith.tools.abc import (
    AbcError,
    ValidationReport,
    analyse_abc,
    change_meter,
    change_mode,
    count_bars,
    extract_section,
    repair_abc,
    replace_section,
    set_instrument,
    set_tempo,
    transpose_abc,
    tune_notes,
    validate_abc,
)

SEED_TUNE = """X:1
T:Seed
M:6/8
L:1/8
Q:3/8=100
K:Ador
|:"Am"A2B c2d|(3efg e>d ~c2B|[1 [AC]3 {g}a2z:|[2 A6||
[M:3/4][K:G] G2 _B2 ^c2|d'6-|d6|]
"""
ABC_ALPHABET = "ABCDEFGabcdefgzxZ|:[]()1234/,'^_=-<>{}\"!~.+&%\nKMLQTX: \\"

abc_like = st.text(alphabet=ABC_ALPHABET, max_size=300)
mutations = st.lists(
    st.tuples(st.integers(0, len(SEED_TUNE)), st.integers(0, 6), st.text(alphabet=ABC_ALPHABET, max_size=6)),
    max_size=8,
)


def mutate(edits: list[tuple[int, int, str]]) -> str:
    text = SEED_TUNE
    for position, deleted, inserted in edits:
        position = min(position, len(text))
        text = text[:position] + inserted + text[position + deleted:]
    return text


def check(text: str) -> None:
    try:
        report = validate_abc(text, check_abc2midi=False)
    except AbcError as error:
        assert str(error)
        return
    assert isinstance(report, ValidationReport)
    assert all(p.message for p in report.problems)
    for edit in EDITS:
        try:
            edit(text)
        except AbcError as error:
            assert str(error)


EDITS = (
    tune_notes, analyse_abc, count_bars,
    lambda t: transpose_abc(t, 3), lambda t: change_mode(t, "minor"), lambda t: change_meter(t, "2/4"),
    lambda t: change_meter(t, "3/4"), lambda t: set_tempo(t, 90), lambda t: set_instrument(t, "flute"),
    lambda t: extract_section(t, 1, 2), lambda t: replace_section(t, 1, 1, "a6"),
)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(abc_like)
def test_random_abc_like_text_gets_a_report_or_abc_error(text: str) -> None:
    check(text)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations)
def test_mutated_tunes_get_a_report_or_abc_error(edits: list[tuple[int, int, str]]) -> None:
    check(mutate(edits))


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations)
def test_repair_of_mutated_tunes_never_crashes(edits: list[tuple[int, int, str]]) -> None:
    text = mutate(edits)
    try:
        result = repair_abc(text)
    except AbcError:
        return
    assert isinstance(result.report, ValidationReport)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_text_gets_a_report_or_abc_error(text: str) -> None:
    check(text)


def test_broken_tunes_corpus_never_crashes() -> None:
    for path in sorted(BROKEN_TUNES.glob("*.abc")):
        check(path.read_text())


# --- bounded properties that run on every CI run (a few seconds each) ----------------------------------

TYPOGRAPHY = "\u00a0\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u200b\ufeff\u00e9\u00df\x00\x1b\x07\t\r"
HEADER_VALUES = st.one_of(
    st.text(alphabet="0123456789/=-+ CcAaHh#b:", max_size=12),
    st.sampled_from(["1000000/4", "0/4", "3/0", "1/0=120", "1/4=0", "9" * 400, "1/" + "9" * 50, "H#", "Zmaj", ""]),
)


def tune_with(header: str, value: str, body: str = "GABc dBGA|B2ge d4|]") -> str:
    lines = {"X": "1", "T": "Fuzzed", "M": "4/4", "L": "1/8", "Q": "1/4=100", "K": "G", header: value}
    return "".join(f"{letter}:{lines[letter]}\n" for letter in "XTMLQK") + body + "\n"


def every_reader(text: str) -> None:
    """Validate, analyse, critique and repair: a report, a result or an AbcError, nothing else."""
    from tunesmith.tools.critic import critique_abc

    check(text)
    assert 0.0 <= critique_abc(text).overall <= 1.0
    try:
        result = repair_abc(text, check_abc2midi=False)
    except AbcError:
        return
    assert isinstance(result.report, ValidationReport)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from("MLQKX"), HEADER_VALUES)
def test_any_header_value_gets_a_report_never_an_exception(header: str, value: str) -> None:
    every_reader(tune_with(header, value))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SEED_TUNE)), st.text(alphabet=TYPOGRAPHY, min_size=1, max_size=3)),
                min_size=1, max_size=4))
def test_typography_and_control_characters_anywhere_never_crash(insertions: list[tuple[int, str]]) -> None:
    text = SEED_TUNE
    for position, inserted in insertions:
        text = text[:position] + inserted + text[position:]
    every_reader(text)


@settings(max_examples=25, deadline=None)
@given(mutations)
def test_a_repair_claimed_valid_is_one_abc2midi_plays(edits: list[tuple[int, int, str]]) -> None:
    from support.abc2midi import abc2midi_plays

    try:
        result = repair_abc(mutate(edits))
    except AbcError:
        return
    if result.report.valid:
        assert abc2midi_plays(result.abc), result.abc
