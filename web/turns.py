"""Run a queued request as one turn of the same `ChatSession` the CLI uses, and say failures in one sentence.

The chat model is made on the first turn (so the page opens at once) and kept; when it cannot be
made (Ollama not running, weights missing) that turn fails with the factory's sentence and fix, and
the next turn tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tunesmith.errors import TunesmithError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from tunesmith.settings import Settings
    from tunesmith.web.queue import Job

ChatModelFactory = Callable[["Settings"], "BaseChatModel"]

# What the agent is doing, in the words a person expects ("describing the image…"), by tool name.
STEP_WORDS = {
    "describe_image": "describing the image",
    "describe_audio": "listening to the clip",
    "search_exemplars": "finding similar tunes",
    "plan_music": "planning",
    "compose_abc": "composing",
    "write_abc": "checking the written tune",
    "critique_abc": "critiquing",
    "edit_abc": "editing the tune",
    "render": "rendering",
    "generate_audio": "generating audio",
    "score_audio": "scoring the audio",
    "repair_midi": "repairing the MIDI",
    "continue_tune": "continuing the tune",
    "recall_tune": "recalling an earlier tune",
}


def step_words(step: str) -> str:
    """The agent's progress label ("running compose_abc") as words for the page ("composing")."""
    name = step.removeprefix("running ").strip()
    return STEP_WORDS.get(name, name.replace("_", " "))


def failure_sentence(error: Exception) -> str:
    """One sentence for a failed turn or request: the error tree's sentence (with its fix), never a traceback."""
    if isinstance(error, TunesmithError):  # the message, then the fix when the message does not hold it yet
        fix = error.fix
        return f"{error} — {fix}" if fix and fix not in str(error) else str(error)
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    # Tunesmith's errors older than the tree (LlmUnavailable, SessionNotFound, RenderError…) are one
    # sentence already; anything else is a bug or the machine's trouble, named plainly.
    if type(error).__module__.startswith("tunesmith.") and message:
        return message
    detail = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return f"Something failed unexpectedly ({detail}); the server's log has the details."


class TurnRunner:
    """Runs jobs for the queue: resume the session from disk, ask, return the turn folder's name."""

    def __init__(self, settings: Settings, chat_model_factory: ChatModelFactory) -> None:
        self.settings = settings
        self.chat_model_factory = chat_model_factory
        self._chat_model: BaseChatModel | None = None

    def chat_model(self) -> BaseChatModel:
        """The chat model, made once; only the queue's worker thread calls this."""
        if self._chat_model is None:
            self._chat_model = self.chat_model_factory(self.settings)
        return self._chat_model

    def __call__(self, job: Job, progress: Callable[[str], None]) -> str:
        from tunesmith.agent.session import ChatSession

        if self._chat_model is None:
            progress("loading the model")
        # Read back from disk for every turn: undo and other tabs changed the file, not this process's copy.
        session = ChatSession.resume(job.session_id, self.chat_model(), self.settings)
        files = {job.attachment.role: job.attachment.path} if job.attachment else None
        return session.ask(job.request, user_files=files, progress=progress).folder.name
