"""Livelier or calmer rhythm keeps the bars and the harmony; a high ending lands on the home note."""

from __future__ import annotations

import pytest
from support.corpus_tunes import corpus_tunes

from tunesmith.tools.abc import AbcError, change_density, end_on, parsed_tune, tune_notes, validate_abc

AIR = """X:1
T:Air
M:3/4
L:1/8
K:D
"D"d2 f2 a2|"G"b4 a2|"A"g2 e2 c2|"D"d6||
"""


def _bars(abc: str) -> list:
    return [bar.duration for bar in parsed_tune(abc).bars]


def test_livelier_splits_long_notes_with_scale_steps_and_keeps_bars_and_cadence() -> None:
    lively = change_density(AIR, "more")
    assert validate_abc(lively).valid and _bars(lively) == _bars(AIR)
    before, after = tune_notes(AIR), tune_notes(lively)
    assert len(after) > len(before)
    assert [n.midi for n in after if n.bar == 4] == [n.midi for n in before if n.bar == 4]  # the cadence stays
    scale = {2, 4, 6, 7, 9, 11, 1}  # D major
    assert all(n.midi % 12 in scale for n in after)
    assert lively.count('"') == AIR.count('"')  # the chord symbols stay


def test_calmer_joins_pairs_into_one_note_per_beat() -> None:
    busy = "X:1\nT:B\nM:2/4\nL:1/8\nK:G\nGA Bc|dB GB|cA FA|G4|]\n"
    calm = change_density(busy, "less")
    assert validate_abc(calm).valid and _bars(calm) == _bars(busy)
    assert len(tune_notes(calm)) < len(tune_notes(busy))
    assert [n.midi for n in tune_notes(calm) if n.bar == 1] == [67, 71]  # G2 B2


def test_a_tune_with_nothing_to_split_says_so() -> None:
    with pytest.raises(AbcError, match="no note could change"):
        change_density("X:1\nT:R\nM:2/4\nL:1/16\nK:C\nCDEF GABc|c8|]\n", "more")


def test_ending_high_moves_the_last_note_to_the_home_note_above_within_range() -> None:
    high = end_on(AIR, "high", (55, 96))
    last_before, last_after = tune_notes(AIR)[-1].midi, tune_notes(high)[-1].midi
    assert last_after > last_before and last_after % 12 == 2  # D, higher
    assert validate_abc(high).valid and tune_notes(high)[:-1] == tune_notes(AIR)[:-1]


def test_ending_high_stays_inside_the_instrument() -> None:
    with pytest.raises(AbcError, match="already ends"):
        end_on(AIR, "high", (55, 74))  # D5 is as high as this instrument goes


@pytest.mark.parametrize("direction", ["more", "less"])
def test_real_tunes_get_livelier_or_calmer_and_stay_valid(direction: str) -> None:
    changed = 0
    for name, abc in corpus_tunes(10):
        try:
            edited = change_density(abc, direction)
        except AbcError:
            continue
        changed += 1
        assert validate_abc(edited, check_abc2midi=False).valid, name
        assert _bars(edited) == _bars(abc), name
    assert changed >= 5


def test_calmer_in_six_eight_turns_three_even_notes_into_long_short() -> None:
    jig = "X:1\nT:J\nM:6/8\nL:1/8\nK:F\nfgg gff|ffg fgf|cdd f3|]\n"
    calm = change_density(jig, "less")
    assert calm.splitlines()[-1] == "f2g g2f|f2g f2f|cdd f3|]" and validate_abc(calm).valid
