"""Keys and modes: scale steps, key signatures, how a key is spelled and written, and the one key finder.

Key finding is the Krumhansl–Schmuckler algorithm (Krumhansl 1990, *Cognitive Foundations of Musical
Pitch*): correlate a 12-bin pitch-class profile (C first; note durations for symbolic music, chroma
energy for audio) with the Krumhansl–Kessler major and minor probe-tone profiles rotated to each of
the 12 tonics; the best correlation wins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, get_args

from pydantic import BaseModel, Field

from tunesmith.tools.theory.pitch import PITCH_CLASS_NAMES, pitch_class

__all__ = [
    "MODES", "MODE_FIFTHS", "Mode", "MODE_SEMITONES", "MODE_SUFFIX", "SHARP_ORDER", "TONIC_FIFTHS", "KeyEstimate",
    "abc_key", "estimate_key", "key_fifths", "key_name", "key_signature", "mode_from_word",
]

Mode = Literal["major", "minor", "dorian", "mixolydian", "lydian", "phrygian", "locrian"]
MODES: tuple[str, ...] = get_args(Mode)
#: Semitones above the tonic of the seven scale steps of each mode.
MODE_SEMITONES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}
#: Fifths of each mode relative to the major key on the same tonic (A minor = C major - 3 fifths).
MODE_FIFTHS = {"major": 0, "minor": -3, "dorian": -2, "mixolydian": -1, "lydian": 1, "phrygian": -4, "locrian": -5}
#: How a mode is written after the tonic in a K: field (`Em`, `Ador`): the spelling Tunesmith writes.
MODE_SUFFIX = {"major": "", "minor": "m", "dorian": "dor", "mixolydian": "mix", "lydian": "lyd", "phrygian": "phr",
               "locrian": "loc"}
#: Fifths of each tonic spelling in major (C = 0, G = 1, F = -1 ...).
TONIC_FIFTHS = {
    "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7, "G#": 8, "D#": 9, "A#": 10, "E#": 11, "B#": 12,
    "F": -1, "Bb": -2, "Eb": -3, "Ab": -4, "Db": -5, "Gb": -6, "Cb": -7, "Fb": -8,
}
#: Order in which sharps (and, reversed, flats) enter a key signature.
SHARP_ORDER = "FCGDAEB"
_MODE_WORDS = {**{mode: mode for mode in MODES}, "ionian": "major", "aeolian": "minor"}
_MODE_ABBREVIATIONS = {word[:3]: mode for word, mode in _MODE_WORDS.items()}
# Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
KK_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KK_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)
# A key is "clear" when it correlates at least this well and beats the runner-up by this margin.
CLEAR_KEY_CORRELATION = 0.6
CLEAR_KEY_MARGIN = 0.05


def mode_from_word(word: str) -> str | None:
    """The mode a word or its three-letter abbreviation names (`Dorian`, `aeolian`, `min`, `mix`, `m`), or None."""
    text = word.strip().lower()
    if text == "m":
        return "minor"
    return _MODE_WORDS.get(text) or _MODE_ABBREVIATIONS.get(text)


def key_fifths(tonic: str, mode: str) -> int:
    """Sharps (positive) or flats (negative) in the signature of `tonic` `mode` (may exceed 7 for odd spellings)."""
    return TONIC_FIFTHS[tonic] + MODE_FIFTHS[mode]


def key_signature(tonic: str, mode: str) -> dict[str, int]:
    """Alteration in semitones of each altered letter, e.g. ('D', 'major') -> {'F': 1, 'C': 1}."""
    fifths = key_fifths(tonic, mode)
    alterations: dict[str, int] = {}
    for index in range(abs(fifths)):
        letter = SHARP_ORDER[index % 7] if fifths > 0 else SHARP_ORDER[6 - index % 7]
        alterations[letter] = alterations.get(letter, 0) + (1 if fifths > 0 else -1)
    return alterations


def key_name(tonic_pitch_class: int, mode: str) -> str:
    """The tonic spelling whose signature needs the fewest accidentals (C# minor, Db major; F# over Gb)."""
    spellings = [name for name in TONIC_FIFTHS if pitch_class(name) == tonic_pitch_class % 12]
    return min(spellings, key=lambda name: (abs(key_fifths(name, mode)), name not in PITCH_CLASS_NAMES))


def abc_key(tonic: str, mode: str) -> str:
    """The K: value Tunesmith writes for a key, e.g. `D`, `Em`, `Ador`."""
    return tonic + MODE_SUFFIX[mode]


class KeyEstimate(BaseModel):
    """A key found by correlating a pitch-class profile with the Krumhansl–Kessler profiles."""

    tonic: str = Field(description="Tonic spelled for its key signature, e.g. 'A', 'Eb', 'C#'.")
    mode: str = Field(description="'major' or 'minor'.")
    correlation: float = Field(description="Pearson r of the profile against the key's profile, -1..1.")
    margin: float = Field(description="r of this key minus r of the runner-up key; small means ambiguous.")
    runner_up: str = Field(description="The second-best key, e.g. 'C major' (often the relative key).")

    @property
    def name(self) -> str:
        return f"{self.tonic} {self.mode}"

    @property
    def tonic_pitch_class(self) -> int:
        return pitch_class(self.tonic)

    @property
    def confident(self) -> bool:
        return self.correlation >= CLEAR_KEY_CORRELATION and self.margin >= CLEAR_KEY_MARGIN


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float:
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    spread = math.sqrt(sum((x - mean_x) ** 2 for x in xs) * sum((y - mean_y) ** 2 for y in ys))
    return cov / spread if spread else 0.0


def estimate_key(profile: Sequence[float]) -> KeyEstimate | None:
    """The best of the 24 major and minor keys for a 12-bin pitch-class profile (C first); None when flat."""
    weights = [float(w) for w in profile]
    if len(weights) != 12:
        raise ValueError(f"a pitch-class profile has 12 bins (C first), got {len(weights)}")
    mean = sum(weights) / 12
    if sum((w - mean) ** 2 for w in weights) < 1e-18:
        return None
    scores: list[tuple[float, int, str]] = []
    for tonic in range(12):
        rotated = weights[tonic:] + weights[:tonic]
        for mode, template in (("major", KK_MAJOR), ("minor", KK_MINOR)):
            scores.append((_correlation(rotated, template), tonic, mode))
    ranked = sorted(scores, key=lambda score: -score[0])  # stable: ties keep C-first, major-first order
    (best, tonic, mode), (second, second_tonic, second_mode) = ranked[0], ranked[1]
    return KeyEstimate(
        tonic=key_name(tonic, mode), mode=mode, correlation=round(best, 4), margin=round(best - second, 4),
        runner_up=f"{key_name(second_tonic, second_mode)} {second_mode}",
    )
