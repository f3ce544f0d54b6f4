"""Continuing a tune: the new bars are valid ABC / MIDI, in the tune's key and meter, and come home."""

from __future__ import annotations

from pathlib import Path

import pretty_midi
import pytest
from support.piano_midi import two_hand_piano

from tunesmith.tools.abc import count_bars, tune_notes, validate_abc
from tunesmith.tools.repair.continuation import continue_abc, continue_midi
from tunesmith.tools.repair.midi_bars import RepairInputError

KESH = """X:1
T:The Kesh
M:6/8
L:1/8
R:jig
K:G
D|GAG GAB|ABA ABd|edd gdd|edB dBA|
GAG GAB|ABA ABd|edd gdB|AGF G2:|
"""

WALTZ = """X:2
T:Minor waltz
M:3/4
L:1/4
K:Am
A, C E|A2 G|F E D|E3|c B A|G2 E|F ^G B|A3|]
"""


def _new_notes(before: str, after: str) -> list:
    written = len([e for e in tune_notes(before)])
    return [e for e in tune_notes(after)[written:] if e.midi is not None]


def test_jig_continued_by_four_bars_is_valid_6_8_and_ends_on_g(tmp_path: Path) -> None:
    continued = continue_abc(KESH, 4, seed=0)
    assert continued.startswith(KESH.rstrip())
    report = validate_abc(continued)
    assert report.valid, report.errors
    assert count_bars(continued) == count_bars(KESH) + 4
    new = _new_notes(KESH, continued)
    assert {e.midi % 12 for e in new} <= {7, 9, 11, 0, 2, 4, 6}  # G major
    assert new[-1].midi % 12 == 7
    assert 60 <= min(e.midi for e in new) and max(e.midi for e in new) <= 81  # the tune's own register


def test_continuation_borrows_the_jig_rhythm_not_just_long_notes() -> None:
    new = _new_notes(KESH, continue_abc(KESH, 4, seed=0))
    quavers = [e for e in new if abs(e.duration - 0.5) < 1e-6]
    assert len(quavers) >= 8


def test_minor_waltz_moves_its_final_bar_line_and_ends_on_a() -> None:
    continued = continue_abc(WALTZ, 3, seed=1)
    assert validate_abc(continued).valid
    assert continued.rstrip().endswith("|]") and continued.count("|]") == 1
    new = _new_notes(WALTZ, continued)
    assert new[-1].midi % 12 == 9
    assert {e.midi % 12 for e in new} <= {9, 11, 0, 2, 4, 5, 7, 8}  # A minor with its raised 7th


def test_one_bar_continuation_and_seeds() -> None:
    one = continue_abc(KESH, 1, seed=0)
    assert count_bars(one) == count_bars(KESH) + 1 and validate_abc(one).valid
    outcomes = {continue_abc(KESH, 4, seed=s) for s in range(4)}
    assert len(outcomes) > 1
    assert continue_abc(KESH, 4, seed=2) == continue_abc(KESH, 4, seed=2)


@pytest.mark.parametrize(
    ("abc", "bars", "message"),
    [
        (KESH, 0, "bars=0"),
        (KESH, 65, "bars=65"),
        ("this is a sentence, not a tune", 2, "cannot continue"),
        (KESH + "\n" + WALTZ, 2, "cannot continue"),
        (KESH.replace("M:6/8", "M:none"), 2, "M:none"),
        ("X:1\nM:4/4\nL:1/4\nK:C\nC D E F|G G G G G|\n", 2, "invalid tune"),
    ],
    ids=["zero-bars", "too-many-bars", "prose", "two-tunes", "free-meter", "overlong-bar"],
)
def test_bad_requests_are_refused_with_a_reason(abc: str, bars: int, message: str) -> None:
    with pytest.raises(RepairInputError, match=message):
        continue_abc(abc, bars)


def test_midi_continuation_adds_bars_that_close_on_the_tonic(tmp_path: Path, out_dir: Path) -> None:
    source = two_hand_piano(tmp_path / "piano.mid")
    path = continue_midi(source, out_dir, 4, seed=0)
    assert path == out_dir / "continued.mid" and sorted(p.name for p in out_dir.iterdir()) == ["continued.mid"]
    before = sorted((round(n.start, 3), n.pitch) for n in pretty_midi.PrettyMIDI(str(source)).instruments[0].notes)
    notes = pretty_midi.PrettyMIDI(str(path)).instruments[0].notes
    bar = 2.4  # seconds: 4 beats at 100 bpm
    assert sorted((round(n.start, 3), n.pitch) for n in notes if n.start < 12 * bar - 1e-6) == before
    new = [n for n in notes if n.start >= 12 * bar - 1e-6]
    assert {int((n.start + 1e-6) // bar) for n in new} == {12, 13, 14, 15}
    closing = [n for n in new if n.start >= 15 * bar - 1e-6]
    assert {n.pitch % 12 for n in closing} <= {0, 4, 7}
    assert max(closing, key=lambda n: n.pitch).pitch % 12 == 0 and min(closing, key=lambda n: n.pitch).pitch % 12 == 0
    assert any(n.pitch < 60 for n in new) and any(n.pitch >= 60 for n in new)  # both hands go on


def test_midi_continuation_refuses_a_non_midi_file(tmp_path: Path, out_dir: Path) -> None:
    text = tmp_path / "tune.mid"
    text.write_text(KESH)
    with pytest.raises(RepairInputError, match="not a readable MIDI"):
        continue_midi(text, out_dir, 4)
    assert not list(out_dir.iterdir())


def test_a_short_last_bar_after_a_pickup_is_finished_with_a_rest_so_new_bars_start_on_the_downbeat() -> None:
    tune = "X:3\nT:Pickup waltz\nM:3/4\nL:1/4\nK:D\nA | d2 f | e2 d | c B A | d2 |\n"
    continued = continue_abc(tune, 2, seed=0)
    assert "d2 z |" in continued
    assert validate_abc(continued).valid
    new = _new_notes(tune, continued)
    assert min(e.onset for e in new) == pytest.approx(1 + 3 * 4)  # pickup beat, then 4 full bars
    assert new[-1].midi % 12 == 2


def test_a_tune_with_chord_symbols_keeps_its_accompaniment_in_the_new_bars() -> None:
    tune = ('X:4\nT:Jig with chords\nM:6/8\nL:1/8\nK:D\n"D"dfa "A"age|"D"fdf "A"e2c|"G"dBG "D"FAd|"A"cBc "D"d3|]\n')
    continued = continue_abc(tune, 3, seed=0)
    assert validate_abc(continued).valid
    new_bars = continued.rstrip().splitlines()[-1].rstrip("|] ").split("|")
    assert len(new_bars) == 3
    assert all(bar.count('"') == 4 for bar in new_bars[:2])  # two chords a bar in 6/8
    assert new_bars[-1].strip().startswith('"D"')  # home on the tonic chord
    assert '"' not in continue_abc(KESH, 3, seed=0).splitlines()[-1]  # no symbols where the tune had none


def test_rhythms_borrowed_from_triplets_are_written_in_lengths_abc2midi_accepts() -> None:
    tune = "X:5\nT:Hornpipe\nM:4/4\nL:1/8\nK:G\n(3DEF|G2 (3BAG d2 (3dcB|c2 (3edc B2 G2|(3ABc (3Bcd e2 d2|g2 (3fed g3|]\n"
    continued = continue_abc(tune, 4, seed=0)
    report = validate_abc(continued)  # abc2midi included: it refuses lengths such as 2/3
    assert report.valid, report.errors
    new_bars = continued.rstrip().splitlines()[-1]
    assert "/3" not in new_bars
