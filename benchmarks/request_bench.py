"""Speed and agreement of the language side: requests -> plans, and edits applied to ABC.

Run: .venv/bin/python benchmarks/request_bench.py
Speeds are reported as ratios against composing the same plan (tools.compose.compose_abc), the
step that follows in every turn, measured in the same run. Agreement counts how many expectations
of eval/text_requests.yaml and eval/edit_requests.yaml hold (edits measured from the edited ABC).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout: suites and test data


def _per_call(function: Callable[[], object], repeats: int) -> float:
    """Median seconds per call over `repeats` timed rounds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    from tunesmith.agent.eval.suite import load_suite
    from tunesmith.tools.abc import analyse_abc
    from tunesmith.tools.compose import compose_abc
    from tunesmith.tools.edits import apply_edits, parse_edit
    from tunesmith.tools.planning import parse_request, plan_from_request
    from tunesmith.tools.theory import GM_PROGRAMS

    text_suite = load_suite(ROOT / "eval" / "text_requests.yaml")
    requests = [case.request for case in text_suite.cases]
    plans = [plan_from_request(r) for r in requests]

    parse = _per_call(lambda: [parse_request(r) for r in requests], 5) / len(requests)
    plan = _per_call(lambda: [plan_from_request(r) for r in requests], 5) / len(requests)
    compose = _per_call(lambda: [compose_abc(p) for p in plans[:10]], 3) / 10

    edit_suite = load_suite(ROOT / "eval" / "edit_requests.yaml")
    state: dict[str, tuple] = {}
    edit_times, met, checked, edits = [], 0, 0, 0
    programs = {program: name for name, program in GM_PROGRAMS.items()}
    for case in edit_suite.cases:
        if case.edit_of is None:
            current = plan_from_request(case.request)
            abc = compose_abc(current).abc
        else:
            current, abc = state[case.edit_of]
            start = time.perf_counter()
            result = apply_edits(abc, parse_edit(case.request, current))
            edit_times.append(time.perf_counter() - start)
            abc, current = result.abc, current.model_copy(update=result.plan_changes)
            edits += 1
        state[case.id] = (current, abc)
        measured = analyse_abc(abc)
        tune = {**measured.model_dump(), "tune_type": current.tune_type,
                "instrument": programs.get(measured.instrument_program) if GM_PROGRAMS[current.instrument]
                != measured.instrument_program else current.instrument}
        stated = len(case.expect.stated())
        checked += stated
        met += stated - len(case.expect.unmet(tune))
    edit = sorted(edit_times)[len(edit_times) // 2]

    text_checked = sum(len(c.expect.stated()) for c in text_suite.cases)
    text_met = sum(len(c.expect.stated()) - len(c.expect.unmet(p.model_dump()))
                   for c, p in zip(text_suite.cases, plans, strict=True))

    print(f"{'step':<34}{'ms/call':>10}{'x compose':>12}")
    print(f"{'compose_abc (baseline)':<34}{compose * 1e3:>10.2f}{1.0:>12.3f}")
    print(f"{'parse_request':<34}{parse * 1e3:>10.3f}{parse / compose:>12.3f}")
    print(f"{'plan_from_request':<34}{plan * 1e3:>10.3f}{plan / compose:>12.3f}")
    print(f"{'parse_edit + apply_edits (median)':<34}{edit * 1e3:>10.2f}{edit / compose:>12.3f}")
    print()
    print(f"text suite: {len(requests)} requests, {text_met}/{text_checked} expectations met by the plan")
    print(f"edit suite: {len(edit_suite.cases)} turns ({edits} edits), {met}/{checked} expectations met, "
          "measured from the ABC")


if __name__ == "__main__":
    main()
