"""Repair: model-written mistakes get fixed; tunes that already validate are never touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.abc2midi import abc2midi_plays
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



def test_typography_in_music_lines_becomes_abc() -> None:
    abc = ("X:1\nT:Caf\u00e9 \u201cwaltz\u201d\nM:3/4\nL:1/8\nK:G\n"
           "\u201cG\u201dG2\u00a0B2 d2|\u201cD\u201dc2 A2 F2|G g\u2019 d2 B2|G6|]\n")
    result = repair_abc(abc)
    assert result.report.valid, [p.message for p in result.report.errors]
    assert '"G"G2 B2 d2|"D"c2 A2 F2|' in result.abc and "g' d2" in result.abc
    assert "T:Caf\u00e9 \u201cwaltz\u201d" in result.abc  # titles keep their typography
    assert abc2midi_plays(result.abc)


def test_bowing_marks_that_decorate_nothing_are_flagged_and_removed() -> None:
    abc = "X:1\nT:Bowed\nM:2/4\nL:1/8\nK:D\nuA vB u(cd)|v d2 uf2|uu \"A\"a2 f2|d4|]\n"
    report = validate_abc(abc, check_abc2midi=False)
    assert sum("is not directly before a note" in p.message for p in report.errors) == 4
    result = repair_abc(abc)
    assert result.report.valid and abc2midi_plays(result.abc)
    assert "uA vB" in result.abc  # marks before their notes stay


def test_a_bar_fix_never_cuts_into_a_tuplet() -> None:
    abc = "X:1\nT:Triplets\nM:2/4\nL:1/8\nK:G\nG2 ((3e/f/g/) A2|B4|]\n"  # bar 1 is 2.25 beats in 2/4
    result = repair_abc(abc)
    assert result.report.valid, [p.message for p in result.report.errors]
    assert abc2midi_plays(result.abc)
    assert "/3" not in result.abc and "z4/3" not in result.abc  # lengths abc2midi reads: power-of-two denominators


def test_zero_tempo_denominators_are_problems_not_crashes() -> None:
    from tunesmith.tools.abc import analyse_abc
    from tunesmith.tools.critic import critique_abc

    abc = "X:1\nT:Q\nM:4/4\nL:1/8\nQ:1/0=120\nK:G\nGABc dBGA|B2ge d4|]\n"
    assert any("Q:1/0=120 is not a tempo" in p.message for p in validate_abc(abc).problems)
    assert analyse_abc(abc).tempo_bpm is None
    assert critique_abc(abc).overall > 0
    assert parse_headers(repair_abc(abc).abc).get("Q") in (None, "1/0=120", "1/4=120")


def test_several_tunes_are_never_valid_as_one_the_first_is_kept() -> None:
    two = "X:1\nT:A\nM:2/4\nL:1/8\nK:G\nGA Bc|d4|]\n\nX:2\nT:B\nM:2/4\nL:1/8\nK:D\nDE FG|A4|]\n"
    result = repair_abc(two)
    assert result.abc.count("X:") == 1 and "kept only the first of 2 tunes" in result.changes
    assert result.report.valid


@pytest.mark.slow
def test_repair_never_makes_a_tune_abc2midi_plays_unplayable() -> None:
    """A CI-sized sample of the corpus; `benchmarks/fuzz.py --corpus all` checks every tune."""
    import random

    from music21 import corpus

    tunes = [tune for path in corpus.getPaths(fileExtensions=["abc"])
             for tune in split_tunes(Path(path).read_text(encoding="latin-1"))]
    sample = random.Random(18).sample(tunes, 400)
    playable = [tune for tune in sample if abc2midi_plays(tune)]
    assert len(playable) > 250
    broken = [tune[:80] for tune in playable if not abc2midi_plays(repair_abc(tune).abc)]
    assert broken == []


def test_a_second_unreadable_meter_line_is_caught_and_removed() -> None:
    abc = "X:1\nM:9/8\nT:Twice\nM:99999999999999999999/4\nL:1/8\nK:G\ndBd g2g f2d|g2B BcB d2e|]\n"
    assert not validate_abc(abc, check_abc2midi=False).valid  # abc2midi itself crashes on that line
    result = repair_abc(abc)
    assert result.report.valid and "M:9999" not in result.abc and abc2midi_plays(result.abc)
