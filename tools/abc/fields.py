"""ABC header field values: key signatures (K:), meters (M:), unit note lengths (L:) and tempi (Q:).

Durations here are fractions of a whole note unless a name says otherwise; pitches are MIDI numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

LETTERS = "CDEFGAB"
# Semitones above C of each natural letter.
NATURAL_SEMITONES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# Order in which sharps (and, reversed, flats) enter a key signature.
SHARP_ORDER = "FCGDAEB"
# Fifths from the major key with the same tonic (C major = 0 sharps) for each mode.
MODE_FIFTHS = {"major": 0, "minor": -3, "dorian": -2, "mixolydian": -1, "lydian": 1, "phrygian": -4, "locrian": -5}
MODE_ABBREVIATIONS = {
    "maj": "major", "ion": "major", "min": "minor", "aeo": "minor", "m": "minor", "dor": "dorian",
    "mix": "mixolydian", "lyd": "lydian", "phr": "phrygian", "loc": "locrian",
}
# How the mode is written after the tonic in a canonical K: field.
MODE_SUFFIX = {"major": "", "minor": "m", "dorian": "dor", "mixolydian": "mix", "lydian": "lyd", "phrygian": "phr", "locrian": "loc"}
# Fifths of each tonic spelling in major (C = 0, G = 1, F = -1 ...).
TONIC_FIFTHS = {
    "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7, "G#": 8, "D#": 9, "A#": 10,
    "F": -1, "Bb": -2, "Eb": -3, "Ab": -4, "Db": -5, "Gb": -6, "Cb": -7, "Fb": -8, "E#": 11, "B#": 12,
}
CLEF_WORDS = ("clef=", "treble", "bass", "alto", "tenor", "middle=", "transpose=", "octave=", "stafflines=", "t=", "m=")


class FieldError(ValueError):
    """A header value that cannot be read; the message names the value and what would be valid."""


@dataclass
class Key:
    """A key signature: tonic spelling, mode, and the alteration (semitones) of each letter."""

    tonic: str | None  # None for K:none and highland pipes without a tonic
    mode: str
    alterations: dict[str, int] = field(default_factory=dict)  # letter (upper case) -> -2..2

    @property
    def tonic_pitch_class(self) -> int | None:
        """Pitch class 0-11 of the tonic (C = 0), or None when the key has no tonic."""
        if self.tonic is None:
            return None
        return (NATURAL_SEMITONES[self.tonic[0]] + self.tonic.count("#") - self.tonic.count("b")) % 12

    @property
    def canonical(self) -> str:
        """The K: value as we write it: `D`, `Em`, `Ador`, `none`."""
        if self.tonic is None:
            return "none"
        return self.tonic + MODE_SUFFIX[self.mode]

    def scale_pitch_classes(self) -> set[int]:
        """Pitch classes (0-11) of the seven notes of the key's scale."""
        return {(NATURAL_SEMITONES[letter] + self.alterations.get(letter, 0)) % 12 for letter in LETTERS}


def signature_for(tonic: str, mode: str) -> dict[str, int]:
    """Alteration of each letter for a tonic and mode, e.g. ('D', 'major') -> {'F': 1, 'C': 1}."""
    fifths = TONIC_FIFTHS[tonic] + MODE_FIFTHS[mode]
    alterations: dict[str, int] = {}
    for index in range(abs(fifths)):
        if fifths > 0:
            letter = SHARP_ORDER[index % 7]
            alterations[letter] = alterations.get(letter, 0) + 1
        else:
            letter = SHARP_ORDER[6 - index % 7]
            alterations[letter] = alterations.get(letter, 0) - 1
    return alterations


_TONIC_RE = re.compile(r"\s*([A-G])([#b]?)\s*")
_EXPLICIT_RE = re.compile(r"(\^\^|\^|__|_|=)([A-Ga-g])")


def parse_key(value: str) -> Key:
    """Read a K: value such as `D`, `Em`, `A dorian`, `Bbmix`, `G ^c`, `HP`, `none`; raise FieldError."""
    text = value.split("%", 1)[0].strip()
    words = [w for w in text.split() if not w.lower().startswith(CLEF_WORDS)]
    text = " ".join(words)
    if text.lower() in ("", "none"):
        return Key(None, "major", {})
    if text in ("HP", "Hp"):
        # Highland bagpipe: HP has no signature, Hp writes F# C# (and G natural).
        return Key("A", "mixolydian", {} if text == "HP" else {"F": 1, "C": 1})
    match = _TONIC_RE.match(text)
    if not match:
        raise FieldError(f"K:{value} has no tonic; write a capital note name and mode, e.g. K:D, K:Em, K:Ador")
    tonic = match.group(1) + match.group(2)
    rest = text[match.end():]
    mode, explicit_only = "major", False
    mode_match = re.match(r"([A-Za-z]+)", rest)
    if mode_match:
        word = mode_match.group(1).lower()
        if word == "exp":
            explicit_only = True
        elif word == "m" or word[:3] in MODE_ABBREVIATIONS:
            mode = MODE_ABBREVIATIONS[word[:3]]
        else:
            raise FieldError(
                f"K:{value}: {mode_match.group(1)!r} is not a mode; use major, minor (m), dorian, "
                "mixolydian, lydian, phrygian or locrian"
            )
        rest = rest[mode_match.end():]
    if tonic not in TONIC_FIFTHS or TONIC_FIFTHS[tonic] + MODE_FIFTHS[mode] not in range(-7, 8):
        raise FieldError(f"K:{value}: {tonic} {mode} needs more than 7 sharps or flats; use its enharmonic key")
    alterations = {} if explicit_only else signature_for(tonic, mode)
    leftover = _EXPLICIT_RE.sub("", rest).strip()
    if leftover:
        raise FieldError(
            f"K:{value}: cannot read {leftover!r}; after the tonic and mode only accidentals like ^f _b may follow"
        )
    for match in _EXPLICIT_RE.finditer(rest):
        accidental, letter = match.groups()
        alterations[letter.upper()] = {"^^": 2, "^": 1, "=": 0, "_": -1, "__": -2}[accidental]
    return Key(tonic, mode, alterations)


@dataclass(frozen=True)
class Meter:
    """A time signature; `bar_length` is a fraction of a whole note, None for free meter."""

    text: str
    numerator: int | None
    denominator: int | None

    @property
    def bar_length(self) -> Fraction | None:
        if self.numerator is None or self.denominator is None:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def compound(self) -> bool:
        """True for 6/8, 9/8, 12/8 ... whose beat is a dotted note."""
        return bool(self.numerator and self.numerator % 3 == 0 and self.numerator > 3 and self.denominator == 8)


def parse_meter(value: str) -> Meter:
    """Read an M: value: `3/4`, `C`, `C|`, `none`, `2+3/8`; raise FieldError naming valid forms."""
    text = value.split("%", 1)[0].strip().replace(" ", "")
    if text in ("", "none", "None", "NONE"):
        return Meter("none", None, None)
    if text == "C":
        return Meter("C", 4, 4)
    if text == "C|":
        return Meter("C|", 2, 2)
    match = re.fullmatch(r"\(?(\d+(?:\+\d+)*)\)?/(\d+)", text)
    if not match or int(match.group(2)) not in (1, 2, 4, 8, 16, 32, 64):
        raise FieldError(f"M:{value} is not a meter; use e.g. 4/4, 3/4, 6/8, 2/2, C or none")
    numerator = sum(int(part) for part in match.group(1).split("+"))
    if numerator == 0:
        raise FieldError(f"M:{value} has no beats; use e.g. 4/4, 3/4, 6/8")
    return Meter(text, numerator, int(match.group(2)))


def parse_unit_length(value: str) -> Fraction:
    """Read an L: value such as `1/8` (fraction of a whole note); raise FieldError."""
    text = value.split("%", 1)[0].strip().replace(" ", "")
    match = re.fullmatch(r"(\d+)/(\d+)", text) or re.fullmatch(r"(1)", text)
    if not match:
        raise FieldError(f"L:{value} is not a unit note length; use e.g. 1/8, 1/4 or 1/16")
    numerator = int(match.group(1))
    denominator = int(match.group(2)) if match.lastindex == 2 else 1
    if numerator == 0 or denominator == 0 or denominator & (denominator - 1):
        raise FieldError(f"L:{value} is not a unit note length; use e.g. 1/8, 1/4 or 1/16")
    return Fraction(numerator, denominator)


def default_unit_length(meter: Meter) -> Fraction:
    """The ABC default L: 1/16 when the meter is below 3/4, else 1/8."""
    bar = meter.bar_length
    return Fraction(1, 16) if bar is not None and bar < Fraction(3, 4) else Fraction(1, 8)


def parse_tempo(value: str) -> tuple[Fraction, int] | None:
    """Read a Q: value into (beat length as a fraction of a whole note, beats per minute), or None.

    Accepts `1/4=120`, `3/8=80`, `120` (a quarter-note beat) and text around them (`"Allegro" 1/4=120`).
    """
    text = re.sub(r'"[^"]*"', " ", value.split("%", 1)[0]).strip()
    match = re.search(r"((?:\d+/\d+\s*)+)=\s*(\d+)", text)
    if match:
        beat = sum((Fraction(part) for part in match.group(1).split()), Fraction(0))
        bpm = int(match.group(2))
    else:
        plain = re.fullmatch(r"(?:C\s*=\s*)?(\d+)", text)
        if not plain:
            return None
        beat, bpm = Fraction(1, 4), int(plain.group(1))
    if bpm <= 0 or beat <= 0:
        return None
    return beat, bpm
