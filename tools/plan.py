"""The structured music plan: what the bridge produces, `compose.py` realises and the critic checks.

A plan is the contract between the language side (user words, image features, the LLM) and the
deterministic music side. Every field the bridge or the agent sets can carry a reason in `reasons`,
which the explanation quotes.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

Mode = Literal["major", "minor", "dorian", "mixolydian", "lydian", "phrygian", "locrian"]
Contour = Literal["arch", "ascending", "descending", "wave", "flat"]
Density = Literal["sparse", "medium", "dense"]

TONICS = ("C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B", "Cb")
METERS = ("2/4", "3/4", "4/4", "6/8", "9/8", "12/8", "2/2", "3/8", "5/4", "7/8")

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
    raise ValueError(f"{instrument!r} is not a known instrument; known: {', '.join(sorted(GM_PROGRAMS))}")


class MusicPlan(BaseModel):
    """A tune described by its musical parameters; `compose.py` turns it into valid ABC."""

    title: str = Field("Untitled", description="Tune title (T: header).")
    key: str = Field("D", description="Tonic note name, e.g. D, F#, Bb.")
    mode: Mode = Field("major", description="Scale mode.")
    meter: str = Field("4/4", description="Time signature, e.g. 6/8, 3/4, 4/4.")
    tempo_bpm: int = Field(110, ge=30, le=260, description="Beats per minute; the beat is a quarter note, or a dotted quarter in 6/8, 9/8, 12/8.")
    bars: int = Field(16, ge=2, le=128, description="Number of bars, repeats not unfolded.")
    form: str = Field("AABB", description="Section letters, e.g. AABB, AABA, ABAC; each letter is an equal share of the bars.")
    tune_type: str | None = Field(None, description="Dance or piece type: jig, reel, waltz, hornpipe, polka, march, air, lullaby...")
    chords: list[str] = Field(default_factory=list, description="Chord per bar of one section, as roman numerals (I, IV, V, vi...); empty: chosen by the composer.")
    contour: Contour = Field("arch", description="Overall melodic shape of each phrase.")
    density: Density = Field("medium", description="Notes per beat: sparse ~1, medium ~2, dense ~3-4.")
    low_pitch: int = Field(62, ge=21, le=108, description="Lowest MIDI note number the melody may use.")
    high_pitch: int = Field(81, ge=21, le=108, description="Highest MIDI note number the melody may use.")
    instrument: str = Field("piano", description="General MIDI instrument name.")
    mood: str | None = Field(None, description="Words for the character, e.g. 'melancholic, intimate'.")
    exemplar_ids: list[str] = Field(default_factory=list, description="Ids of retrieved tunes whose rhythms and intervals inform the melody.")
    seed: int = Field(0, description="Seed: the same plan and seed give the same tune.")
    reasons: dict[str, str] = Field(default_factory=dict, description="Field name -> why it has its value (for the explanation).")

    @field_validator("key")
    @classmethod
    def _known_tonic(cls, value: str) -> str:
        tonic = value.strip()
        tonic = tonic[:1].upper() + tonic[1:].replace("♯", "#").replace("♭", "b")
        if tonic not in TONICS:
            raise ValueError(f"{value!r} is not a tonic; use one of {', '.join(TONICS)}")
        return tonic

    @field_validator("meter")
    @classmethod
    def _known_meter(cls, value: str) -> str:
        meter = value.strip().replace(" ", "")
        if meter in ("C", "c"):
            meter = "4/4"
        if meter in ("C|", "c|"):
            meter = "2/2"
        if not re.fullmatch(r"\d{1,2}/(2|4|8|16)", meter):
            raise ValueError(f"{value!r} is not a meter; use e.g. {', '.join(METERS)}")
        return meter

    @field_validator("instrument")
    @classmethod
    def _known_instrument(cls, value: str) -> str:
        gm_program(value)
        return value.strip().lower()

    @field_validator("form")
    @classmethod
    def _letters_only(cls, value: str) -> str:
        form = value.strip().upper()
        if not re.fullmatch(r"[A-H]{1,8}", form):
            raise ValueError(f"{value!r} is not a form; use section letters such as AABB or AABA")
        return form

    @property
    def program(self) -> int:
        """General MIDI program number of the instrument."""
        return gm_program(self.instrument)

    @property
    def compound(self) -> bool:
        """True for compound meters (6/8, 9/8, 12/8) whose beat is a dotted quarter."""
        top, bottom = (int(part) for part in self.meter.split("/"))
        return bottom == 8 and top % 3 == 0 and top > 3
