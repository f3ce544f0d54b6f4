"""What the tools of one turn share: the turn folder, the files the user named, and the tune so far.

The agent's LLM never passes ABC or file contents around: tools read and write this context, so a
small model only has to choose the next tool and its few arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunesmith.errors import NotAllowedError
from tunesmith.tools.plan import MusicPlan

if TYPE_CHECKING:  # heavy modules; the context only holds their results
    from langchain_core.language_models import BaseChatModel

    from tunesmith.agent.state import ConversationState
    from tunesmith.memory.exemplars import Exemplar
    from tunesmith.tools.audio import AudioDescription, AudioScore
    from tunesmith.tools.audio.transcribe import Transcription
    from tunesmith.tools.compose import RefineOutcome
    from tunesmith.tools.critic import Critique
    from tunesmith.tools.musicgen import GeneratedAudio
    from tunesmith.tools.planning.intent import RequestIntent
    from tunesmith.tools.render import RenderResult
    from tunesmith.tools.tunebook import BookTune, CheckedTune
    from tunesmith.tools.vision import BridgeResult, ImageAnalysis


class InputNotAllowed(NotAllowedError):
    """A tool was asked to read a file the user did not name and the session did not make."""


@dataclass
class TurnContext:
    """State of one turn: inputs, the evolving tune, and everything the explanation will cite."""

    request: str
    out_dir: Path
    user_files: dict[str, Path] = field(default_factory=dict)  # role (image, audio, abc, midi) -> path
    session_dir: Path | None = None
    previous_abc: str | None = None
    previous_plan: MusicPlan | None = None
    seed: int = 0
    refine_rounds: int = 3
    chat_model: BaseChatModel | None = None  # revises ABC the model wrote itself (write_abc)
    progress: Callable[[str], None] | None = None  # long tools report "transcribing clip.wav 40%" through it
    conversation: ConversationState | None = None  # the versions so far and the one this turn starts from
    intent: RequestIntent | None = None  # the job the words ask for (tools.planning.intent)
    # Filled in by tools as the turn goes on.
    image: ImageAnalysis | None = None
    audio: AudioDescription | None = None
    transcription: Transcription | None = None  # the clip's melody as ABC
    bridge: BridgeResult | None = None
    exemplars: list[Exemplar] = field(default_factory=list)
    plan: MusicPlan | None = None
    abc: str | None = None
    abc_origin: str | None = None  # "composed from plan", "written by the LLM", "edited", ...
    refinement: RefineOutcome | None = None
    critique: Critique | None = None
    edits: list[str] = field(default_factory=list)
    edit_report: dict[str, Any] | None = None  # what the user's words asked, and what edit_abc did and did not do
    renders: RenderResult | None = None
    generated_audio: list[GeneratedAudio] = field(default_factory=list)
    audio_scores: list[AudioScore] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # fallbacks and limits worth telling the user
    # The user's own tune (issue 19): what the check found, answers to their questions, extra files made.
    book: list[BookTune] | None = None  # the tunes of the attached ABC file, read once
    checked: CheckedTune | None = None
    findings: list[str] = field(default_factory=list)  # the check's problems, with line and bar
    answers: list[str] = field(default_factory=list)  # facts a read-only job found (key, type, listing, ...)
    made_files: dict[str, Path] = field(default_factory=dict)  # kind -> file, beyond the usual renders
    rejected_input: str | None = None  # the sentence with which a tool refused a file the user gave

    def __post_init__(self) -> None:
        self.out_dir = Path(self.out_dir).resolve()
        self.user_files = {role: Path(p).expanduser().resolve() for role, p in self.user_files.items()}

    def readable_path(self, path: str | Path, role: str | None = None) -> Path:
        """Resolve a path a tool was given: only files the user named or files inside the session folder.

        A bare file name means the named file of that name; when two named files share it (a/photo.png as
        the image, b/photo.png as the clip), the one named for `role` (the tool's kind of input).
        """
        candidate = Path(str(path).strip().strip("'\"")).expanduser()
        same_name = [(r, p) for r, p in self.user_files.items() if p.name == candidate.name]
        if len(candidate.parts) == 1 and same_name:
            return next((p for r, p in same_name if r == role), same_name[0][1])
        root = Path(self.session_dir or self.out_dir).resolve()
        resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
        if resolved in self.user_files.values():
            return resolved
        if root in resolved.parents:
            if not resolved.is_file():
                raise FileNotFoundError(f"{path} does not exist in this session")
            return resolved
        allowed = ", ".join(str(p) for p in self.user_files.values()) or "none"
        raise InputNotAllowed(f"{path} is not a file you named or one this session made; files you named: {allowed}")

    def current_tune(self) -> str:
        """The tune this turn works on: this turn's, else the previous turn's; raises if there is none."""
        if self.abc:
            return self.abc
        if self.previous_abc:
            return self.previous_abc
        raise LookupError("there is no tune yet: compose one first (plan_music then compose_abc)")

