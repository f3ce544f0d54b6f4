"""End-to-end agent benchmark: request → playable WAV with the REAL embedded model on this CPU.

Runs the first 10 text requests of eval/text_requests.yaml and the first 5 image requests of
eval/image_requests.yaml through the agent (fresh session per request, fixed seed) in both agent
modes — `loop` (one LLM call per step, the old way) and `plan` (one planning call, then the steps) —
and the no-LLM path (`tunesmith.compose_tune`, the same tools without a model) as the baseline of
this run. Prints, per mode and kind: LLM calls, prompt and generated tokens per request, median and
p90 seconds to a playable WAV, validity and adherence; the ratio to the no-LLM path; then the cold
start — `tunesmith compose "a cheerful jig in D major"` in a new process, model file cached — in
both modes. The machine's load average is printed with every phase (the CPU is shared).

    .venv/bin/python benchmarks/agent_bench.py [--text 10] [--images 5] [--cold 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout: suites and test data
JIG = "a cheerful jig in D major"


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _row(label: str, cases: list) -> list[str]:
    done = [c for c in cases if c.status == "done"]
    walls = [c.wall_seconds for c in done]
    per = (lambda attr: f"{statistics.fmean(getattr(c, attr) for c in done):.1f}") if done else (lambda attr: "-")
    return [
        label, f"{len(done)}/{len(cases)}", per("llm_steps"), per("input_tokens"), per("output_tokens"),
        f"{statistics.median(walls):.1f}" if walls else "-", f"{_p90(walls):.1f}" if walls else "-",
        f"{100 * sum(c.abc_valid for c in done) / len(done):.0f}%" if done else "-",
        f"{100 * sum(c.all_met for c in done) / len(done):.0f}%" if done else "-",
    ]


def _table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))


def no_llm_seconds(suites: list, out: Path) -> dict[str, list[float]]:
    """Seconds per request to a WAV through the same tools without a model (api.compose_tune + render)."""
    from tunesmith.agent.eval.inputs import prepare_inputs
    from tunesmith.api import compose_tune

    seconds: dict[str, list[float]] = {"text": [], "image": []}
    for suite in suites:
        for case in suite.cases:
            image = prepare_inputs(suite, case, out / "inputs" / suite.name).image
            start = time.perf_counter()
            tune = compose_tune(case.request, image=image, seed=0)
            tune.render(out / "no-llm" / case.id, formats=["abc", "mid", "wav", "svg"])
            seconds["image" if image else "text"].append(time.perf_counter() - start)
    return seconds


def cold_compose(mode: str, out: Path) -> tuple[float, str]:
    """Wall seconds of `tunesmith compose` in a new process (the model file already assembled)."""
    env = {**os.environ, "TUNESMITH_AGENT_MODE": mode, "TUNESMITH_OUTPUT_DIR": str(out / f"cold-{mode}")}
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "tunesmith.cli", "compose", JIG], env=env, capture_output=True,
                         text=True, timeout=1800)
    seconds = time.perf_counter() - start
    return seconds, "ok" if run.returncode == 0 else f"exit {run.returncode}: {run.stderr.strip()[-200:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=10, help="How many text requests.")
    parser.add_argument("--images", type=int, default=5, help="How many image requests.")
    parser.add_argument("--cold", type=int, default=1, help="Cold `tunesmith compose` runs per mode.")
    parser.add_argument("--out", type=Path, default=None, help="Folder for the runs (default: a temp folder).")
    args = parser.parse_args()

    from tunesmith.agent.eval.run import run_eval
    from tunesmith.agent.eval.suite import load_suite
    from tunesmith.agent.llm.factory import make_chat_model
    from tunesmith.settings import load_settings

    text = load_suite(ROOT / "eval" / "text_requests.yaml")
    images = load_suite(ROOT / "eval" / "image_requests.yaml")
    text.cases, images.cases = text.cases[: args.text], images.cases[: args.images]
    out = args.out or Path(tempfile.mkdtemp(prefix="tunesmith-agent-bench-"))

    print(f"no-LLM path (compose_tune), {load()}", flush=True)
    baseline = no_llm_seconds([text, images], out)
    runs = {}
    for mode in ("loop", "plan"):
        settings = load_settings(output_dir=out / mode / "sessions", agent_mode=mode)
        print(f"{mode} mode, {load()}", flush=True)
        report = run_eval([text, images], out / mode, settings=settings, ablations=False, progress=True,
                          with_audio=False, model_factory=lambda s, case: make_chat_model(s))
        runs[mode] = list(report.backends["embedded"].cases.values())
    print(f"finished, {load()}\n")

    headers = ["mode", "done", "LLM calls/req", "prompt tok/req", "gen tok/req", "median s", "p90 s", "valid",
               "all met"]
    rows = [_row(f"{mode} {kind}", [c for c in cases if c.kind == kind]) for mode, cases in runs.items()
            for kind in ("text", "image")]
    rows += [["no-LLM text", f"{len(baseline['text'])}", "0", "0", "0", f"{statistics.median(baseline['text']):.1f}",
              f"{_p90(baseline['text']):.1f}", "-", "-"]]
    if baseline["image"]:
        rows += [["no-LLM image", f"{len(baseline['image'])}", "0", "0", "0",
                  f"{statistics.median(baseline['image']):.1f}", f"{_p90(baseline['image']):.1f}", "-", "-"]]
    _table(headers, rows)
    for kind in ("text", "image"):
        walls = {mode: [c.wall_seconds for c in cases if c.kind == kind and c.status == "done"]
                 for mode, cases in runs.items()}
        if walls["plan"] and walls["loop"] and baseline[kind]:
            base = statistics.median(baseline[kind])
            print(f"{kind}: median plan {statistics.median(walls['plan']):.1f} s = "
                  f"{statistics.median(walls['plan']) / statistics.median(walls['loop']):.2f}x loop, "
                  f"{statistics.median(walls['plan']) / base:.1f}x the no-LLM path ({base:.1f} s)")
    for mode in ("loop", "plan"):
        for _ in range(args.cold):
            print(f"cold `tunesmith compose \"{JIG}\"` ({mode}), {load()}: ", end="", flush=True)
            seconds, status = cold_compose(mode, out)
            print(f"{seconds:.1f} s ({status})", flush=True)
    print(f"files: {out}")


if __name__ == "__main__":
    main()
