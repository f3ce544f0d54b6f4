"""The melody model's vocabulary: control tokens, bar lines, and notes as (pitch from the tonic, length).

A note token is `n{semitones}:{units}`: its MIDI pitch minus the tune's reference tonic (the tonic's
MIDI number nearest the tune's median pitch) and its sounding length in units of 1/96 of a whole note
(tuplets and broken rhythm already applied). A rest is `z:{units}`. Key-relative pitches make one
model serve every key without transposing the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

UNITS_PER_WHOLE = 96
# Sounding lengths (1/96 whole notes) found in music21's ABC corpus: 1/96 .. 6 whole notes.
LENGTHS = (1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 21, 24, 27, 32, 36, 42, 48, 54, 72, 96, 144, 192, 288, 384, 576)
LOWEST_STEP, HIGHEST_STEP = -24, 24  # semitones from the reference tonic
# The control tokens below are the trained vocabulary: their order is saved with the weights (the loader
# refuses weights trained on another), so they are frozen here rather than read from tools.theory.
# Meters as fractions ('C' is 4/4, 'C|' is 2/2); 'none' is free meter (bars of any length).
METERS = ("2/4", "3/4", "4/4", "6/8", "2/2", "3/8", "9/8", "12/8", "4/2", "6/4", "3/2", "4/1", "3/1", "6/2",
          "2/1", "4/8", "5/8", "5/4", "7/8", "2/8", "1/4", "9/4", "none")
MODES = ("major", "minor", "dorian", "mixolydian", "lydian", "phrygian", "locrian")  # the modes of tools.theory.MODES (a test checks)
# Tune types with at least ten tunes in the corpus; anything else is 'none'.
TUNE_TYPES = ("jig", "reel", "hornpipe", "strathspey", "slip jig", "march", "air", "clog", "song", "hymn",
              "dance", "lullaby")
MAX_SECTIONS = 8
MAX_SECTION_BARS = 32  # longer sections share the token bars:many
BAR_LINES = ("|", "||", "|]", "|:", ":|", "::")
ENDINGS = ("[1", "[2", "[3")
SECTION_ENDS = ("||", "|]", ":|", "::")  # bar lines that close a section
PAD, BOS, EOS, PREFIX, SUFFIX, MIDDLE, CONTINUED = "<pad>", "<bos>", "<eos>", "<pre>", "<suf>", "<mid>", "<cont>"
CHORD_NOTE = "&"  # the next note sounds with the previous one
TIE = "-"


def note_token(step: int, units: int) -> str:
    return f"n{step}:{units}"


def rest_token(units: int) -> str:
    return f"z:{units}"


def meter_token(meter: str) -> str:
    return f"M:{meter}"


def mode_token(mode: str) -> str:
    return f"mode:{mode}"


def type_token(tune_type: str | None) -> str:
    return f"type:{tune_type if tune_type in TUNE_TYPES else 'none'}"


def sections_token(count: int) -> str:
    return f"sections:{min(max(count, 1), MAX_SECTIONS)}"


def section_bars_token(bars: int) -> str:
    return f"bars:{bars}" if 1 <= bars <= MAX_SECTION_BARS else "bars:many"


@dataclass(frozen=True)
class Vocabulary:
    """Token text <-> id, with each note token's step and length for masking during decoding."""

    tokens: tuple[str, ...]

    @property
    def ids(self) -> dict[str, int]:
        return _ids(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def id(self, token: str) -> int:
        """The id of a token; KeyError names it when it is not in the vocabulary."""
        return self.ids[token]

    def encode(self, tokens: list[str]) -> list[int]:
        ids = self.ids
        return [ids[t] for t in tokens]

    def decode(self, ids: list[int]) -> list[str]:
        return [self.tokens[i] for i in ids]


@lru_cache(maxsize=4)
def _ids(tokens: tuple[str, ...]) -> dict[str, int]:
    return {token: index for index, token in enumerate(tokens)}


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The fixed vocabulary (its order is part of the trained weights: change it only with new weights)."""
    tokens = [PAD, BOS, EOS, PREFIX, SUFFIX, MIDDLE, CONTINUED, CHORD_NOTE, TIE, *BAR_LINES, *ENDINGS]
    tokens += [meter_token(m) for m in METERS] + [mode_token(m) for m in MODES]
    tokens += [type_token(t) for t in TUNE_TYPES] + [type_token(None)]
    tokens += [sections_token(n) for n in range(1, MAX_SECTIONS + 1)]
    tokens += [section_bars_token(n) for n in range(1, MAX_SECTION_BARS + 1)] + [section_bars_token(0)]
    tokens += [rest_token(units) for units in LENGTHS]
    tokens += [note_token(step, units) for step in range(LOWEST_STEP, HIGHEST_STEP + 1) for units in LENGTHS]
    return Vocabulary(tuple(tokens))


def parse_note(token: str) -> tuple[int | None, int] | None:
    """(step or None for a rest, length units) of a note or rest token; None for any other token."""
    if token.startswith("n") and ":" in token:
        step, units = token[1:].split(":")
        return int(step), int(units)
    if token.startswith("z:"):
        return None, int(token[2:])
    return None
