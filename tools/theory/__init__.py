"""Each musical fact once: pitch names ↔ MIDI numbers, keys and the one key finder, meters, instruments and
their ranges, tune-type conventions and their names, moods, scales and chords.

Modules: `pitch`, `keys`, `meter`, `instruments`, `tune_types`, `moods`, `harmony`. Everything else in
Tunesmith imports these facts from here; nothing keeps a table of its own.
"""

from tunesmith.tools.theory.instruments import GM_PROGRAMS, MELODY_RANGES, fit_register, gm_program, melody_range
from tunesmith.tools.theory.keys import (
    MODE_SEMITONES,
    MODES,
    KeyEstimate,
    abc_key,
    estimate_key,
    key_fifths,
    key_name,
    key_signature,
    mode_from_word,
)
from tunesmith.tools.theory.meter import Meter, MeterError, beats_per_bar, is_compound, normalise_meter, parse_meter
from tunesmith.tools.theory.pitch import (
    LETTERS,
    NATURAL_SEMITONES,
    PITCH_CLASS_NAMES,
    TONICS,
    midi_number,
    normalise_tonic,
    note_name,
    pitch_class,
)

__all__ = [
    "GM_PROGRAMS", "LETTERS", "MELODY_RANGES", "MODES", "MODE_SEMITONES", "NATURAL_SEMITONES", "PITCH_CLASS_NAMES",
    "TONICS", "KeyEstimate", "Meter", "MeterError", "abc_key", "beats_per_bar", "estimate_key", "fit_register",
    "gm_program", "is_compound", "key_fifths", "key_name", "key_signature", "melody_range", "midi_number",
    "mode_from_word", "normalise_meter", "normalise_tonic", "note_name", "parse_meter", "pitch_class",
]
