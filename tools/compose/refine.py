"""Self-refinement: critique a draft, revise it, re-check — for a bounded number of rounds, keeping the best.

Every round is kept as a `CriticRound` (the trace shows all of them); the loop stops early when the
critic's thresholds are met or a round does not improve on the best so far, so the kept tune never
scores below the first draft. `refine_plan` revises a plan and composes it again; other drafters (an
LLM writing ABC, see agent/revise.py) pass their own `revise` step to `refine_drafts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from tunesmith.tools.critic import Critique, critique_abc
from tunesmith.tools.plan import MusicPlan

__all__ = ["GOOD_ENOUGH", "CriticRound", "Draft", "RefineOutcome", "meets_thresholds", "refine_drafts", "refine_plan",
           "revise_plan"]

GOOD_ENOUGH = 0.85  # overall critic score at which a tune needs no more rounds


class CriticRound(BaseModel):
    """One round of the self-refine loop: the critic's scores and what this round changed."""

    round: int
    overall: float
    scores: dict[str, float]
    feedback: list[str]
    change: str = Field(description="What this round changed compared with the last ('first draft' for round 0).")
    kept: bool = False


class Draft(BaseModel):
    """A tune to critique: its ABC, the plan it answers (if any), what made it, and the composer's choices."""

    abc: str
    plan: MusicPlan | None = None
    change: str = "first draft"
    choices: list[str] = Field(default_factory=list)


class RefineOutcome(BaseModel):
    """The rounds of one refinement and the tune that was kept."""

    abc: str
    plan: MusicPlan | None = None
    rounds: list[CriticRound] = Field(default_factory=list)
    best_round: int = 0
    stop_reason: str = ""
    choices: list[str] = Field(default_factory=list)
    critique: Critique | None = None

    @property
    def first_score(self) -> float:
        return self.rounds[0].overall if self.rounds else 0.0

    @property
    def best_score(self) -> float:
        return self.rounds[self.best_round].overall if self.rounds else 0.0


def _round_record(index: int, critique: Critique, change: str) -> CriticRound:
    scores = {d.name: round(d.score, 3) for d in [*critique.adherence, *critique.quality]}
    return CriticRound(round=index, overall=round(critique.overall, 3), scores=scores, feedback=list(critique.feedback),
                       change=change)


def meets_thresholds(critique: Critique) -> bool:
    """True when the tune is valid, follows every target and scores at least GOOD_ENOUGH overall."""
    return critique.valid and critique.overall >= GOOD_ENOUGH and all(d.score >= 0.999 for d in critique.adherence)


def refine_drafts(first: Draft, revise: Callable[[Draft, Critique, int], Draft], *, rounds: int) -> RefineOutcome:
    """Critique `first`, then ask `revise(draft, critique, attempt)` for a better draft up to `rounds` times."""
    critique = critique_abc(first.abc, first.plan)
    outcome = RefineOutcome(abc=first.abc, plan=first.plan, choices=list(first.choices), critique=critique)
    outcome.rounds.append(_round_record(0, critique, first.change))
    current = first
    for attempt in range(rounds):
        if meets_thresholds(outcome.critique):
            outcome.stop_reason = "the critic's thresholds were met"
            break
        current = revise(current, outcome.critique, attempt)
        critique = critique_abc(current.abc, current.plan)
        outcome.rounds.append(_round_record(attempt + 1, critique, current.change))
        if critique.overall <= outcome.best_score:
            outcome.stop_reason = f"round {attempt + 1} did not improve on {outcome.best_score:.2f}"
            break
        outcome.abc, outcome.plan, outcome.critique = current.abc, current.plan, critique
        outcome.choices = list(current.choices)
        outcome.best_round = attempt + 1
    else:
        outcome.stop_reason = outcome.stop_reason or f"used all {rounds} rounds"
    outcome.rounds[outcome.best_round].kept = True
    return outcome


def revise_plan(plan: MusicPlan, critique: Critique, attempt: int) -> tuple[MusicPlan, str]:
    """A new plan that addresses the weakest quality dimension; returns it and a sentence saying what changed.

    The adjustments are musical rules of thumb: too many leaps → a narrower range and a wave contour;
    little rhythmic variety → one step denser; weak tonal focus → a new draft of the melody (new seed).
    A new seed is always part of a revision so the composer explores a different melody.
    """
    weakest = min(critique.quality, key=lambda d: d.score, default=None)
    update: dict[str, Any] = {"seed": plan.seed + 1000 * (attempt + 1)}
    name = (weakest.name if weakest else "").lower()
    if re.search(r"leap|step", name) and plan.high_pitch - plan.low_pitch > 12:
        update.update(high_pitch=plan.high_pitch - 3, contour="wave")
        change = (f"narrowed the range to MIDI {plan.low_pitch}-{plan.high_pitch - 3} and used a wave contour "
                  f"({weakest.name} was {weakest.score:.2f})")
    elif "rhythm" in name and plan.density != "dense":
        denser = {"sparse": "medium", "medium": "dense"}[plan.density]
        update["density"] = denser
        change = f"made the rhythm {denser} ({weakest.name} was {weakest.score:.2f})"
    elif weakest is not None:
        change = f"drafted a new melody (seed {update['seed']}) to improve {weakest.name} ({weakest.score:.2f})"
    else:
        change = f"drafted a new melody (seed {update['seed']})"
    return plan.model_copy(update=update), change


def refine_plan(plan: MusicPlan, exemplars: Sequence[str] = (), *, rounds: int = 3) -> RefineOutcome:
    """Realise `plan`, then revise the plan up to `rounds` times while the critic finds it improving."""
    from tunesmith.tools.compose.composer import compose_abc

    composed = compose_abc(plan, exemplars)

    def revise(draft: Draft, critique: Critique, attempt: int) -> Draft:
        revised, change = revise_plan(draft.plan, critique, attempt)
        again = compose_abc(revised, exemplars)
        return Draft(abc=again.abc, plan=revised, change=change, choices=list(again.choices))

    return refine_drafts(Draft(abc=composed.abc, plan=plan, choices=list(composed.choices)), revise, rounds=rounds)
