"""The Python API for scripts and notebooks: one tune from words (no LLM), or a conversation with the agent.

`compose_tune` runs exactly the path the agent's tools run — the user's words (and a picture) →
plan → retrieval of real tunes → composition → the critic's refine loop — without a chat model, so
it is fast and repeatable. `start_session` gives the LLM agent itself, turn by turn.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.errors import InputError

if TYPE_CHECKING:
    from tunesmith.agent.session import ChatSession
    from tunesmith.settings import Settings
    from tunesmith.tools.compose import CriticRound
    from tunesmith.tools.critic import Critique
    from tunesmith.tools.plan import MusicPlan

__all__ = ["Tune", "compose_tune", "start_session"]

@dataclass(frozen=True)
class Tune:
    """A composed tune: its ABC, the plan it realises (with a reason per field), and the critic's verdict."""

    abc: str
    plan: MusicPlan
    critique: Critique | None
    rounds: list[CriticRound] = field(default_factory=list)
    exemplars: list[str] = field(default_factory=list)  # titles of the real tunes that shaped it
    notes: list[str] = field(default_factory=list)  # fallbacks and limits worth knowing

    def render(self, folder: str | Path, formats: Sequence[str] | None = None, name: str = "tune") -> dict[str, Path]:
        """Write the tune into `folder` (default formats: ABC, MIDI, WAV via FluidSynth, SVG score, MusicXML).

        Returns the written files by kind ("abc", "midi", "wav", "svg", "musicxml").
        """
        from tunesmith.tools.render import FORMATS, render_all

        result = render_all(self.abc, Path(folder).expanduser(), name, formats=list(formats or FORMATS))
        return {kind: path for kind in ("abc", "midi", "wav", "svg", "musicxml")
                if (path := getattr(result, kind, None)) is not None}


def compose_tune(request: str, *, image: str | Path | None = None, seed: int = 0, refine_rounds: int | None = None,
                 settings: Settings | None = None) -> Tune:
    """One tune for `request` ("a cheerful jig in D major"), optionally shaped by a picture, without an LLM.

    The same request, picture and seed give the same tune. Raises `tunesmith.TunesmithError` subclasses with
    one sentence for words no tune can follow, an unreadable picture or a plan that cannot be composed.
    """
    from tunesmith.agent.toolkit import actions
    from tunesmith.agent.toolkit.context import TurnContext
    from tunesmith.settings import get_settings

    if not isinstance(request, str) or not request.strip():
        raise InputError("the request is empty: say what music you want, e.g. 'a cheerful jig in D major'")
    settings = settings or get_settings()
    rounds = settings.refine_rounds if refine_rounds is None else refine_rounds
    with tempfile.TemporaryDirectory(prefix="tunesmith-") as scratch:
        files = {"image": Path(image)} if image is not None else {}
        ctx = TurnContext(request=request, out_dir=Path(scratch), user_files=files, seed=seed, refine_rounds=rounds)
        if image is not None:
            actions.describe_image(ctx, str(image))
        actions.plan_music(ctx, request)
        actions.compose_abc(ctx)
    return Tune(
        abc=ctx.abc, plan=ctx.plan, critique=ctx.critique,
        rounds=list(ctx.refinement.rounds) if ctx.refinement else [],
        exemplars=[exemplar.title for exemplar in ctx.exemplars], notes=list(ctx.notes),
    )


def start_session(*, settings: Settings | None = None, chat_model=None, session_id: str | None = None) -> ChatSession:
    """A conversation with the agent (new, or `session_id` resumed): `session.ask("a slow air")` runs one turn.

    The chat model is the configured one (the embedded Qwen2.5-Coder by default) unless `chat_model`
    (any LangChain chat model with tool calling) is given.
    """
    from tunesmith.agent.llm.factory import make_chat_model
    from tunesmith.agent.session import ChatSession
    from tunesmith.settings import get_settings

    settings = settings or get_settings()
    model = chat_model if chat_model is not None else make_chat_model(settings)
    if session_id:
        return ChatSession.resume(session_id, model, settings)
    return ChatSession.start(model, settings)
