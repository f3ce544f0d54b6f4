"""Instruments: General MIDI program numbers and the comfortable melody range of each instrument.

The one home for these facts. Ranges are MIDI note numbers at sounding pitch, after the usual
orchestration tables (e.g. S. Adler, *The Study of Orchestration*, 3rd ed. 2002); folk instruments
from their common keys (D whistle D5-D7, Highland pipes G4-A5).
"""

from __future__ import annotations

from tunesmith.errors import InputError

__all__ = ["GM_PROGRAMS", "MELODY_RANGES", "UnknownInstrument", "fit_register", "gm_program", "melody_range"]


class UnknownInstrument(InputError):
    """An instrument name with no General MIDI program; the message lists the known names."""


# General MIDI program numbers (0-based, as `%%MIDI program` takes them) for instruments people name.
GM_PROGRAMS: dict[str, int] = {
    "piano": 0, "acoustic grand piano": 0, "bright piano": 1, "electric piano": 4, "harpsichord": 6,
    "celesta": 8, "glockenspiel": 9, "music box": 10, "vibraphone": 11, "marimba": 12, "xylophone": 13,
    "tubular bells": 14, "organ": 19, "church organ": 19, "accordion": 21, "harmonica": 22,
    "nylon guitar": 24, "guitar": 24, "steel guitar": 25, "jazz guitar": 26, "electric guitar": 27,
    "bass": 32, "acoustic bass": 32, "electric bass": 33, "violin": 40, "viola": 41, "cello": 42,
    "contrabass": 43, "tremolo strings": 44, "pizzicato strings": 45, "harp": 46, "timpani": 47,
    "strings": 48, "string ensemble": 48, "slow strings": 49, "synth strings": 50, "choir": 52,
    "voice": 53, "trumpet": 56, "trombone": 57, "tuba": 58, "french horn": 60, "horn": 60, "brass": 61,
    "soprano sax": 64, "alto sax": 65, "saxophone": 65, "tenor sax": 66, "oboe": 68, "english horn": 69,
    "bassoon": 70, "clarinet": 71, "piccolo": 72, "flute": 73, "recorder": 74, "pan flute": 75,
    "whistle": 78, "tin whistle": 78, "ocarina": 79, "synth lead": 80, "synth pad": 88, "warm pad": 89,
    "sitar": 104, "banjo": 105, "shamisen": 106, "koto": 107, "kalimba": 108, "bagpipe": 109,
    "fiddle": 110, "shanai": 111, "steel drums": 114,
}


def gm_program(instrument: str) -> int:
    """The General MIDI program number (0-127) for an instrument name; raises ValueError if unknown."""
    name = instrument.strip().lower()
    if name in GM_PROGRAMS:
        return GM_PROGRAMS[name]
    if name.isdigit() and 0 <= int(name) <= 127:
        return int(name)
    raise UnknownInstrument(f"{instrument!r} is not a known instrument; known: {', '.join(sorted(GM_PROGRAMS))}")


PIANO_KEYS = (21, 108)
#: Comfortable melody range (MIDI note numbers, sounding pitch) for every name in GM_PROGRAMS.
MELODY_RANGES: dict[str, tuple[int, int]] = {
    "piano": (36, 96), "acoustic grand piano": (36, 96), "bright piano": (36, 96), "electric piano": (40, 88),
    "harpsichord": (41, 89), "celesta": (60, 103), "glockenspiel": (79, 108), "music box": (60, 96),
    "vibraphone": (53, 89), "marimba": (45, 96), "xylophone": (65, 103), "tubular bells": (60, 77),
    "organ": (36, 96), "church organ": (36, 96), "accordion": (53, 89), "harmonica": (60, 84),
    "nylon guitar": (40, 83), "guitar": (40, 83), "steel guitar": (40, 83), "jazz guitar": (40, 83),
    "electric guitar": (40, 86), "bass": (28, 55), "acoustic bass": (28, 55), "electric bass": (28, 60),
    "violin": (55, 96), "viola": (48, 84), "cello": (36, 76), "contrabass": (28, 55),
    "tremolo strings": (36, 96), "pizzicato strings": (36, 96), "harp": (36, 96), "timpani": (40, 55),
    "strings": (36, 96), "string ensemble": (36, 96), "slow strings": (36, 96), "synth strings": (36, 96),
    "choir": (48, 79), "voice": (55, 79), "trumpet": (55, 82), "trombone": (40, 72), "tuba": (28, 58),
    "french horn": (41, 77), "horn": (41, 77), "brass": (41, 82), "soprano sax": (56, 87), "alto sax": (49, 80),
    "saxophone": (49, 80), "tenor sax": (44, 75), "oboe": (58, 91), "english horn": (52, 81),
    "bassoon": (34, 72), "clarinet": (50, 89), "piccolo": (74, 103), "flute": (60, 96), "recorder": (72, 96),
    "pan flute": (60, 96), "whistle": (74, 98), "tin whistle": (74, 98), "ocarina": (60, 84),
    "synth lead": (48, 96), "synth pad": (36, 96), "warm pad": (36, 96), "sitar": (48, 84), "banjo": (48, 84),
    "shamisen": (50, 86), "koto": (48, 84), "kalimba": (60, 88), "bagpipe": (67, 81), "fiddle": (55, 96),
    "shanai": (60, 86), "steel drums": (55, 88),
}


def melody_range(instrument: str) -> tuple[int, int]:
    """Lowest and highest comfortable MIDI note of an instrument; the piano keyboard for a bare program number."""
    return MELODY_RANGES.get(instrument.strip().lower(), PIANO_KEYS)


def fit_register(low: int, high: int, instrument: str) -> tuple[int, int]:
    """Move the melody window (MIDI numbers) inside the instrument's range, keeping its width where it fits."""
    floor, ceiling = melody_range(instrument)
    width = min(high - low, ceiling - floor)
    low = min(max(low, floor), ceiling - width)
    return low, low + width
