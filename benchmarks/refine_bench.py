"""Self-refinement gain over the text suite, no LLM: each request planned from its words
(plan_from_request), composed and refined (tools.compose.refine.refine_plan) by the melody model and by the
rule-based composer, judged by the same critic (with the model's plausibility).

Run: .venv/bin/python benchmarks/refine_bench.py [--suite eval/text_requests.yaml] [--rounds 3]

Prints per case the critic's score of the first draft and of the kept tune, and per composer the
mean gain, how often refinement helped, the rounds' time, validity and how many of the suite's
expectations the kept tune meets (it must never score below its first draft).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", type=Path, default=ROOT / "eval" / "text_requests.yaml")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import os

    from tunesmith.agent.eval.metrics import measured_values
    from tunesmith.agent.eval.suite import load_suite
    from tunesmith.settings import get_settings
    from tunesmith.tools.compose.refine import refine_plan
    from tunesmith.tools.planning.request import plan_from_request

    suite = load_suite(args.suite)
    cases = [c for c in suite.cases if not (c.edit_of or c.image or c.audio)]
    print(f"{len(cases)} text cases from {args.suite.name}; {args.rounds} rounds")
    summary = {}
    for composer in ("melody_model", "rule_based"):
        os.environ["TUNESMITH_COMPOSER"] = composer
        get_settings.cache_clear()
        rows = []
        started = time.perf_counter()
        for case in cases:
            plan = plan_from_request(case.request, seed=args.seed)
            outcome = refine_plan(plan, [], rounds=args.rounds)
            unmet = case.expect.unmet(measured_values(outcome.abc, outcome.plan.model_dump()))
            rows.append((case.id, outcome.first_score, outcome.best_score, outcome.critique.valid, not unmet,
                         len(outcome.rounds) - 1))
            if composer == "melody_model":
                print(f"  {case.id:<32} {outcome.first_score:.3f} -> {outcome.best_score:.3f}"
                      f"  (kept round {outcome.best_round}){'' if not unmet else '  UNMET: ' + '; '.join(unmet)}")
        seconds = (time.perf_counter() - started) / len(cases)
        gains = [kept - first for _, first, kept, *_ in rows]
        summary[composer] = (statistics.fmean(r[1] for r in rows), statistics.fmean(r[2] for r in rows),
                             statistics.fmean(gains), sum(g > 0 for g in gains), sum(g < 0 for g in gains),
                             sum(r[3] for r in rows), sum(r[4] for r in rows), seconds)
    print(f"\n{'composer':<14}{'first':>7}{'kept':>7}{'gain':>7}{'helped':>8}{'lowered':>8}{'valid':>7}"
          f"{'all met':>9}{'s/case':>8}")
    for composer, (first, kept, gain, helped, lowered, valid, met, seconds) in summary.items():
        print(f"{composer:<14}{first:>7.3f}{kept:>7.3f}{gain:>+7.3f}{helped:>8}{lowered:>8}{valid:>7}{met:>9}{seconds:>8.2f}")
    print(f"(cases: {len(cases)}; 'lowered' must be 0)")


if __name__ == "__main__":
    main()
