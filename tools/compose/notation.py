"""Write composed notes as ABC text: note names, lengths (with L:1/8), accidentals, chord symbols, beams.

Accidentals are written so that every ABC reader hears the same pitch: whenever a letter's
accidental differs from what is in effect — per letter (abc2midi's old rule) or per letter and
octave (the ABC 2.1 rule) — it is written out.
"""

from __future__ import annotations

from collections.abc import Sequence

from tunesmith.tools.compose.melody import Note
from tunesmith.tools.compose.rhythm import beat_onsets
from tunesmith.tools.theory.harmony import ACCIDENTAL_ABC, Scale


def abc_length(sixteenths: int) -> str:
    """ABC length suffix for a duration in sixteenths under `L:1/8` (2 -> '', 1 -> '/', 3 -> '3/2', 8 -> '4')."""
    if sixteenths == 2:
        return ""
    if sixteenths == 1:
        return "/"
    if sixteenths % 2 == 0:
        return str(sixteenths // 2)
    return f"{sixteenths}/2"


def abc_pitch(letter: str, octave: int) -> str:
    """ABC name of a natural note, octave numbered so that C4 (MIDI 60) is `C` and C5 is `c`."""
    if octave >= 5:
        return letter.lower() + "'" * (octave - 5)
    return letter + "," * (4 - octave)


def bar_abc(notes: Sequence[Note], scale: Scale, meter: str, chord_symbol: str | None = None) -> str:
    """One bar of ABC: an optional chord symbol, then notes (and rests) beamed by beat, ties marked."""
    signature = scale.signature()
    by_letter: dict[str, int] = {}
    by_pitch: dict[tuple[str, int], int] = {}
    beats = beat_onsets(meter)
    parts: list[str] = [f'"{chord_symbol}"'] if chord_symbol else []
    onset = 0
    for note in notes:
        if onset in beats and onset > 0:
            parts.append(" ")
        onset += note.duration
        if note.rest:
            parts.append("z" + abc_length(note.duration))
            continue
        letter, accidental, octave = scale.note_spelling(note.step, note.alteration)
        in_effect = (by_letter.get(letter, signature[letter]), by_pitch.get((letter, octave), signature[letter]))
        mark = "" if in_effect == (accidental, accidental) else ACCIDENTAL_ABC[accidental]
        if mark:
            by_letter[letter] = accidental
            by_pitch[(letter, octave)] = accidental
        parts.append(mark + abc_pitch(letter, octave) + abc_length(note.duration) + ("-" if note.tie else ""))
    return "".join(parts)
