"""The JSON reply format a small model is held to when tools are bound, and the parser that reads replies.

With tools bound, every reply is one JSON object: `{"name": <tool>, "arguments": {...}}` to call a tool,
or `{"answer": "<text>"}` to reply to the user. `reply_schema` builds the JSON schema with one branch per
tool (its arguments constrained by that tool's own parameters schema); llama.cpp turns it into a grammar,
so the embedded model cannot produce anything else. `parse_reply` reads that format and also the shapes
small models emit when unconstrained: a ```json fenced block, a bare `{"name": ..., "arguments": ...}`,
Qwen's `<tool_call>` tags, a list of calls, or arguments given as a JSON string.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

TOOL_KEY = "name"  # Qwen's own tool-call format uses "name"; the model picks tools far more readily with it
ARGUMENTS_KEY = "arguments"
ANSWER_KEY = "answer"
# tool_choice values that force some tool call (LangChain and OpenAI spellings).
_FORCE_ANY = {"any", "required", True}
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_TOOL_CALL_TAG = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)


@dataclass
class ToolCallRequest:
    """One tool call read from a reply; `error` is set when it cannot be executed as read."""

    name: str
    arguments: dict[str, Any] | None
    raw_arguments: str = ""
    error: str | None = None


@dataclass
class ParsedReply:
    """A model reply split into the text meant for the user and the tool calls it asks for."""

    answer: str
    calls: list[ToolCallRequest] = field(default_factory=list)


def tool_names(tools: list[dict]) -> list[str]:
    """Names of OpenAI-format tools (`{"type": "function", "function": {"name": ...}}`)."""
    return [tool["function"]["name"] for tool in tools]


def forced_tool_names(tools: list[dict], tool_choice: Any) -> list[str] | None:
    """Which tools the reply must call: None when a plain answer is allowed, else the allowed names.

    Raises ValueError naming the valid choices when `tool_choice` names no bound tool.
    """
    names = tool_names(tools)
    if isinstance(tool_choice, dict) and tool_choice.get("type") == "allowed_tools":
        return _allowed_tools(tool_choice, names)
    if tool_choice in (None, "auto", False):
        return None
    if not isinstance(tool_choice, dict) and tool_choice in _FORCE_ANY:
        return names
    if isinstance(tool_choice, dict):  # OpenAI form {"type": "function", "function": {"name": ...}}
        tool_choice = tool_choice.get("function", {}).get("name", tool_choice.get("name"))
    if tool_choice == "none":
        return []
    if tool_choice in names:
        return [tool_choice]
    raise ValueError(
        f"tool_choice {tool_choice!r} is not valid; use 'auto', 'any', 'none' or one of the bound tools: {names}"
    )


MAX_PLANNED_CALLS = 8  # calls in one plan-of-calls reply (a turn's plan is three to five)


def _allowed_tools(tool_choice: dict, names: list[str]) -> list[str] | None:
    """OpenAI's {"type": "allowed_tools", "allowed_tools": {"mode": "required"|"auto", "tools": [...]}}: the
    reply may call only the listed tools (and must call one when the mode is 'required')."""
    spec = tool_choice.get("allowed_tools", {})
    listed = [t.get("function", {}).get("name", t.get("name")) for t in spec.get("tools", [])]
    unknown = [name for name in listed if name not in names]
    if unknown or not listed:
        raise ValueError(f"allowed_tools {listed} must name bound tools; the bound tools are: {names}")
    if spec.get("mode", "required") not in ("required", "auto"):
        raise ValueError(f"allowed_tools mode {spec.get('mode')!r} is not valid; use 'required' or 'auto'")
    return listed


def allowed_tools_choice(names: list[str], mode: str = "required") -> dict:
    """The `tool_choice` that lets a reply call only `names` while every bound tool stays in the prompt."""
    return {"type": "allowed_tools",
            "allowed_tools": {"mode": mode, "tools": [{"type": "function", "function": {"name": n}} for n in names]}}


def reply_schema(tools: list[dict], tool_choice: Any = None, *, many: bool = False) -> dict:
    """The JSON schema of a reply: one branch per allowed tool, plus `{"answer": str}` unless a call is forced.

    `tool_choice` 'none' leaves only the answer branch. With `many` (OpenAI's `parallel_tool_calls`),
    a reply that calls tools is a JSON list of calls in order: a whole plan in one reply.
    """
    forced = forced_tool_names(tools, tool_choice)
    allowed = tool_names(tools) if forced is None else forced
    if isinstance(tool_choice, dict) and tool_choice.get("allowed_tools", {}).get("mode") == "auto":
        forced = None  # any of the allowed tools, or an answer
    branches = []
    for tool in tools:
        function = tool["function"]
        if function["name"] not in allowed:
            continue
        parameters = inline_refs(function.get("parameters") or {"type": "object", "properties": {}})
        branches.append(
            {
                "type": "object",
                "properties": {TOOL_KEY: {"const": function["name"]}, ARGUMENTS_KEY: parameters},
                "required": [TOOL_KEY, ARGUMENTS_KEY],
                "additionalProperties": False,
            }
        )
    call = branches[0] if len(branches) == 1 else {"anyOf": branches} if branches else None
    if many and call is not None:
        # At most one call per allowed tool: a small model otherwise fills the list ("render" six times).
        calls = {"type": "array", "items": call, "minItems": 1, "maxItems": min(MAX_PLANNED_CALLS, len(branches))}
        return calls if forced is not None else {"anyOf": [calls, answer_schema()]}
    if forced is None or not branches:
        branches.append(answer_schema())
    return branches[0] if len(branches) == 1 else {"anyOf": branches}


def answer_schema() -> dict:
    """The branch for a plain reply to the user."""
    return {
        "type": "object",
        "properties": {ANSWER_KEY: {"type": "string"}},
        "required": [ANSWER_KEY],
        "additionalProperties": False,
    }


def inline_refs(schema: dict) -> dict:
    """A copy of `schema` with local `#/$defs/...` references replaced by their definitions.

    Tool parameter schemas from pydantic carry their own `$defs`; nested under a reply branch those
    references would point at the wrong root, so they are resolved here. Raises ValueError on a
    recursive schema (a grammar cannot bound it).
    """
    definitions = schema.get("$defs", {}) | schema.get("definitions", {})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/")):
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                raise ValueError(f"tool schema is recursive through {name!r}; a recursive schema cannot be constrained")
            if name not in definitions:
                raise ValueError(f"tool schema refers to {ref!r}, which it does not define")
            merged = {**definitions[name], **{k: v for k, v in node.items() if k != "$ref"}}
            return resolve(merged, (*seen, name))
        return {k: resolve(v, seen) for k, v in node.items() if k not in ("$defs", "definitions")}

    return resolve(copy.deepcopy(schema), ())


def parse_reply(text: str, known_tools: list[str]) -> ParsedReply:
    """Read a model reply: tool calls in any of the accepted shapes, else the text as the answer.

    A call to a name outside `known_tools` is kept with `error` set, so the agent can tell the model.
    """
    for candidate in _json_candidates(text):
        reply = _interpret(candidate, known_tools)
        if reply is not None:
            return reply
    return ParsedReply(answer=text.strip())


def _json_candidates(text: str) -> list[Any]:
    """JSON values found in the text: the whole text, fenced blocks, `<tool_call>` bodies, embedded objects."""
    values: list[Any] = []
    pieces = [text, *_FENCE.findall(text), *_TOOL_CALL_TAG.findall(text)]
    for piece in pieces:
        try:
            values.append(json.loads(piece))
            continue
        except ValueError:
            pass
        values.extend(_embedded_objects(piece))
    tagged = [json.loads(body) for body in _TOOL_CALL_TAG.findall(text) if _is_json(body)]
    if len(tagged) > 1:  # several <tool_call> blocks are one reply with several calls
        values.insert(0, tagged)
    return values


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _embedded_objects(text: str) -> list[Any]:
    """Top-level JSON objects/arrays that appear inside prose, in order."""
    decoder, found, index = json.JSONDecoder(), [], 0
    while (start := _next_opening(text, index)) != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            index = start + 1
            continue
        found.append(value)
        index = end
    return found


def _next_opening(text: str, index: int) -> int:
    positions = [p for p in (text.find("{", index), text.find("[", index)) if p != -1]
    return min(positions, default=-1)


def _interpret(value: Any, known_tools: list[str]) -> ParsedReply | None:
    """A ParsedReply when `value` is an answer object or one or more tool calls, else None."""
    if isinstance(value, dict) and set(value) == {ANSWER_KEY} and isinstance(value[ANSWER_KEY], str):
        return ParsedReply(answer=value[ANSWER_KEY])
    if isinstance(value, dict) and isinstance(value.get("tool_calls"), list):
        value = value["tool_calls"]
    items = value if isinstance(value, list) else [value]
    calls = [_as_call(item, known_tools) for item in items]
    if items and all(call is not None for call in calls):
        return ParsedReply(answer="", calls=calls)
    return None


def _as_call(item: Any, known_tools: list[str]) -> ToolCallRequest | None:
    """One tool call from `{"name"|"tool": ..., "arguments"|"parameters"|"args": ...}` (OpenAI nesting too)."""
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("function"), dict):
        item = item["function"]
    name = item.get(TOOL_KEY, item.get("tool"))
    if not isinstance(name, str):
        return None
    keys = [key for key in (ARGUMENTS_KEY, "parameters", "args") if key in item]
    if not keys and name not in known_tools:
        return None  # an ordinary object that merely has a "name" field
    raw = item[keys[0]] if keys else {}
    arguments, raw_text, error = _arguments(raw)
    if name not in known_tools:
        error = f"there is no tool named {name!r}; the tools are: {', '.join(known_tools) or 'none'}"
    return ToolCallRequest(name=name, arguments=arguments, raw_arguments=raw_text, error=error)


def _arguments(raw: Any) -> tuple[dict | None, str, str | None]:
    """Arguments as a dict, accepting a JSON-encoded string (small models copy that style)."""
    if isinstance(raw, dict):
        return raw, json.dumps(raw, ensure_ascii=False), None
    if isinstance(raw, str):
        try:
            decoded = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return None, raw, f"the arguments are not valid JSON: {raw[:80]!r}"
        if isinstance(decoded, dict):
            return decoded, raw, None
    return None, json.dumps(raw, ensure_ascii=False), f"the arguments must be a JSON object, not {type(raw).__name__}"


_ANSWER_OPENING = re.compile(r'\s*(?:```json)?\s*\{\s*"answer"\s*:\s*"')


class AnswerStreamer:
    """Streams the text of an `{"answer": "..."}` reply while it is generated, decoding JSON escapes.

    Feed it the whole reply so far; it returns only the newly decoded answer text ('' for tool calls).
    """

    def __init__(self) -> None:
        self.sent_chars = 0

    def delta(self, reply_so_far: str) -> str:
        opening = _ANSWER_OPENING.match(reply_so_far)
        if opening is None:
            return ""
        decoded = _decode_partial_string(reply_so_far[opening.end():])
        new_text = decoded[self.sent_chars:]
        self.sent_chars = len(decoded)
        return new_text


def _decode_partial_string(body: str) -> str:
    """The decoded prefix of a JSON string body, stopping at its closing quote or an unfinished escape."""
    out, index = [], 0
    while index < len(body) and body[index] != '"':
        if body[index] != "\\":
            out.append(body[index])
            index += 1
            continue
        width = 2
        if body[index + 1 : index + 2] == "u":
            width = 6
            unit = body[index + 2 : index + 6].lower()
            if len(unit) == 4 and "d800" <= unit <= "dbff":
                width = 12  # the first half of a surrogate pair: decode it with its second half
        if index + width > len(body):
            break  # the escape is not complete yet
        out.append(json.loads(f'"{body[index:index + width]}"'))
        index += width
    return "".join(out)
