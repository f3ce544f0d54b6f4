"""Results and errors of the ABC tools; they serialise to JSON for the trace."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tunesmith.errors import InputError

MAX_ABC_CHARS = 100_000

ProblemKind = Literal["size", "prose", "header", "token", "bar_duration", "repeat", "pitch", "structure", "abc2midi"]


class AbcError(InputError):
    """Input refused: too large, not ABC at all, or an edit that cannot be done; the message says why."""


class Problem(BaseModel):
    """One thing wrong (error) or doubtful (warning) in a tune, with its position when known."""

    line: int | None = Field(None, description="1-based line in the tune text.")
    bar: int | None = Field(None, description="Bar number as written (0 = pickup, first full bar = 1).")
    severity: Literal["error", "warning"]
    message: str
    kind: ProblemKind = Field("token", description="Category, for statistics and for choosing a repair.")


class ValidationReport(BaseModel):
    """Whether a tune has no errors, what is wrong with it, its bar count and its header fields."""

    valid: bool
    problems: list[Problem]
    bars: int = Field(description="Bars as written (repeats not unfolded, pickup not counted).")
    headers: dict[str, str]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class RepairResult(BaseModel):
    """A repaired tune, what was changed (one line each), and the validation of the result."""

    abc: str
    changes: list[str]
    report: ValidationReport


class NoteEvent(BaseModel):
    """A note or rest as written: onset and duration in quarter-note beats from the tune start."""

    bar: int
    onset: float
    duration: float
    midi: int | None = Field(description="MIDI note number; None for a rest.")


class TuneAnalysis(BaseModel):
    """What a tune is: headers as read, an estimated key, range (MIDI numbers) and length."""

    title: str
    key: str
    mode: str
    key_confidence: float = Field(description="Krumhansl-Schmuckler correlation of the estimated key, -1..1.")
    estimated_key: str
    estimated_mode: str
    meter: str
    unit_length: str
    tempo_bpm: int | None = Field(description="Q: beats per minute of the beat Q: names.")
    tune_type: str | None
    bars: int
    lowest: int | None
    highest: int | None
    duration_seconds: float = Field(description="Playing time as written (no repeats) at the Q: tempo, 120 quarters/min if none.")
    notes: int
    instrument_program: int | None = Field(None, description="General MIDI program from %%MIDI program, if any.")
