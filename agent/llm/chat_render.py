"""LangChain messages → the plain `{"role", "content"}` list a GGUF chat template renders.

Rendering is deterministic and never rewrites earlier turns, so each new turn's prompt starts with the
previous turn's tokens and llama.cpp re-evaluates only the new part. A past tool call is rendered as the
fenced JSON the grammar makes the model write (`{"name": ..., "arguments": {...}}`, arguments as an
object, never a JSON string, because a small model copies the style it sees in its history).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from tunesmith.agent.llm.tool_grammar import ANSWER_KEY, ARGUMENTS_KEY, TOOL_KEY, forced_tool_names
from tunesmith.prompts import load_prompt

if TYPE_CHECKING:
    from tunesmith.agent.llm.llama_runtime import GenerationDeadline, LoadedModel


@dataclass
class Generation:
    """Everything one llama.cpp call needs, prepared before the model lock is taken."""

    model: LoadedModel
    prompt_tokens: list[int]
    options: dict[str, Any]
    grammar_schema: dict | None
    known_tools: list[str]
    deadline: GenerationDeadline


def render_messages(
    messages: list[BaseMessage], tools: list[dict], tool_choice: Any, response_schema: dict | None
) -> list[dict[str, str]]:
    """Template messages, with the tool list (or the JSON reply fields) appended to the system prompt."""
    rendered = [_render_one(message) for message in messages]
    instructions = tools_instructions(tools, tool_choice) if tools else None
    if instructions is None and response_schema is not None:
        instructions = json_reply_instructions(response_schema)
    if instructions:
        if rendered and rendered[0]["role"] == "system":
            rendered[0] = {"role": "system", "content": f"{rendered[0]['content']}\n\n{instructions}"}
        else:
            rendered.insert(0, {"role": "system", "content": instructions})
    return rendered


def tools_instructions(tools: list[dict], tool_choice: Any) -> str:
    """The short tool list for the system prompt: name(arguments): first line of the description."""
    forced = forced_tool_names(tools, tool_choice)
    lines = []
    for tool in tools:
        function = tool["function"]
        if forced is not None and function["name"] not in forced:
            continue
        arguments = ", ".join((function.get("parameters") or {}).get("properties", {}))
        description = (function.get("description") or "").strip().splitlines()
        lines.append(f"- {function['name']}({arguments}): {description[0] if description else ''}".rstrip(": "))
    if forced is not None and not lines:  # tool_choice 'none': answer only
        return json_reply_instructions({"properties": {ANSWER_KEY: {"description": "your reply to the user"}}})
    answer_rule = "" if forced else "; answer directly only when no tool fits or the tool results already answer it"
    answer_clause = "" if forced else ', or {"answer": "<text>"} to reply to the user'
    return (
        load_prompt("embedded_tools")
        .format(tool_lines="\n".join(lines), answer_rule=answer_rule, answer_clause=answer_clause)
        .strip()
    )


def json_reply_instructions(schema: dict) -> str:
    """One line naming the fields a structured (JSON) reply must have."""
    properties = schema.get("properties", {})
    if not properties:
        return "Reply with one JSON object and nothing else."
    fields = "; ".join(
        f"{name} ({spec['description']})" if isinstance(spec, dict) and spec.get("description") else name
        for name, spec in properties.items()
    )
    return load_prompt("embedded_json_reply").format(field_lines=fields).strip()


def _render_one(message: BaseMessage) -> dict[str, str]:
    if isinstance(message, SystemMessage):
        return {"role": "system", "content": _text_of(message)}
    if isinstance(message, HumanMessage):
        return {"role": "user", "content": _text_of(message)}
    if isinstance(message, ToolMessage):
        content = _text_of(message)
        return {"role": "tool", "content": f"error: {content}" if message.status == "error" else content}
    if isinstance(message, AIMessage):
        calls = [*message.tool_calls, *({"name": c["name"], "args": c["args"]} for c in message.invalid_tool_calls)]
        if calls:
            return {"role": "assistant", "content": "\n".join(_call_json(call) for call in calls)}
        return {"role": "assistant", "content": _text_of(message)}
    role = getattr(message, "role", message.type)  # a ChatMessage carries its role by name
    if role in ("user", "system", "assistant"):
        return {"role": role, "content": _text_of(message)}
    raise ValueError(f"message role {role!r} is not supported; use system, human (user), ai (assistant) or tool")


def _call_json(call: dict) -> str:
    arguments = call["args"]
    if isinstance(arguments, str):  # an invalid call's raw arguments: show them as the model wrote them
        try:
            arguments = json.loads(arguments)
        except ValueError:
            pass
    return fenced_json({TOOL_KEY: call["name"], ARGUMENTS_KEY: arguments})


def fenced_json(value: Any) -> str:
    """JSON in a ```json fence, indented: the layout the grammar lets the model write, and it prefers."""
    return f"```json\n{json.dumps(value, indent=2, ensure_ascii=False)}\n```"


def _text_of(message: BaseMessage) -> str:
    """The text of a message; refuses images, audio and files, which this text-only model cannot read."""
    if isinstance(message.content, str):
        return message.content
    texts = []
    for block in message.content:
        if isinstance(block, str):
            texts.append(block)
        elif block.get("type") == "text":
            texts.append(block.get("text", ""))
        elif block.get("type") in ("tool_use", "tool_call", "reasoning", "thinking"):
            continue  # Anthropic-style call blocks are rendered from message.tool_calls instead
        else:
            raise ValueError(
                f"the embedded model reads text only; a {block.get('type')!r} content block cannot be sent to it"
            )
    return "\n".join(texts)
