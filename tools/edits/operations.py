"""Edit operations: one change to a tune each (`EditOp`), what the words asked for (`EditReading`),
and what applying the operations did (`EditResult`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tunesmith.errors import InputError

__all__ = ["EditError", "EditKind", "EditOp", "EditReading", "EditResult", "VersionReference"]

EditKind = Literal["tempo", "mode", "key", "transpose", "meter", "tune_type", "instrument", "bars", "section",
                   "density", "ending"]


class EditError(InputError):
    """An edit asks for a value no tune can have ("in 0/4", "up to H"); the message says what is valid."""


class EditOp(BaseModel):
    """One change to a tune. Values by kind:

    tempo: int = new BPM; float = factor on the tune's current tempo (when no current plan was given).
    mode: a plan mode ("minor"). key: a tonic ("G"), reached by the nearest transposition unless
    `direction` says up or down. transpose: int semitones (+ up). meter: "3/4". tune_type: "waltz"
    (its meter, R: field and usual tempo). instrument: a General MIDI name.
    bars: int = new bar count; float = factor on the current bars; "+8"/"-4" = bars to add or remove;
    "+part" = one more part's worth of bars. section: "drop B", "keep A", "add B" or "add" (the next letter).
    density: "more" | "less" (notes per beat). ending: "high" | "low" (the final note).
    `section` on a transpose or mode op limits it to that part of the tune (e.g. transpose the B part).
    """

    kind: EditKind
    value: str | int | float
    evidence: str = Field(description="The user's words that asked for this change.")
    section: str | None = Field(None, description="Part letter the op is limited to (A, B...); None: the whole tune.")
    direction: Literal["up", "down"] | None = Field(None, description="For a key change: the way the user said to move.")


class VersionReference(BaseModel):
    """Words pointing at an earlier version of the tune: "the first tune", "the version before the flute"."""

    kind: Literal["number", "first", "previous", "before", "last"]
    number: int | None = Field(None, description="For kind 'number': the version number (1 = the first tune).")
    change: EditOp | None = Field(None, description="For kind 'before': the change the version came before.")
    change_kind: EditKind | None = Field(None, description="For kind 'before' with a kind only ('the key change').")
    evidence: str


class EditReading(BaseModel):
    """Everything an edit request's words say: the changes, the refusals, the open asks, a reference back."""

    ops: list[EditOp] = Field(default_factory=list)
    refused: list[str] = Field(default_factory=list, description="One sentence per asked value no tune can have.")
    open_kinds: list[EditKind] = Field(default_factory=list,
                                       description="Kinds asked for with no value ('change the key'): the model may fill them.")
    reference: VersionReference | None = None
    new_tune: bool = Field(False, description="The words ask for a new tune rather than a change of this one.")

    @property
    def empty(self) -> bool:
        """Nothing to do: no change, no refusal, no open ask and no reference."""
        return not (self.ops or self.refused or self.open_kinds or self.reference or self.new_tune)


class EditResult(BaseModel):
    """The edited tune, sentences for what was done and not done, and the plan fields that changed."""

    abc: str
    applied: list[str] = Field(default_factory=list)
    applied_kinds: list[EditKind] = Field(default_factory=list, description="The kind of op behind each applied sentence.")
    skipped: list[str] = Field(default_factory=list)
    already: list[str] = Field(default_factory=list, description="Asked-for values the tune already had: nothing to do.")
    outcomes: list[Literal["applied", "skipped", "already"]] = Field(default_factory=list, description="One per op, in order.")
    plan_changes: dict[str, str | int] = Field(default_factory=dict)
