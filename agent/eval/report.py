"""report.md and report.html for an eval run: headline tables per backend, expectations, ablations,
judge, and plots (critic score distribution, first vs final round, time split LLM vs tools).

Both files come from one list of blocks, so they always say the same thing. The HTML is
self-contained (plots embedded as base64 PNG); the Markdown links the same PNGs under plots/.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunesmith.agent.eval.metrics import EXPECTATION_FIELDS, summarise
from tunesmith.memory.files import atomic_write_bytes, atomic_write_text

if TYPE_CHECKING:
    from tunesmith.agent.eval.metrics import EvalReport

MAX_MISS_ROWS = 40


@dataclass
class Block:
    """One piece of the report: a heading, a paragraph, a table or a plot."""

    kind: str  # "h2" | "p" | "table" | "plot"
    text: str = ""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    png: bytes = b""
    name: str = ""


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


HEADLINE = ("backend", "model", "cases", "done", "valid ABC", "music21", "all expectations met", "critic mean",
            "critic first → final", "retrieval used", "median wall s", "LLM share", "tokens in / out")


def headline_rows(report: EvalReport) -> list[tuple[str, ...]]:
    """One row of HEADLINE per backend that ran at least one case, as display strings."""
    rows = []
    for name, run in report.backends.items():
        if not run.cases:
            continue
        s = report.summary(name)
        rows.append((name, run.model, str(s.cases), str(s.done), _pct(s.valid_rate), _pct(s.music21_rate),
                     _pct(s.all_met_rate), _cell(s.critic_mean), f"{_cell(s.critic_first_mean)} → {_cell(s.critic_final_mean)}",
                     _pct(s.retrieval_rate), _cell(s.wall_median_s), _pct(s.llm_share), f"{s.input_tokens} / {s.output_tokens}"))
    return rows


def unavailable_sentences(report: EvalReport) -> list[str]:
    """One sentence per backend that could not run (or stopped running)."""
    sentences = []
    for name, run in report.backends.items():
        if not run.available:
            reason = run.reason or f"The {name} backend was not available."
            sentences.append(reason + (" The cases it finished before that are counted." if run.cases else ""))
    return sentences


def _headline(report: EvalReport) -> list[Block]:
    return [Block("h2", "Results by backend"), Block("table", headers=HEADLINE, rows=tuple(headline_rows(report))),
            *(Block("p", sentence) for sentence in unavailable_sentences(report))]


def _by_suite(report: EvalReport) -> list[Block]:
    headers = ("backend", "suite", "cases", "done", "valid ABC", "all met", *_fields(report), "critic mean")
    rows = []
    for name in report.backends:
        for suite in report.suites:
            s = report.summary(name, suite)
            if s.cases:
                rows.append((name, suite, s.cases, s.done, _pct(s.valid_rate), _pct(s.all_met_rate),
                             *(_pct(s.field_met_rate.get(f)) for f in _fields(report)), s.critic_mean))
    return [Block("h2", "Expectations met, by suite and field"),
            Block("p", "Each field is measured from the finished ABC (tempo as Q: beats per minute) and checked "
                       "with the suite's own expectation; '–' means no case of that suite states the field."),
            Block("table", headers=headers, rows=tuple(rows))]


def _chat(report: EvalReport) -> list[Block]:
    """Turn-level adherence, reply consistency and seconds per turn for the multi-turn chat suites."""
    rows, per_conversation = [], []
    for name, run in report.backends.items():
        chats = [c for c in run.cases.values() if c.conversation]
        if not chats:
            continue
        s = summarise(chats)
        times = sorted(c.wall_seconds for c in chats if c.status == "done")
        rows.append((name, s.cases, s.done, _pct(s.all_met_rate), _pct(s.reply_consistent_rate), s.wall_median_s,
                     times[-1] if times else None))
        for conversation in dict.fromkeys(c.conversation for c in chats):
            turns = [c for c in chats if c.conversation == conversation]
            t = summarise(turns)
            per_conversation.append((name, conversation, t.cases, _pct(t.all_met_rate), _pct(t.reply_consistent_rate),
                                     t.wall_median_s))
    if not rows:
        return []
    problems = [(run.backend, key, "; ".join(c.reply_problems)) for run in report.backends.values()
                for key, c in run.cases.items() if c.reply_problems]
    blocks = [Block("h2", "Conversations: turn by turn"),
              Block("p", "Each turn of each conversation continues the session of the turn before. A turn is adherent "
                         "when the tune it leaves (its own, or the one before when it rightly made none) meets every "
                         "stated expectation, measured from the files; a reply is consistent when the facts and changes "
                         "it states match those files and it names every change the trace records as not done."),
              Block("table", headers=("backend", "turns", "done", "turns adherent", "replies consistent",
                                      "median s per turn", "slowest turn s"), rows=tuple(rows)),
              Block("table", headers=("backend", "conversation", "turns", "adherent", "replies consistent", "median s"),
                    rows=tuple(per_conversation))]
    if problems:
        blocks.append(Block("table", headers=("backend", "turn", "reply problem"), rows=tuple(problems[:MAX_MISS_ROWS])))
    return blocks


def _fields(report: EvalReport) -> tuple[str, ...]:
    stated = {f for run in report.backends.values() for c in run.cases.values() for f in c.constraints}
    return tuple(f for f in EXPECTATION_FIELDS if f in stated)


def _misses(report: EvalReport) -> list[Block]:
    rows = [(run.backend, key, c.status, "; ".join(c.unmet) or c.error or "")
            for run in report.backends.values() for key, c in run.cases.items() if c.status != "done" or c.unmet]
    if not rows:
        return [Block("h2", "Cases that missed"), Block("p", "Every case finished and met every stated expectation.")]
    more = f" (first {MAX_MISS_ROWS} of {len(rows)})" if len(rows) > MAX_MISS_ROWS else ""
    return [Block("h2", f"Cases that missed{more}"),
            Block("table", headers=("backend", "case", "status", "what was missed"), rows=tuple(rows[:MAX_MISS_ROWS]))]


def _audio_blocks(report: EvalReport) -> list[Block]:
    """The learned text–audio score of every case, and the musicnn Fréchet distance to real tunes."""
    rows = [(run.backend, key, c.audio.tag_match, c.audio.descriptor_match, c.audio.clap_similarity, c.audio.top_tags)
            for run in report.backends.values() for key, c in run.cases.items() if c.status == "done" and c.audio]
    if not rows:
        return []
    blocks = [Block("h2", "Text–audio score of every case"),
              Block("p", "tag match: the render's musicnn tag profile against the request's words (tags and request "
                         "embedded with all-MiniLM-L6-v2), calibrated to 0..1 on matching vs shuffled request/render pairs "
                         "(benchmarks/text_score_bench.py); descriptor match: librosa measures vs words; CLAP where its "
                         "weights exist."),
              Block("table", headers=("backend", "case", "tag match", "descriptor match", "CLAP", "tags heard"),
                    rows=tuple(rows))]
    distribution = report.audio_distribution
    if distribution:
        blocks += [Block("h2", "How far the renders sound from real tunes (musicnn Fréchet distance)"),
                   Block("p", "Fréchet distance between Gaussians of musicnn (MTT_musicnn penultimate, 200-d) embeddings "
                              "of 3 s patches: this run's tune.wav files vs " + distribution.get("reference", "reference renders")
                              + ". Lower is closer. This is not VGGish FAD and is not comparable to published FAD values; "
                              "compare it only between Tunesmith eval runs. " + distribution.get("reason", ""))]
        blocks.append(Block("table", headers=("backend", "distance", "clips ours / real", "patches ours / real"),
                            rows=tuple((name, d.get("distance"), " / ".join(map(str, d.get("clips", ()))) or d.get("reason"),
                                        " / ".join(map(str, d.get("patches", ()))))
                                       for name, d in distribution.get("backends", {}).items())))
    return blocks


def _ablation_blocks(ablations: dict[str, Any]) -> list[Block]:
    if not ablations:
        return [Block("h2", "Ablations"), Block("p", "The ablations were not run (--no-ablations).")]
    blocks = [Block("h2", "Ablation (a): photo → music, raw caption vs image bridge"),
              Block("p", "Each photo is described literally (its caption, or its palette when no captioner is "
                         "available) and that text is read as a request, versus the bridge's plan from the visual "
                         "analysis. Both are composed without refinement, rendered and measured. Spreads are "
                         "standard deviations across photos; rho is Spearman's rank correlation with the photo's "
                         "visual energy. " + ablations.get("photo_note", ""))]
    blocks.append(Block("table", headers=("route", "photos", "distinct plans", "tempo mean", "tempo spread",
                                          "centroid Hz", "centroid spread", "onsets/s", "onsets spread",
                                          "rho energy~tempo", "rho energy~onsets", "CLAP"),
                        rows=tuple((r["route"], r["photos"], r["distinct_plans"], r["tempo_mean"], r["tempo_spread"],
                                    r["centroid_mean_hz"], r["centroid_spread_hz"], r["onset_density_mean"],
                                    r["onset_density_spread"], r["energy_vs_tempo"], r["energy_vs_onsets"], r["clap_mean"])
                                   for r in ablations.get("routes", []))))
    blocks.append(Block("table", headers=("photo", "route", "energy", "plan", "centroid Hz", "onsets/s", "heard BPM"),
                        rows=tuple((t["photo"], t["route"], t["energy"], t["plan"], t["centroid_mean_hz"],
                                    t["onset_density_per_s"], t["heard_tempo_bpm"]) for t in ablations.get("photos", []))))
    blocks += [Block("h2", "Ablation (b): retrieval × self-refinement"),
               Block("p", "Every text request is planned from its words, then composed with the exemplars the agent "
                          "would retrieve or none, and refined for 3 rounds or none; the critic judges the kept tune. "
                          "'lowered' counts cases where refinement kept a worse tune than the first draft (must be 0). "
                          + ablations.get("retrieval_note", ""))]
    blocks.append(Block("table", headers=("retrieval", "rounds", "cases", "first draft", "kept", "adherence",
                                          "valid", "all expectations met", "lowered"),
                        rows=tuple((a["retrieval"], a["rounds"], a["cases"], a["first_mean"], a["kept_mean"],
                                    a["adherence_mean"], _pct(a["valid_rate"]), _pct(a["all_met_rate"]), a["lowered"])
                                   for a in ablations.get("arms", []))))
    return blocks


def _realism_blocks(realism: dict[str, Any]) -> list[Block]:
    """Held-out real tunes against the melody model, the rule-based composer and a random walk."""
    if not realism:
        return []
    blocks = [Block("h2", "Melody realism: held-out real tunes vs generated tunes for the same plans"),
              Block("p", "Each held-out test tune of the corpus split gives a plan (key, mode, meter, type, range, form, "
                         "length as played); every source writes that plan. Classifier AUC: 5-fold ROC AUC of gradient "
                         "boosting on 15 features telling real from generated (0.5 = indistinguishable). Plausibility "
                         "AUC: the melody model's log-likelihood ranking real above generated. Overlaps (0..1) of "
                         "feature distributions after Yang & Lerch (2018). " + realism.get("note", ""))]
    sources = realism.get("sources", [])
    if not sources:
        return blocks
    features = list(sources[0]["overlaps"])
    blocks.append(Block("table", headers=("source", "tunes", "valid", "classifier AUC", "without final-note features",
                                          "plausibility AUC", "nats/token", *(f"overlap: {f}" for f in features)),
                        rows=tuple((s["source"], s["tunes"], _pct(s["valid"]), s["classifier_auc"],
                                    s.get("classifier_auc_without_endings"), s["plausibility_auc"],
                                    s["mean_log_likelihood"], *(s["overlaps"].get(f) for f in features))
                                   for s in sources)))
    names = list(sources[0]["features"])
    blocks.append(Block("table", headers=("feature (mean per tune)", *(s["source"] for s in sources)),
                        rows=tuple((name, *(s["features"].get(name) for s in sources)) for name in names)))
    plot = _realism_plot(realism.get("histograms", {}))
    return blocks + ([plot] if plot else [])


def _realism_plot(histograms: dict[str, dict[str, dict[str, float]]]) -> Block | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not histograms:
        return None
    features = list(next(iter(histograms.values())))
    figure, grid = plt.subplots(1, len(features), figsize=(4 * len(features), 3.4), squeeze=False)
    axes = grid[0]
    for axis, feature in zip(axes, features):
        for source, by_feature in histograms.items():
            shares = by_feature.get(feature, {})
            keys = sorted(shares, key=float)
            axis.plot([float(k) for k in keys], [shares[k] for k in keys], marker=".", label=source, alpha=0.8)
        axis.set(title=feature, ylabel="share of notes")
    axes[0].legend(fontsize=7)
    return Block("plot", text="Feature distributions: real vs generated", png=_png(figure), name="realism.png")


def _judge_blocks(judge: dict[str, Any]) -> list[Block]:
    blocks = [Block("h2", "LLM-as-judge (1–7)")]
    if not judge.get("ran"):
        return blocks + [Block("p", judge.get("reason") or "The judge was not run.")]
    criteria = sorted({c for means in judge["means"].values() for c in means})
    blocks.append(Block("p", f"Judge: {judge['judge']}. {judge['reason']}"))
    blocks.append(Block("table", headers=("backend", *criteria),
                        rows=tuple((b, *(means.get(c) for c in criteria)) for b, means in judge["means"].items())))
    return blocks


def _png(figure: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _plots(report: EvalReport) -> list[Block]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = {b: [c for c in run.cases.values() if c.status == "done"] for b, run in report.backends.items()}
    done = {b: cases for b, cases in done.items() if cases}
    if not done:
        return []
    figure, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for backend, cases in done.items():
        axes[0].hist([c.critic_overall for c in cases if c.critic_overall is not None], bins=10, range=(0, 1),
                     alpha=0.6, label=backend)
        pairs = [(c.critic_first, c.critic_final) for c in cases if c.critic_first is not None and c.critic_final is not None]
        axes[1].scatter([p[0] for p in pairs], [p[1] for p in pairs], alpha=0.6, label=backend)
    axes[0].set(title="Critic overall score", xlabel="score 0..1", ylabel="cases")
    axes[1].plot([0, 1], [0, 1], color="grey", linewidth=0.8)
    axes[1].set(title="First draft vs kept tune", xlabel="first round", ylabel="final", xlim=(0, 1.02), ylim=(0, 1.02))
    names = list(done)
    llm = [sum(c.llm_seconds for c in done[b]) / len(done[b]) for b in names]
    tools = [sum(c.tool_seconds for c in done[b]) / len(done[b]) for b in names]
    other = [max(sum(c.wall_seconds for c in done[b]) / len(done[b]) - in_llm - in_tools, 0)
             for b, in_llm, in_tools in zip(names, llm, tools)]
    axes[2].bar(names, llm, label="LLM")
    axes[2].bar(names, tools, bottom=llm, label="tools")
    axes[2].bar(names, other, bottom=[a + b for a, b in zip(llm, tools)], label="other (agent loop, trace, files)")
    axes[2].set(title="Mean seconds per case", ylabel="seconds")
    for axis in axes:
        axis.legend(fontsize=8)
    return [Block("h2", "Plots"), Block("plot", text="Critic scores, refinement and time split", png=_png(figure), name="overview.png")]


def report_blocks(report: EvalReport) -> list[Block]:
    """The whole report, in order."""
    intro = (f"Suites: {', '.join(report.suites)}. Seed {report.seed}; up to {report.refine_rounds} refinement rounds. "
             "Every number is measured from the files each turn wrote (tune.abc, trace.json, tune.wav).")
    return [Block("p", intro), *_headline(report), *_by_suite(report), *_chat(report), *_misses(report), *_plots(report),
            *_audio_blocks(report), *_ablation_blocks(report.ablations), *_realism_blocks(report.realism),
            *_judge_blocks(report.judge)]


def _markdown(blocks: list[Block]) -> str:
    lines = ["# Tunesmith evaluation", ""]
    for block in blocks:
        if block.kind == "h2":
            lines += [f"## {block.text}", ""]
        elif block.kind == "p":
            lines += [block.text, ""]
        elif block.kind == "table" and block.rows:
            lines += ["| " + " | ".join(block.headers) + " |", "|" + "---|" * len(block.headers)]
            lines += ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |" for row in block.rows] + [""]
        elif block.kind == "plot":
            lines += [f"![{block.text}](plots/{block.name})", ""]
    return "\n".join(lines)


def _html(blocks: list[Block]) -> str:
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Tunesmith evaluation</title><style>",
             "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #ccc;padding:3px 7px}"
             "th{background:#eee}img{max-width:100%}",
             "</style></head><body><h1>Tunesmith evaluation</h1>"]
    for block in blocks:
        if block.kind == "h2":
            parts.append(f"<h2>{html.escape(block.text)}</h2>")
        elif block.kind == "p":
            parts.append(f"<p>{html.escape(block.text)}</p>")
        elif block.kind == "table" and block.rows:
            head = "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>" for row in block.rows)
            parts.append(f"<table><tr>{head}</tr>{body}</table>")
        elif block.kind == "plot":
            data = base64.b64encode(block.png).decode("ascii")
            parts.append(f"<img alt='{html.escape(block.text)}' src='data:image/png;base64,{data}'>")
    return "\n".join(parts + ["</body></html>"])


def write_reports(report: EvalReport, out_dir: Path) -> tuple[Path, Path]:
    """Write report.md (with plots/*.png) and the self-contained report.html into `out_dir`."""
    blocks = report_blocks(report)
    for block in blocks:
        if block.kind == "plot":
            atomic_write_bytes(out_dir / "plots" / block.name, block.png)
    return atomic_write_text(out_dir / "report.md", _markdown(blocks)), atomic_write_text(out_dir / "report.html", _html(blocks))
