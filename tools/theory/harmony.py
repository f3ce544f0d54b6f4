"""Scales, keys and chords for composing: scale steps, ABC spelling, roman numerals, default progressions.

Pitches are handled as *scale steps* (0 = the tonic next above middle C's octave start, 7 = the tonic
an octave higher) plus an *alteration* in semitones, so passing tones are simply ±1 step. `Scale.midi`
turns a step into a MIDI note number and `Scale.abc_note` into an ABC note name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from random import Random

from tunesmith.tools.theory.keys import MODE_SEMITONES, abc_key
from tunesmith.tools.theory.pitch import LETTERS, NATURAL_SEMITONES, pitch_class

ACCIDENTAL_ABC = {-2: "__", -1: "_", 0: "=", 1: "^", 2: "^^"}
ACCIDENTAL_NAME = {-2: "bb", -1: "b", 0: "", 1: "#", 2: "##"}
# Spellings tried, in order, when a tonic's own spelling needs more than 7 sharps or flats (D# major -> Eb).
ENHARMONIC = {"C#": "Db", "Db": "C#", "D#": "Eb", "Eb": "D#", "F#": "Gb", "Gb": "F#", "G#": "Ab",
              "Ab": "G#", "A#": "Bb", "Bb": "A#", "Cb": "B", "B": "Cb", "E": "Fb", "F": "E#", "C": "B#"}


@dataclass(frozen=True)
class Scale:
    """A tonic spelling and a mode; steps are counted from the tonic in octave 4 (C4 = MIDI 60)."""

    tonic: str
    mode: str

    @cached_property
    def semitones(self) -> tuple[int, ...]:
        return MODE_SEMITONES[self.mode]

    @cached_property
    def _tonic_midi(self) -> int:
        return 60 + pitch_class(self.tonic)

    def midi(self, step: int, alteration: int = 0) -> int:
        """MIDI note number of a scale step (0 = tonic between C4 and B4) raised by `alteration` semitones."""
        octave, degree = divmod(step, 7)
        return self._tonic_midi + 12 * octave + self.semitones[degree] + alteration

    def letter(self, step: int) -> str:
        return LETTERS[(LETTERS.index(self.tonic[0]) + step) % 7]

    def signature(self) -> dict[str, int]:
        """Alteration (semitones) of each letter in the key signature, e.g. D major -> F: +1, C: +1."""
        return {self.letter(d): self._accidental(d, 0) for d in range(7)}

    def _accidental(self, step: int, alteration: int) -> int:
        letter = self.letter(step)
        return (self.midi(step, alteration) - NATURAL_SEMITONES[letter] + 6) % 12 - 6

    @property
    def fifths(self) -> int:
        """Sharps (positive) or flats (negative) in the key signature; 8+ means it cannot be written as K:."""
        signature = self.signature().values()
        if any(abs(a) > 1 for a in signature):
            return 99
        return sum(signature)

    def abc_key(self) -> str:
        """The K: value, e.g. `D`, `Dm`, `Ador`."""
        return abc_key(self.tonic, self.mode)

    def note_spelling(self, step: int, alteration: int = 0) -> tuple[str, int, int]:
        """(letter, accidental in semitones, octave with C4 = 60) of a scale step."""
        letter = self.letter(step)
        accidental = self._accidental(step, alteration)
        octave = (self.midi(step, alteration) - accidental) // 12 - 1
        return letter, accidental, octave

    def name(self, step: int, alteration: int = 0) -> str:
        """Pitch name without octave, e.g. `F#`, `Bb` (for chord symbols)."""
        letter, accidental, _ = self.note_spelling(step, alteration)
        return letter + ACCIDENTAL_NAME[accidental]


def writable_scale(tonic: str, mode: str) -> tuple[Scale, str | None]:
    """The scale, respelled enharmonically when its signature would need over 7 accidentals.

    Returns the scale and a note on the respelling (None when it was not needed).
    """
    scale = Scale(tonic, mode)
    if abs(scale.fifths) <= 7:
        return scale, None
    other = ENHARMONIC.get(tonic)
    if other and abs(Scale(other, mode).fifths) <= 7:
        return Scale(other, mode), f"{tonic} {mode} needs {abs(scale.fifths) if scale.fifths != 99 else 'double'} accidentals; written as its enharmonic twin {other} {mode} (same sound)"
    return scale, None


@dataclass(frozen=True)
class Chord:
    """A chord as scale steps 0-6 with alterations: `tones[0]` is the root."""

    numeral: str
    tones: tuple[tuple[int, int], ...]  # (degree 0-6, alteration in semitones)
    symbol: str  # chord symbol, e.g. "Am", "A7"

    def alteration_of(self, degree: int) -> int | None:
        """Alteration this chord gives a scale degree, or None if the degree is not a chord tone."""
        for tone_degree, alteration in self.tones:
            if tone_degree == degree % 7:
                return alteration
        return None

    @property
    def is_tonic(self) -> bool:
        return self.tones[0][0] == 0


_NUMERAL = re.compile(r"^(b|#)?(VII|vii|III|iii|IV|iv|VI|vi|II|ii|V|v|I|i)(°|o|dim|\+|aug)?(maj7|7)?$")
_DEGREE = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}


def parse_chord(numeral: str, scale: Scale) -> Chord:
    """A roman numeral (I, iv, V7, bVII, vii°, ii7...) in the scale's mode; ValueError names a bad one.

    Upper case asks for a major third, lower case a minor one (so V in minor raises the leading
    note); the fifth stays diatonic unless ° (diminished) or + (augmented) says otherwise.
    """
    match = _NUMERAL.match(numeral.strip())
    if not match:
        raise ValueError(f"{numeral!r} is not a roman-numeral chord; use e.g. I, ii, iii, IV, V, vi, vii°, V7, bVII, i, iv")
    shift, roman, quality, seventh = match.groups()
    root = _DEGREE[roman.lower()]
    root_alt = {"b": -1, "#": 1, None: 0}[shift]
    root_midi = scale.midi(root, root_alt)
    third = 4 if roman.isupper() else 3
    fifth = scale.midi(root + 4) - root_midi
    if quality in ("°", "o", "dim"):
        third, fifth = 3, 6
    elif quality in ("+", "aug"):
        third, fifth = 4, 8
    wanted = [(2, third), (4, fifth)]
    if seventh:
        wanted.append((6, 11 if seventh == "maj7" else scale.midi(root + 6) - root_midi))
    tones = [(root, root_alt)]
    for offset, interval in wanted:
        alteration = root_midi + interval - scale.midi(root + offset)
        tones.append(((root + offset) % 7, alteration))
    if any(abs(scale.note_spelling(degree, alteration)[1]) > 2 for degree, alteration in tones):
        raise ValueError(f"{numeral!r} in {scale.tonic} {scale.mode} needs triple accidentals; use a diatonic numeral such as I, IV, V")
    return Chord(numeral.strip(), tuple(tones), _symbol(scale, root, root_alt, third, fifth, seventh, root_midi, wanted))


def _symbol(scale: Scale, root: int, root_alt: int, third: int, fifth: int, seventh: str | None,
            root_midi: int, wanted: list[tuple[int, int]]) -> str:
    quality = {(4, 7): "", (3, 7): "m", (3, 6): "dim", (4, 8): "aug"}.get((third, fifth), "")
    if seventh:
        interval = wanted[-1][1]
        quality = {("", 10): "7", ("", 11): "maj7", ("m", 10): "m7", ("m", 11): "mmaj7", ("dim", 10): "m7b5",
                   ("dim", 9): "dim7"}.get((quality, interval), quality + "7")
    return scale.name(root, root_alt) + quality


@dataclass(frozen=True)
class ModeHarmony:
    """Numerals a mode's tunes lean on: tonic, the chord before a final cadence, a half-cadence goal."""

    tonic: str
    before_tonic: tuple[str, ...]
    half_cadence: str
    colour: tuple[str, ...]  # chords between, each as likely as the others


MODE_HARMONY = {
    "major": ModeHarmony("I", ("V", "V7"), "V", ("IV", "vi", "ii", "IV", "I")),
    "minor": ModeHarmony("i", ("V", "V7"), "V", ("iv", "VI", "VII", "i")),
    # Modal tunes cadence through the chord a tone below the tonic rather than through a dominant.
    "dorian": ModeHarmony("i", ("VII", "IV"), "v", ("IV", "VII", "III", "IV")),
    "mixolydian": ModeHarmony("I", ("VII", "IV"), "v", ("VII", "IV", "ii", "VII")),
    "lydian": ModeHarmony("I", ("II", "V"), "V", ("II", "vi", "iii")),
    "phrygian": ModeHarmony("i", ("II", "vii"), "VII", ("II", "iv", "VI", "VII")),
    "locrian": ModeHarmony("i°", ("II", "vii"), "VI", ("II", "iv", "VI")),
}


def phrase_progression(mode: str, bars: int, closing: bool, rng: Random) -> list[str]:
    """Numerals, one per bar, for a phrase: ends on the tonic if `closing`, else on a half cadence."""
    harmony = MODE_HARMONY[mode]
    goal = [rng.choice(harmony.before_tonic), harmony.tonic] if closing else [rng.choice(harmony.colour[:2]), harmony.half_cadence]
    if bars <= 2:
        return goal[-bars:]
    middle = [rng.choice(harmony.colour) for _ in range(bars - 3)]
    return [harmony.tonic, *middle, *goal]
