"""A conversation with the agent: turns in order, the last tune for edits, undo, resume from disk.

Each turn stores two messages in the session file: the user's request and the agent's reply; the
reply carries the turn's folder and status in `additional_kwargs`, so the session can be resumed
and "the last tune" found again after a restart.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, messages_from_dict, messages_to_dict

from tunesmith.agent.turn import TurnOutcome, run_turn
from tunesmith.memory.sessions import SessionStore, StoredSession
from tunesmith.settings import Settings
from tunesmith.tools.plan import MusicPlan

log = logging.getLogger(__name__)
HISTORY_TURNS = 3  # earlier turns shown to the model: enough for "now make it slower", short for a small model


class ChatSession:
    """One conversation, persisted in a session folder."""

    def __init__(self, stored: StoredSession, chat_model: BaseChatModel, settings: Settings) -> None:
        self.stored = stored
        self.chat_model = chat_model
        self.settings = settings

    @classmethod
    def start(cls, chat_model: BaseChatModel, settings: Settings, title: str = "Untitled session") -> ChatSession:
        """A new session in the sessions folder."""
        return cls(SessionStore(settings.output_dir).create(title), chat_model, settings)

    @classmethod
    def resume(cls, session_id: str, chat_model: BaseChatModel, settings: Settings) -> ChatSession:
        """An existing session, read back from disk."""
        return cls(SessionStore(settings.output_dir).load(session_id), chat_model, settings)

    @property
    def id(self) -> str:
        return self.stored.id

    def messages(self) -> list[BaseMessage]:
        return messages_from_dict(self.stored.messages)

    def _replies(self) -> list[AIMessage]:
        return [m for m in self.messages() if isinstance(m, AIMessage) and m.additional_kwargs.get("folder")]

    def live_turn_folders(self) -> list[Path]:
        """Folders of the turns that were not undone, oldest first."""
        return [Path(m.additional_kwargs["folder"]) for m in self._replies() if not m.additional_kwargs.get("undone")]

    def last_tune(self) -> tuple[str | None, MusicPlan | None]:
        """The ABC and plan of the latest turn that made a tune and was not undone."""
        for folder in reversed(self.live_turn_folders()):
            tune = folder / "tune.abc"
            if tune.is_file():
                plan_file = folder / "plan.json"
                plan = MusicPlan.model_validate(json.loads(plan_file.read_text())) if plan_file.is_file() else None
                return tune.read_text(encoding="utf-8"), plan
        return None, None

    def _history(self) -> list[BaseMessage]:
        pairs: list[BaseMessage] = []
        messages = self.messages()
        for request, reply in zip(messages[::2], messages[1::2]):
            if not reply.additional_kwargs.get("undone"):
                pairs += [HumanMessage(content=request.content), AIMessage(content=reply.content)]
        return pairs[-2 * HISTORY_TURNS:]

    def ask(
        self,
        request: str,
        *,
        user_files: dict[str, Path] | None = None,
        turn_dir: Path | None = None,
        progress: Callable[[str], None] | None = None,
        want_musicgen: bool = False,
    ) -> TurnOutcome:
        """Run one turn and record it; an interrupted turn is recorded as interrupted, then re-raised."""
        previous_abc, previous_plan = self.last_tune()
        folder = Path(turn_dir) if turn_dir else self.stored.new_turn_folder()
        if self.stored.title == "Untitled session":
            self.stored.title = request.strip()[:60]
        try:
            outcome = run_turn(
                request, chat_model=self.chat_model, settings=self.settings, turn_dir=folder,
                session_dir=self.stored.folder, history=self._history(), previous_abc=previous_abc,
                previous_plan=previous_plan, user_files=user_files, progress=progress, want_musicgen=want_musicgen,
            )
        except KeyboardInterrupt:
            self._record(request, "Interrupted before the turn finished.", folder, "interrupted")
            raise
        self._record(request, outcome.reply, folder, outcome.status)
        if outcome.abc is not None:
            self._remember(request, outcome, len(self.stored.messages) // 2)
        return outcome

    def _remember(self, request: str, outcome: TurnOutcome, turn: int) -> None:
        """Add the tune to the generations library, so later requests can find it by meaning."""
        from tunesmith.memory.generations import remember_generation

        try:
            remember_generation(
                abc=outcome.abc, request=request, session_id=self.id, turn=turn, plan=outcome.plan,
                critic_score=outcome.critic_final, title=outcome.plan.title if outcome.plan else None,
            )
        except Exception as exc:  # the tune is safe on disk; only its library entry is missing
            log.warning("the tune was saved but not added to the generations library: %s", exc)

    def _record(self, request: str, reply: str, folder: Path, status: str) -> None:
        metadata = {"folder": str(Path(folder).resolve()), "status": status, "undone": status != "done"}
        new = [HumanMessage(content=request), AIMessage(content=reply, additional_kwargs=metadata)]
        self.stored.messages = self.stored.messages + messages_to_dict(new)
        self.stored.save()

    def undo(self) -> str:
        """Set the latest live turn aside, so the tune before it is the one edits act on."""
        for message in reversed(self.stored.messages):
            data = message.get("data", {})
            extra = data.get("additional_kwargs", {})
            if message.get("type") == "ai" and extra.get("folder") and not extra.get("undone"):
                extra["undone"] = True
                self.stored.save()
                return f"Undid the turn in {Path(extra['folder']).name}."
        return "Nothing to undo."

    def history_lines(self) -> list[str]:
        """One line per turn: number, request, status, folder."""
        return turn_lines(self.stored)


def turn_lines(stored: StoredSession) -> list[str]:
    """One line per turn of a stored session: number, request, status (and undone), folder."""
    lines = []
    messages = messages_from_dict(stored.messages)
    for number, (request, reply) in enumerate(zip(messages[::2], messages[1::2]), start=1):
        extra = reply.additional_kwargs
        mark = " (undone)" if extra.get("undone") and extra.get("status") == "done" else ""
        lines.append(f"{number}. {request.content} — {extra.get('status', '?')}{mark} — {extra.get('folder', '')}")
    return lines
