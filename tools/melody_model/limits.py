"""What the shipped melody model can write: the meters it learned from enough tunes, how many bars, its
tune types; and the one exception (ModelCannotCompose) every caller turns into the rule-based fallback.
"""

from __future__ import annotations

from tunesmith.tools.melody_model.tokens import meter_name
from tunesmith.tools.melody_model.vocab import TUNE_TYPES
from tunesmith.tools.plan import MusicPlan

MAX_MODEL_BARS = 128


class ModelCannotCompose(Exception):
    """The melody model cannot write this plan; the message says why in one sentence."""


def model_tune_type(tune_type: str | None) -> str | None:
    """The plan's tune type as the vocabulary knows it (None when the corpus has too few of that type)."""
    name = (tune_type or "").strip().lower()
    return name if name in TUNE_TYPES else None


def reference_for(tonic_pitch_class: int, low: int, high: int) -> int:
    """The tonic's MIDI number nearest the middle of the range (the tokens count steps from it)."""
    centre = (low + high) / 2
    return min((tonic_pitch_class + 12 * octave for octave in range(11)), key=lambda p: (abs(p - centre), p))


def check_meter(meter: str, model) -> str:
    """The meter, when the model learned it from enough tunes; ModelCannotCompose otherwise."""
    from tunesmith.tools.melody_model.weights import MIN_TUNES_FOR_METER

    tunes = model.meter_tunes(meter)
    if tunes < MIN_TUNES_FOR_METER:
        raise ModelCannotCompose(
            f"the melody model learned {meter} from only {tunes} tunes (it needs {MIN_TUNES_FOR_METER})")
    return meter


def check_plan(plan: MusicPlan, model) -> str:
    """The plan's meter as the model knows it; ModelCannotCompose when the model cannot write the plan."""
    meter = check_meter(meter_name(plan.meter), model)
    if plan.bars > MAX_MODEL_BARS:
        raise ModelCannotCompose(f"the melody model writes at most {MAX_MODEL_BARS} bars, the plan asks for {plan.bars}")
    return meter


def model_or_refusal(model=None):
    """The given model, else the shipped one; ModelCannotCompose when its weights cannot be used."""
    from tunesmith.tools.melody_model.weights import MelodyModelUnavailable, shipped_model

    if model is not None:
        return model
    try:
        return shipped_model()
    except MelodyModelUnavailable as error:
        raise ModelCannotCompose(str(error)) from None
