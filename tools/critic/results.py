"""Results of the critic; they serialise to JSON for the trace."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Dimension(BaseModel):
    """One measured aspect of a tune: score 0..1, what was measured, the target, and what to do."""

    name: str
    score: float = Field(ge=0.0, le=1.0)
    measured: str
    target: str | None
    note: str


class Critique(BaseModel):
    """The critic's verdict on one tune."""

    valid: bool
    adherence: list[Dimension]
    quality: list[Dimension]
    overall: float = Field(ge=0.0, le=1.0)
    feedback: list[str]
