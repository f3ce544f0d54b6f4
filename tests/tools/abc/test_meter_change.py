"""Meter changes re-rhythm the melody into the new meter, keep its phrases' bar count, and stay valid."""

from __future__ import annotations

from fractions import Fraction

import pytest
from support.corpus_tunes import corpus_tunes

from tunesmith.tools.abc import (
    analyse_abc,
    change_meter,
    count_bars,
    parse_headers,
    parsed_tune,
    tune_notes,
    validate_abc,
)

REEL = """X:1
T:Test Reel
R:reel
M:4/4
L:1/8
Q:1/4=200
K:G
|:"G"GABc dBGB|"C"cBcd "D"efge|"G"dBGB "C"cAFA|"D"GABc "G"d4:|
"""
JIG = "X:1\nT:Test Jig\nM:6/8\nL:1/8\nQ:3/8=116\nK:D\nA|\"D\"dfa afd|\"G\"gbg fdf|\"A\"ecA ABc|\"D\"d3 d2:|\n"
HELD = "X:1\nT:Held\nM:4/4\nL:1/8\nK:C\nC2 E4 G2|c8|]\n"


def _bar_lengths(abc: str) -> list[Fraction]:
    return [bar.duration for bar in parsed_tune(abc).bars]


def _onsets_in_bar(abc: str) -> list[list[float]]:
    bars: dict[int, list[float]] = {}
    for note in tune_notes(abc):
        bars.setdefault(note.bar, []).append(note.onset)
    return [[round(o - min(v), 3) for o in v] for _, v in sorted(bars.items())]


def test_a_reel_in_3_4_keeps_its_bars_and_every_bar_is_a_full_three_four_bar() -> None:
    waltz = change_meter(REEL, "3/4")
    assert parse_headers(waltz)["M"] == "3/4" and validate_abc(waltz).valid
    assert count_bars(waltz) == count_bars(REEL)
    assert set(_bar_lengths(waltz)) == {Fraction(3, 4)}


def test_a_reel_in_6_8_lilts_long_short_and_keeps_each_bar_in_time() -> None:
    jig = change_meter(REEL, "6/8")
    assert validate_abc(jig).valid and count_bars(jig) == count_bars(REEL)
    # eight eighths become two dotted beats of three eighths: every new bar starts as the old one did
    assert [n.midi for n in tune_notes(jig) if n.onset % 3 == 0] == [n.midi for n in tune_notes(REEL) if n.onset % 4 == 0]
    # a bar keeps its length in time: 4 quarter beats at 200 -> 2 dotted beats at 100
    assert parse_headers(jig)["Q"] == "3/8=100"


def test_a_jig_in_4_4_keeps_every_note_and_comes_back_the_same_in_6_8() -> None:
    reel = change_meter(JIG, "4/4")
    assert validate_abc(reel).valid and count_bars(reel) == count_bars(JIG)
    assert [n.midi for n in tune_notes(reel)] == [n.midi for n in tune_notes(JIG)]
    assert _onsets_in_bar(reel)[1] == [0.0, 0.5, 1.0, 2.0, 2.5, 3.0]  # dfa afd -> df a2 af d2: each dotted beat a half bar
    again = change_meter(reel, "6/8")
    assert _onsets_in_bar(again)[1:4] == _onsets_in_bar(JIG)[1:4]
    assert [n.midi for n in tune_notes(again)] == [n.midi for n in tune_notes(JIG)]


def test_a_pickup_stays_a_pickup_and_repeats_stay_in_place() -> None:
    reel = change_meter(JIG, "4/4")
    tune = parsed_tune(reel)
    assert tune.bars[0].number == 0 and tune.bars[0].duration < Fraction(1)
    assert reel.count(":|") == JIG.count(":|")


def test_a_held_note_across_a_new_bar_line_becomes_two_tied_notes() -> None:
    split = change_meter(HELD, "2/4")
    assert count_bars(split) == 4 and validate_abc(split).valid
    assert "E2-|" in split.replace(" ", "")
    assert set(_bar_lengths(split)) == {Fraction(1, 2)}


def test_same_bar_length_keeps_every_note_and_the_speed() -> None:
    waltz = "X:1\nT:W\nM:3/4\nL:1/8\nQ:1/4=138\nK:D\nd2 f2 a2|g4 f2|e6|d6|]\n"
    six_eight = change_meter(waltz, "6/8")
    assert tune_notes(six_eight) == tune_notes(waltz)
    assert parse_headers(six_eight)["Q"] == "3/8=92"  # 138 quarters = 92 dotted quarters


def test_a_tune_without_l_keeps_its_unit_length_when_the_meter_changes() -> None:
    tune = "X:1\nT:No L\nM:6/8\nK:G\nGAB cBA|G3 G3|]\n"
    two_four = change_meter(tune, "2/4")
    assert parse_headers(two_four)["L"] == "1/8" and validate_abc(two_four).valid


@pytest.mark.parametrize("meter", ["6/8", "3/4", "4/4", "2/4", "9/8"])
def test_real_tunes_change_meter_into_valid_tunes_with_full_bars(meter: str) -> None:
    for name, abc in corpus_tunes(12):
        changed = change_meter(abc, meter)
        report = validate_abc(changed, check_abc2midi=False)
        assert report.valid, (name, meter, report.errors[:1])
        assert analyse_abc(changed).meter == meter
        assert [n.midi for n in tune_notes(changed) if n.midi is not None][:1] == \
            [n.midi for n in tune_notes(abc) if n.midi is not None][:1], name  # the tune still starts the same
