"""Writing notes as ABC: rests and ties as well as notes."""

from __future__ import annotations

from tunesmith.tools.compose.melody import Note
from tunesmith.tools.compose.notation import bar_abc
from tunesmith.tools.theory.harmony import Scale


def test_rests_and_ties_are_written_and_accidentals_carry_through_the_bar() -> None:
    d_major = Scale("D", "major")
    notes = [Note(0, 0, 4), Note(0, 0, 2, rest=True), Note(6, -1, 2, tie=True)]
    assert bar_abc(notes, d_major, "2/4") == "D2 z=c-"
    again = [Note(6, -1, 2), Note(6, -1, 2), Note(6, 0, 4)]
    assert bar_abc(again, d_major, "2/4") == "=cc ^c2"
