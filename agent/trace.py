"""The evidence of one turn: every LLM step, tool call and critic round, written as trace.json.

The trace is saved after every step, atomically, so an interrupted turn still leaves a consistent
record, and the explanation is built from it alone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tunesmith.memory.files import atomic_write_json
from tunesmith.tools.compose import CriticRound


class LlmStep(BaseModel):
    """One call of the chat model."""

    index: int
    seconds: float
    input_tokens: int | None = None
    output_tokens: int | None = None
    tool_calls: list[str] = Field(default_factory=list)
    reply: str | None = None


class ToolCallRecord(BaseModel):
    """One tool call: what the model asked for and what came back."""

    index: int
    name: str
    arguments: dict[str, Any]
    result: str | None = None
    error: str | None = None
    seconds: float = 0.0
    by: str = "llm"  # "llm" when the model asked for it, "agent" when the agent's fallback ran it


class TurnTrace(BaseModel):
    """Everything that happened in one turn."""

    request: str
    inputs: dict[str, str] = Field(default_factory=dict)
    backend: str
    model: str
    started: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    plan_steps: list[str] = Field(default_factory=list)
    llm_steps: list[LlmStep] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    critic_rounds: list[CriticRound] = Field(default_factory=list)
    plan: dict[str, Any] | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)
    artifacts: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    reply: str | None = None
    status: str = "running"  # running | done | interrupted | failed
    llm_seconds: float = 0.0
    tool_seconds: float = 0.0
    wall_seconds: float = 0.0


class TraceRecorder:
    """Appends steps to a TurnTrace and saves it to `<turn>/trace.json` after each one."""

    def __init__(self, trace: TurnTrace, path: Path) -> None:
        self.trace = trace
        self.path = Path(path)
        self._start = time.perf_counter()
        self.save()

    def save(self) -> None:
        self.trace.wall_seconds = round(time.perf_counter() - self._start, 3)
        atomic_write_json(self.path, self.trace)

    def llm_step(self, seconds: float, message: Any) -> None:
        usage = getattr(message, "usage_metadata", None) or {}
        self.trace.llm_steps.append(
            LlmStep(
                index=len(self.trace.llm_steps) + 1,
                seconds=round(seconds, 3),
                input_tokens=usage.get("input_tokens"),
                output_tokens=usage.get("output_tokens"),
                tool_calls=[call["name"] for call in getattr(message, "tool_calls", [])],
                reply=(message.content or None) if isinstance(message.content, str) else str(message.content),
            )
        )
        self.trace.llm_seconds = round(self.trace.llm_seconds + seconds, 3)
        for call in getattr(message, "tool_calls", []):
            self.trace.plan_steps.append(f"{call['name']}({_short_args(call.get('args', {}))})")
        self.save()

    def tool_call(self, record: ToolCallRecord) -> None:
        record.index = len(self.trace.tool_calls) + 1
        self.trace.tool_calls.append(record)
        self.trace.tool_seconds = round(self.trace.tool_seconds + record.seconds, 3)
        self.save()

    def finish(self, status: str, reply: str | None = None) -> None:
        self.trace.status = status
        if reply is not None:
            self.trace.reply = reply
        self.save()


def _short_args(arguments: dict[str, Any]) -> str:
    parts = []
    for key, value in arguments.items():
        text = repr(value)
        parts.append(f"{key}={text if len(text) <= 40 else text[:37] + '...'}")
    return ", ".join(parts)
