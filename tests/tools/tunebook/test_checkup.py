"""A user's tune checked: played as written unless abc2midi cannot play it, and every problem located."""

from __future__ import annotations

import pytest

from tunesmith.tools.tunebook import UnplayableTune, check_own_tune, findings

LONG_BAR = "X:1\nT:Long bar\nM:3/4\nL:1/8\nK:G\nG2 B2 d2|c2 A2 F2 E2|G6|]\n"
NO_KEY = "X:1\nT:No key\nM:6/8\nL:1/8\nDFA dFA|GBd gfe|]\n"


def test_a_bar_too_long_is_a_finding_with_line_and_bar_but_the_tune_plays_as_written() -> None:
    checked = check_own_tune(LONG_BAR)
    assert checked.as_given and checked.abc == LONG_BAR and checked.repairs == []
    assert any("line 6, bar 2" in line and line.startswith("error") for line in findings(checked.report))
    assert checked.repaired is not None and "bar 2" in "; ".join(checked.repaired_changes)  # offered, not used


def test_a_missing_key_line_is_the_only_thing_repaired_and_it_is_named() -> None:
    no_key_long_bar = NO_KEY.replace("gfe|", "gfe d|")  # a bar too long too, which abc2midi plays through
    checked = check_own_tune(no_key_long_bar)
    assert not checked.as_given and len(checked.repairs) == 1 and "K:" in checked.repairs[0]
    assert "K:" in checked.abc and "gfe d|" in checked.abc
    assert any("bar 2" in change for change in checked.repaired_changes), "the full repair is still offered"


def test_findings_for_one_bar_leave_out_the_other_bars() -> None:
    report = check_own_tune(LONG_BAR).report
    assert findings(report, bar=1) == [line for line in findings(report, bar=1) if "bar 2" not in line]
    assert any("bar 2" in line for line in findings(report, bar=2))


def test_a_tune_with_no_music_cannot_be_played() -> None:
    with pytest.raises(UnplayableTune, match="abc2midi cannot play"):
        check_own_tune("X:1\nT:Only words\nK:D\n")
