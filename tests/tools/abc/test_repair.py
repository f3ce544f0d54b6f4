"""Repair: model-written mistakes get fixed; tunes that already validate are never touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import BROKEN_TUNES

from tunesmith.tools.abc import AbcError, parse_headers, repair_abc, split_tunes, tune_notes, validate_abc

BROKEN = BROKEN_TUNES


def test_prose_and_fences_around_a_jig_are_removed() -> None:
    result = repair_abc((BROKEN / "fenced_with_prose.abc").read_text())
    assert result.report.valid
    assert result.abc.startswith("X:1\n")
    assert "```" not in result.abc and "Sure!" not in result.abc
    assert parse_headers(result.abc)["M"] == "6/8"


def test_lowercase_key_with_space_becomes_a_key_abc2midi_reads() -> None:
    result = repair_abc((BROKEN / "bad_key_name.abc").read_text())
    assert result.report.valid
    assert parse_headers(result.abc)["K"] == "Dm"
    assert "replaced K:d min with K:Dm" in result.changes


def test_missing_headers_are_added_without_changing_any_pitch() -> None:
    original = (BROKEN / "missing_headers.abc").read_text()
    result = repair_abc(original)
    headers = parse_headers(result.abc)
    assert result.report.valid
    assert headers["X"] == "1" and headers["M"] == "3/4" and headers["L"] == "1/8" and "K" in headers
    # The key is estimated from the notes, and notes are re-spelled so they sound as written.
    before = [n.midi for n in tune_notes("X:1\nK:none\n" + original.split("\n", 1)[1])]
    after = [n.midi for n in tune_notes(result.abc)]
    assert after == before


def test_missing_unit_length_is_chosen_so_the_bars_fit() -> None:
    # In 2/4 the ABC default unit is 1/16, but these bars were written in eighths.
    abc = "X:1\nT:Polka\nM:2/4\nK:G\nGB dB|c2 A2|GB dB|G4|]\n"
    result = repair_abc(abc)
    assert result.report.valid
    assert parse_headers(result.abc)["L"] == "1/8"
    assert "GB dB|c2 A2|GB dB|G4|]" in result.abc


def test_bars_of_wrong_length_are_padded_or_trimmed_at_their_last_note() -> None:
    result = repair_abc((BROKEN / "long_and_short_bars.abc").read_text())
    assert result.report.valid
    assert "FAdc BAG2|" in result.abc  # 3.5 beats: the last note grew by an eighth
    assert "gfed BGG2|" in result.abc  # 5 beats: the bar was cut at 4


def test_unbalanced_repeats_get_closed() -> None:
    result = repair_abc((BROKEN / "unbalanced_repeats.abc").read_text())
    assert result.report.valid
    assert result.abc.count(":|") == 2


def test_blank_line_unknown_symbols_and_bad_fields_are_fixed() -> None:
    for name in ("blank_line_inside", "unknown_symbols", "bad_meter_and_length", "unclosed_chord_and_tuplet"):
        result = repair_abc((BROKEN / f"{name}.abc").read_text())
        assert result.report.valid, (name, [p.message for p in result.report.errors])
        assert result.changes, name


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.abc")), ids=lambda p: p.stem)
def test_every_broken_tune_gets_a_report_or_a_clear_refusal(path: Path) -> None:
    text = path.read_text()
    try:
        report = validate_abc(text)
    except AbcError as error:
        assert "not ABC" in str(error)
        return
    result = repair_abc(text)
    assert result.report.valid or len(result.report.errors) < len(report.errors)


def test_a_valid_tune_comes_back_unchanged_even_with_warnings() -> None:
    abc = "X:1\nT:Plain\nM:4/4\nK:G\nGABc dedB|G8|]"  # no L: or Q: (warnings only)
    result = repair_abc(abc)
    assert result.abc == abc
    assert result.changes == []


@pytest.mark.slow
def test_repair_leaves_every_valid_corpus_tune_unchanged() -> None:
    from music21 import corpus

    paths = corpus.getPaths(fileExtensions=["abc"])[::8]
    checked = 0
    for path in paths:
        for abc in split_tunes(Path(path).read_text(encoding="latin-1"))[:3]:
            if validate_abc(abc).valid:
                assert repair_abc(abc).abc == abc, abc[:200]
                checked += 1
    assert checked > 100
