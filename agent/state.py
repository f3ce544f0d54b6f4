"""The conversation's state: every version of the tune so far, which one is current, and what each one is.

Like Loop Copilot's global attribute table, the state holds the current tune's key, mode, meter,
tempo, instrument, bars and form, but every value is measured from the version's own ABC
(`tools.abc.analyse_abc`, parts from `tools.edits.tune_parts`), never copied from a plan or a
reply. Each turn that makes a tune adds a version; undo sets the current one aside (redo brings it
back); words such as "the first tune" or "the version before the flute" pick an earlier version,
which the next edit starts from. The state is saved with the session (`StoredSession.state`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tunesmith.errors import NotFoundError
from tunesmith.tools.edits import VersionReference

FACT_FIELDS = ("key", "mode", "meter", "tempo_bpm", "instrument", "bars", "form", "tune_type")


#: Edit kinds that show as a fact of the tune (a transposition changes the key ...).
_KIND_FIELDS = {"tempo": "tempo_bpm", "transpose": "key", "section": "form"}
#: How the facts are named in sentences.
FACT_NAMES = {"key": "key", "mode": "mode", "meter": "meter", "tempo_bpm": "tempo", "instrument": "instrument",
              "bars": "length", "form": "form", "tune_type": "tune type", "density": "rhythm", "ending": "ending"}


class VersionNotFound(NotFoundError):
    """Words point at a version the conversation does not have; the message says which ones there are."""


class TuneFacts(BaseModel):
    """What one version of the tune is, measured from its ABC. Tempo in the Q: beat's units per minute."""

    title: str = ""
    key: str
    mode: str
    meter: str
    tempo_bpm: int | None
    instrument: str | None
    bars: int
    form: str
    tune_type: str | None = None

    @classmethod
    def from_abc(cls, abc: str, plan: dict[str, Any] | None = None) -> TuneFacts:
        """Facts read from the ABC; the instrument is the plan's name when the ABC's program is that instrument's."""
        from tunesmith.tools.abc import AbcError, analyse_abc
        from tunesmith.tools.edits import tune_parts
        from tunesmith.tools.theory import GM_PROGRAMS

        analysis = analyse_abc(abc)
        program = analysis.instrument_program
        named = (plan or {}).get("instrument")
        if named in GM_PROGRAMS and GM_PROGRAMS[named] == program:
            instrument = named
        else:
            instrument = next((name for name, number in GM_PROGRAMS.items() if number == program), None)
        try:
            form = "".join(letter for letter, _, _ in tune_parts(abc))
        except AbcError:
            form = ""
        return cls(title=analysis.title, key=analysis.key, mode=analysis.mode, meter=analysis.meter,
                   tempo_bpm=analysis.tempo_bpm, instrument=instrument, bars=analysis.bars, form=form,
                   tune_type=analysis.tune_type or (plan or {}).get("tune_type"))

    def line(self) -> str:
        """'G minor, 4/4, 176 BPM, fiddle, 32 bars, form AABB': the facts the replies and /session show."""
        parts = [f"{self.key} {self.mode}", self.meter, f"{self.tempo_bpm} BPM" if self.tempo_bpm else "no tempo mark",
                 self.instrument or "no instrument set", f"{self.bars} bars"]
        if self.form:
            parts.append(f"form {self.form}")
        return ", ".join(parts)

    def changes_from(self, before: TuneFacts) -> list[tuple[str, Any, Any]]:
        """(field, old, new) for each fact that differs from `before`, in FACT_FIELDS order."""
        return [(name, getattr(before, name), getattr(self, name)) for name in FACT_FIELDS
                if getattr(before, name) != getattr(self, name)]


class Version(BaseModel):
    """One tune the conversation made: where its files are, what it is, and what it was made from."""

    number: int = Field(description="1 = the first tune of the conversation.")
    turn: int = Field(description="The turn that made it (1-based).")
    folder: str
    request: str
    facts: TuneFacts
    based_on: int | None = Field(None, description="The version it was edited from; None for a newly composed tune.")
    changed: list[str] = Field(default_factory=list, description="Fact fields and edit kinds that changed from based_on.")
    undone: bool = False

    def label(self) -> str:
        return f"version {self.number} (“{self.request}”)"


class ConversationState(BaseModel):
    """All versions, the current one, the undo/redo trail, and for a turn in progress the version it starts from."""

    versions: list[Version] = Field(default_factory=list)
    current: int | None = None
    redo_stack: list[int] = Field(default_factory=list, description="Versions undone, the latest last.")
    base: int | None = Field(None, description="For the turn in progress: the version its edits start from.")
    reference: str | None = Field(None, description="For the turn in progress: the words that chose `base`, if any.")
    reference_problem: str | None = Field(None, description="For the turn in progress: why its words named no version.")

    def version(self, number: int) -> Version:
        for version in self.versions:
            if version.number == number:
                return version
        raise VersionNotFound(self._no_such(f"version {number}"))

    @property
    def current_version(self) -> Version | None:
        return self.version(self.current) if self.current is not None else None

    @property
    def base_version(self) -> Version | None:
        return self.version(self.base) if self.base is not None else None

    def _no_such(self, what: str) -> str:
        if not self.versions:
            return f"there is no {what}: no tune has been made yet"
        return f"there is no {what}; this conversation has versions 1-{self.versions[-1].number}"

    def resolve(self, reference: VersionReference) -> Version:
        """The version words point at; VersionNotFound with a sentence when there is none."""
        if not self.versions:
            raise VersionNotFound(self._no_such("earlier version"))
        current = self.current_version or self.versions[-1]
        if reference.kind in ("number", "first"):
            return self.version(reference.number or 1)
        if reference.kind in ("previous", "last"):
            if current.based_on is not None:
                return self.version(current.based_on)
            earlier = [v for v in self.versions if v.number < current.number and not v.undone]
            if not earlier:
                raise VersionNotFound(f"{current.label()} is the first tune; there is no version before it")
            return earlier[-1]
        return self._before(reference, current)

    def _before(self, reference: VersionReference, current: Version) -> Version:
        """The version just before the latest change the words name ("before the flute", "before the key change")."""
        change = reference.change
        kind = change.kind if change is not None else reference.change_kind
        if kind is None:
            raise VersionNotFound(f"I cannot tell which change {reference.evidence!r} means; name it, e.g. 'the version "
                                  f"before the flute' or 'version 2' (versions 1-{self.versions[-1].number})")
        field = {"transpose": "key", "tempo": "tempo_bpm", "bars": "bars", "section": "form"}.get(kind, kind)
        for version in reversed(self.versions[: self.versions.index(current) + 1]):
            if version.based_on is None:
                continue
            before = self.version(version.based_on)
            if change is not None and field in FACT_FIELDS and change.kind not in ("transpose", "tempo", "bars"):
                value = str(change.value)
                made = getattr(version.facts, field) == value and getattr(before.facts, field) != value
            else:
                made = field in version.changed or kind in version.changed
            if made:
                return before
        what = reference.evidence.removeprefix("the ").strip() or "that change"
        raise VersionNotFound(f"no version in this conversation came right before {what!r}; "
                              f"versions: {', '.join(v.label() for v in self.versions)}")

    def add(self, *, turn: int, folder: str, request: str, facts: TuneFacts, based_on: int | None,
            edit_kinds: list[str]) -> Version:
        """Record a new version and make it current (which ends any redo trail)."""
        changed = [_KIND_FIELDS.get(kind, kind) for kind in edit_kinds]
        if based_on is not None:
            changed = list(dict.fromkeys([*(name for name, _, _ in facts.changes_from(self.version(based_on).facts)),
                                          *changed]))
        version = Version(number=len(self.versions) + 1, turn=turn, folder=folder, request=request, facts=facts,
                          based_on=based_on, changed=changed)
        self.versions.append(version)
        self.current, self.redo_stack = version.number, []
        return version

    def undo(self) -> Version | None:
        """Set the current version aside; the one it came from (or the latest before it) becomes current."""
        version = self.current_version
        if version is None:
            return None
        version.undone = True
        self.redo_stack.append(version.number)
        live = [v for v in self.versions if not v.undone and v.number < version.number]
        preferred = version.based_on if version.based_on is not None and not self.version(version.based_on).undone else None
        self.current = preferred if preferred is not None else (live[-1].number if live else None)
        return version

    def redo(self) -> Version | None:
        """Bring back the version undone last (nothing after an edit that made a new version)."""
        if not self.redo_stack:
            return None
        version = self.version(self.redo_stack.pop())
        version.undone = False
        self.current = version.number
        return version

    def for_turn(self, base: Version | None, reference: str | None, problem: str | None = None) -> ConversationState:
        """A copy for a turn in progress that starts from `base` (chosen by the words `reference`, if any)."""
        return self.model_copy(deep=True, update={"base": base.number if base else None, "reference": reference,
                                                  "reference_problem": problem})

    def lines(self) -> list[str]:
        """The current tune's facts, then one line per version, for `/session` and `sessions show`."""
        current = self.current_version
        if current is None:
            return ["No tune yet."]
        lines = [f"Current tune: version {current.number} of {len(self.versions)}: {current.facts.line()}"]
        for version in self.versions:
            mark = "→" if version.number == current.number else ("×" if version.undone else " ")
            origin = f"from {version.based_on}" if version.based_on else "new"
            changed = f"; changed {', '.join(FACT_NAMES.get(c, c) for c in version.changed)}" if version.changed else ""
            lines.append(f"{mark} {version.number}. “{version.request}” ({origin}{changed}) — {version.facts.line()}")
        return lines
