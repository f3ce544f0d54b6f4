"""The context-fit rubric and the context-discrimination test: fitting music scores high, misfits low."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.piano_midi import chorale_midi, two_hand_piano

from tunesmith.tools.repair.context_fit import BarContext, context_discrimination, context_fit
from tunesmith.tools.repair.gap_context import gap_context
from tunesmith.tools.repair.midi_bars import BarNote, load_piano_piece


def _moved(notes: list[BarNote], semitones: int = 0, beats: float = 0.0) -> list[BarNote]:
    return [BarNote(n.pitch + semitones, n.start + beats, n.end + beats, n.velocity, n.voice) for n in notes]


@pytest.fixture
def chorale(tmp_path: Path):
    """bwv66.6 with bars 5-6 (0-based 4-5) as the gap: (context, the original notes of those bars)."""
    piece = load_piano_piece(chorale_midi(tmp_path / "bwv66.mid"))
    return gap_context(piece, (4, 5)), piece.notes_in_bars(4, 5)


def test_silence_scores_zero_and_the_original_bars_score_high(chorale) -> None:
    context, original = chorale
    assert context_fit([], context).score == 0.0
    fit = context_fit(original, context)
    assert fit.score > 0.7
    assert fit.pitch_class > 0.8 and fit.boundary > 0.6


def test_original_bars_fit_better_than_the_same_bars_a_tritone_away(chorale) -> None:
    context, original = chorale
    shifted = context_fit(_moved(original, 6), context)
    fit = context_fit(original, context)
    assert fit.pitch_class > shifted.pitch_class + 0.3
    assert fit.score > shifted.score


def test_two_octave_register_jump_lowers_register_and_boundary(chorale) -> None:
    context, original = chorale
    high = context_fit(_moved(original, 24), context)
    fit = context_fit(original, context)
    assert high.pitch_class == pytest.approx(fit.pitch_class)
    assert high.register_match < fit.register_match - 0.3
    assert high.boundary < fit.boundary - 0.3


def test_doubling_the_notes_per_beat_lowers_density(chorale) -> None:
    context, original = chorale
    halves = [BarNote(n.pitch, s, s + (n.end - n.start) / 2, n.velocity, n.voice)
              for n in original for s in (n.start, (n.start + n.end) / 2)]
    assert context_fit(halves, context).density < context_fit(original, context).density - 0.3


def test_a_chunk_that_starts_late_loses_boundary_timing(chorale) -> None:
    context, original = chorale
    late = [n for n in original if n.start >= context.gap_start + 4]  # first bar of the gap left silent
    assert context_fit(late, context).boundary < context_fit(original, context).boundary


def test_one_sided_context_scores_the_edge_it_has(tmp_path: Path) -> None:
    piece = load_piano_piece(two_hand_piano(tmp_path / "piano.mid"))
    context = gap_context(piece, (0, 1))
    assert not context.left and context.right
    fit = context_fit(piece.notes_in_bars(0, 1), context)
    assert 0 < fit.boundary <= 1 and fit.score > 0.6


def test_bars_fit_their_own_chorale_better_than_another_piece(tmp_path: Path, chorale) -> None:
    context, original = chorale
    piano = load_piano_piece(two_hand_piano(tmp_path / "piano.mid"))
    others = [gap_context(piano, (4, 5)), gap_context(piano, (7, 8))]
    result = context_discrimination(original, context, others)
    assert result.accuracy == 1.0
    assert all(result.own_fit > other for other in result.other_fits)
    silence = context_discrimination([], context, others)
    assert silence.accuracy == 0.0


def test_discrimination_needs_something_to_compare_with(chorale) -> None:
    context, original = chorale
    with pytest.raises(ValueError, match="at least one other context"):
        context_discrimination(original, context, [])


def test_empty_context_gives_zero_not_an_error() -> None:
    empty = BarContext(left=[], right=[], gap_start=0.0, gap_end=4.0, bar_length=4.0)
    assert context_fit([BarNote(60, 0.0, 1.0, 80, 0)], empty).score == 0.0


def test_content_only_discrimination_ignores_where_the_chunk_sits(chorale, tmp_path: Path) -> None:
    context, original = chorale
    late = _moved(original, beats=2.0)  # same notes, off the bar grid: boundary timing suffers, content not
    assert context_fit(late, context).content == pytest.approx(context_fit(original, context).content, abs=0.05)
    piano = load_piano_piece(two_hand_piano(tmp_path / "piano.mid"))
    result = context_discrimination(original, context, [gap_context(piano, (4, 5))], content_only=True)
    assert result.accuracy == 1.0 and result.own_fit == context_fit(original, context).content
