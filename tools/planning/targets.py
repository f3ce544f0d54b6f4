"""What the user's words ask for (`RequestTargets`), and the error for words no tune can follow."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tunesmith.errors import InputError

__all__ = ["BARS_RANGE", "RequestError", "RequestTargets"]

#: Bars a tune here may have (as written, repeats not unfolded).
BARS_RANGE = (2, 128)


class RequestError(InputError):
    """The request states a value no tune can have (e.g. 500 BPM); the message names it and the valid range."""


class RequestTargets(BaseModel):
    """What the user's words ask for; None/empty where they say nothing. Tempo in the plan's beat unit."""

    key: str | None = None
    mode: str | None = None
    meter: str | None = None
    tempo_bpm: int | None = None
    tempo_factor: float | None = Field(
        None, description="'slower', 'much faster': a factor on the base tempo (clip, picture, tune type)")
    bars: int | None = None
    bars_per_part: int | None = Field(None, description="'8 bars per part': bars of each form letter")
    instrument: str | None = None
    tune_type: str | None = None
    form: str | None = None
    mood_words: list[str] = Field(default_factory=list)
    length_seconds: float | None = None
    evidence: dict[str, str] = Field(default_factory=dict, description="field -> the user's words that set it")
