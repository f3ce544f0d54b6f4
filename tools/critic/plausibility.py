"""Plausibility: how likely the melody model trained on real tunes finds this tune, as a percentile
among held-out real tunes of the same meter (and tune type where enough were held out).

The score is the percentile itself (0..1): a tune as likely as the median held-out real tune scores
0.5, so the dimension never saturates and a revision that makes the tune more like real tunes
always shows. The note names the least likely bars, which the refinement rewrites first.
Without usable weights, or for a tune the model's tokens cannot hold, there is no such dimension.
"""

from __future__ import annotations

from tunesmith.tools.abc import ParsedTune
from tunesmith.tools.critic.results import Dimension
from tunesmith.tools.plan import MusicPlan

WEAK_PERCENTILE = 0.25  # below this the note asks for the weakest bars to be rewritten


def plausibility(tune: ParsedTune, plan: MusicPlan | None, tune_type: str | None) -> Dimension | None:
    """The plausibility of a parsed tune, or None when the model or its tokens cannot be used."""
    from tunesmith.tools.melody_model.likelihood import percentile, reference_group, tune_likelihood
    from tunesmith.tools.melody_model.limits import model_tune_type
    from tunesmith.tools.melody_model.tokens import TokenizeError, tokenize_parsed
    from tunesmith.tools.melody_model.weights import MelodyModelUnavailable, shipped_model

    try:
        model = shipped_model()
    except MelodyModelUnavailable:
        return None
    kind = model_tune_type(plan.tune_type if plan and plan.tune_type else tune_type)
    try:
        tokens = tokenize_parsed(tune, mode=plan.mode if plan else None, tune_type=kind)
    except TokenizeError:
        return None
    scored = tune_likelihood(model.network, tokens)
    group, reference = reference_group(model.calibration, tokens.meter, kind)
    share = percentile(scored.mean, reference)
    label = {"type": f"{kind}s in {tokens.meter}", "meter": f"tunes in {tokens.meter}"}.get(group.split(":")[0],
                                                                                            "tunes")
    weakest = [index + 1 for index in scored.weakest_bars(2)]
    note = "ok" if share >= WEAK_PERCENTILE else (
        f"the melody is less likely than {1 - share:.0%} of real {label}; bars {' and '.join(map(str, weakest))} "
        "are the least likely: rewrite them")
    return Dimension(
        name="plausibility", score=round(share, 3),
        measured=f"{scored.mean:.2f} nats/token under the melody model: more likely than {share:.0%} of "
                 f"{len(reference)} held-out real {label}",
        target="as likely as a typical real tune (percentile 0.5)", note=note)
