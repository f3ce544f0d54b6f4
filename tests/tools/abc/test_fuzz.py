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
