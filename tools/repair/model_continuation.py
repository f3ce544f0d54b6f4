"""Continue an ABC tune with the melody model: the tune so far is the prompt, the new bars are a new
section sampled under the usual constraints (exact bars, the tune's key and range) ending on the tonic.
"""

from __future__ import annotations

from fractions import Fraction

from tunesmith.tools.melody_model.limits import ModelCannotCompose, check_meter, model_or_refusal
from tunesmith.tools.melody_model.prompts import bar_units
from tunesmith.tools.melody_model.sampling import (
    ConstraintMachine,
    Forced,
    FreeBar,
    cadence_classes,
    decode,
    pitch_rules,
)
from tunesmith.tools.melody_model.sampling import (
    bar_units as meter_units,
)
from tunesmith.tools.melody_model.tokens import control_tokens
from tunesmith.tools.melody_model.vocab import BAR_LINES, BOS, CONTINUED, ENDINGS, EOS

RANGE_SLACK = 2  # semitones the continuation may go beyond the tune's own range


def continuation_bars(abc: str, bars: int, *, seed: int = 0, unit: Fraction = Fraction(1, 8), with_chords: bool = False,
                      model=None) -> list[str]:
    """ABC text of `bars` new bars (lengths in units of L: `unit`) to append after the tune; with
    `with_chords`, chord symbols (two a bar in 4/4, 2/2 and 6/8) from the mode's usual harmony.

    Raises ModelCannotCompose when the model cannot continue it (its meter, untokenizable music,
    missing weights); the caller then continues it another way.
    """
    from tunesmith.tools.abc import parsed_tune
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
    chords = [_bar_chords(bar, units, meter, tokens.tonic, mode, last=i == len(new_bars) - 1) if with_chords else ()
              for i, bar in enumerate(new_bars)]
    return [bar_text(bar, meter, signature, chords[i], unit=unit) for i, bar in enumerate(new_bars)]


def _bar_chords(bar, units: int, meter: str, tonic: str, mode: str, *, last: bool) -> list[tuple[int, str]]:
    """(position, chord symbol) for each harmonic span of a new bar; the last bar rests on the tonic chord."""
    from tunesmith.tools.melody_model.harmonise import chord_for_notes, tonic_chord
    from tunesmith.tools.repair.gap_context import harmonic_rhythm
    from tunesmith.tools.theory.harmony import writable_scale

    scale, _ = writable_scale(tonic, mode)
    spans = harmonic_rhythm(units / 24, int(meter.split("/")[1]))
    span = units // spans
    chords, position = [], 0
    notes: list[list[tuple[int, int]]] = [[] for _ in range(spans)]
    for event in bar.events:
        if event.pitches:
            notes[min(position // span, spans - 1)].append((event.pitches[0], event.length))
        position += event.length
    for index in range(spans):
        symbol = tonic_chord(scale, mode) if last else chord_for_notes(notes[index], scale, mode)
        if symbol:
            chords.append((index * span, symbol))
    return chords


__all__ = ["ModelCannotCompose", "continuation_bars"]
