"""Repairing missing bars of piano MIDI: what a user who hands in a damaged file expects back."""

from __future__ import annotations

from pathlib import Path

import pretty_midi
import pytest
from support.piano_midi import chorale_midi, two_hand_piano

from tunesmith.tools.repair.gap_harmony import estimate_key
from tunesmith.tools.repair.midi_bars import BarNote, load_piano_piece
from tunesmith.tools.repair.midi_repair import RepairInputError, RepairResult, repair_midi


def _notes_in_bars(path: Path, first: int, last: int, bar_seconds: float) -> list[tuple[int, pretty_midi.Note]]:
    """(instrument index, note) for notes starting in 0-based bars first..last."""
    midi = pretty_midi.PrettyMIDI(str(path))
    return [(i, n) for i, instrument in enumerate(midi.instruments) for n in instrument.notes
            if first * bar_seconds - 1e-6 <= n.start < (last + 1) * bar_seconds - 1e-6]


def test_deleted_chorale_bars_are_found_and_filled_in_all_four_voices(tmp_path: Path, out_dir: Path) -> None:
    holed = chorale_midi(tmp_path / "holed.mid", skip_bars=(4, 5))
    result = repair_midi(holed, out_dir)
    assert result.gap == (5, 6)
    assert result.key == "F# minor"
    assert sorted(p.name for p in out_dir.iterdir()) == ["repaired.mid"]
    filled = _notes_in_bars(out_dir / "repaired.mid", 4, 5, bar_seconds=4 * 60 / 96)
    assert {voice for voice, _ in filled} == {0, 1, 2, 3}
    assert all(21 <= n.pitch <= 108 for _, n in filled)


def test_repair_beats_silence_and_is_not_a_copy_of_the_left_context(tmp_path: Path, out_dir: Path) -> None:
    holed = chorale_midi(tmp_path / "holed.mid", skip_bars=(4, 5))
    result = repair_midi(holed, out_dir)
    chosen = result.candidates[0]
    baselines = {b.name: b for b in result.baselines}
    assert chosen.name == result.chosen
    assert chosen.fit.score > baselines["silence"].fit.score + 0.5
    assert chosen.fit.score > baselines["repeat-left"].fit.score
    filled = {(round(n.start, 3), n.pitch) for _, n in _notes_in_bars(out_dir / "repaired.mid", 4, 5, 2.5)}
    copied = {(round(n.start + 2 * 2.5, 3), n.pitch) for _, n in _notes_in_bars(holed, 2, 3, 2.5)}
    assert len(filled & copied) < 0.5 * len(filled)


def test_candidates_are_ranked_by_context_fit_and_explained(tmp_path: Path, out_dir: Path) -> None:
    holed = chorale_midi(tmp_path / "holed.mid", skip_bars=(3,))
    result = repair_midi(holed, out_dir, candidates=6, seed=3)
    scores = [c.fit.score for c in result.candidates]
    assert len(scores) == 6 and scores == sorted(scores, reverse=True)
    assert len({c.seed for c in result.candidates}) == 6
    assert "bar 4" in result.explanation and f"key {result.key}" in result.explanation
    assert len(result.candidates[0].chords) == 2  # one bar of 4/4: a chord each half bar


def test_two_hand_piano_keeps_its_hands_and_key(tmp_path: Path, out_dir: Path) -> None:
    holed = two_hand_piano(tmp_path / "piano.mid", skip_bars=(5, 6))
    result = repair_midi(holed, out_dir)
    assert result.gap == (6, 7)
    assert result.parts == ["Piano right hand", "Piano left hand"]
    filled = [n for _, n in _notes_in_bars(out_dir / "repaired.mid", 5, 6, bar_seconds=4 * 0.6)]
    right, left = [n for n in filled if n.pitch >= 60], [n for n in filled if n.pitch < 60]
    assert len(right) >= 4 and len(left) >= 2
    assert max(n.pitch for n in left) < min(n.pitch for n in right)
    assert {n.pitch % 12 for n in filled} <= {0, 2, 4, 5, 7, 9, 11}


def test_melody_steps_into_the_first_note_after_the_gap(tmp_path: Path, out_dir: Path) -> None:
    holed = two_hand_piano(tmp_path / "piano.mid", skip_bars=(5, 6))
    repair_midi(holed, out_dir)
    notes = [n for _, n in _notes_in_bars(out_dir / "repaired.mid", 5, 7, bar_seconds=2.4) if n.pitch >= 60]
    last_in_gap = max((n for n in notes if n.start < 7 * 2.4 - 1e-6), key=lambda n: n.start)
    first_after = min((n for n in notes if n.start >= 7 * 2.4 - 1e-6), key=lambda n: (n.start, -n.pitch))
    assert 1 <= abs(last_in_gap.pitch - first_after.pitch) <= 2


def test_gap_at_the_start_is_filled_from_the_bars_after_it(tmp_path: Path, out_dir: Path) -> None:
    source = two_hand_piano(tmp_path / "piano.mid")
    result = repair_midi(source, out_dir, gap_bars=(1, 2))
    assert result.gap == (1, 2)
    assert "after it" in result.explanation and "before" not in result.explanation
    assert result.candidates[0].fit.boundary > 0
    assert _notes_in_bars(out_dir / "repaired.mid", 0, 1, bar_seconds=2.4)


def test_gap_at_the_end_is_filled_from_the_bars_before_it(tmp_path: Path, out_dir: Path) -> None:
    source = two_hand_piano(tmp_path / "piano.mid")
    result = repair_midi(source, out_dir, gap_bars=(11, 12))
    assert result.gap == (11, 12)
    assert "before it" in result.explanation and "after" not in result.explanation
    assert _notes_in_bars(out_dir / "repaired.mid", 10, 11, bar_seconds=2.4)


def test_pitches_outside_the_88_keys_are_moved_by_octaves(tmp_path: Path, out_dir: Path) -> None:
    source = two_hand_piano(tmp_path / "piano.mid", skip_bars=(3,))
    midi = pretty_midi.PrettyMIDI(str(source))
    midi.instruments[0].notes += [pretty_midi.Note(80, 12, 0.0, 0.5), pretty_midi.Note(80, 120, 0.5, 1.0)]
    midi.write(str(source))
    result = repair_midi(source, out_dir)
    assert result.clamped_notes == 2
    pitches = {n.pitch for n in pretty_midi.PrettyMIDI(str(out_dir / "repaired.mid")).instruments[0].notes}
    assert min(pitches) >= 21 and max(pitches) <= 108 and {24, 108} <= pitches


def test_krumhansl_schmuckler_finds_c_major_and_a_minor() -> None:
    def scale(pitches: list[int]) -> list[BarNote]:
        return [BarNote(p, i, i + (2 if p % 12 in (0, 9) else 1), 80, 0) for i, p in enumerate(pitches)]

    assert estimate_key(scale([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60])).name == "C major"
    assert estimate_key(scale([57, 59, 60, 62, 64, 65, 68, 69, 64, 60, 57])).name == "A minor"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.write_text("X:1\nK:C\nCDEF|\n"), "not a readable MIDI"),
        (lambda path: pretty_midi.PrettyMIDI().write(str(path)), "has no notes"),
        (lambda path: _drum_only(path), "only drum notes"),
    ],
    ids=["abc-text", "no-notes", "drums-only"],
)
def test_unusable_files_are_refused_with_a_reason(tmp_path: Path, out_dir: Path, make, message: str) -> None:
    path = tmp_path / "input.mid"
    make(path)
    with pytest.raises(RepairInputError, match=message):
        repair_midi(path, out_dir)
    assert not list(out_dir.iterdir())


def _drum_only(path: Path) -> None:
    midi = pretty_midi.PrettyMIDI()
    kit = pretty_midi.Instrument(program=0, is_drum=True, name="Drums")
    kit.notes = [pretty_midi.Note(100, 36 + i % 3, i * 0.25, i * 0.25 + 0.1) for i in range(32)]
    midi.instruments.append(kit)
    midi.write(str(path))


def test_bad_bar_ranges_and_missing_gaps_say_what_would_be_valid(tmp_path: Path, out_dir: Path) -> None:
    complete = two_hand_piano(tmp_path / "piano.mid")
    with pytest.raises(RepairInputError, match=r"gap_bars \(0, 2\).*1 <= first <= last <= 12"):
        repair_midi(complete, out_dir, gap_bars=(0, 2))
    with pytest.raises(RepairInputError, match=r"gap_bars \(3,\) is not a valid bar range"):
        repair_midi(complete, out_dir, gap_bars=(3,))
    with pytest.raises(RepairInputError, match="whole piece"):
        repair_midi(complete, out_dir, gap_bars=(1, 12))
    with pytest.raises(RepairInputError, match="no empty bars.*gap_bars"):
        repair_midi(complete, out_dir)
    with pytest.raises(RepairInputError, match="candidates=0"):
        repair_midi(complete, out_dir, gap_bars=(3, 3), candidates=0)
    with pytest.raises(RepairInputError, match="does not exist"):
        repair_midi(tmp_path / "missing.mid", out_dir)


def test_same_seed_repeats_and_another_seed_varies(tmp_path: Path) -> None:
    holed = two_hand_piano(tmp_path / "piano.mid", skip_bars=(5, 6))
    first = repair_midi(holed, tmp_path / "a", seed=1)
    again = repair_midi(holed, tmp_path / "b", seed=1)
    other = repair_midi(holed, tmp_path / "c", seed=2)
    assert (tmp_path / "a" / "repaired.mid").read_bytes() == (tmp_path / "b" / "repaired.mid").read_bytes()
    assert first.candidates == again.candidates
    assert [c.seed for c in other.candidates] != [c.seed for c in first.candidates]


def test_piece_loader_reads_bars_from_the_time_signature_map(tmp_path: Path) -> None:
    midi = pretty_midi.PrettyMIDI(initial_tempo=120)
    midi.time_signature_changes += [pretty_midi.TimeSignature(3, 4, 0.0), pretty_midi.TimeSignature(2, 4, 3.0)]
    piano = pretty_midi.Instrument(0)
    piano.notes = [pretty_midi.Note(80, 60 + i % 5, i * 0.5, i * 0.5 + 0.4) for i in range(12)]
    midi.instruments.append(piano)
    midi.write(str(tmp_path / "meters.mid"))
    piece = load_piano_piece(tmp_path / "meters.mid")
    # two bars of 3/4 (3 quarter beats each) fill the first 3 s at 120 bpm, then 2/4 bars of 2 beats
    assert piece.bar_starts[:5] == [0.0, 3.0, 6.0, 8.0, 10.0]
    assert piece.meter == (3, 4)


def test_named_bars_that_hold_notes_are_rewritten_and_the_result_serialises(tmp_path: Path, out_dir: Path) -> None:
    source = two_hand_piano(tmp_path / "piano.mid")
    result = repair_midi(source, out_dir, gap_bars=(6, 7))
    old = {(round(n.start, 3), n.pitch) for _, n in _notes_in_bars(source, 5, 6, bar_seconds=2.4)}
    new = {(round(n.start, 3), n.pitch) for _, n in _notes_in_bars(out_dir / "repaired.mid", 5, 6, bar_seconds=2.4)}
    assert new and new != old
    assert _notes_in_bars(out_dir / "repaired.mid", 0, 4, 2.4) and _notes_in_bars(out_dir / "repaired.mid", 7, 11, 2.4)
    trace = RepairResult.model_validate_json(result.model_dump_json())
    assert trace.chosen == result.chosen and trace.gap == (6, 7)
