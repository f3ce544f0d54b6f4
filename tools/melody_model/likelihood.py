"""How likely the melody model finds a tune: per-token and per-bar log-likelihood, and its percentile
among held-out real tunes of the same meter (and type, where enough of them were held out).

Log-likelihoods are natural logs per token, given the tune's control tokens. Bars that repeat the
opening bars of an earlier section note for note (a repeat written out) are left out of the mean:
copying is easy for the model, and real tunes in the corpus write repeats with repeat signs.
Tunes longer than the model's context are scored in windows that restart at a bar, with the bars
before it (up to half the context) as context.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from tunesmith.tools.melody_model.prompts import bar_units, tune_sequence
from tunesmith.tools.melody_model.tokens import TokenizedTune
from tunesmith.tools.melody_model.vocab import BOS, CONTINUED, EOS, SECTION_ENDS, vocabulary

MIN_CALIBRATION_TUNES = 20  # a meter (or meter and type) needs this many held-out tunes for its own percentiles


@dataclass
class TuneLikelihood:
    """Mean log-likelihood (nats/token) over the scored tokens, and each bar unit's mean."""

    mean: float
    tokens: int
    bar_means: list[float]  # per bar unit (NaN for copied bars)
    copied_bars: list[int]  # bar units left out as written-out repeats

    def weakest_bars(self, count: int = 2) -> list[int]:
        """Indices of the bar units with the lowest mean log-likelihood (copies excluded)."""
        scored = [(m, i) for i, m in enumerate(self.bar_means) if not math.isnan(m)]
        return [i for _, i in sorted(scored)[:count]]


def copied_units(units: list[list[str]]) -> set[int]:
    """Bar units that repeat, note for note, the opening bars of an earlier section (two bars or more)."""
    starts = [0] + [i + 1 for i, unit in enumerate(units) if any(t in SECTION_ENDS for t in unit)]
    starts = [s for s in starts if s < len(units)]

    def content(unit: list[str]) -> tuple[str, ...]:
        return tuple(t for t in unit if t.startswith(("n", "z:", "&", "-")))

    copied: set[int] = set()
    for k, start in enumerate(starts):
        for earlier in starts[:k]:
            length = 0
            while (start + length < len(units) and earlier + length < start
                   and content(units[start + length]) == content(units[earlier + length])):
                length += 1
            if length >= 2:
                copied.update(range(start, start + length))
    return copied


def token_log_probs(network, controls: list[str], body: list[str]) -> tuple[list[float], list[int]]:
    """Log-probability of every body token and of <eos>, with the bar unit each belongs to."""
    from tunesmith.tools.melody_model.sampling import one_thread

    with one_thread():
        return _token_log_probs(network, controls, body)


def _token_log_probs(network, controls: list[str], body: list[str]) -> tuple[list[float], list[int]]:
    import torch

    vocab = vocabulary()
    units = bar_units(body)
    owner = [index for index, unit in enumerate(units) for _ in unit] + [len(units) - 1]
    context = network.config.context
    full = tune_sequence(controls, body)
    log_probs: list[float] = []
    with torch.inference_mode():
        if len(full) <= context:
            ids = torch.tensor([vocab.encode(full)])
            logits = torch.log_softmax(network(ids[:, :-1])[0], dim=-1)
            first = 1 + len(controls)
            targets = ids[0, first:]
            return logits[first - 1:].gather(1, targets.view(-1, 1)).view(-1).tolist(), owner
        head = [BOS, *controls, CONTINUED]
        flat = [t for unit in units for t in unit] + [EOS]
        starts = [sum(len(u) for u in units[:i]) for i in range(len(units))] + [len(flat) - 1]
        done = 0
        while done < len(flat):
            # Context: whole bars before `done`, up to half the window; then as many new tokens as fit.
            first_bar = max(i for i, s in enumerate(starts) if s <= done)
            back = first_bar
            while back > 0 and done - starts[back - 1] <= context // 2:
                back -= 1
            prefix = [BOS, *controls] + flat[:done] if back == 0 else head + flat[starts[back]:done]
            room = context - len(prefix)
            chunk = flat[done:done + max(room, 1)]
            ids = torch.tensor([vocab.encode(prefix + chunk)])
            logits = torch.log_softmax(network(ids[:, :-1])[0], dim=-1)
            targets = ids[0, len(prefix):]
            log_probs += logits[len(prefix) - 1:].gather(1, targets.view(-1, 1)).view(-1).tolist()
            done += len(chunk)
    return log_probs, owner


def tune_likelihood(network, tune: TokenizedTune) -> TuneLikelihood:
    """The tune's mean log-likelihood over tokens not in written-out repeats, and per bar."""
    controls = tune.controls()
    log_probs, owner = token_log_probs(network, controls, tune.body)
    units = bar_units(tune.body)
    copied = copied_units(units)
    sums = [0.0] * len(units)
    counts = [0] * len(units)
    for value, unit in zip(log_probs, owner):
        sums[unit] += value
        counts[unit] += 1
    bar_means = [math.nan if i in copied or not counts[i] else sums[i] / counts[i] for i in range(len(units))]
    kept = [v for v, u in zip(log_probs, owner) if u not in copied]
    if not kept:
        kept = log_probs
    return TuneLikelihood(mean=sum(kept) / len(kept), tokens=len(kept), bar_means=bar_means, copied_bars=sorted(copied))


def calibration_table(model, tunes: list[TokenizedTune]) -> dict:
    """Sorted mean log-likelihoods of held-out real tunes: all, per meter, per 'meter|type'."""
    groups: dict[str, list[float]] = {"all": []}
    for tune in tunes:
        mean = tune_likelihood(model.network, tune).mean
        groups["all"].append(mean)
        groups.setdefault(f"meter:{tune.meter}", []).append(mean)
        if tune.tune_type:
            groups.setdefault(f"type:{tune.meter}|{tune.tune_type}", []).append(mean)
    return {name: sorted(round(v, 5) for v in values) for name, values in groups.items()
            if name == "all" or len(values) >= MIN_CALIBRATION_TUNES}


def reference_group(calibration: dict, meter: str, tune_type: str | None) -> tuple[str, list[float]]:
    """The most specific group with enough held-out tunes: meter and type, else meter, else all."""
    for name in (f"type:{meter}|{tune_type}", f"meter:{meter}", "all"):
        if name in calibration:
            return name, calibration[name]
    return "all", []


def percentile(value: float, reference: list[float]) -> float:
    """Share (0..1) of reference tunes the value is at least as likely as (mid-rank for ties)."""
    if not reference:
        return 0.5
    below = bisect.bisect_left(reference, value)
    upto = bisect.bisect_right(reference, value)
    return (below + upto) / 2 / len(reference)
