"""The evaluation suites' schema and loader: requests (text, image, audio, edits) with what they must yield.

A suite is a YAML file under `eval/`:

    name: text_requests
    description: ...
    cases:
      - id: jig-d-major
        request: "a jig in D major for fiddle"
        expect: {key: D, mode: major, meter: 6/8, tune_type: jig, instrument: fiddle}
      - id: jig-d-slower
        edit_of: jig-d-major           # a later turn of the same conversation
        request: "now make it slower"
        expect: {tempo_max: 100}
      - id: astronaut
        image: astronaut               # a scikit-image photo that ships offline, or a path
        request: "music for this picture"
        expect: {tempo_min: 90}
      - id: clip-but-slower
        audio: {plan: {key: A, mode: minor, meter: 6/8, tempo_bpm: 116}}   # rendered by the product
        request: "like this clip, but slower"
        expect: {tempo_max: 105}

Expectations describe the finished tune after this turn; fields left out are not checked. Tempos
are in the plan's beat unit (quarter notes; dotted quarters in 6/8, 9/8, 12/8).

A multi-turn chat suite lists whole conversations instead of cases; each turn becomes a case that
continues the conversation's session (ids `<conversation>-<turn>`), and may also expect, against
the tune before the turn: `unchanged` (no new version), `same_as: N` (the tune of turn N again),
and `relative` directions (`tempo`, `bars`, `pitch`: higher | lower | same; `notes`: more |
fewer | same; `final_note`: higher | lower):

    name: chat_sessions
    conversations:
      - id: reel
        turns:
          - request: "a cheerful reel in G major for fiddle"
            expect: {key: G, mode: major, meter: 4/4}
          - request: "make it slower and put it in minor"
            expect: {key: G, mode: minor, relative: {tempo: lower}}
          - request: "thanks!"
            expect: {unchanged: true}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tunesmith.errors import InputError
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory import GM_PROGRAMS, TONICS
from tunesmith.tools.theory.keys import Mode
from tunesmith.tools.theory.tune_types import TUNE_TYPES

#: scikit-image sample photos whose files ship inside the wheel (no download needed).
OFFLINE_SKIMAGE_IMAGES = (
    "astronaut", "brick", "camera", "cat", "cell", "chelsea", "checkerboard", "clock", "coffee", "coins",
    "colorwheel", "grass", "gravel", "horse", "hubble_deep_field", "immunohistochemistry", "logo",
    "microaneurysms", "moon", "page", "retina", "rocket", "text",
)
MAX_SUITE_BYTES = 2_000_000


class SuiteError(InputError):
    """A suite file that cannot be used; the message names the file, the entry (index and id) and the field."""


RelativeMeasure = Literal["tempo", "bars", "pitch", "notes", "final_note"]
Direction = Literal["higher", "lower", "same", "more", "fewer"]


class Expectation(BaseModel):
    """What the finished tune must have; None = not checked."""

    model_config = ConfigDict(extra="forbid")

    key: str | None = None
    mode: Mode | None = None
    meter: str | None = None
    tempo_min: int | None = Field(None, ge=30, le=260)
    tempo_max: int | None = Field(None, ge=30, le=260)
    bars: int | None = Field(None, ge=2, le=128)
    instrument: str | None = None
    tune_type: str | None = None
    unchanged: bool | None = Field(None, description="Chat turns: the turn makes no new version of the tune.")
    same_as: int | None = Field(None, ge=1, description="Chat turns: the tune equals the one turn N of the conversation made.")
    relative: dict[RelativeMeasure, Direction] = Field(
        default_factory=dict, description="Chat turns: how a measure moved from the tune before the turn.")

    @field_validator("key")
    @classmethod
    def _tonic(cls, value: str | None) -> str | None:
        if value is not None and value not in TONICS:
            raise ValueError(f"{value!r} is not a tonic; use one of {', '.join(TONICS)}")
        return value

    @field_validator("meter")
    @classmethod
    def _meter(cls, value: str | None) -> str | None:
        try:
            return None if value is None else MusicPlan(meter=value).meter  # the plan's own meter rule
        except ValidationError as error:
            raise ValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None

    @field_validator("instrument")
    @classmethod
    def _instrument(cls, value: str | None) -> str | None:
        if value is not None and value not in GM_PROGRAMS:
            raise ValueError(f"{value!r} is not a General MIDI name in tools.plan.GM_PROGRAMS")
        return value

    @field_validator("tune_type")
    @classmethod
    def _tune_type(cls, value: str | None) -> str | None:
        if value is not None and value not in TUNE_TYPES:
            raise ValueError(f"{value!r} is not a tune type; use one of {', '.join(TUNE_TYPES)}")
        return value

    @model_validator(mode="after")
    def _tempo_range(self) -> Expectation:
        if self.tempo_min is not None and self.tempo_max is not None and self.tempo_min > self.tempo_max:
            raise ValueError(f"tempo_min {self.tempo_min} is above tempo_max {self.tempo_max}")
        return self

    def stated(self) -> dict[str, Any]:
        """The fields this expectation checks."""
        return {name: value for name, value in self.model_dump(exclude_none=True).items() if value != {}}

    def unmet(self, tune: Mapping[str, Any]) -> list[str]:
        """Sentences for each expectation `tune` misses; `tune` has key, mode, meter, tempo_bpm, bars,
        instrument, tune_type (e.g. `MusicPlan.model_dump()`, or values measured from the ABC)."""
        misses = []
        for field in ("key", "mode", "meter", "bars", "instrument", "tune_type"):
            wanted = getattr(self, field)
            if wanted is not None and tune.get(field) != wanted:
                misses.append(f"{field}: expected {wanted!r}, got {tune.get(field)!r}")
        tempo = tune.get("tempo_bpm")
        low, high = self.tempo_min, self.tempo_max
        if (low is not None or high is not None) and (
            tempo is None or (low is not None and tempo < low) or (high is not None and tempo > high)
        ):
            misses.append(f"tempo: expected {low or '...'}-{high or '...'} BPM, got {tempo!r}")
        return misses


class AudioSource(BaseModel):
    """A clip the product renders itself before the case runs: from ABC, or from a plan."""

    model_config = ConfigDict(extra="forbid")

    abc: str | None = None
    plan: MusicPlan | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AudioSource:
        if (self.abc is None) == (self.plan is None):
            raise ValueError("give exactly one of 'abc' (a tune to render) or 'plan' (a plan to compose and render)")
        return self


class EvalCase(BaseModel):
    """One request and its expectations."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    request: str = Field(min_length=1, max_length=2000)
    image: str | None = Field(None, description="A name in OFFLINE_SKIMAGE_IMAGES or a path relative to the suite file.")
    audio: AudioSource | None = None
    edit_of: str | None = Field(None, description="Id of the earlier case whose tune this request edits.")
    expect: Expectation = Field(default_factory=Expectation)
    note: str | None = None
    conversation: str | None = Field(None, description="Chat suites: the conversation this turn belongs to.")
    turn: int | None = Field(None, ge=1, description="Chat suites: the turn's number in its conversation.")


class Suite(BaseModel):
    """A named list of cases; `folder` is where relative image paths are looked up."""

    name: str
    description: str = ""
    cases: list[EvalCase]
    folder: Path = Path(".")

    def case(self, case_id: str) -> EvalCase:
        """The case with this id (KeyError naming the known ids otherwise)."""
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(f"no case {case_id!r} in suite {self.name!r}; ids: {', '.join(c.id for c in self.cases)}")

    def conversation(self, case_id: str) -> list[EvalCase]:
        """The turns that lead to a case: the first request, then each edit, ending with the case."""
        chain = [self.case(case_id)]
        while chain[0].edit_of:
            chain.insert(0, self.case(chain[0].edit_of))
        return chain

    def image_source(self, case: EvalCase) -> str | Path | None:
        """The skimage name, or the absolute path, of the case's image."""
        if case.image is None or case.image in OFFLINE_SKIMAGE_IMAGES:
            return case.image
        return (self.folder / case.image).resolve()


def load_suite(path: str | Path) -> Suite:
    """Read and check a suite file; raises SuiteError naming the entry (index and id) and field at fault."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise SuiteError(f"{path}: no such suite file")
    if path.stat().st_size > MAX_SUITE_BYTES:
        raise SuiteError(f"{path}: {path.stat().st_size} bytes; a suite file may have at most {MAX_SUITE_BYTES}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SuiteError(f"{path}: not readable YAML: {error}") from None
    if isinstance(data, dict) and isinstance(data.get("conversations"), list):
        data = {**data, "cases": _conversation_cases(path, data["conversations"])}
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise SuiteError(f"{path}: expected a mapping with 'name' and a list 'cases' (or 'conversations')")
    cases, seen = [], set()
    for index, entry in enumerate(data["cases"]):
        label = f"{path}: case {index}" + (f" (id {entry.get('id')!r})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict):
            raise SuiteError(f"{label}: expected a mapping with id, request and expect, got {type(entry).__name__}")
        try:
            case = EvalCase.model_validate(entry)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "(case)"
            raise SuiteError(f"{label}: field {field!r}: {first['msg']}") from None
        _check_references(label, case, seen, path.parent)
        seen.add(case.id)
        cases.append(case)
    return Suite(name=str(data.get("name") or path.stem), description=str(data.get("description") or ""),
                 cases=cases, folder=path.parent)


def _conversation_cases(path: Path, conversations: list[Any]) -> list[dict[str, Any]]:
    """Each turn of each conversation as a case continuing the one before it."""
    cases: list[dict[str, Any]] = []
    for index, conversation in enumerate(conversations):
        label = f"{path}: conversation {index}"
        if not isinstance(conversation, dict) or not isinstance(conversation.get("turns"), list) or not conversation["turns"]:
            raise SuiteError(f"{label}: expected a mapping with 'id' and a non-empty list 'turns'")
        name = str(conversation.get("id", ""))
        for number, turn in enumerate(conversation["turns"], start=1):
            if not isinstance(turn, dict):
                raise SuiteError(f"{label} (id {name!r}), turn {number}: expected a mapping with request and expect")
            same_as = (turn.get("expect") or {}).get("same_as") if isinstance(turn.get("expect"), dict) else None
            if isinstance(same_as, int) and not 1 <= same_as < number:
                raise SuiteError(f"{label} (id {name!r}), turn {number}: field 'same_as': {same_as} is not an earlier turn")
            cases.append({**turn, "id": f"{name}-{number}", "conversation": name, "turn": number,
                          "edit_of": f"{name}-{number - 1}" if number > 1 else None})
    return cases


def _check_references(label: str, case: EvalCase, seen: set[str], folder: Path) -> None:
    if case.id in seen:
        raise SuiteError(f"{label}: field 'id': {case.id!r} is used twice")
    if case.edit_of is not None and case.edit_of not in seen:
        raise SuiteError(f"{label}: field 'edit_of': {case.edit_of!r} is not an earlier case's id")
    if case.image is not None and case.image not in OFFLINE_SKIMAGE_IMAGES:
        looks_like_path = bool(re.search(r"[./\\]", case.image))
        if not looks_like_path or not (folder / case.image).is_file():
            raise SuiteError(f"{label}: field 'image': {case.image!r} is neither a file nor one of the offline "
                             f"scikit-image photos ({', '.join(OFFLINE_SKIMAGE_IMAGES)})")

