"""Let a chat model adjust a bridge plan, one validated field at a time.

The LLM (any LangChain `BaseChatModel`, passed in) answers with JSON changes. Each change is
checked against the `MusicPlan` schema on its own: valid ones are applied and explained in
`plan.reasons`, invalid ones are refused and the deterministic value stays. Whatever the model
answers, the result is a valid plan.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, get_args

from pydantic import ValidationError

from tunesmith.prompts import load_prompt
from tunesmith.tools.musicgen.prompt import musicgen_prompt_for_plan
from tunesmith.tools.plan import Mode, MusicPlan
from tunesmith.tools.planning.scene_words import TUNE_TYPE_METERS

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from tunesmith.tools.vision.bridge import BridgeResult

EDITABLE_FIELDS = tuple(name for name in MusicPlan.model_fields if name not in ("reasons", "seed", "exemplar_ids"))
MIN_RANGE = 7  # semitones: a melody needs at least a fifth-and-a-bit between low_pitch and high_pitch


def _answer_json(text: str) -> dict[str, Any] | None:
    """The JSON object in a model answer: a ```json fence, or the outermost {...}; None if there is none."""
    fenced = re.search(r"```(?:json)?\s*(\{.*?\})\s*```", text, re.DOTALL)
    candidate = fenced.group(1) if fenced else text[text.find("{"): text.rfind("}") + 1]
    try:
        value = json.loads(candidate)
    except (json.JSONDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


_SCALAR_PAIR = re.compile(r'"(\w+)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)')


def _salvaged_changes(text: str) -> dict[str, Any]:
    """Complete `"field": value` pairs from an answer cut off mid-JSON (a small model hitting its token cap).

    Only the part before any "why" is read, so reasons are never mistaken for values.
    """
    head = text.split('"why"')[0]
    return {field: json.loads(value) for field, value in _SCALAR_PAIR.findall(head) if field != "changes"}


def _short_error(exc: ValidationError) -> str:
    return "; ".join(error["msg"] for error in exc.errors())


def _split_key_and_mode(changes: dict[str, Any]) -> dict[str, Any]:
    """Read a key given as "E minor" (a common LLM habit) as key "E" plus mode "minor"."""
    key = changes.get("key")
    if isinstance(key, str) and len(key.split()) == 2 and "mode" not in changes:
        tonic, mode = key.split()
        if mode.lower() in get_args(Mode):
            return {**changes, "key": tonic, "mode": mode.lower()}
    return changes


def apply_changes(plan: MusicPlan, changes: dict[str, Any], why: dict[str, Any] | str) -> tuple[MusicPlan, list[str]]:
    """Apply each valid change to `plan` (reasons updated); returns the new plan and a note per change."""
    notes: list[str] = []
    current = plan.model_copy(deep=True)
    changes = _split_key_and_mode(changes)
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            notes.append(f"refused {field}={value!r}: not a plan field that can be changed ({', '.join(EDITABLE_FIELDS)})")
            continue
        old = getattr(current, field)
        try:
            candidate = MusicPlan.model_validate({**current.model_dump(), field: value})
        except ValidationError as exc:
            notes.append(f"refused {field}={value!r}: {_short_error(exc)}; kept {old!r}")
            continue
        new = getattr(candidate, field)
        if new == old:
            continue
        reason = str(why.get(field, "no reason given") if isinstance(why, dict) else why or "no reason given").strip()
        candidate.reasons[field] = f"{new} (LLM changed it from {old}: {reason}); before: {current.reasons.get(field, 'default')}"
        current = candidate
        notes.append(f"changed {field}: {old!r} → {new!r} ({reason})")
    if current.high_pitch - current.low_pitch < MIN_RANGE:
        notes.append(f"refused range {current.low_pitch}–{current.high_pitch}: needs at least {MIN_RANGE} semitones; "
                     f"kept {plan.low_pitch}–{plan.high_pitch}")
        current = current.model_copy(update={"low_pitch": plan.low_pitch, "high_pitch": plan.high_pitch})
        for field in ("low_pitch", "high_pitch"):
            current.reasons[field] = plan.reasons.get(field, "default")
    tune_type = (current.tune_type or "").lower()
    if "meter" not in changes and tune_type != (plan.tune_type or "").lower() and tune_type in TUNE_TYPE_METERS:
        meter = TUNE_TYPE_METERS[tune_type]
        if meter != current.meter:
            notes.append(f"changed meter: {current.meter!r} → {meter!r} (follows the new tune type {tune_type})")
            current = current.model_copy(update={"meter": meter})
            current.reasons["meter"] = f"{meter}: the usual meter of a {tune_type} (tune type changed by the LLM)"
    return current, notes


def read_answer(answer: str) -> tuple[dict[str, Any], dict[str, Any] | str, list[str]]:
    """(changes, why, notes) from a model's answer; `changes` is empty when nothing could be read."""
    parsed = _answer_json(answer)
    if parsed is None:
        salvaged = _salvaged_changes(answer)
        if not salvaged:
            return {}, "", [f"LLM answer had no JSON object, plan kept: {answer[:120]!r}"]
        return salvaged, "", ["LLM answer was cut off; its complete field values were read"]
    changes = parsed.get("changes", parsed)  # small models often drop the "changes" wrapper
    changes = {k: v for k, v in changes.items() if k != "why"} if isinstance(changes, dict) else {}
    why = parsed.get("why", "")
    return changes, why if isinstance(why, (dict, str)) else "", []


def refine_plan_with_llm(result: BridgeResult, chat_model: BaseChatModel, request: str) -> BridgeResult:
    """Ask `chat_model` (prompt: prompts/bridge_refine.txt) for JSON adjustments and apply the valid ones.

    An answer without JSON, or a model that fails, leaves the plan unchanged; `refinements` says so.
    """
    from langchain_core.messages import HumanMessage

    # Short numbers and no bookkeeping fields: every prompt token costs time on a small local model.
    evidence = {k: round(v, 2) if isinstance(v, float) else v for k, v in result.evidence.items() if k != "caption_status"}
    prompt = load_prompt("bridge_refine").format(
        fields=", ".join(EDITABLE_FIELDS),
        plan=result.plan.model_dump_json(exclude={"reasons", "exemplar_ids", "seed"}),
        evidence=json.dumps(evidence, ensure_ascii=False),
        request=request.strip() or "(none)",
    )
    try:
        answer = chat_model.invoke([HumanMessage(prompt)]).text
    except Exception as exc:  # a server that is down must not lose the deterministic plan
        note = f"LLM refinement skipped: {type(exc).__name__}: {exc}"
        return result.model_copy(update={"refinements": [*result.refinements, note]})
    changes, why, notes = read_answer(answer)
    plan, applied = apply_changes(result.plan, changes, why)
    notes += applied
    atmosphere = [word.strip() for word in str(result.evidence.get("atmosphere", "")).split(",") if word.strip()]
    return result.model_copy(update={
        "plan": plan,
        "musicgen_prompt": musicgen_prompt_for_plan(plan, atmosphere, str(result.evidence.get("arrangement", "")) or None),
        "refinements": [*result.refinements, *(notes or ["LLM proposed no changes"])],
    })
