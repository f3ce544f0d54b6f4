"""ABC header field values: key signatures (K:), meters (M:), unit note lengths (L:) and tempi (Q:).

Durations here are fractions of a whole note unless a name says otherwise; pitches are MIDI numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from tunesmith.errors import InputError
from tunesmith.tools.theory import LETTERS, NATURAL_SEMITONES, Meter, MeterError, pitch_class
from tunesmith.tools.theory import parse_meter as parse_time_signature
from tunesmith.tools.theory.keys import TONIC_FIFTHS, abc_key, key_fifths, key_signature, mode_from_word

MIN_UNIT_LENGTH = Fraction(1, 512)
CLEF_WORDS = ("clef=", "treble", "bass", "alto", "tenor", "middle=", "transpose=", "octave=", "stafflines=", "t=", "m=")


class FieldError(InputError):
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
        return None if self.tonic is None else pitch_class(self.tonic)

    @property
    def canonical(self) -> str:
        """The K: value as we write it: `D`, `Em`, `Ador`, `none`."""
        return "none" if self.tonic is None else abc_key(self.tonic, self.mode)

    def scale_pitch_classes(self) -> set[int]:
        """Pitch classes (0-11) of the seven notes of the key's scale."""
        return {(NATURAL_SEMITONES[letter] + self.alterations.get(letter, 0)) % 12 for letter in LETTERS}


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
        named = mode_from_word(word if word == "m" else word[:3])  # ABC reads the first three letters
        if word == "exp":
            explicit_only = True
        elif named:
            mode = named
        else:
            raise FieldError(
                f"K:{value}: {mode_match.group(1)!r} is not a mode; use major, minor (m), dorian, "
                "mixolydian, lydian, phrygian or locrian"
            )
        rest = rest[mode_match.end():]
    if tonic not in TONIC_FIFTHS or key_fifths(tonic, mode) not in range(-7, 8):
        raise FieldError(f"K:{value}: {tonic} {mode} needs more than 7 sharps or flats; use its enharmonic key")
    alterations = {} if explicit_only else key_signature(tonic, mode)
    leftover = _EXPLICIT_RE.sub("", rest).strip()
    if leftover:
        raise FieldError(
            f"K:{value}: cannot read {leftover!r}; after the tonic and mode only accidentals like ^f _b may follow"
        )
    for match in _EXPLICIT_RE.finditer(rest):
        accidental, letter = match.groups()
        alterations[letter.upper()] = {"^^": 2, "^": 1, "=": 0, "_": -1, "__": -2}[accidental]
    return Key(tonic, mode, alterations)


def parse_meter(value: str) -> Meter:
    """Read an M: value: `3/4`, `C`, `C|`, `none`, `2+3/8`; raise FieldError naming valid forms."""
    try:
        return parse_time_signature(value)
    except MeterError as exc:
        raise FieldError(f"M:{value}: {exc}") from None


def parse_unit_length(value: str) -> Fraction:
    """Read an L: value such as `1/8` (fraction of a whole note); raise FieldError."""
    text = value.split("%", 1)[0].strip().replace(" ", "")
    match = re.fullmatch(r"(\d+)/(\d+)", text) or re.fullmatch(r"(1)", text)
    if not match:
        raise FieldError(f"L:{value} is not a unit note length; use e.g. 1/8, 1/4 or 1/16")
    numerator = int(match.group(1)[:6])
    denominator = int(match.group(2)[:6]) if match.lastindex == 2 else 1
    if numerator == 0 or denominator == 0 or denominator & (denominator - 1) or len(text) > 9:
        raise FieldError(f"L:{value} is not a unit note length; use e.g. 1/8, 1/4 or 1/16")
    unit = Fraction(numerator, denominator)
    if not MIN_UNIT_LENGTH <= unit <= 1:
        raise FieldError(f"L:{value} is out of range; a unit note length is 1/{MIN_UNIT_LENGTH.denominator} to 1, e.g. 1/8")
    return unit


def default_unit_length(meter: Meter) -> Fraction:
    """The ABC default L: 1/16 when the meter is below 3/4, else 1/8."""
    bar = meter.bar_length
    return Fraction(1, 16) if bar is not None and bar < Fraction(3, 4) else Fraction(1, 8)


TEMPO_RANGE_BPM = (1, 1000)  # beats per minute a Q: field may state; anything else is not read as a tempo
BEAT_RANGE = (Fraction(1, 64), Fraction(4))  # length of Q:'s beat in whole notes


def parse_tempo(value: str) -> tuple[Fraction, int] | None:
    """Read a Q: value into (beat length as a fraction of a whole note, beats per minute), or None.

    Accepts `1/4=120`, `3/8=80`, `120` (a quarter-note beat) and text around them (`"Allegro" 1/4=120`);
    None for anything else, including a zero denominator or a tempo outside 1..1000 beats a minute.
    """
    text = re.sub(r'"[^"]*"', " ", value.split("%", 1)[0]).strip()
    match = re.search(r"((?:\d+/\d+\s*)+)=\s*(\d+)", text)
    try:
        if match:
            beat = sum((Fraction(part) for part in match.group(1).split()), Fraction(0))
            bpm = int(match.group(2))
        else:
            plain = re.fullmatch(r"(?:C\s*=\s*)?(\d+)", text)
            if not plain:
                return None
            beat, bpm = Fraction(1, 4), int(plain.group(1))
    except (ValueError, ZeroDivisionError):  # 1/0=120, or digits past int's string limit
        return None
    if not TEMPO_RANGE_BPM[0] <= bpm <= TEMPO_RANGE_BPM[1] or not BEAT_RANGE[0] <= beat <= BEAT_RANGE[1]:
        return None
    return beat, bpm
