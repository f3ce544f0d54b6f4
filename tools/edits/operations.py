"""Edit operations: one change to a tune each (`EditOp`), and what applying them did (`EditResult`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["EditKind", "EditOp", "EditResult"]

EditKind = Literal["tempo", "mode", "key", "transpose", "meter", "instrument", "bars", "section", "tune_type"]


class EditOp(BaseModel):
    """One change to a tune. Values by kind:

    tempo: int = new BPM; float = factor on the tune's current tempo (when no current plan was given).
    mode: a plan mode ("minor"). key: a tonic ("G"), reached by the nearest transposition.
    tune_type: the kind of tune it now is ("waltz"), recorded in the plan; its meter is a separate op.
    transpose: int semitones (+ up). meter: "3/4". instrument: a General MIDI name.
    bars: int = new bar count; float = factor on the current bars.
    section: "drop B" or "keep A" (remove a part / keep one part only).
    `section` on any other op limits it to that part of the tune (e.g. transpose the B part).
    """

    kind: EditKind
    value: str | int | float
    evidence: str = Field(description="The user's words that asked for this change.")
    section: str | None = Field(None, description="Part letter the op is limited to (A, B...); None: the whole tune.")


class EditResult(BaseModel):
    """The edited tune, sentences for what was done and not done, and the plan fields that changed."""

    abc: str
    applied: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
    plan_changes: dict[str, str | int] = Field(default_factory=dict)
