"""The critic: how well a tune follows its plan (adherence) and how it reads as a melody (quality).

Every dimension has a score 0..1, the measured value, the target and an actionable note. `overall`
is the weighted mean of all dimensions (weights in ADHERENCE_WEIGHTS and QUALITY_WEIGHTS; with no
plan, quality alone); a tune that does not validate is capped at INVALID_CAP. `feedback` lists the
validation errors first, then the notes of the weakest dimensions, most costly first; the
self-refine loop sends it back to the composer.
"""

from __future__ import annotations

from tunesmith.tools.abc import (
    AbcError,
    analyse,
    bar_count,
    note_events,
    parsed_tune,
    quarters_per_minute,
    validate_abc,
)
from tunesmith.tools.critic.adherence import adherence_dimensions
from tunesmith.tools.critic.quality import quality_dimensions
from tunesmith.tools.critic.results import Critique, Dimension
from tunesmith.tools.plan import MusicPlan

INVALID_CAP = 0.3
ADHERENCE_WEIGHTS = {"key": 1.5, "mode": 1.0, "meter": 1.5, "tempo": 0.5, "bars": 1.0, "range": 1.0, "instrument": 0.5}
QUALITY_WEIGHTS = {
    "scale_consistency": 1.5, "cadence": 1.5, "pitch_class_entropy": 1.0, "stepwise_motion": 1.0,
    "large_leaps": 1.0, "rhythmic_variety": 0.75, "repetition": 1.0, "phrase_lengths": 0.75,
}
FEEDBACK_BELOW = 0.75  # dimensions scoring under this get their note into the feedback
MAX_FEEDBACK = 8


def _weighted(dimensions: list[Dimension], weights: dict[str, float]) -> tuple[float, float]:
    """(sum of weight x score, sum of weights)."""
    total = sum(weights.get(d.name, 1.0) * d.score for d in dimensions)
    return total, sum(weights.get(d.name, 1.0) for d in dimensions)


def critique_abc(abc: str, plan: MusicPlan | None = None) -> Critique:
    """Score one tune against `plan` (if given) and on melodic quality, with feedback to act on.

    Text that is not ABC at all gets overall 0 and the reason as feedback (no exception).
    """
    try:
        tune = parsed_tune(abc)
        report = validate_abc(abc)
    except AbcError as error:
        return Critique(valid=False, adherence=[], quality=[], overall=0.0, feedback=[str(error)])
    analysis = analyse(tune, bar_count(tune))
    events = note_events(tune)
    adherence = adherence_dimensions(analysis, events, plan, quarters_per_minute(tune)) if plan is not None else []
    quality = quality_dimensions(tune, analysis, events)
    adherence_sum, adherence_weight = _weighted(adherence, ADHERENCE_WEIGHTS)
    quality_sum, quality_weight = _weighted(quality, QUALITY_WEIGHTS)
    overall = (adherence_sum + quality_sum) / max(adherence_weight + quality_weight, 1e-9)
    if not report.valid:
        overall = min(overall, INVALID_CAP)
    feedback = [p.message for p in report.problems if p.severity == "error"][:MAX_FEEDBACK]
    weak = sorted(
        (((ADHERENCE_WEIGHTS.get(d.name) or QUALITY_WEIGHTS.get(d.name, 1.0)) * (1 - d.score), d.note)
         for d in adherence + quality if d.score < FEEDBACK_BELOW),
        key=lambda item: -item[0],
    )
    feedback += [note for _, note in weak][: max(0, MAX_FEEDBACK - len(feedback))]
    return Critique(valid=report.valid, adherence=adherence, quality=quality, overall=round(overall, 3), feedback=feedback)
