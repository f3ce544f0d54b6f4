"""The structured music plan: what the bridge produces, `compose.py` realises and the critic checks.

A plan is the contract between the language side (user words, image features, the LLM) and the
deterministic music side. Every field the bridge or the agent sets can carry a reason in `reasons`,
which the explanation quotes.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from tunesmith.tools.theory import TONICS, gm_program
from tunesmith.tools.theory.keys import Mode
from tunesmith.tools.theory.meter import COMMON_METERS, is_compound, normalise_meter
from tunesmith.tools.theory.shape import Contour, Density

__all__ = ["MusicPlan"]
PLAN_METER_DENOMINATORS = (2, 4, 8, 16)

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
        tonic = value.strip().replace("♯", "#").replace("♭", "b")
        tonic = tonic[:1].upper() + tonic[1:]
        if tonic not in TONICS:
            raise ValueError(f"{value!r} is not a tonic; use one of {', '.join(TONICS)}")
        return tonic

    @field_validator("meter")
    @classmethod
    def _known_meter(cls, value: str) -> str:
        meter = normalise_meter(value)
        if int(meter.split("/")[1]) not in PLAN_METER_DENOMINATORS:
            raise ValueError(f"{value!r} is not a meter a tune here can have; use e.g. {', '.join(COMMON_METERS)}")
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
        return is_compound(self.meter)
