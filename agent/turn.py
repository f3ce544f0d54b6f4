"""One turn of the agent: request in, tune + files + trace + explanation out, in the turn's folder.

The user's words name the job (`tools.planning.intent`: compose, edit, play, check, ...). By default
(`agent_mode = "plan"`) the model writes the turn's whole tool plan in one call, the agent runs it
inside the job's recipe, and the reply is written from what happened; read-only jobs on a tune at
hand need no model call at all. With `agent_mode = "loop"` the model picks one tool per call (for
large models). Either way a turn that could not make what was asked ends `failed` with the sentence
that says why — never `done` with a made-up result, and never by silently doing something else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from tunesmith.agent.explain import build_explanation
from tunesmith.agent.facts_reply import reply_from_facts
from tunesmith.agent.intake import check_attachments
from tunesmith.agent.llm.limits import at_most
from tunesmith.agent.planner import execute_steps, propose_steps
from tunesmith.agent.recipes import (
    PERCEPTION,
    PLANNED_TOOLS,
    Step,
    allowed_tools,
    merge_plan,
    needs_model,
    recipe,
    shortfall,
)
from tunesmith.agent.reply import after_chat, reply_for_turn
from tunesmith.agent.state import ConversationState, TuneFacts
from tunesmith.agent.toolkit.actions import clip_evidence, picture_cue_record, rendered_files
from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.agent.toolkit.registry import build_tools, plan_tools, tools_for_turn
from tunesmith.agent.trace import TraceRecorder, TurnTrace, format_call
from tunesmith.errors import InputError, NotFoundError
from tunesmith.memory.files import atomic_write_json, atomic_write_text
from tunesmith.prompts import load_prompt
from tunesmith.settings import Settings
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.planning.intent import RequestIntent, read_intent

REPLANS = 1  # extra model calls a plan may take when a step the model chose fails
REPLY_TOKENS = 160  # most tokens of a written reply (two or three sentences)
# Jobs whose result is a tune: their reply is measured from its ABC against the version they started from.
TUNE_JOBS = ("compose", "edit", "continue")
# Tools a large model may also use in the step-by-step loop, per job, beyond the job's recipe.
_LOOP_EXTRAS = {"compose": ["write_abc", "critique_abc", "recall_tune", "search_exemplars", "generate_audio",
                            "score_audio"],
                "edit": ["critique_abc", "generate_audio", "score_audio"], "continue": ["critique_abc"],
                "play": ["recall_tune"]}


class TurnInputError(InputError):
    """A file named for the turn does not exist or is not a file."""


class TurnOutcome(BaseModel):
    """What a turn produced. `status` is done, failed (nothing asked for could be made: `reply` says why)
    or interrupted."""

    folder: Path
    reply: str
    status: str
    intent: str = Field("compose", description="The job the words asked for (tools.planning.intent).")
    abc: str | None = None
    plan: MusicPlan | None = None
    artifacts: dict[str, str] = Field(default_factory=dict)
    critic_first: float | None = None
    critic_final: float | None = None


def _user_message(request: str, ctx: TurnContext) -> HumanMessage:
    lines = [request]
    for role, path in ctx.user_files.items():
        lines.append(f"[{role} file: {path.name}]")
    if ctx.previous_abc and "abc" not in ctx.user_files:
        lines.append("[there is a previous tune you can edit]")
    return HumanMessage(content="\n".join(lines))


def _evidence(ctx: TurnContext) -> dict[str, Any]:
    evidence: dict[str, Any] = {}
    if ctx.image is not None:
        evidence["image"] = ctx.image.evidence()
    if ctx.audio is not None:
        evidence["audio"] = clip_evidence(ctx)
    if ctx.image is not None and ctx.image.cues is not None:
        evidence["picture_cues"] = picture_cue_record(ctx.image.cues, ctx.bridge)
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
    if ctx.abc is not None:  # what the tune is, measured: the reply and the conversation state read this
        plan = ctx.plan.model_dump(mode="json") if ctx.plan is not None else None
        evidence["tune_facts"] = TuneFacts.from_abc(ctx.abc, plan).model_dump(mode="json")
    if ctx.checked is not None or ctx.findings or ctx.answers:
        evidence["own_tune"] = {
            "played_as_written": ctx.checked.as_given if ctx.checked is not None else None,
            "repairs": ctx.checked.repairs if ctx.checked is not None else [],
            "findings": ctx.findings, "answers": ctx.answers,
        }
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
    files = {kind: path.name for kind, path in rendered_files(ctx.renders).items()} if ctx.renders else {}
    files.update({kind: path.name for kind, path in ctx.made_files.items()})
    if ctx.abc is not None:
        files["abc"] = "tune.abc"
    files.update({f"musicgen {i + 1}": Path(a.path).name for i, a in enumerate(ctx.generated_audio)})
    files["trace"], files["explanation"] = "trace.json", "explanation.md"
    trace.artifacts = files
    recorder.finish(status, reply)
    atomic_write_text(ctx.out_dir / "explanation.md", build_explanation(trace))
    rounds = trace.critic_rounds
    return TurnOutcome(
        folder=ctx.out_dir, reply=reply, status=status, intent=ctx.intent.intent if ctx.intent else "compose",
        abc=ctx.abc, plan=ctx.plan, artifacts=files,
        critic_first=rounds[0].overall if rounds else None,
        critic_final=(ctx.critique.overall if ctx.critique is not None else None),
    )


def _tune_from_book(ctx: TurnContext) -> None:
    """For jobs that change the attached tune (edit, continue, compose from it): the tune the words pick
    from the ABC file becomes the one they act on."""
    from tunesmith.agent.toolkit.own_tune import chosen_tunes

    tunes = chosen_tunes(ctx)
    if len(tunes) > 1:
        raise InputError("change one tune at a time: say which (a number, X:3 or its title)")
    ctx.previous_abc = tunes[0][1]


def _run_plan(ctx: TurnContext, recorder: TraceRecorder, chat_model: BaseChatModel, messages: list[BaseMessage],
              *, want_musicgen: bool, progress: Callable[[str], None] | None) -> str | None:
    """Look at the picture or clip first (nothing to choose there), then plan (one model call unless the
    words leave nothing to choose), run, and re-plan once if a step the model chose fails. Returns the
    sentence of the failure that stopped the turn, or None."""
    intent = ctx.intent
    tools = {tool.name: tool for tool in build_tools(ctx)}
    allowed = allowed_tools(intent, ctx, want_musicgen=want_musicgen)
    required = recipe(intent, ctx, want_musicgen=want_musicgen)
    first = [step for step in required if step.name in PERCEPTION]
    may_fail = {"transcribe_audio"} if intent.intent == "compose" else set()  # a clip with no melody: its sound
    run = execute_steps(first, tools, ctx, recorder, optional=may_fail, progress=progress)
    if run.failure:
        return run.failure[1]
    proposed: list[Step] = []
    if needs_model(intent, ctx):
        if progress:
            progress("planning")
        proposed = propose_steps(chat_model, plan_tools(ctx, list(PLANNED_TOOLS)), allowed, load_prompt("agent_plan"),
                                 [*messages, *run.transcript], recorder)
    else:
        recorder.trace.notes.append(f"Your words ask to {intent.intent} ({intent.evidence!r}): nothing was left for "
                                    "the model to choose, so no model call was made.")
    steps, notes = merge_plan(proposed, intent, ctx, want_musicgen=want_musicgen)
    looked_at = {step.name for step in first}
    steps = [step for step in steps if step.name not in looked_at]
    recorder.trace.notes.extend(notes)
    recorder.trace.plan_steps = [format_call(step.name, step.args) for step in [*first, *steps]]
    optional = {step.name for step in steps} - {step.name for step in required}
    run = run.then(execute_steps(steps, tools, ctx, recorder, optional=optional, progress=progress))
    replans = 0
    while run.failure and not ctx.rejected_input and needs_model(intent, ctx) and replans < REPLANS:
        replans += 1
        step, error = run.failure
        recorder.trace.notes.append(f"{step.name} failed ({error}); the model was asked for a new plan.")
        proposed = propose_steps(chat_model, plan_tools(ctx, list(PLANNED_TOOLS)), allowed, load_prompt("agent_plan"),
                                 [*messages, *run.transcript], recorder)
        retry, _ = merge_plan(proposed, intent, ctx, want_musicgen=want_musicgen)
        retry = [s for s in retry if s.name not in run.succeeded]
        recorder.trace.plan_steps += [format_call(s.name, s.args) for s in retry]
        run = run.then(execute_steps(retry, tools, ctx, recorder, optional=optional, progress=progress))
    return run.failure[1] if run.failure else None


def _run_loop(ctx: TurnContext, recorder: TraceRecorder, chat_model: BaseChatModel, messages: list[BaseMessage],
              settings: Settings, *, want_musicgen: bool, progress: Callable[[str], None] | None) -> str | None:
    """One model call per step, over the tools the job allows; then the job's missing steps, by the agent."""
    from tunesmith.agent.graph import build_agent_graph  # LangGraph loads only for the loop (~0.7 s)

    intent = ctx.intent
    allowed = set(allowed_tools(intent, ctx, want_musicgen=want_musicgen)) | set(_LOOP_EXTRAS.get(intent.intent, []))
    names = [name for name in dict.fromkeys([*tools_for_turn(ctx), *allowed]) if name in allowed]
    graph = build_agent_graph(chat_model, build_tools(ctx, names), load_prompt("agent_system"), recorder,
                              max_steps=settings.max_agent_steps, progress=progress,
                              should_stop=lambda: ctx.rejected_input is not None)
    graph.invoke({"messages": messages, "steps": 0}, config={"recursion_limit": 2 * settings.max_agent_steps + 5})
    if ctx.rejected_input or shortfall(intent, ctx) is None:
        return ctx.rejected_input
    done = {call.name for call in recorder.trace.tool_calls if call.error is None}
    missing = [step for step in recipe(intent, ctx, want_musicgen=want_musicgen) if step.name not in done]
    if missing:
        recorder.trace.notes.append(f"The model left the job ({intent.intent}) unfinished, so the agent ran "
                                    f"{', '.join(step.name for step in missing)}.")
    tools = {tool.name: tool for tool in build_tools(ctx)}
    run = execute_steps(missing, tools, ctx, recorder, optional=set(), progress=progress)
    return run.failure[1] if run.failure else None


def _chat_reply(chat_model: BaseChatModel, messages: list[BaseMessage], recorder: TraceRecorder) -> str:
    """A plain answer from the model, for words that ask for no music."""
    start = time.perf_counter()
    response = at_most(chat_model, REPLY_TOKENS).invoke([SystemMessage(content=load_prompt("agent_chat")), *messages])
    recorder.llm_step(time.perf_counter() - start, response)
    return response.content.strip() if isinstance(response.content, str) else ""


def _model_reply(chat_model: BaseChatModel, request: str, facts: str, recorder: TraceRecorder) -> str:
    """One short model call that words the reply from the turn's facts (the `llm_reply` setting)."""
    prompt = load_prompt("agent_reply").format(request=request, facts=facts)
    start = time.perf_counter()
    response = at_most(chat_model, REPLY_TOKENS).invoke([HumanMessage(content=prompt)])
    recorder.llm_step(time.perf_counter() - start, response)
    text = response.content.strip() if isinstance(response.content, str) else ""
    return text or facts


def _reply(ctx: TurnContext, recorder: TraceRecorder, intent: RequestIntent, failure: str | None) -> str:
    """What the turn did, in words from its records: for a tune, its facts measured from its ABC against
    the version it started from (and what of the words was not done); otherwise the job's facts (findings,
    answers, files), or why nothing could be made."""
    tune_job = intent.intent in TUNE_JOBS or ctx.transcription is not None  # "transcribe this clip" too
    if tune_job and not ctx.rejected_input and (failure is None or ctx.edit_report is not None):
        recorder.trace.evidence = _evidence(ctx)
        return reply_for_turn(recorder.trace, ctx.conversation)
    return reply_from_facts(ctx, intent, failure)


def _impossible_value(request: str) -> str | None:
    """The sentence refusing a value no tune can have in the words ("tempo 2000 BPM", "in 0/4"), or None."""
    from tunesmith.tools.planning import RequestError, parse_request

    try:
        parse_request(request)
    except RequestError as error:
        return str(error)
    return None


def _job(request: str, tune_at_hand: bool, files: dict[str, Path], conversation: ConversationState | None) -> RequestIntent:
    """The job the words ask for; words that only point back at a version ("go back to the first tune",
    "version 2") ask for that version as the tune now, which edit_abc brings back; words the intent reader
    took for a chat but the edit reader reads as a change ("simpler", "half as long") are an edit."""
    from tunesmith.tools.edits import EditError, read_edit

    intent = read_intent(request, tune_at_hand=tune_at_hand, attached=set(files))
    if intent.intent == "chat" and conversation is not None and conversation.reference:
        return intent.model_copy(update={"intent": "edit", "evidence": conversation.reference})
    if intent.intent == "chat" and tune_at_hand:  # "simpler again", "half as long": changes the edit reader knows
        try:
            ops = read_edit(request).ops
        except EditError:
            ops = []
        if ops:
            return intent.model_copy(update={"intent": "edit", "evidence": ops[0].evidence})
    return intent


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
    files = check_attachments(user_files)
    intent = _job(request, previous_abc is not None, files, conversation)
    turn_dir.mkdir(parents=True, exist_ok=True)
    ctx = TurnContext(
        request=request, out_dir=turn_dir, user_files=files, session_dir=session_dir,
        previous_abc=previous_abc, previous_plan=previous_plan, seed=settings.seed,
        refine_rounds=settings.refine_rounds, chat_model=chat_model, intent=intent,
        conversation=conversation, progress=progress,
    )
    trace = TurnTrace(
        request=request, inputs={role: str(path) for role, path in files.items()},
        backend=settings.llm_backend, model=settings.llm_model, intent=intent.model_dump(mode="json"),
        mode=settings.agent_mode,
    )
    recorder = TraceRecorder(trace, turn_dir / "trace.json")
    reply = ""
    try:
        failure = None
        if "abc" in files and intent.intent in ("edit", "continue", "compose"):
            try:
                _tune_from_book(ctx)
            except (InputError, NotFoundError) as error:
                failure = str(error)
        if failure is None and intent.intent == "compose":
            failure = _impossible_value(request)  # "in 0/4": said at once, no model asked to plan around it
        if failure is None:
            messages = [*history, _user_message(request, ctx)]
            if intent.intent == "chat":
                reply = _chat_reply(chat_model, messages, recorder)
                failure = None if reply else "the model gave no answer"
                reply = f"{reply} {after_chat(ctx.conversation)}".strip()
            elif settings.agent_mode == "loop":
                failure = _run_loop(ctx, recorder, chat_model, messages, settings, want_musicgen=want_musicgen,
                                    progress=progress)
            else:
                failure = _run_plan(ctx, recorder, chat_model, messages, want_musicgen=want_musicgen, progress=progress)
        if progress:
            progress("finishing")
        if intent.intent != "chat":
            missing = shortfall(intent, ctx)  # a failed step the job could do without does not fail the turn
            failure = ctx.rejected_input or (None if missing is None else failure or missing)
            reply = _reply(ctx, recorder, intent, failure)
            if failure is None and settings.llm_reply:
                reply = _model_reply(chat_model, request, reply, recorder)
    except KeyboardInterrupt:
        _finish(ctx, recorder, "Interrupted before the turn finished.", "interrupted")
        raise
    return _finish(ctx, recorder, reply or "Done.", "failed" if failure else "done")
