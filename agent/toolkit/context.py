"""What the tools of one turn share: the turn folder, the files the user named, and the tune so far.

The agent's LLM never passes ABC or file contents around: tools read and write this context, so a
small model only has to choose the next tool and its few arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tunesmith.tools.plan import MusicPlan


class InputNotAllowed(PermissionError):
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
    # Set by the agent layer so tools can run the self-refine loop without importing agent/.
    refine_plan: Callable[..., Any] | None = None
    refine_written: Callable[..., Any] | None = None
    progress: Callable[[str], None] | None = None  # long tools report "transcribing clip.wav 40%" through it
    # Filled in by tools as the turn goes on.
    image: Any = None
    audio: Any = None
    transcription: Any = None  # the clip's melody as ABC (tools.audio.transcribe.Transcription)
    bridge: Any = None
    exemplars: list[Any] = field(default_factory=list)
    plan: MusicPlan | None = None
    abc: str | None = None
    abc_origin: str | None = None  # "composed from plan", "written by the LLM", "edited", ...
    refinement: Any = None
    critique: Any = None
    edits: list[str] = field(default_factory=list)
    renders: Any = None
    generated_audio: list[Any] = field(default_factory=list)
    audio_scores: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # fallbacks and limits worth telling the user

    def __post_init__(self) -> None:
        self.out_dir = Path(self.out_dir).resolve()
        self.user_files = {role: Path(p).expanduser().resolve() for role, p in self.user_files.items()}

    def readable_path(self, path: str | Path) -> Path:
        """Resolve a path a tool was given: only files the user named or files inside the session folder."""
        candidate = Path(str(path).strip().strip("'\"")).expanduser()
        named_by_file_name = {p.name: p for p in self.user_files.values()}
        if len(candidate.parts) == 1 and candidate.name in named_by_file_name:
            return named_by_file_name[candidate.name]
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

