"""One turn of the agent: request in, tune + files + trace + explanation out, in the turn's folder.

The LLM drives the tools. When it stops without a playable tune (a small model can), the agent runs
the missing steps itself and says so in the trace and the explanation; it never fakes a result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, Field

from tunesmith.agent.explain import build_explanation
from tunesmith.agent.graph import build_agent_graph, run_tool_call
from tunesmith.agent.reply import reply_for_turn
from tunesmith.agent.state import EDIT_TOOLS, ConversationState, TuneFacts, turn_kind
from tunesmith.agent.toolkit.actions import clip_evidence, rendered_files
from tunesmith.agent.toolkit.clip_steps import clip_steps
from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.agent.toolkit.registry import build_tools, tools_for_turn
from tunesmith.agent.trace import ToolCallRecord, TraceRecorder, TurnTrace
from tunesmith.errors import InputError
from tunesmith.memory.files import atomic_write_json, atomic_write_text
from tunesmith.prompts import load_prompt
from tunesmith.settings import Settings
from tunesmith.tools.plan import MusicPlan

INPUT_ROLES = ("image", "audio", "abc", "midi")


class TurnInputError(InputError):
    """A file named for the turn does not exist or is not a file."""


class TurnOutcome(BaseModel):
    """What a turn produced."""

    folder: Path
    reply: str
    status: str
    abc: str | None = None
    plan: MusicPlan | None = None
    artifacts: dict[str, str] = Field(default_factory=dict)
    critic_first: float | None = None
    critic_final: float | None = None


def _check_inputs(user_files: dict[str, Path]) -> dict[str, Path]:
    checked = {}
    for role, path in user_files.items():
        if role not in INPUT_ROLES:
            raise TurnInputError(f"unknown input kind {role!r}; use one of {', '.join(INPUT_ROLES)}")
        path = Path(path).expanduser()
        if not path.is_file():
            raise TurnInputError(f"the {role} file {path} does not exist")
        checked[role] = path.resolve()
    return checked


def _user_message(request: str, ctx: TurnContext) -> HumanMessage:
    lines = [request]
    for role, path in ctx.user_files.items():
        lines.append(f"[{role} file: {path.name}]")
    if ctx.previous_abc and "abc" not in ctx.user_files:
        lines.append("[there is a previous tune you can edit]")
    return HumanMessage(content="\n".join(lines))


def _agent_step(ctx: TurnContext, recorder: TraceRecorder, tools: dict[str, Any], name: str, args: dict[str, Any], why: str) -> None:
    """Run a step the model skipped, recorded as done by the agent."""
    start = time.perf_counter()
    content, error = run_tool_call(tools.get(name), {"name": name, "args": args}, list(tools))
    recorder.tool_call(
        ToolCallRecord(index=0, name=name, arguments=args, result=None if error else content, error=error,
                       seconds=round(time.perf_counter() - start, 3), by="agent")
    )
    recorder.trace.notes.append(why if not error else f"{why} It failed: {error}")


def _complete_missing_steps(ctx: TurnContext, recorder: TraceRecorder, tools: dict[str, Any], want_musicgen: bool) -> None:
    """Make sure a request for music ends with a rendered tune, whatever the model did.

    With a clip attached, its melody is transcribed and edited, continued or composed from (clip_steps).
    With a previous tune and no edit made, the user's words are applied as an edit of it (edit_abc
    changes nothing for "thanks!"); a new tune is composed only when there was none before and the
    words (or a file) ask for music.
    """
    succeeded = {call.name for call in recorder.trace.tool_calls if call.error is None}
    if not any(call.name == "transcribe_audio" and call.error for call in recorder.trace.tool_calls):
        for name, args, why in clip_steps(ctx, succeeded):
            _agent_step(ctx, recorder, tools, name, args, why)
            if ctx.transcription is None:
                break  # no melody in the clip: a tune is composed from its sound below
    if ctx.abc is None and ctx.previous_abc is not None and ctx.edit_report is None:
        _agent_step(ctx, recorder, tools, "edit_abc", {"instruction": ctx.request}, "The model did not edit the tune, so the agent applied your words as an edit.")
    if ctx.abc is None and ctx.previous_abc is None and (ctx.user_files or turn_kind(ctx.request, has_tune=False) == "new"):
        _agent_step(ctx, recorder, tools, "compose_abc", {}, "The model did not compose a tune, so the agent planned and composed it from your words.")
    if ctx.abc is not None and (ctx.renders is None or ctx.renders.wav is None):
        _agent_step(ctx, recorder, tools, "render", {}, "The model did not render the tune, so the agent rendered it so you can play it.")
    if want_musicgen and ctx.abc is not None and not ctx.generated_audio and not any(call.name == "generate_audio" for call in recorder.trace.tool_calls):
        _agent_step(ctx, recorder, tools, "generate_audio", {}, "You asked for MusicGen audio, so the agent ran generate_audio.")


def _tools_for_words(ctx: TurnContext) -> list[str]:
    """The turn's tools, narrowed to those acting on the tune there is when the user's words ask for a change
    of it (or for nothing): a small model then cannot compose a new tune over the one being edited."""
    names = tools_for_turn(ctx)
    if ctx.user_files or turn_kind(ctx.request, has_tune=ctx.previous_abc is not None) == "new":
        return names  # a picture, clip or file to work from: every tool
    return [name for name in names if name in EDIT_TOOLS] or ["edit_abc"]


def _evidence(ctx: TurnContext) -> dict[str, Any]:
    evidence: dict[str, Any] = {}
    if ctx.image is not None:
        evidence["image"] = ctx.image.evidence()
    if ctx.audio is not None:
        evidence["audio"] = clip_evidence(ctx)
    if ctx.bridge is not None:
        evidence["musicgen_prompt"] = ctx.bridge.musicgen_prompt
        evidence["raw_caption_prompt"] = ctx.bridge.raw_caption_prompt
    if ctx.exemplars:
        evidence["exemplars"] = [
            {"title": e.title, "source": e.source, "why_matched": e.why_matched, "id": e.id} for e in ctx.exemplars
        ]
    if ctx.refinement is not None:
        evidence["composition_choices"] = ctx.refinement.choices
        evidence["refine_stop_reason"] = ctx.refinement.stop_reason
    if ctx.critique is not None:
        evidence["critique"] = ctx.critique.model_dump(mode="json")
    if ctx.edits:
        evidence["edits"] = ctx.edits
    if ctx.edit_report is not None:
        evidence["edit"] = ctx.edit_report
    if ctx.abc_origin:
        evidence["tune_origin"] = ctx.abc_origin
    return evidence


def _finish(ctx: TurnContext, recorder: TraceRecorder, reply: str, status: str) -> TurnOutcome:
    trace = recorder.trace
    trace.notes.extend(note for note in ctx.notes if note not in trace.notes)
    if ctx.plan is not None:
        trace.plan = ctx.plan.model_dump(mode="json")
        atomic_write_json(ctx.out_dir / "plan.json", ctx.plan)
    if ctx.refinement is not None:
        trace.critic_rounds = list(ctx.refinement.rounds)
    if ctx.abc is not None:
        atomic_write_text(ctx.out_dir / "tune.abc", ctx.abc.rstrip() + "\n")
    trace.evidence = _evidence(ctx)
    if ctx.abc is not None:  # what the tune is, measured: the reply and the conversation state read this
        trace.evidence["tune_facts"] = TuneFacts.from_abc(ctx.abc, trace.plan).model_dump(mode="json")
    files = {kind: path.name for kind, path in rendered_files(ctx.renders).items()} if ctx.renders else {}
    if ctx.abc is not None:
        files["abc"] = "tune.abc"
    files.update({f"musicgen {i + 1}": Path(a.path).name for i, a in enumerate(ctx.generated_audio)})
    files["trace"], files["explanation"] = "trace.json", "explanation.md"
    trace.artifacts = files
    if status == "done":  # the reply states what the trace shows, never the model's free text
        reply = reply_for_turn(trace, ctx.conversation)
    recorder.finish(status, reply)
    atomic_write_text(ctx.out_dir / "explanation.md", build_explanation(trace))
    rounds = trace.critic_rounds
    return TurnOutcome(
        folder=ctx.out_dir, reply=reply, status=status, abc=ctx.abc, plan=ctx.plan, artifacts=files,
        critic_first=rounds[0].overall if rounds else None,
        critic_final=(ctx.critique.overall if ctx.critique is not None else None),
    )


def run_turn(
    request: str,
    *,
    chat_model: BaseChatModel,
    settings: Settings,
    turn_dir: Path,
    session_dir: Path | None = None,
    history: Sequence[BaseMessage] = (),
    previous_abc: str | None = None,
    previous_plan: MusicPlan | None = None,
    user_files: dict[str, Path] | None = None,
    progress: Callable[[str], None] | None = None,
    want_musicgen: bool = False,
    conversation: ConversationState | None = None,
) -> TurnOutcome:
    """Run one request through the agent and write the turn's files into `turn_dir`; `conversation` is the
    state of the chat it belongs to (the versions so far, and the one this turn starts from)."""
    if not request.strip():
        raise TurnInputError("the request is empty: say what music you want")
    files = _check_inputs(user_files or {})
    if "abc" in files and previous_abc is None:
        previous_abc = files["abc"].read_text(encoding="utf-8", errors="replace")
    turn_dir.mkdir(parents=True, exist_ok=True)
    ctx = TurnContext(
        request=request, out_dir=turn_dir, user_files=files, session_dir=session_dir,
        previous_abc=previous_abc, previous_plan=previous_plan, seed=settings.seed,
        refine_rounds=settings.refine_rounds, chat_model=chat_model, conversation=conversation, progress=progress,
    )
    trace = TurnTrace(
        request=request, inputs={role: str(path) for role, path in files.items()},
        backend=settings.llm_backend, model=settings.llm_model,
    )
    recorder = TraceRecorder(trace, turn_dir / "trace.json")
    tools = build_tools(ctx, _tools_for_words(ctx))
    graph = build_agent_graph(chat_model, tools, load_prompt("agent_system"), recorder, max_steps=settings.max_agent_steps, progress=progress)
    try:
        state = graph.invoke(
            {"messages": [*history, _user_message(request, ctx)], "steps": 0},
            config={"recursion_limit": 2 * settings.max_agent_steps + 5},
        )
        last = state["messages"][-1]
        reply = last.content if isinstance(last, AIMessage) and isinstance(last.content, str) else ""
        if progress:
            progress("finishing")
        _complete_missing_steps(ctx, recorder, {tool.name: tool for tool in build_tools(ctx)}, want_musicgen)
    except KeyboardInterrupt:
        _finish(ctx, recorder, "Interrupted before the turn finished.", "interrupted")
        raise
    return _finish(ctx, recorder, reply, "done")
