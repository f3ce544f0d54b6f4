"""A conversation with the agent: turns in order, the versions of the tune, undo and redo, resume from disk.

Each turn stores two messages in the session file: the user's request and the agent's reply; the
reply carries the turn's folder and status in `additional_kwargs`. The conversation state
(`agent/state.py`: every version of the tune, measured from its ABC, and which one is current) is
saved beside them, so "the last tune", "the first tune" and "the version before the flute" are
found again after a restart. Words that point back at a version make that version the one the
turn's edits start from.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, messages_from_dict, messages_to_dict

from tunesmith.agent.state import ConversationState, TuneFacts, Version, VersionNotFound
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

    @property
    def state(self) -> ConversationState:
        """The conversation's versions and the current one (rebuilt from the turn folders for older sessions)."""
        if self.stored.state:
            return ConversationState.model_validate(self.stored.state)
        state = ConversationState()
        for turn, folder in enumerate(self.live_turn_folders(), start=1):
            if (folder / "tune.abc").is_file():
                abc, plan = _read_tune(folder)
                state.add(turn=turn, folder=str(folder), request=folder.name, facts=TuneFacts.from_abc(abc, plan),
                          based_on=state.current, edit_kinds=[])
        return state

    def _save_state(self, state: ConversationState) -> None:
        self.stored.state = state.model_copy(update={"base": None, "reference": None, "reference_problem": None}).model_dump(mode="json")
        self.stored.save()

    def current_folder(self) -> Path | None:
        """The turn folder of the current version (its tune.abc, tune.wav, score.svg ...), or None before any tune."""
        version = self.state.current_version
        return Path(version.folder) if version is not None else None

    def last_tune(self) -> tuple[str | None, MusicPlan | None]:
        """The ABC and plan of the current version (the latest tune not undone, unless words chose another)."""
        return self.tune_of(self.state.current_version)

    @staticmethod
    def tune_of(version: Version | None) -> tuple[str | None, MusicPlan | None]:
        """The ABC and plan of a version, read from its turn folder."""
        if version is None or not (Path(version.folder) / "tune.abc").is_file():
            return None, None
        abc, plan = _read_tune(Path(version.folder))
        return abc, MusicPlan.model_validate(plan) if plan else None

    def _history(self) -> list[BaseMessage]:
        pairs: list[BaseMessage] = []
        messages = self.messages()
        for request, reply in zip(messages[::2], messages[1::2]):
            if not reply.additional_kwargs.get("undone"):
                pairs += [HumanMessage(content=request.content), AIMessage(content=reply.content)]
        return pairs[-2 * HISTORY_TURNS:]

    def _turn_state(self, request: str, state: ConversationState) -> ConversationState:
        """The state for a new turn: it starts from the current version, or from the one the words point at."""
        from tunesmith.tools.edits import EditError, read_edit

        try:
            reference = read_edit(request).reference
        except EditError:
            reference = None
        if reference is None:
            return state.for_turn(state.current_version, None)
        try:
            return state.for_turn(state.resolve(reference), reference.evidence)
        except VersionNotFound as exc:
            return state.for_turn(state.current_version, reference.evidence, problem=str(exc))

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
        state = self.state  # read before this turn is recorded
        turn_state = self._turn_state(request, state)
        previous_abc, previous_plan = self.tune_of(turn_state.base_version)
        folder = Path(turn_dir) if turn_dir else self.stored.new_turn_folder()
        if self.stored.title == "Untitled session":
            self.stored.title = request.strip()[:60]
        try:
            outcome = run_turn(
                request, chat_model=self.chat_model, settings=self.settings, turn_dir=folder,
                session_dir=self.stored.folder, history=self._history(), previous_abc=previous_abc,
                previous_plan=previous_plan, user_files=user_files, progress=progress, want_musicgen=want_musicgen,
                conversation=turn_state,
            )
        except KeyboardInterrupt:
            self._record(request, "Interrupted before the turn finished.", folder, "interrupted")
            raise
        self._record(request, outcome.reply, folder, outcome.status)
        self._add_version(request, outcome, state, turn_state)
        if outcome.abc is not None:
            self._remember(request, outcome, len(self.stored.messages) // 2)
        return outcome

    def _add_version(self, request: str, outcome: TurnOutcome, state: ConversationState,
                     turn_state: ConversationState) -> None:
        """A turn that wrote a tune adds a version: edited from the turn's base, or new when it was composed."""
        folder = Path(outcome.folder)
        if outcome.status != "done" or outcome.abc is None or not (folder / "tune.abc").is_file():
            self._save_state(state)
            return
        trace = json.loads((folder / "trace.json").read_text(encoding="utf-8"))
        edit = trace.get("evidence", {}).get("edit") or {}
        composed = edit.get("new_tune") or any(call["name"] in NEW_TUNE_TOOLS and not call.get("error")
                                               for call in trace.get("tool_calls", []))
        state.add(turn=len(self.stored.messages) // 2, folder=str(folder.resolve()), request=request,
                  facts=TuneFacts.from_abc(outcome.abc, trace.get("plan")),
                  based_on=None if composed else turn_state.base, edit_kinds=edit.get("kinds", []))
        self._save_state(state)

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
        """Set the current version aside, so the tune it came from is the one edits act on."""
        state = self.state
        version = state.undo()
        if version is None:
            return "Nothing to undo."
        self._mark_turn(version.folder, undone=True)
        self._save_state(state)
        now = state.current_version
        return f"Undid {version.label()}." + (f" Current: version {now.number}: {now.facts.line()}." if now else " No tune now.")

    def redo(self) -> str:
        """Bring back the version undone last."""
        state = self.state
        version = state.redo()
        if version is None:
            return "Nothing to redo."
        self._mark_turn(version.folder, undone=False)
        self._save_state(state)
        return f"Redid {version.label()}: {version.facts.line()}."

    def _mark_turn(self, folder: str, *, undone: bool) -> None:
        """Keep the turn's message in step with its version (history and the model's context skip undone turns)."""
        for message in self.stored.messages:
            extra = message.get("data", {}).get("additional_kwargs", {})
            if message.get("type") == "ai" and extra.get("folder") and Path(extra["folder"]).resolve() == Path(folder).resolve():
                extra["undone"] = undone

    def state_lines(self) -> list[str]:
        """The current tune's facts and every version (for `/session`)."""
        return self.state.lines()

    def history_lines(self) -> list[str]:
        """One line per turn: number, request, status, folder."""
        return turn_lines(self.stored)


NEW_TUNE_TOOLS = ("compose_abc", "write_abc", "recall_tune")


def _read_tune(folder: Path) -> tuple[str, dict | None]:
    plan_file = folder / "plan.json"
    plan = json.loads(plan_file.read_text(encoding="utf-8")) if plan_file.is_file() else None
    return (folder / "tune.abc").read_text(encoding="utf-8"), plan


def turn_lines(stored: StoredSession) -> list[str]:
    """One line per turn of a stored session: number, request, status (and undone), folder."""
    lines = []
    messages = messages_from_dict(stored.messages)
    for number, (request, reply) in enumerate(zip(messages[::2], messages[1::2]), start=1):
        extra = reply.additional_kwargs
        mark = " (undone)" if extra.get("undone") and extra.get("status") == "done" else ""
        lines.append(f"{number}. {request.content} — {extra.get('status', '?')}{mark} — {extra.get('folder', '')}")
    return lines
