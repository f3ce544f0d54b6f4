"""A LangChain fake chat model that emits scripted tool calls: for orchestration tests only."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage


class ScriptedChatModel(GenericFakeChatModel):
    """Replies with the scripted messages in order; `bind_tools` keeps the script."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:
        return self


def call(name: str, **args: Any) -> tuple[str, dict[str, Any]]:
    """One scripted tool call."""
    return name, args


def scripted(*steps: tuple[str, dict[str, Any]] | list[tuple[str, dict[str, Any]]] | str) -> ScriptedChatModel:
    """A model that makes each step in turn: a tool call, a list of calls in one message, or a final answer."""
    messages = []
    for number, step in enumerate(steps):
        if isinstance(step, str):
            messages.append(AIMessage(content=step))
            continue
        calls = step if isinstance(step, list) else [step]
        messages.append(
            AIMessage(
                content="",
                tool_calls=[{"name": name, "args": args, "id": f"call_{number}_{i}"} for i, (name, args) in enumerate(calls)],
            )
        )
    return ScriptedChatModel(messages=iter(messages))
