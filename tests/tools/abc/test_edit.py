"""Edits: each changes only what it names and keeps the tune valid, or says why it cannot."""

from __future__ import annotations

import pytest

from tunesmith.tools.abc import (
    AbcError,
    analyse_abc,
    change_meter,
    change_mode,
    count_bars,
    extract_section,
    parse_headers,
    replace_section,
    set_instrument,
    set_tempo,
    transpose_abc,
    tune_notes,
    validate_abc,
)

WALTZ = """X:1
T:Edit Me
M:3/4
L:1/8
Q:1/4=100
K:D
A|"D"d2 f2 a2|"A"(3efg f>e d2|"D"[DFA]4 {g}a2|"G"B2 c2 d2-|d4 =c2|
"Bm"f2 ^g2 a2|"A"e6|"D"d4|]
"""
REEL_24 = "X:1\nT:Two-Four\nM:2/4\nL:1/8\nK:G\nGABc|dBAG|FGAB|cAFA|GBdB|cAFA|G2B2|G4|]\n"


def pitches(abc: str) -> list[int]:
    return [n.midi for n in tune_notes(abc) if n.midi is not None]


@pytest.mark.parametrize("semitones", [2, -3, 5, 6, -12])
def test_transpose_moves_every_pitch_and_stays_valid(semitones: int) -> None:
    moved = transpose_abc(WALTZ, semitones)
    assert pitches(moved) == [p + semitones for p in pitches(WALTZ)]
    assert validate_abc(moved).valid


def test_transpose_d_to_e_respells_key_and_chord_symbols() -> None:
    moved = transpose_abc(WALTZ, 2)
    assert parse_headers(moved)["K"] == "E"
    assert '"E"e2 g2 b2' in moved  # D major's d f a in E major: e g b, no accidentals needed
    assert '"C#m"' in moved and '"B"' in moved


def test_transpose_refuses_a_silly_interval() -> None:
    with pytest.raises(AbcError, match="-48 to 48"):
        transpose_abc(WALTZ, 100)


def test_d_major_to_d_minor_keeps_tonic_and_flattens_third_sixth_seventh() -> None:
    minor = change_mode(WALTZ, "minor")
    assert parse_headers(minor)["K"] == "Dm"
    before, after = pitches(WALTZ), pitches(minor)
    changed = {(b % 12, a % 12) for b, a in zip(before, after) if b != a}
    assert changed == {(6, 5), (1, 0), (11, 10)}  # F#->F, C#->C, B->Bb; chromatic =c and ^g stay
    assert (6, 5) in changed and (1, 0) in changed
    assert validate_abc(minor).valid
    assert analyse_abc(minor).mode == "minor"


def test_change_mode_refuses_an_unknown_mode() -> None:
    with pytest.raises(AbcError, match="not a mode"):
        change_mode(WALTZ, "bluesy")


def test_set_tempo_writes_q_in_quarters_or_dotted_quarters() -> None:
    assert parse_headers(set_tempo(WALTZ, 132))["Q"] == "1/4=132"
    jig = "X:1\nT:J\nM:6/8\nL:1/8\nK:G\nGAB cBA|G3 G3|]\n"
    faster = set_tempo(jig, 120)
    assert parse_headers(faster)["Q"] == "3/8=120"
    assert faster.index("Q:") < faster.index("K:")
    with pytest.raises(AbcError, match="20 to 400"):
        set_tempo(WALTZ, 5)


def test_set_instrument_writes_and_replaces_the_midi_program() -> None:
    violin = set_instrument(WALTZ, "violin")
    assert "%%MIDI program 40" in violin
    flute = set_instrument(violin, "flute")
    assert "%%MIDI program 73" in flute and "program 40" not in flute
    assert analyse_abc(flute).instrument_program == 73
    with pytest.raises(AbcError, match="not a known instrument"):
        set_instrument(WALTZ, "theremin of doom")


def test_same_length_meter_change_keeps_every_bar() -> None:
    six_eight = change_meter(WALTZ, "6/8")
    assert parse_headers(six_eight)["M"] == "6/8"
    assert validate_abc(six_eight, check_abc2midi=False).valid


def test_two_four_to_four_four_merges_pairs_of_bars() -> None:
    merged = change_meter(REEL_24, "4/4")
    assert count_bars(merged) == count_bars(REEL_24) // 2
    assert validate_abc(merged).valid
    assert pitches(merged) == pitches(REEL_24)


def test_four_four_to_two_four_splits_bars_where_notes_allow() -> None:
    merged = change_meter(REEL_24, "4/4")
    split = change_meter(merged, "2/4")
    assert count_bars(split) == count_bars(REEL_24)
    assert validate_abc(split).valid


def test_meter_change_without_a_bar_length_is_refused_saying_why() -> None:
    with pytest.raises(AbcError, match="bar length"):
        change_meter(WALTZ, "none")
    free = "X:1\nT:F\nM:none\nL:1/8\nK:C\nCDEF GABc|]\n"
    with pytest.raises(AbcError, match="bar length"):
        change_meter(free, "4/4")


def test_extract_section_gives_a_valid_tune_of_those_bars() -> None:
    section = extract_section(WALTZ, 2, 4)
    assert count_bars(section) == 3
    assert validate_abc(section).valid
    assert parse_headers(section)["K"] == "D"
    assert analyse_abc(extract_section(set_instrument(WALTZ, "harp"), 1, 2)).instrument_program == 46


def test_replace_section_swaps_bars_and_keeps_the_rest() -> None:
    replaced = replace_section(WALTZ, 6, 7, "a2 g2 f2|e6")
    assert validate_abc(replaced).valid
    assert count_bars(replaced) == count_bars(WALTZ)
    assert "a2 g2 f2|e6|" in replaced
    assert replaced.startswith(WALTZ.split("\n\"Bm\"")[0][:40])


def test_section_edits_name_the_valid_bar_range() -> None:
    with pytest.raises(AbcError, match="bars 0-8"):
        extract_section(WALTZ, 5, 30)


@pytest.mark.slow
def test_transposing_real_corpus_tunes_moves_every_pitch_and_keeps_them_valid() -> None:
    from pathlib import Path

    from music21 import corpus

    from tunesmith.tools.abc import split_tunes

    checked = 0
    for path in corpus.getPaths(fileExtensions=["abc"])[::20]:
        for abc in split_tunes(Path(path).read_text(encoding="latin-1"))[:3]:
            if not validate_abc(abc, check_abc2midi=False).valid:
                continue
            for semitones in (5, -7):
                moved = transpose_abc(abc, semitones)
                assert pitches(moved) == [p + semitones for p in pitches(abc)]
                assert validate_abc(moved, check_abc2midi=False).valid
            checked += 1
    assert checked > 40
