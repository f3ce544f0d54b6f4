"""Realism: held-out real tunes against the melody model, the rule-based composer and a random walk,
for the same plans (agent/eval/realism.py has the measures and their sources).

Run: .venv/bin/python benchmarks/realism_bench.py [--tunes 200] [--seed 0] [--json out.json]

Prints, per source: validity, the classifier two-sample test's ROC AUC (0.5 = indistinguishable
from real; '(no end)' without the two features of the final note, which the cadence constraint fixes), the critic plausibility's ROC AUC (real ranked above generated), the model's mean
nats/token, the overlap of each feature distribution with the real tunes', and feature means.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tunes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON")
    args = parser.parse_args()
    from tunesmith.agent.eval.realism import realism_report

    started = time.perf_counter()
    report = realism_report(args.tunes, seed=args.seed,
                            progress=lambda text: print(f"\r{text}", end="", file=sys.stderr, flush=True))
    print(file=sys.stderr)
    print(report.note)
    features = list(report.sources[0].overlaps)
    print(f"{'source':<22}{'tunes':>6}{'valid':>7}{'C2ST AUC':>10}{'(no end)':>9}{'plaus. AUC':>11}{'nats/tok':>9}  "
          + "  ".join(f"{f[:12]:>12}" for f in features))
    for row in report.sources:
        print(f"{row.source:<22}{row.tunes:>6}{row.valid:>7.0%}{_f(row.classifier_auc):>10}"
              f"{_f(row.classifier_auc_without_endings):>9}{_f(row.plausibility_auc):>11}"
              f"{_f(row.mean_log_likelihood):>9}  " + "  ".join(f"{row.overlaps[f]:>12.3f}" for f in features))
    print("\nfeature means per tune:")
    names = list(report.sources[0].features)
    print(f"{'feature':<30}" + "".join(f"{row.source[:20]:>22}" for row in report.sources))
    for name in names:
        print(f"{name:<30}" + "".join(f"{row.features.get(name, float('nan')):>22.3f}" for row in report.sources))
    print(f"\n{time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report.model_dump(mode="json"), indent=1))


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    main()
