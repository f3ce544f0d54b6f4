"""The plan → act → observe loop as a LangGraph graph: an `agent` node and a `tools` node.

Bad tool calls never crash a turn: an unknown tool, wrong arguments or a failing tool become a tool
message the model reads and can act on. A step budget and a repeat guard stop a small model looping.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from tunesmith.agent.tool_calls import run_tool_call
from tunesmith.agent.trace import ToolCallRecord, TraceRecorder

Progress = Callable[[str], None]


class AgentState(TypedDict):
    """Messages of the turn (history included) and how many LLM steps were taken."""

    messages: Annotated[list[AnyMessage], add_messages]
    steps: int


def build_agent_graph(
    chat_model: BaseChatModel,
    tools: Sequence[BaseTool],
    system_prompt: str,
    recorder: TraceRecorder,
    *,
    max_steps: int,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
):
    """Compile the agent graph for one turn. Invoke it with {"messages": [...], "steps": 0}.

    `should_stop` is asked after each round of tool calls; True ends the turn there (a tool refused
    the user's own file, so going on would only make something they did not ask for).
    """
    by_name = {tool.name: tool for tool in tools}
    bound = chat_model.bind_tools(list(tools))
    seen_calls: dict[str, int] = {}
    say = progress or (lambda _message: None)

    def agent_node(state: AgentState) -> dict[str, Any]:
        if state["steps"] >= max_steps:
            reply = f"I stopped after {max_steps} steps, the step budget for one turn."
            recorder.trace.notes.append(reply)
            return {"messages": [AIMessage(content=reply)], "steps": state["steps"]}
        say("thinking")
        start = time.perf_counter()
        response = bound.invoke([SystemMessage(content=system_prompt), *state["messages"]])
        recorder.llm_step(time.perf_counter() - start, response)
        return {"messages": [response], "steps": state["steps"] + 1}

    def tools_node(state: AgentState) -> dict[str, Any]:
        last = state["messages"][-1]
        replies: list[ToolMessage] = []
        for call in last.tool_calls:
            key = f"{call['name']}:{json.dumps(call.get('args'), sort_keys=True, default=str)}"
            seen_calls[key] = seen_calls.get(key, 0) + 1
            start = time.perf_counter()
            if seen_calls[key] > 2:
                content = error = (
                    f"Error: {call['name']} was already called twice with these arguments; its result is above. "
                    "Use another tool or give your final answer."
                )
            else:
                say(f"running {call['name']}")
                content, error = run_tool_call(by_name.get(call["name"]), call, list(by_name))
            recorder.tool_call(
                ToolCallRecord(
                    index=0,
                    name=call["name"],
                    arguments=call.get("args") if isinstance(call.get("args"), dict) else {"raw": call.get("args")},
                    result=None if error else content,
                    error=error,
                    seconds=round(time.perf_counter() - start, 3),
                )
            )
            replies.append(
                ToolMessage(content=content, tool_call_id=call["id"], name=call["name"], status="error" if error else "success")
            )
        return {"messages": replies}

    def route(state: AgentState) -> str:
        last = state["messages"][-1]
        return "tools" if isinstance(last, AIMessage) and last.tool_calls else END

    graph = StateGraph(AgentState)
    graph.add_node("agent", agent_node)
    graph.add_node("tools", tools_node)
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", route, {"tools": "tools", END: END})
    graph.add_conditional_edges("tools", lambda _state: END if should_stop() else "agent", {"agent": "agent", END: END})
    return graph.compile()
