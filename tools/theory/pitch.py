"""Pitch names and numbers: note letters, spellings ↔ pitch classes (C = 0) ↔ MIDI note numbers (C4 = 60).

The one home for these facts; everything that names a pitch or reads a note name calls these.
"""

from __future__ import annotations

__all__ = [
    "LETTERS", "NATURAL_SEMITONES", "PITCH_CLASS_NAMES", "TONICS", "midi_number", "normalise_tonic", "note_name",
    "pitch_class",
]

LETTERS = "CDEFGAB"
#: Semitones above C of each natural letter.
NATURAL_SEMITONES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
#: One readable spelling per pitch class, for messages and charts (keys are spelled by `theory.keys.key_name`).
PITCH_CLASS_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
#: Tonic spellings a plan accepts (every letter natural, sharp or flat that a key signature can carry).
TONICS = ("C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B", "Cb")
# Spellings outside TONICS and the tonic they sound as.
_ENHARMONIC_TONICS = {"E#": "F", "B#": "C", "Fb": "E"}


def pitch_class(name: str) -> int:
    """Pitch class 0-11 (C = 0) of a spelling such as `F#`, `Bb`, `C##`, `F♯`; ValueError names a bad one."""
    text = name.strip().replace("♯", "#").replace("♭", "b")
    letter, accidentals = text[:1].upper(), text[1:]
    if letter not in NATURAL_SEMITONES or set(accidentals) - {"#"} and set(accidentals) - {"b"}:
        raise ValueError(f"{name!r} is not a note name; use a letter A-G with # or b, e.g. F#, Bb")
    return (NATURAL_SEMITONES[letter] + accidentals.count("#") - accidentals.count("b")) % 12


def normalise_tonic(name: str) -> str:
    """A tonic in the plan's spelling (`f#` → `F#`, `B♭` → `Bb`, `E#` → `F`); ValueError lists the valid ones."""
    text = name.strip().replace("♯", "#").replace("♭", "b")
    tonic = text[:1].upper() + text[1:]
    tonic = _ENHARMONIC_TONICS.get(tonic, tonic)
    if tonic not in TONICS:
        raise ValueError(f"{name!r} is not a tonic; use one of {', '.join(TONICS)}")
    return tonic


def midi_number(letter: str, alteration: int, octave: int) -> int:
    """MIDI note number of a letter raised by `alteration` semitones in scientific octave `octave` (C4 = 60)."""
    return 12 * (octave + 1) + NATURAL_SEMITONES[letter.upper()] + alteration


def note_name(midi: int) -> str:
    """A MIDI note number as a name with octave, middle C = `C4`."""
    return f"{PITCH_CLASS_NAMES[midi % 12]}{midi // 12 - 1}"
