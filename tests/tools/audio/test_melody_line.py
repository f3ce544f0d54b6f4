"""The melody line picked from polyphonic notes: the top, continuous voice; ghosts and accompaniment left out."""

from __future__ import annotations

from tunesmith.tools.audio.melody_line import melody_line
from tunesmith.tools.audio.notes import HeardNote


def tune(pitches: list[int], step: float = 0.25, amplitude: float = 0.8) -> list[HeardNote]:
    return [HeardNote(i * step, (i + 1) * step, p, amplitude) for i, p in enumerate(pitches)]


def test_a_monophonic_tune_comes_back_whole() -> None:
    notes = tune([67, 69, 71, 72, 74, 72, 71, 69])
    assert [n.pitch for n in melody_line(notes)] == [67, 69, 71, 72, 74, 72, 71, 69]


def test_chords_under_the_tune_are_left_out() -> None:
    melody = tune([76, 77, 79, 81, 79, 77, 76, 74], step=0.5)
    chords = [HeardNote(bar * 1.0, bar * 1.0 + 0.9, pitch, 0.6) for bar in range(4) for pitch in (48, 52, 55)]
    assert [n.pitch for n in melody_line(melody + chords)] == [76, 77, 79, 81, 79, 77, 76, 74]


def test_a_quiet_octave_ghost_of_each_note_is_dropped() -> None:
    melody = tune([72, 74, 76, 77, 79])
    ghosts = [HeardNote(n.start_s + 0.01, n.end_s, n.pitch - 12, 0.25) for n in melody]
    assert [n.pitch for n in melody_line(melody + ghosts)] == [72, 74, 76, 77, 79]


def test_bass_notes_between_melody_notes_do_not_break_into_the_line() -> None:
    melody = [HeardNote(i * 1.0, i * 1.0 + 0.95, p, 0.8) for i, p in enumerate([74, 76, 78, 79])]
    bass = [HeardNote(i * 1.0 + 0.5, i * 1.0 + 0.9, 38, 0.7) for i in range(4)]
    assert [n.pitch for n in melody_line(melody + bass)] == [74, 76, 78, 79]


def test_each_melody_note_ends_when_the_next_begins_so_no_two_sound_at_once() -> None:
    notes = [HeardNote(0.0, 0.8, 67, 0.8), HeardNote(0.5, 1.0, 69, 0.8)]
    first, second = melody_line(notes)
    assert first.end_s == 0.5 and second.start_s == 0.5


def test_nothing_heard_gives_an_empty_line() -> None:
    assert melody_line([]) == []
    assert melody_line([HeardNote(0.0, 0.1, 60, 0.05)]) == []
