"""End-to-end agent benchmark: request → playable WAV with the REAL embedded model on this CPU.

Runs the first 10 text requests of eval/text_requests.yaml and the first 5 image requests of
eval/image_requests.yaml through the agent (fresh session per request, fixed seed), and the same
requests through the same agent driven by a scripted model (no LLM) as the baseline of this run.
Prints median wall time per request, the ratio to the baseline, tokens processed, share of time in
the LLM vs the tools, validity and adherence rates, and critic scores before and after refinement.

    .venv/bin/python benchmarks/agent_bench.py [--text 10] [--images 5] [--out DIR]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout: suites and test data


def embedded_factory():
    """The configured embedded chat model (agent.llm when present, else the llama.cpp model directly)."""
    try:
        from tunesmith.agent.llm.factory import make_chat_model
    except ImportError:
        make_chat_model = None
    if make_chat_model is not None:
        return lambda settings, case: make_chat_model(settings)
    from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

    return lambda settings, case: ChatLlamaCppEmbedded(temperature=settings.llm_temperature, seed=settings.seed)


def scripted_factory(settings, case):
    """Baseline: the agent's own tools in the order a good model calls them, with no LLM time."""
    from support.scripted_model import call, scripted

    steps = [call("describe_image", path=f"{case.id}.png")] if case.image else []
    return scripted(*steps, call("plan_music", request=case.request), call("compose_abc"), call("render"), "Done.")


def _row(label: str, cases: list) -> list[str]:
    done = [c for c in cases if c.status == "done"]
    walls = [c.wall_seconds for c in done]
    llm, tools = sum(c.llm_seconds for c in done), sum(c.tool_seconds for c in done)
    refined = [c for c in done if c.refine_gain is not None]
    return [
        label, f"{len(done)}/{len(cases)}",
        f"{statistics.median(walls):.1f}" if walls else "-",
        f"{max(walls):.1f}" if walls else "-",
        f"{statistics.fmean(c.input_tokens for c in done):.0f}/{statistics.fmean(c.output_tokens for c in done):.0f}" if done else "-",
        f"{100 * llm / (llm + tools):.0f}%" if llm + tools else "-",
        f"{100 * sum(c.abc_valid for c in done) / len(done):.0f}%" if done else "-",
        f"{100 * sum(c.all_met for c in done) / len(done):.0f}%" if done else "-",
        (f"{statistics.fmean(c.critic_first for c in refined):.3f} -> "
         f"{statistics.fmean(c.critic_final for c in refined):.3f}") if refined else "-",
        f"{statistics.fmean(c.agent_fallback_steps for c in done):.1f}" if done else "-",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=10, help="How many text requests.")
    parser.add_argument("--images", type=int, default=5, help="How many image requests.")
    parser.add_argument("--out", type=Path, default=None, help="Folder for the runs (default: a temp folder).")
    args = parser.parse_args()

    from tunesmith.agent.eval.run import run_eval
    from tunesmith.agent.eval.suite import load_suite
    from tunesmith.settings import load_settings

    text = load_suite(ROOT / "eval" / "text_requests.yaml")
    images = load_suite(ROOT / "eval" / "image_requests.yaml")
    text.cases, images.cases = text.cases[: args.text], images.cases[: args.images]
    out = args.out or Path(tempfile.mkdtemp(prefix="tunesmith-agent-bench-"))
    settings = load_settings(output_dir=out / "sessions")

    runs = {}
    for label, factory in (("scripted (baseline)", scripted_factory), ("embedded", embedded_factory())):
        start = time.perf_counter()
        report = run_eval([text, images], out / label.split()[0], settings=settings, model_factory=factory,
                          ablations=False, progress=True, with_audio=False)
        runs[label] = (report, time.perf_counter() - start)

    headers = ["run", "done", "median s", "max s", "tokens in/out", "LLM share", "valid", "all met",
               "critic first -> final", "fallback steps"]
    rows = []
    for label, (report, _) in runs.items():
        cases = list(report.backends["embedded"].cases.values())
        rows.append(_row(f"{label} all", cases))
        for kind in ("text", "image"):
            rows.append(_row(f"{label} {kind}", [c for c in cases if c.kind == kind]))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))
    base = statistics.median(c.wall_seconds for c in runs["scripted (baseline)"][0].backends["embedded"].cases.values())
    real = [c.wall_seconds for c in runs["embedded"][0].backends["embedded"].cases.values() if c.status == "done"]
    if real:
        print(f"\nmedian request -> WAV: embedded {statistics.median(real):.1f} s = "
              f"{statistics.median(real) / base:.1f}x the scripted baseline ({base:.1f} s); target < 90 s")
    print(f"files: {out}")


if __name__ == "__main__":
    main()
