"""The web app under test: a scripted chat model fed turn by turn, a gate to hold a turn mid-way,
and helpers to follow a turn's events with Starlette's test client."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import AIMessage
from support.scripted_model import ScriptedChatModel, scripted

PLAIN_REPLY = "Here is your tune."  # with no tool call the agent plans, composes and renders by itself
CHANGE = {"X-Tunesmith": "1"}  # the header the app's page sends with every change
LOCAL = "http://127.0.0.1"


class TurnScripts:
    """A chat model factory for `create_app`: its model plays the scripted steps added so far, then answers
    PLAIN_REPLY. While `gate` is cleared, every model call waits for it (to hold a turn as running)."""

    def __init__(self) -> None:
        self.pending: deque[AIMessage] = deque()
        self.gate = threading.Event()
        self.gate.set()
        self.calls = 0

    def add(self, *steps: Any) -> None:
        """Steps as for `support.scripted_model.scripted`: tool calls, lists of calls, or a final answer."""
        self.pending.extend(scripted(*steps).messages)

    def _messages(self) -> Iterator[AIMessage]:
        while True:
            if not self.gate.wait(timeout=60):
                raise TimeoutError("the test never opened the gate")
            self.calls += 1
            yield self.pending.popleft() if self.pending else AIMessage(content=PLAIN_REPLY)

    def factory(self, settings: Any) -> ScriptedChatModel:
        return ScriptedChatModel(messages=self._messages())


def events(client: Any, job_id: str) -> list[dict[str, Any]]:
    """Every event of a job, read from its Server-Sent Events stream until the job ends."""
    seen = []
    with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[len("data: "):]))
    return seen


def ask(client: Any, session_id: str, request: str, files: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send a request as the page does and wait for its turn to end; returns the last event."""
    response = client.post(f"/api/sessions/{session_id}/turns", data={"request": request}, files=files, headers=CHANGE)
    assert response.status_code == 202, response.text
    return events(client, response.json()["id"])[-1]


def new_session(client: Any) -> str:
    return client.post("/api/sessions", headers=CHANGE).json()["id"]
