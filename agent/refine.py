"""Self-refinement: compose → critique → revise, for a bounded number of rounds, keeping the best tune.

Two paths meet the same critic:
- a plan realised by `tools.compose` is revised by adjusting the plan where the critic found it weak;
- ABC written by the LLM is revised by the LLM from the critic's feedback, then validated and repaired.
Every round's scores are kept. The loop stops early when the critic's thresholds are met or a round
does not improve on the best so far.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from tunesmith.agent.trace import CriticRound
from tunesmith.prompts import load_prompt
from tunesmith.tools.plan import MusicPlan

GOOD_ENOUGH = 0.85  # overall critic score at which a tune needs no more rounds


class RefineOutcome(BaseModel):
    """The rounds of one refinement and the tune that was kept."""

    abc: str
    plan: MusicPlan | None = None
    rounds: list[CriticRound] = Field(default_factory=list)
    best_round: int = 0
    stop_reason: str = ""
    choices: list[str] = Field(default_factory=list)
    critique: Any = None

    @property
    def first_score(self) -> float:
        return self.rounds[0].overall if self.rounds else 0.0

    @property
    def best_score(self) -> float:
        return self.rounds[self.best_round].overall if self.rounds else 0.0


def _round_record(index: int, critique: Any, change: str) -> CriticRound:
    scores = {d.name: round(d.score, 3) for d in [*critique.adherence, *critique.quality]}
    return CriticRound(round=index, overall=round(critique.overall, 3), scores=scores, feedback=list(critique.feedback), change=change)


def meets_thresholds(critique: Any) -> bool:
    """True when the tune is valid, follows every target and scores at least GOOD_ENOUGH overall."""
    return critique.valid and critique.overall >= GOOD_ENOUGH and all(d.score >= 0.999 for d in critique.adherence)


def revise_plan(plan: MusicPlan, critique: Any, attempt: int) -> tuple[MusicPlan, str]:
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
        change = f"narrowed the range to MIDI {plan.low_pitch}-{plan.high_pitch - 3} and used a wave contour ({weakest.name} was {weakest.score:.2f})"
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
    """Realise `plan`, then revise it up to `rounds` times while the critic finds it improving.

    With the melody model (the `composer` setting) the model's own loop runs (best-of-N drafts, then
    infilling the least likely bars); when it cannot write the plan, the rule-based loop below runs
    and the first choice says why.
    """
    from tunesmith.settings import get_settings
    from tunesmith.tools.compose.composer import compose_abc
    from tunesmith.tools.critic.critique import critique_abc

    fallback = []
    if get_settings().composer == "melody_model":
        from tunesmith.tools.melody_model.refine import ModelCannotCompose, refine_with_model

        try:
            refined = refine_with_model(plan, exemplars, rounds=rounds)
        except ModelCannotCompose as reason:
            fallback.append(f"{reason}; the rule-based composer wrote it instead")
        else:
            return RefineOutcome(
                abc=refined.abc, plan=plan, rounds=[CriticRound(**r.model_dump()) for r in refined.rounds],
                best_round=refined.best_round, stop_reason=refined.stop_reason, choices=refined.choices,
                critique=refined.critique)
    composed = compose_abc(plan, exemplars, composer="rule_based")
    critique = critique_abc(composed.abc, plan)
    outcome = RefineOutcome(abc=composed.abc, plan=plan, choices=fallback + list(composed.choices), critique=critique)
    outcome.rounds.append(_round_record(0, critique, "first draft"))
    current = plan
    for attempt in range(rounds):
        if meets_thresholds(outcome.critique):
            outcome.stop_reason = "the critic's thresholds were met"
            break
        current, change = revise_plan(current, outcome.critique, attempt)
        composed = compose_abc(current, exemplars, composer="rule_based")
        critique = critique_abc(composed.abc, current)
        outcome.rounds.append(_round_record(attempt + 1, critique, change))
        if critique.overall <= outcome.best_score:
            outcome.stop_reason = f"round {attempt + 1} did not improve on {outcome.best_score:.2f}"
            break
        outcome.abc, outcome.plan, outcome.critique = composed.abc, current, critique
        outcome.choices = fallback + list(composed.choices)
        outcome.best_round = attempt + 1
    else:
        outcome.stop_reason = outcome.stop_reason or f"used all {rounds} rounds"
    outcome.rounds[outcome.best_round].kept = True
    return outcome


def extract_abc(text: str) -> str:
    """The ABC inside an LLM answer: the fenced block if there is one, else from the first X: or header line."""
    fenced = re.search(r"```(?:abc)?\s*\n(.*?)```", text, flags=re.DOTALL)
    if fenced:
        return fenced.group(1).strip()
    start = re.search(r"^(X:|T:|M:|K:)", text, flags=re.MULTILINE)
    return text[start.start():].strip() if start else text.strip()


def refine_written_abc(abc: str, chat_model: Any, plan: MusicPlan | None, *, rounds: int = 3) -> RefineOutcome:
    """Repair the LLM's ABC, then let the LLM revise it from the critic's feedback for up to `rounds` rounds."""
    from tunesmith.tools.abc import repair_abc
    from tunesmith.tools.critic.critique import critique_abc

    repaired = repair_abc(abc)
    critique = critique_abc(repaired.abc, plan)
    change = "first draft" + (f" (repaired: {'; '.join(repaired.changes)})" if repaired.changes else "")
    outcome = RefineOutcome(abc=repaired.abc, plan=plan, critique=critique)
    outcome.rounds.append(_round_record(0, critique, change))
    template = load_prompt("revise_abc")
    for attempt in range(rounds):
        if meets_thresholds(outcome.critique):
            outcome.stop_reason = "the critic's thresholds were met"
            break
        prompt = template.format(abc=outcome.abc, feedback="\n".join(f"- {f}" for f in outcome.critique.feedback))
        answer = chat_model.invoke(prompt)
        revised = repair_abc(extract_abc(str(answer.content)))
        critique = critique_abc(revised.abc, plan)
        outcome.rounds.append(_round_record(attempt + 1, critique, "the LLM revised the tune from the critic's feedback"))
        if critique.overall <= outcome.best_score:
            outcome.stop_reason = f"round {attempt + 1} did not improve on {outcome.best_score:.2f}"
            break
        outcome.abc, outcome.critique, outcome.best_round = revised.abc, critique, attempt + 1
    else:
        outcome.stop_reason = outcome.stop_reason or f"used all {rounds} rounds"
    outcome.rounds[outcome.best_round].kept = True
    return outcome
