"""Self-refinement with the melody model: best-of-N drafts, then rewriting the least likely bars by
infilling, for a bounded number of rounds; every round is kept with what it changed and why.

Round 0 is the first draft. Round 1 samples more drafts in one batch and takes the one the critic
scores highest. Later rounds each rewrite the two least likely bars (per-bar log-likelihood under
the model; written-out repeats change with their source) with several infilled candidates. A
round's tune replaces the kept one only when the critic scores it higher, so the kept tune never
scores below the first draft.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from tunesmith.tools.melody_model.model_composer import (
    TEMPERATURE, TOP_P, Draft, Frame, ModelCannotCompose, ModelTune, closing_line, ends_tune, model_or_refusal, plan_frame,
    render, sample_plan,
)
from tunesmith.tools.melody_model.sampling import FreeBar, cadence_classes
from tunesmith.tools.plan import MusicPlan

CANDIDATES = 4  # drafts per best-of-N round, fills per infilling round
WINDOW_BARS = 2


class RefinementRound(BaseModel):
    """One round: the critic's overall and per-dimension scores, its feedback, and what changed."""

    round: int
    overall: float
    scores: dict[str, float]
    feedback: list[str]
    change: str
    kept: bool = False


@dataclass
class Refinement:
    """The kept tune, its critique, every round, and sentences for the explanation."""

    abc: str
    critique: Any
    rounds: list[RefinementRound]
    best_round: int
    stop_reason: str
    choices: list[str] = field(default_factory=list)
    exemplar_titles: list[str] = field(default_factory=list)


def _record(index: int, critique, change: str) -> RefinementRound:
    scores = {d.name: round(d.score, 3) for d in [*critique.adherence, *critique.quality]}
    return RefinementRound(round=index, overall=round(critique.overall, 3), scores=scores,
                           feedback=list(critique.feedback), change=change)


def bar_windows(frame: Frame, draft: Draft, network) -> list[tuple[float, int, int]]:
    """(mean log-likelihood, section, first bar) of every two-bar window of a written section, least likely first."""
    from tunesmith.tools.melody_model.likelihood import token_log_probs

    log_probs, owner = token_log_probs(network, frame.controls, draft.native())
    sums: dict[int, list[float]] = {}
    for value, unit in zip(log_probs, owner):
        sums.setdefault(unit, []).append(value)
    means = [sum(v) / len(v) if v else math.nan for _, v in sorted(sums.items())]
    windows = []
    unit = 0
    for index, section in enumerate(draft.sections):
        count = len(draft.section_bars(index))
        if section.copy_of is None:
            for first in range(0, max(count - WINDOW_BARS + 1, 1)):
                values = [m for m in means[unit + first:unit + first + WINDOW_BARS] if not math.isnan(m)]
                if values:
                    windows.append((sum(values) / len(values), index, first))
        unit += count
    return sorted(windows)


def infill_window(frame: Frame, draft: Draft, section: int, first: int, *, network, count: int, seed: int,
                  temperature: float = TEMPERATURE, top_p: float = TOP_P) -> list[Draft]:
    """Drafts with bars `first`, `first`+1 of a written section rewritten by infilling."""
    from tunesmith.tools.melody_model.infill import infill_bars

    units: list[list[str]] = []
    position: dict[tuple[int, int], int] = {}
    for index in range(len(draft.sections)):
        bars = draft.section_bars(index)
        for number, bar in enumerate(bars):
            position[(index, number)] = len(units)
            units.append(list(bar) + ["|" if number < len(bars) - 1 else closing_line(draft.sections, index)])
    if draft.sections[0].times > 1:
        units[0] = ["|:"] + units[0]
    bars = draft.section_bars(section)
    last = min(first + WINDOW_BARS, len(bars))
    start, end = position[(section, first)], position[(section, last - 1)] + 1
    before, after = units[:start], units[end:]
    if start == 0 and units[0][0] == "|:":
        before = [["|:"]]
    final_section = ends_tune(draft.sections, section)
    slots = []
    for number in range(first, last):
        closing = units[position[(section, number)]][-1]
        cadence = cadence_classes(frame.plan.mode, final_section) if number == len(bars) - 1 else None
        downbeat = frame.downbeats[number % len(frame.downbeats)] if frame.downbeats else None
        slots.append((FreeBar(frame.units, cadence, section, number == 0, downbeat), closing))
    fills = infill_bars(network, frame.controls, before, after, slots, frame.rules, count=count, seed=seed,
                        temperature=temperature, top_p=top_p)
    return [draft.replaced(section, first, fill) for fill in fills if len(fill) == last - first]


def _written_bar(frame: Frame, section: int, bar: int) -> int:
    """The 1-based bar number (as played and written out) of a section's bar's first statement."""
    return sum(s.bars * s.times for s in frame.sections[:section]) + bar + 1


def refine_with_model(plan: MusicPlan, exemplars: Sequence[str] = (), *, rounds: int = 3,
                      candidates: int = CANDIDATES, model=None) -> Refinement:
    """Draft the plan with the melody model and refine it for up to `rounds` rounds.

    Raises ModelCannotCompose when the model cannot write the plan (the caller falls back).
    """
    from tunesmith.tools.critic.critique import critique_abc

    model = model_or_refusal(model)
    frame = plan_frame(plan, model)
    first = sample_plan(plan, exemplars, count=1, model=model)[0]
    critique = critique_abc(first.abc, plan)
    records = [_record(0, critique, f"first draft by the melody model (seed {plan.seed})")]
    kept: tuple[ModelTune, Any, int] = (first, critique, 0)
    tried: set[tuple[int, int]] = set()
    stop = f"used all {rounds} rounds"
    for index in range(1, rounds + 1):
        seed = plan.seed * 1000 + 7919 * index
        if index == 1 and candidates > 1:
            drafts = sample_plan(plan, exemplars, count=candidates, seed=seed, model=model)
            scored = sorted(((critique_abc(t.abc, plan), t) for t in drafts), key=lambda pair: -pair[0].overall)
            best_critique, best = scored[0]
            others = ", ".join(f"{c.overall:.2f}" for c, _ in scored[1:])
            change = (f"sampled {candidates} more drafts (seed {seed}) and took the one the critic scored highest, "
                      f"{best_critique.overall:.2f} (the others {others})")
        else:
            windows = [w for w in bar_windows(frame, kept[0].draft, model.network) if (w[1], w[2]) not in tried]
            if not windows:
                stop = f"round {index}: every bar had been rewritten once"
                break
            mean, section, bar = windows[0]
            tried.add((section, bar))
            drafts = infill_window(frame, kept[0].draft, section, bar, network=model.network, count=candidates,
                                   seed=seed)
            tunes = [ModelTune(abc=render(frame, d), draft=d, choices=kept[0].choices) for d in drafts]
            if not tunes:
                continue
            scored = sorted(((critique_abc(t.abc, plan), t) for t in tunes), key=lambda pair: -pair[0].overall)
            best_critique, best = scored[0]
            number = _written_bar(frame, section, bar)
            repeat = " and their repeat" if frame.sections[section].times > 1 else ""
            change = (f"rewrote bars {number}-{number + WINDOW_BARS - 1}{repeat} (section "
                      f"{frame.sections[section].letter}), the least likely under the model at {mean:.2f} "
                      f"nats/token, with {len(tunes)} infilled candidates; the best scored {best_critique.overall:.2f}")
        records.append(_record(index, best_critique, change))
        if best_critique.overall > kept[1].overall:
            kept = (best, best_critique, index)
    records[kept[2]].kept = True
    tune, critique, best_round = kept
    summary = (f"refinement: {len(records) - 1} round(s); the critic scored the first draft "
               f"{records[0].overall:.2f} and the kept tune (round {best_round}) {critique.overall:.2f}")
    return Refinement(abc=tune.abc, critique=critique, rounds=records, best_round=best_round, stop_reason=stop,
                      choices=[*tune.choices, summary], exemplar_titles=[tune.exemplar] if tune.exemplar else [])


__all__ = ["ModelCannotCompose", "Refinement", "RefinementRound", "refine_with_model"]
