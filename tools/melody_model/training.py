"""Train the melody model on the committed split of music21's ABC corpus, then write the shipped weights.

    .venv/bin/tunesmith train                # train with the shipped settings (or scripts/train_melody_model.py)
    .venv/bin/tunesmith train --measure      # tokens/s of this machine, then stop
    .venv/bin/tunesmith train --calibrate    # only redo the critic's calibration

Examples are packed into rows of `context` tokens (positions restart and attention stops at each
example): whole tunes (or windows of long ones), tunes after an exemplar of the same meter and type
(the exemplar is context, not a target), and fill-in-the-middle examples (1-6 missing bars). The seed
fixes everything; the run writes tools/melody_model/weights/model.pt, its SHA-256 and the critic's
calibration on the validation split, and prints the numbers for MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from pathlib import Path

import torch
from torch.nn import functional as F

from tunesmith.settings import get_settings
from tunesmith.tools.melody_model.corpus_cache import cached_split, tokenized
from tunesmith.tools.melody_model.network import MelodyNetwork, NetworkConfig
from tunesmith.tools.melody_model.prompts import (
    bar_units,
    exemplar_prefix,
    infill_sequence,
    tune_sequence,
    window_sequence,
)
from tunesmith.tools.melody_model.vocab import EOS, PAD, vocabulary

SEED = 13
CONTEXT = 256
EXEMPLAR_SHARE, INFILL_SHARE = 0.2, 0.25
EXEMPLAR_BUDGET = 110  # most tokens of an exemplar's opening in a pair example


def example(tune, units, pool, rng: random.Random) -> tuple[list[str], int]:
    """One training example and how many of its first tokens are context only (no loss)."""
    controls = tune.controls()
    draw = rng.random()
    if draw < INFILL_SHARE and len(units) >= 3:
        width = rng.randint(1, min(6, len(units) - 1))
        start = rng.randint(0, len(units) - width)
        prompt = infill_sequence(controls, units[:start], units[start + width:], CONTEXT // 2)
        middle = [t for u in units[start:start + width] for t in u] + [EOS]
        return (prompt + middle)[:CONTEXT], 0
    if draw < INFILL_SHARE + EXEMPLAR_SHARE and pool:
        other = rng.choice(pool)
        prefix = exemplar_prefix(other.controls(), bar_units(other.body), EXEMPLAR_BUDGET)
        sequence = prefix + window_sequence(controls, units, 0, CONTEXT - len(prefix))
        return sequence[:CONTEXT], len(prefix)
    full = tune_sequence(controls, tune.body)
    if len(full) <= CONTEXT:
        return full, 0
    first = rng.randrange(len(units))
    return window_sequence(controls, units, first, CONTEXT), 0


class Batches:
    """Rows of packed examples: ids, targets (PAD = no loss), positions and block-diagonal causal masks."""

    def __init__(self, tunes: list, rng: random.Random):
        self.tunes = tunes
        self.units = [bar_units(t.body) for t in tunes]
        self.rng = rng
        self.vocab = vocabulary()
        self.pools: dict = {}
        for tune in tunes:
            self.pools.setdefault((tune.meter, tune.tune_type), []).append(tune)
        self.order: list[int] = []

    def _next_tune(self) -> int:
        if not self.order:
            self.order = list(range(len(self.tunes)))
            self.rng.shuffle(self.order)
        return self.order.pop()

    def row(self) -> tuple[list[int], list[int], list[int], list[int]]:
        ids, targets, positions, starts = [], [], [], []
        while len(ids) < CONTEXT:
            index = self._next_tune()
            tune = self.tunes[index]
            pool = [t for t in self.pools[(tune.meter, tune.tune_type)] if t is not tune]
            tokens, context_only = example(tune, self.units[index], pool, self.rng)
            encoded = self.vocab.encode(tokens)
            room = CONTEXT - len(ids)
            if len(encoded) > room and ids:
                if room < 32:
                    break
                encoded = encoded[:room]
            starts.append(len(ids))
            target = encoded[1:] + [self.vocab.id(PAD)]
            target = [self.vocab.id(PAD) if i < context_only - 1 else t for i, t in enumerate(target)]
            ids += encoded
            targets += target
            positions += range(len(encoded))
        pad = CONTEXT - len(ids)
        return (ids + [0] * pad, targets + [0] * pad, positions + [0] * pad, starts + [len(ids)])

    def batch(self, rows: int) -> tuple[torch.Tensor, ...]:
        made = [self.row() for _ in range(rows)]
        ids = torch.tensor([m[0] for m in made])
        targets = torch.tensor([m[1] for m in made])
        positions = torch.tensor([m[2] for m in made])
        mask = torch.zeros(rows, 1, CONTEXT, CONTEXT, dtype=torch.bool)
        causal = torch.ones(CONTEXT, CONTEXT, dtype=torch.bool).tril()
        for row, m in enumerate(made):
            bounds = m[3]
            for start, end in zip(bounds, bounds[1:]):
                mask[row, 0, start:end, start:end] = causal[: end - start, : end - start]
            mask[row, 0, bounds[-1]:, :] = causal[bounds[-1]:, :]  # padding attends somewhere: no NaN rows
        return ids, targets, positions, mask


def evaluation_loss(network: MelodyNetwork, tunes: list, rows: int = 32) -> float:
    """Mean cross-entropy (nats/token) over whole validation tunes (body and <eos>, given the controls)."""
    vocab = vocabulary()
    network.eval()
    total, count = 0.0, 0
    sequences = sorted((vocab.encode(tune_sequence(t.controls(), t.body)[:CONTEXT]), len(t.controls()))
                       for t in tunes)
    with torch.no_grad():
        for first in range(0, len(sequences), rows):
            group = sequences[first:first + rows]
            longest = max(len(s) for s, _ in group)
            ids = torch.tensor([s + [0] * (longest - len(s)) for s, _ in group])
            targets = ids[:, 1:].clone()
            for row, (_, controls) in enumerate(group):
                targets[row, :controls] = 0  # controls are given; body tokens and <eos> are scored
            logits = network(ids[:, :-1])
            total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                           ignore_index=0, reduction="sum"))
            count += int((targets != 0).sum())
    network.train()
    return total / max(count, 1)


def main(argv: list[str] | None = None) -> None:
    """Parse `argv` (default: the command line) and train, measure or calibrate."""
    parser = argparse.ArgumentParser(prog="tunesmith train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--rows", type=int, default=8, help="packed rows of 256 tokens per step")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1.5e-3)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads; one is faster than two on a shared 2-core machine (measured 2.5x)")
    parser.add_argument("--measure", action="store_true", help="time 10 steps and print tokens/s")
    parser.add_argument("--calibrate", action="store_true", help="only recompute the calibration of the shipped weights")
    parser.add_argument("--out", type=Path, default=None, help="weights folder (default: the shipped one)")
    args = parser.parse_args(argv)
    from tunesmith.tools.melody_model import weights as shipped

    torch.set_num_threads(args.threads)
    out = args.out or shipped.WEIGHTS_DIR
    split = cached_split(get_settings().cache_dir)
    train = [tokenized(r) for r in split["train"]]
    validation = [tokenized(r) for r in split["validation"]]
    if args.calibrate:
        shipped.write_calibration(out, validation)
        return
    random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    config = NetworkConfig(vocab_size=len(vocabulary()), context=CONTEXT, layers=args.layers, width=args.width,
                           heads=args.width // 64)
    network = MelodyNetwork(config)
    decay = [p for n, p in network.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in network.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.95))
    batches = Batches(train, rng)
    steps = 10 if args.measure else args.steps
    warmup = min(100, steps // 10)
    print(f"{network.parameter_count():,} parameters; {len(train)} train tunes, {len(validation)} validation; "
          f"{steps} steps of {args.rows} x {CONTEXT} tokens", flush=True)
    started = time.time()
    tokens_seen = 0
    best = (math.inf, None)
    for step in range(1, steps + 1):
        rate = args.lr * min(1.0, step / max(warmup, 1)) * 0.5 * (1 + math.cos(math.pi * min(1.0, step / steps)))
        for group in optimizer.param_groups:
            group["lr"] = max(rate, args.lr * 0.02)
        ids, targets, positions, mask = batches.batch(args.rows)
        logits = network(ids, positions=positions, mask=mask)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=0)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
        optimizer.step()
        tokens_seen += int((targets != 0).sum())
        if step % 25 == 0 or args.measure:
            elapsed = time.time() - started
            print(f"step {step} loss {loss.item():.3f} lr {rate:.2e} {tokens_seen / elapsed:.0f} tok/s "
                  f"{elapsed / 60:.1f} min", flush=True)
        if not args.measure and (step % 300 == 0 or step == steps):
            held_out = evaluation_loss(network, validation)
            print(f"step {step} validation {held_out:.4f} nats/token (perplexity {math.exp(held_out):.2f})", flush=True)
            if held_out < best[0]:
                best = (held_out, {k: v.detach().clone() for k, v in network.state_dict().items()})
    if args.measure:
        return
    network.load_state_dict(best[1])
    minutes = (time.time() - started) / 60
    stats = shipped.corpus_statistics(train)
    shipped.save(out, network, {
        "seed": SEED, "steps": steps, "rows": args.rows, "context": CONTEXT, "lr": args.lr,
        "train_tunes": len(train), "validation_tunes": len(validation), "tokens_seen": tokens_seen,
        "training_minutes": round(minutes, 1), "validation_nats_per_token": round(best[0], 4),
        **stats,
    })
    print(f"done in {minutes:.1f} min; best validation {best[0]:.4f} nats/token", flush=True)

