"""Fill in missing bars with the melody model (fill-in-the-middle): the bars before and after the gap
are the prompt, the missing bars are sampled under the same constraints as a whole tune.
"""

from __future__ import annotations

from tunesmith.tools.melody_model.prompts import infill_sequence, is_bar_token
from tunesmith.tools.melody_model.sampling import ConstraintMachine, Forced, FreeBar, PitchRules, decode
from tunesmith.tools.melody_model.vocab import EOS

MAX_GAP_BARS = 16


def infill_bars(network, controls: list[str], before: list[list[str]], after: list[list[str]],
                slots: list[tuple[FreeBar, str]], rules: PitchRules, *, count: int, seed: int,
                temperature: float = 1.0, top_p: float = 1.0) -> list[list[list[str]]]:
    """`count` candidate fills: per candidate, the note tokens of each missing bar.

    `before`/`after` are the bar units around the gap (as `prompts.bar_units` cuts them); `slots`
    are the missing bars, each with the bar line that follows it.
    """
    if not 1 <= len(slots) <= MAX_GAP_BARS:
        raise ValueError(f"{len(slots)} missing bars; the model fills 1 to {MAX_GAP_BARS} at a time")
    expected = sum(bar.units // 6 + 2 for bar, _ in slots)  # generous: sixteenth notes throughout
    prompt = infill_sequence(controls, before, after, network.config.context - expected - 2)
    segments: list = []
    for bar, closing in slots:
        segments += [bar, Forced((closing,))]
    segments.append(Forced((EOS,)))
    machines = [ConstraintMachine(list(segments), rules) for _ in range(count)]
    decode(network, [prompt] * count, machines, seed=seed, temperature=temperature, top_p=top_p,
           restart=prompt[:1])
    fills = []
    for machine in machines:
        bars: list[list[str]] = [[]]
        for token in machine.written:
            if token == EOS:
                break
            if is_bar_token(token):
                bars.append([])
            else:
                bars[-1].append(token)
        fills.append([b for b in bars if b][: len(slots)])
    return fills
