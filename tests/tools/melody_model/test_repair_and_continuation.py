"""The melody model in repair and continuation: it writes the top line of a MIDI gap (whole bars,
each bar's first note on the accompaniment's chord) and continues an ABC tune to a tonic ending."""

from __future__ import annotations

from fractions import Fraction

import pytest
from support.piano_midi import two_hand_piano
from support.tiny_melody import tiny_melody_model
from support.tiny_models import one_torch_thread

from tunesmith.tools.abc import count_bars, tune_notes, validate_abc
from tunesmith.tools.melody_model.vocab import parse_note
from tunesmith.tools.repair.continuation import _append_bars
from tunesmith.tools.repair.gap_context import analyse_gap
from tunesmith.tools.repair.midi_bars import BarNote, load_piano_piece
from tunesmith.tools.repair.model_continuation import continuation_bars
from tunesmith.tools.repair.model_fill import bar_tokens, melody_fills

JIG = """X:1
T:The Kesh
M:6/8
L:1/8
K:G
|:GAG GAB|ABA ABd|edd gdd|edB dBA|GAG GAB|ABA ABd|edd gdB|AGF G3:|
"""


@pytest.fixture(scope="module")
def model():
    with one_torch_thread():
        yield tiny_melody_model()


def test_a_bar_of_midi_notes_becomes_tokens_that_fill_it_exactly() -> None:
    notes = [BarNote(67, 0.0, 0.9, 80, 0), BarNote(64, 0.0, 1.0, 80, 0), BarNote(69, 1.0, 1.4, 80, 0),
             BarNote(71, 2.5, 3.9, 80, 0)]
    tokens = bar_tokens(notes, 0.0, 96, reference=67)
    lengths = [parse_note(t)[1] for t in tokens if parse_note(t)]
    assert sum(lengths) == 96
    assert tokens[0] == "n0:24"  # the higher note of the first onset, held to the next onset
    assert "z:" in " ".join(tokens)  # the silence between 1.5 and 2.5 beats


def test_the_model_writes_whole_gap_bars_of_the_top_part_on_the_accompaniments_chords(model, tmp_path) -> None:
    piece = load_piano_piece(two_hand_piano(tmp_path / "piano.mid", skip_bars=(4, 5)))
    gap = (4, 5)
    analysis = analyse_gap(piece, gap)
    top = max(analysis.parts, key=lambda part: part.low)
    chords = [[frozenset({0, 4, 7}), frozenset({5, 9, 0})]]
    line = melody_fills(piece, gap, top, analysis.key, chords, seed=1, model=model)[0]
    assert line and all(top.holds(n) for n in line)
    for index, bar in enumerate(gap):
        start, end = piece.bar_starts[bar], piece.bar_starts[bar + 1]
        in_bar = sorted((n for n in line if start - 1e-6 <= n.start < end - 1e-6), key=lambda n: n.start)
        assert in_bar[0].start == pytest.approx(start)
        assert in_bar[0].pitch % 12 in chords[0][index]
        assert all(n.end <= end + 1e-6 for n in in_bar)


def test_continuing_a_jig_adds_whole_bars_that_end_on_the_tonic(model) -> None:
    bars = continuation_bars(JIG, 4, seed=2, unit=Fraction(1, 8), model=model)
    assert len(bars) == 4
    longer = _append_bars(JIG, bars)
    assert validate_abc(longer).valid
    assert count_bars(longer) == 12
    assert [e.midi for e in tune_notes(longer) if e.midi is not None][-1] % 12 == 7  # G
