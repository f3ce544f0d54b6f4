"""The melody model: tokenizer round trip, held-out perplexity against n-gram baselines, speed and memory.

Run: .venv/bin/python benchmarks/melody_bench.py [--roundtrip] [--speed-only]

* Round trip (--roundtrip, ~5 min): every valid tune of music21's ABC corpus tokenized and written
  back; musically identical = same notes and rests (onset, length, pitch) and same bar lines,
  repeats, endings and meter changes (tools.melody_model.abc_writer.round_trip).
* Perplexity per token on the committed test split (body tokens and <eos>, given the control
  tokens), for the shipped model and for interpolated Kneser-Ney 3- and 5-grams fitted on the same
  train split (benchmarks/ngram_baseline.py).
* Speed: load the weights; sample a 32-bar reel and a 32-bar jig (AABB, 8-bar parts), tokens/s,
  as a ratio to the rule-based composer on the same plan; peak resident memory.
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def round_trip_report() -> None:
    from collections import Counter

    from tunesmith.tools.abc import parsed_tune
    from tunesmith.tools.corpus.reader import music21_abc_files, tune_records
    from tunesmith.tools.melody_model.abc_writer import round_trip
    from tunesmith.tools.melody_model.tokens import TokenizeError

    outcome: Counter = Counter()
    for path, relative in music21_abc_files():
        for record in tune_records(path, relative, library="music21", source="", origin=None, default_type=None):
            abc = getattr(record, "abc", None)
            if abc is None:
                continue
            try:
                tune = parsed_tune(abc)
            except ValueError:
                continue
            if any(p.severity == "error" for p in tune.problems):
                continue
            outcome["valid"] += 1
            try:
                same, _ = round_trip(abc)
            except TokenizeError as error:
                outcome[f"not tokenizable: {str(error)[:60]}"] += 1
                continue
            outcome["identical" if same else "different"] += 1
    valid = outcome.pop("valid")
    print(f"round trip: {outcome['identical']}/{valid} valid corpus tunes musically identical "
          f"({100 * outcome['identical'] / valid:.2f}%)")
    for reason, count in outcome.most_common():
        if reason != "identical":
            print(f"  {count:5d}  {reason}")


def perplexity_report(model) -> None:
    from ngram_baseline import KneserNey

    from tunesmith.settings import get_settings
    from tunesmith.tools.melody_model.corpus_cache import cached_split, tokenized
    from tunesmith.tools.melody_model.likelihood import token_log_probs
    from tunesmith.tools.melody_model.prompts import tune_sequence
    from tunesmith.tools.melody_model.vocab import vocabulary

    split = cached_split(get_settings().cache_dir)
    train = [tokenized(r) for r in split["train"]]
    test = [tokenized(r) for r in split["test"]]
    started = time.perf_counter()
    total, count = 0.0, 0
    for tune in test:
        values, _ = token_log_probs(model.network, tune.controls(), tune.body)
        total += sum(values)
        count += len(values)
    model_nats = -total / count
    seconds = time.perf_counter() - started
    print(f"test split: {len(test)} tunes, {count} scored tokens (body and <eos>, given the controls)")
    print(f"{'model':<28}{'nats/token':>12}{'perplexity':>12}")
    print(f"{'melody model (shipped)':<28}{model_nats:>12.4f}{math.exp(model_nats):>12.2f}   ({count / seconds:.0f} tokens/s scored)")
    for order in (3, 5):
        ngram = KneserNey(order, len(vocabulary())).fit([tune_sequence(t.controls(), t.body) for t in train])
        total, scored = 0.0, 0
        for tune in test:
            value, n = ngram.log_likelihood(tune_sequence(tune.controls(), tune.body), 1 + len(tune.controls()))
            total, scored = total + value, scored + n
        nats = -total / scored
        print(f"{f'Kneser-Ney {order}-gram':<28}{nats:>12.4f}{math.exp(nats):>12.2f}")


def speed_report(model) -> None:
    from tunesmith.tools.compose.composer import compose_rule_based
    from tunesmith.tools.compose.model_composer import sample_plan
    from tunesmith.tools.plan import MusicPlan

    plans = {"32-bar reel (4/4, AABB)": MusicPlan(key="D", meter="4/4", tune_type="reel", bars=32, form="AABB"),
             "32-bar jig (6/8, AABB)": MusicPlan(key="G", meter="6/8", tune_type="jig", bars=32, form="AABB"),
             "32-bar waltz (3/4, ABAC)": MusicPlan(key="A", mode="minor", meter="3/4", tune_type="waltz", bars=32,
                                                   form="ABAC")}
    print(f"{'plan':<28}{'sample s':>10}{'tokens':>8}{'tokens/s':>10}{'rule-based s':>14}{'ratio':>8}")
    for name, plan in plans.items():
        times, tokens = [], 0
        for seed in range(3):
            started = time.perf_counter()
            tune = sample_plan(plan.model_copy(update={"seed": seed}), model=model)[0]
            times.append(time.perf_counter() - started)
            tokens = len(tune.draft.native())
        started = time.perf_counter()
        for seed in range(3):
            compose_rule_based(plan.model_copy(update={"seed": seed}))
        baseline = (time.perf_counter() - started) / 3
        median = statistics.median(times)
        print(f"{name:<28}{median:>10.2f}{tokens:>8}{tokens / median:>10.0f}{baseline:>14.3f}{median / baseline:>8.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roundtrip", action="store_true", help="also run the corpus round trip (~5 min)")
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    import torch  # noqa: F401  (timed apart from loading the weights)

    imported = time.perf_counter() - started
    from tunesmith.tools.melody_model.weights import load_model

    started = time.perf_counter()
    model = load_model()
    loaded = time.perf_counter() - started
    size = (model.folder / "model.pt").stat().st_size / 1e6
    print(f"weights: {size:.1f} MB, {model.network.parameter_count():,} parameters; load {loaded:.2f} s "
          f"(import torch {imported:.2f} s before it)")
    speed_report(model)
    if not args.speed_only:
        perplexity_report(model)
    if args.roundtrip:
        round_trip_report()
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
