"""Plan, then execute: the model writes the turn's whole tool plan in one call, the agent runs it, and
the model is asked again only when a step it chose fails (ReWOO, Xu et al. 2023; LLMCompiler, Kim et
al. 2023).

Steps need no references to earlier results: tools pass the tune, the plan and the analyses through
the TurnContext, so `compose_abc` uses what `plan_music` made. The plan is constrained twice: the
grammar (embedded model) or the backend's tool binding admits only the tools the job allows, and
`agent.recipes.merge_plan` puts the steps the words require, with the arguments they fix, around it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool

from tunesmith.agent.llm.limits import at_most, takes_max_tokens
from tunesmith.agent.recipes import Step
from tunesmith.agent.tool_calls import run_tool_call
from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.agent.trace import ToolCallRecord, TraceRecorder

Progress = Callable[[str], None]
# Backends whose tool binding takes OpenAI's `parallel_tool_calls` (a reply may hold several calls).
PLAN_TOKENS = 400  # most tokens of one plan: a few calls with short arguments (a grammar-bound plan is ~60-150)


@dataclass
class Execution:
    """What running a plan did: the steps that succeeded (by tool name), the failure that stopped it."""

    succeeded: list[str] = field(default_factory=list)
    failure: tuple[Step, str] | None = None
    transcript: list[BaseMessage] = field(default_factory=list)  # the steps as calls and results, for a re-plan

    def then(self, later: Execution) -> Execution:
        """This run followed by a later one: both runs' successes and transcripts, the later failure."""
        return Execution(self.succeeded + later.succeeded, later.failure, self.transcript + later.transcript)


def _bind_for_plan(chat_model: BaseChatModel, tools: Sequence[BaseTool], allowed: Sequence[str]):
    """The model bound so one reply may be a whole list of calls, of the allowed tools only.

    The embedded model sees every planning tool in its prompt (one prompt, one cached KV state for all
    jobs) and its grammar admits only the allowed ones; other backends are bound to the allowed ones.
    """
    name = type(chat_model).__name__
    if name == "ChatLlamaCppEmbedded":
        from tunesmith.agent.llm.tool_grammar import allowed_tools_choice

        bound = chat_model.bind_tools(list(tools), tool_choice=allowed_tools_choice(list(allowed)), parallel_tool_calls=True)
        return at_most(bound, PLAN_TOKENS, base=chat_model)
    chosen = [tool for tool in tools if tool.name in allowed]
    if takes_max_tokens(chat_model):  # an OpenAI-compatible server: calls only, a plan's length at most
        return at_most(chat_model.bind_tools(chosen, tool_choice="any", parallel_tool_calls=True), PLAN_TOKENS, base=chat_model)
    return chat_model.bind_tools(chosen)


def propose_steps(
    chat_model: BaseChatModel,
    tools: Sequence[BaseTool],
    allowed: Sequence[str],
    system_prompt: str,
    messages: Sequence[BaseMessage],
    recorder: TraceRecorder,
) -> list[Step]:
    """One model call: the tool calls it plans for the turn, in order (an empty list if it only answered)."""
    start = time.perf_counter()
    response = _bind_for_plan(chat_model, tools, allowed).invoke([SystemMessage(content=system_prompt), *messages])
    recorder.llm_step(time.perf_counter() - start, response)
    return [Step(call["name"], dict(call.get("args") or {}), "llm") for call in response.tool_calls]


def _error_sentence(error: str, name: str) -> str:
    """A tool's error as the sentence the user reads (without the 'Error from <tool>:' lead-in)."""
    return error.removeprefix(f"Error from {name}: ").removeprefix("Error: ").strip()


def execute_steps(
    steps: Sequence[Step],
    tools: dict[str, BaseTool],
    ctx: TurnContext,
    recorder: TraceRecorder,
    *,
    optional: set[str],
    progress: Progress | None = None,
) -> Execution:
    """Run the steps in order, recording each in the trace. A failing step stops the plan unless it is
    `optional` (one the model added, e.g. search_exemplars); a refused user file always stops it."""
    say = progress or (lambda _message: None)
    result = Execution()
    for number, step in enumerate(steps):
        say(f"running {step.name}")
        start = time.perf_counter()
        content, error = run_tool_call(tools.get(step.name), {"name": step.name, "args": step.args}, list(tools))
        recorder.tool_call(ToolCallRecord(index=0, name=step.name, arguments=step.args, result=None if error else content,
                                          error=error, seconds=round(time.perf_counter() - start, 3), by=step.by))
        call_id = f"step_{len(recorder.trace.tool_calls)}_{number}"
        result.transcript += [
            AIMessage(content="", tool_calls=[{"name": step.name, "args": step.args, "id": call_id}]),
            ToolMessage(content=content, tool_call_id=call_id, name=step.name, status="error" if error else "success"),
        ]
        if error is None:
            result.succeeded.append(step.name)
            continue
        if ctx.rejected_input or step.name not in optional:
            result.failure = (step, _error_sentence(error, step.name))
            return result
    return result
