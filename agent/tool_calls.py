"""Running one tool call for the agent: a bad call never crashes a turn, it becomes a sentence.

An unknown tool, wrong arguments or a failing tool come back as (content, error) for the model to
read and act on; the plan executor and the step-by-step loop both run calls through here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.tools import BaseTool
from pydantic import ValidationError


def _argument_error(tool: BaseTool, error: ValidationError) -> str:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in error.errors()
    )
    fields = ", ".join(tool.args)
    return f"Error: wrong arguments for {tool.name} ({problems}). It takes: {fields}."


def run_tool_call(tool: BaseTool | None, call: dict[str, Any], known: Sequence[str]) -> tuple[str, str | None]:
    """Run one tool call; returns (content for the model, error or None). Never raises for bad calls."""
    if tool is None:
        error = f"Error: there is no tool named {call['name']!r}. Available tools: {', '.join(known)}."
        return error, error
    args = call.get("args") or {}
    if isinstance(args, str):  # some models send the arguments as a JSON string
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            error = f"Error: the arguments for {tool.name} must be a JSON object, got {args[:80]!r}."
            return error, error
    try:
        return str(tool.invoke(args)), None
    except ValidationError as exc:
        error = _argument_error(tool, exc)
    except Exception as exc:  # the model reads the error and can try again; the turn goes on
        error = f"Error from {tool.name}: {exc}"
    return error, error
