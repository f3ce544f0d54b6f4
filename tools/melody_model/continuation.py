"""Continue an ABC tune with the melody model: the tune so far is the prompt, the new bars are a new
section sampled under the usual constraints (exact bars, the tune's key and range) ending on the tonic.
"""

from __future__ import annotations

from fractions import Fraction

from tunesmith.tools.melody_model.model_composer import ModelCannotCompose, check_meter, model_or_refusal
from tunesmith.tools.melody_model.prompts import bar_units
from tunesmith.tools.melody_model.sampling import (
    ConstraintMachine, Forced, FreeBar, bar_units as meter_units, cadence_classes, decode, pitch_rules,
)
from tunesmith.tools.melody_model.tokens import control_tokens
from tunesmith.tools.melody_model.vocab import BAR_LINES, BOS, CONTINUED, ENDINGS, EOS

RANGE_SLACK = 2  # semitones the continuation may go beyond the tune's own range


def continuation_bars(abc: str, bars: int, *, seed: int = 0, unit: Fraction = Fraction(1, 8), model=None) -> list[str]:
    """ABC text of `bars` new bars (lengths in units of L: `unit`) to append after the tune.

    Raises ModelCannotCompose when the model cannot continue it (its meter, untokenizable music,
    missing weights); the caller then continues it another way.
    """
    from tunesmith.tools.abc.intake import parsed_tune
    from tunesmith.tools.melody_model.abc_writer import bar_text, bars_of
    from tunesmith.tools.melody_model.tokens import TokenizeError, tokenize_parsed

    model = model_or_refusal(model)
    tune = parsed_tune(abc)
    try:
        tokens = tokenize_parsed(tune)
    except TokenizeError as error:
        raise ModelCannotCompose(f"the melody model cannot read this tune: {error}") from None
    meter = check_meter(tokens.meter, model)
    mode = tokens.mode
    body = list(tokens.body)
    while body and (body[-1] in BAR_LINES or body[-1] in ENDINGS):
        body.pop()
    body.append("|")
    pitches = [n.midi for n in tune.notes if n.midi is not None and not n.grace]
    rules = pitch_rules(mode, meter, model.facts, tokens.reference, min(pitches) - RANGE_SLACK,
                        max(pitches) + RANGE_SLACK)
    units = meter_units(meter)
    controls = control_tokens(meter, mode, tokens.tune_type, tokens.section_bars + [bars])
    segments: list = []
    for number in range(bars):
        last = number == bars - 1
        segments.append(FreeBar(units, cadence_classes(mode, True) if last else None, 0, number == 0))
        segments.append(Forced(("|]" if last else "|",)))
    segments.append(Forced((EOS,)))
    room = model.context - bars * (units // 6 + 2) - len(controls) - 3
    prompt = [BOS, *controls, *body]
    if len(prompt) > room:  # the latest whole bars that fit
        kept: list[str] = []
        for unit_tokens in reversed(bar_units(body)):
            if len(kept) + len(unit_tokens) > room - len(controls) - 2:
                break
            kept = unit_tokens + kept
        prompt = [BOS, *controls, CONTINUED, *kept]
    machine = ConstraintMachine(segments, rules)
    decode(model.network, [prompt], [machine], seed=seed, restart=[BOS, *controls, CONTINUED])
    new_bars, _ = bars_of([t for t in machine.written if t != EOS], tokens.reference)
    signature = tune.bars[-1].key or tune.key
    return [bar_text(bar, meter, signature, unit=unit) for bar in new_bars]


__all__ = ["ModelCannotCompose", "continuation_bars"]
