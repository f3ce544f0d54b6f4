"""A user's own tune, checked: what is wrong with it (line and bar), and a version abc2midi can play,
changed only where abc2midi cannot play it as written.

People's tunes break rules a player shrugs at (a bar a beat long, an unknown decoration): those are
findings to report, not reasons to rewrite the tune. Only what stops abc2midi (no K: line, characters
it cannot read, no notes) is repaired before playing, and every repair is named with its bar.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tunesmith.errors import InputError
from tunesmith.tools.abc import Problem, ValidationReport, repair_abc, repair_judged, validate_abc


class UnplayableTune(InputError):
    """Even repaired, abc2midi cannot play the tune; the message says what stops it."""


class CheckedTune(BaseModel):
    """The tune to play (as given when abc2midi plays it), what was repaired, and what the check found."""

    abc: str = Field(description="The tune as given, or repaired where abc2midi could not play it.")
    as_given: bool = Field(description="True when the tune is played exactly as written.")
    repairs: list[str] = Field(default_factory=list, description="What was changed to make it playable, with bars.")
    report: ValidationReport = Field(description="The check of the tune as given.")
    repaired: str | None = Field(None, description="A repaired version of the whole tune, offered when it has errors.")
    repaired_changes: list[str] = Field(default_factory=list, description="What that repaired version changes.")

    @property
    def problems(self) -> list[Problem]:
        return self.report.problems


def stops_abc2midi(report: ValidationReport) -> list[Problem]:
    """The errors that keep abc2midi from playing a tune as written (its own errors, or no notes at all)."""
    return [p for p in report.errors if p.kind == "abc2midi" or (p.kind == "structure" and "no notes" in p.message)]


def playability(text: str) -> ValidationReport:
    """The check that counts only what stops abc2midi: valid when abc2midi can play the tune."""
    report = validate_abc(text, check_abc2midi=True)
    stopping = stops_abc2midi(report)
    return report.model_copy(update={"valid": not stopping,
                                     "problems": stopping + [p for p in report.problems if p not in report.errors]})


def check_own_tune(abc: str) -> CheckedTune:
    """Check a user's tune and make it playable, changing it only where abc2midi cannot play it.

    A fully repaired version (every error fixed) is offered alongside when the tune has errors.
    Raises AbcError (an InputError) for text that is not ABC at all, and UnplayableTune when even the
    repaired tune is one abc2midi cannot play.
    """
    report = validate_abc(abc, check_abc2midi=True)
    offered = repair_abc(abc, check_abc2midi=True) if not report.valid else None
    offer = {"repaired": offered.abc if offered and offered.changes else None,
             "repaired_changes": offered.changes if offered else []}
    if not stops_abc2midi(report):
        return CheckedTune(abc=abc, as_given=True, report=report, **offer)
    playable = repair_judged(abc, playability)
    if not playable.report.valid:
        raise UnplayableTune(f"abc2midi cannot play this tune even after repair: {playable.report.errors[0].message}")
    return CheckedTune(abc=playable.abc, as_given=False, repairs=playable.changes, report=report, **offer)


def findings(report: ValidationReport, bar: int | None = None) -> list[str]:
    """The check's problems as sentences ('error: line 7, bar 5: 3.5 beats in 3/4 (expected 3)'), errors
    first; with `bar`, only that bar's problems (and the tune-wide ones, which have no bar)."""
    chosen = [p for p in report.problems if bar is None or p.bar == bar or p.bar is None and p.kind == "header"]
    ordered = sorted(chosen, key=lambda p: (p.severity != "error", p.line or 0))
    return [f"{p.severity}: {p.message}" for p in ordered]
