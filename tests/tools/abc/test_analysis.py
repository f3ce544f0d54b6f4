"""Reading a tune: notes in beats, estimated key, range and playing time."""

from __future__ import annotations

from tunesmith.tools.abc import analyse_abc, tune_notes

JIG = """X:7
T:Morning Jig
R:jig
M:6/8
L:1/8
Q:3/8=120
K:D
A|dfa afd|gfe dcB|AFA dfa|gec d2:|
"""


def test_notes_are_timed_in_quarter_beats_as_written() -> None:
    notes = tune_notes(JIG)
    assert (notes[0].bar, notes[0].onset, notes[0].duration, notes[0].midi) == (0, 0.0, 0.5, 69)
    assert (notes[1].bar, notes[1].onset, notes[1].midi) == (1, 0.5, 74)  # d after the pickup A
    assert notes[-1].duration == 1.0 and notes[-1].midi == 74  # d2 = a quarter


def test_tuplet_broken_rhythm_and_chord_timing() -> None:
    abc = "X:1\nT:t\nM:2/4\nL:1/8\nK:C\n(3CDE F>G|[CEG]2 z2|]\n"
    notes = tune_notes(abc)
    assert [round(n.duration, 3) for n in notes[:5]] == [0.333, 0.333, 0.333, 0.75, 0.25]
    chord = [n for n in notes if n.onset == 2.0]
    assert sorted(n.midi for n in chord) == [60, 64, 67]
    assert notes[-1].midi is None  # the rest


def test_key_accidentals_apply_until_the_bar_line() -> None:
    abc = "X:1\nT:t\nM:2/4\nL:1/8\nK:G\nF ^c c2|c4|]\n"
    assert [n.midi for n in tune_notes(abc)] == [66, 73, 73, 72]


def test_analysis_of_a_jig() -> None:
    analysis = analyse_abc(JIG)
    assert (analysis.key, analysis.mode, analysis.meter) == ("D", "major", "6/8")
    assert (analysis.estimated_key, analysis.estimated_mode) == ("D", "major")
    assert analysis.key_confidence > 0.7
    assert analysis.tune_type == "jig"
    assert analysis.tempo_bpm == 120
    assert analysis.bars == 4
    assert (analysis.lowest, analysis.highest) == (66, 81)
    # 4 bars of 3 quarter beats (pickup and short last bar add up to one) at 180 quarters a minute
    assert analysis.duration_seconds == 4.0


def test_krumhansl_estimate_finds_a_minor_for_a_minor_tune() -> None:
    abc = "X:1\nT:m\nM:4/4\nL:1/8\nK:C\nA2 c2 e2 c2|B2 ^G2 E4|A2 c2 e2 a2|^g2 e2 A4|]\n"
    analysis = analyse_abc(abc)
    assert (analysis.estimated_key, analysis.estimated_mode) == ("A", "minor")
