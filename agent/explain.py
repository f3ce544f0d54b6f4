"""explanation.md for one turn, built from its trace alone: each musical choice next to its cause.

Nothing here invents a reason: a choice is explained only by what the trace recorded (the plan's
reasons, image or clip features, retrieved exemplars, critic rounds, edits). Where the trace has no
cause for a value, the explanation says it was a default.
"""

from __future__ import annotations

from typing import Any

from tunesmith.agent.trace import TurnTrace

PLAN_FIELDS = [
    ("key", "Key"), ("mode", "Mode"), ("meter", "Meter"), ("tempo_bpm", "Tempo (BPM)"), ("bars", "Bars"),
    ("form", "Form"), ("tune_type", "Tune type"), ("instrument", "Instrument"), ("density", "Rhythmic density"),
    ("contour", "Melodic contour"),
]


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _choices_table(plan: dict[str, Any]) -> list[str]:
    reasons = plan.get("reasons", {})
    rows = ["| Choice | Value | Because |", "|---|---|---|"]
    for field, label in PLAN_FIELDS:
        value = plan.get(field)
        if value in (None, "", []):
            continue
        rows.append(f"| {label} | {_cell(value)} | {_cell(reasons.get(field, 'default for this kind of tune'))} |")
    low, high = plan.get("low_pitch"), plan.get("high_pitch")
    if low is not None and high is not None:
        why = reasons.get("low_pitch") or reasons.get("high_pitch") or "default range"
        rows.append(f"| Range (MIDI) | {low}–{high} | {_cell(why)} |")
    return rows


def _image_section(image: dict[str, Any]) -> list[str]:
    lines = ["## What the picture contributed", ""]
    for key, value in image.items():
        lines.append(f"- **{key.replace('_', ' ')}**: {_cell(value)}")
    return lines + [""]


def _cues_section(cues: dict[str, Any]) -> list[str]:
    """What the picture shows beside its colours: words, faces and scene cues with their confidences, and
    what they moved in the plan."""
    lines = ["## What is in the picture", ""]
    for line in cues.get("text", []):
        lines.append(f"- text ({line['role']}, confidence {line['confidence']:.2f}): “{_cell(line['text'])}”")
    if not cues.get("text"):
        lines.append(f"- text: none ({_cell(cues.get('text_status', ''))})")
    for face in cues.get("faces", []):
        read = f", {face['expression']} ({face['expression_confidence']:.2f})" if face.get("expression") else ""
        lines.append(f"- face covering {face['area']:.1%} (detection confidence {face['detection_confidence']:.2f}){read}")
    if not cues.get("faces"):
        lines.append(f"- faces: none ({_cell(cues.get('face_status', ''))})")
    for cue in cues.get("scene", []):
        lines.append(f"- {cue['name']} (confidence {cue['confidence']:.2f}): {_cell(cue['evidence'])}")
    effects = cues.get("effects") or {}
    moved = effects.get("moved") or {}
    if any(value is not None for value in moved.values()):
        lines.append("- mood after these cues: " + ", ".join(f"{k} {v:.2f}" for k, v in moved.items() if v is not None))
    if effects.get("mood_moves"):
        lines.append(f"- how they moved it: {_cell(effects['mood_moves'])}")
    if effects.get("tags") not in (None, "none"):
        lines.append(f"- what they suggest: {_cell(effects['tags'])}")
    if effects.get("words_not_used"):
        lines.append(f"- words not used: {_cell(effects['words_not_used'])}")
    return lines + [""]


def _exemplar_section(exemplars: list[dict[str, Any]]) -> list[str]:
    lines = ["## Tunes it learned from (retrieved from the library)", ""]
    for exemplar in exemplars:
        lines.append(f"- *{exemplar.get('title', '?')}* ({exemplar.get('source', '?')}): {exemplar.get('why_matched', '')}")
    return lines + [""]


def _composition_section(choices: list[str]) -> list[str]:
    """Who wrote the melody (the melody model or the rule-based composer), how, and what it took from where."""
    return ["## How the melody was written", ""] + [f"- {choice}" for choice in choices] + [""]


def _refinement_section(trace: TurnTrace, stop_reason: str | None) -> list[str]:
    lines = ["## Self-refinement", "", "| Round | Critic score | What changed | Kept |", "|---|---|---|---|"]
    for critic_round in trace.critic_rounds:
        kept = "yes" if critic_round.kept else ""
        lines.append(f"| {critic_round.round} | {critic_round.overall:.2f} | {_cell(critic_round.change)} | {kept} |")
    if stop_reason:
        lines += ["", f"Stopped because {stop_reason}."]
    first, kept = trace.critic_rounds[0], next((r for r in trace.critic_rounds if r.kept), trace.critic_rounds[-1])
    lines += ["", f"Score of the first draft {first.overall:.2f}, of the tune you got {kept.overall:.2f}.", ""]
    return lines


def _critique_section(critique: dict[str, Any]) -> list[str]:
    lines = ["## How well it follows the request (critic)", "", "| Check | Target | Measured | Score |", "|---|---|---|---|"]
    for dimension in critique.get("adherence", []):
        lines.append(
            f"| {dimension['name']} | {_cell(dimension.get('target') or '—')} | {_cell(dimension['measured'])} | {dimension['score']:.2f} |"
        )
    quality = critique.get("quality", [])
    if quality:
        lines += ["", "| Musical quality | Measured | Score |", "|---|---|---|"]
        lines += [f"| {d['name']} | {_cell(d['measured'])} | {d['score']:.2f} |" for d in quality]
    if critique.get("feedback"):
        lines += ["", "Remaining remarks: " + "; ".join(critique["feedback"])]
    return lines + [""]


def _own_tune_section(own: dict[str, Any], origin: str | None) -> list[str]:
    """What was done to the tune the user brought: nothing, or which repairs (with bars); what the check found."""
    lines = ["## Your tune", ""]
    if origin:
        lines.append(f"- {_cell(origin)}")
    if own.get("played_as_written"):
        lines.append("- Played exactly as written: nothing was changed.")
    elif own.get("repairs"):
        lines.append("- abc2midi could not play it as written, so only that was repaired:")
        lines += [f"  - {_cell(change)}" for change in own["repairs"]]
    lines += [f"- {_cell(answer)}" for answer in own.get("answers", [])]
    if own.get("findings"):
        lines += ["", "What the check found (line and bar):", ""] + [f"- {_cell(f)}" for f in own["findings"]]
    return lines + [""]


def _process_section(trace: TurnTrace) -> list[str]:
    lines = ["## How it was made", ""]
    for call in trace.tool_calls:
        outcome = f"error: {call.error}" if call.error else "ok"
        who = "" if call.by == "llm" else " (run by the agent)"
        lines.append(f"{call.index}. `{call.name}`{who} — {outcome} ({call.seconds:.1f} s)")
    tokens_in = sum(step.input_tokens or 0 for step in trace.llm_steps)
    tokens_out = sum(step.output_tokens or 0 for step in trace.llm_steps)
    lines += [
        "",
        f"Model: {trace.backend} / {trace.model}; {len(trace.llm_steps)} LLM steps, "
        f"{tokens_in} prompt and {tokens_out} generated tokens; LLM {trace.llm_seconds:.1f} s, tools {trace.tool_seconds:.1f} s, "
        f"wall {trace.wall_seconds:.1f} s.",
        "",
    ]
    return lines


def build_explanation(trace: TurnTrace) -> str:
    """The Markdown explanation of a turn, from its trace."""
    evidence = trace.evidence
    plan = trace.plan or {}
    title = plan.get("title") or "Your tune"
    lines = [f"# {title}", "", f"> {trace.request}", ""]
    if trace.reply:
        lines += [trace.reply, ""]
    if trace.artifacts:
        lines += ["## Files", ""] + [f"- {kind}: `{path}`" for kind, path in trace.artifacts.items()] + [""]
    if plan:
        lines += ["## Why it sounds like this", ""] + _choices_table(plan) + [""]
    if evidence.get("own_tune"):
        lines += _own_tune_section(evidence["own_tune"], evidence.get("tune_origin"))
    if evidence.get("edits"):
        lines += ["## What this turn changed", ""] + [f"- {edit}" for edit in evidence["edits"]] + [""]
    if evidence.get("image"):
        lines += _image_section(evidence["image"])
    if evidence.get("picture_cues"):
        lines += _cues_section(evidence["picture_cues"])
    if evidence.get("audio"):
        clip = evidence["audio"] if isinstance(evidence["audio"], list) else [evidence["audio"]]
        lines += ["## What the reference clip contributed", ""] + [f"- {_cell(line)}" for line in clip] + [""]
    if evidence.get("exemplars"):
        lines += _exemplar_section(evidence["exemplars"])
    if evidence.get("composition_choices"):
        lines += _composition_section(evidence["composition_choices"])
    if evidence.get("musicgen_prompt"):
        lines += ["## Text-to-music prompt (the bridge)", "", f"- bridged: “{evidence['musicgen_prompt']}”"]
        if evidence.get("raw_caption_prompt"):
            lines.append(f"- literal description it came from: “{evidence['raw_caption_prompt']}”")
        lines.append("")
    if trace.critic_rounds:
        lines += _refinement_section(trace, evidence.get("refine_stop_reason"))
    if evidence.get("critique"):
        lines += _critique_section(evidence["critique"])
    if trace.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in trace.notes] + [""]
    lines += _process_section(trace)
    return "\n".join(lines)
