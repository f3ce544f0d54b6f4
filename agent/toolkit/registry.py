"""The LangChain tools the agent's model may call, in one place: typed arguments, short descriptions.

Each tool is bound to one turn's TurnContext; the work is done in `tools.actions`. Argument schemas are
pydantic models, so a wrong call fails validation with a message naming the field, which the agent
loop hands back to the model.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from tunesmith.agent.toolkit import actions
from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.tools.theory.keys import Mode


class PathArgs(BaseModel):
    path: str = Field(description="Path of a file the user gave.")


class SearchArgs(BaseModel):
    query: str = Field(description="What kind of tune, in words.")
    key: str | None = Field(None, description="Key tonic, e.g. D.")
    mode: Mode | None = None
    meter: str | None = Field(None, description="e.g. 6/8")
    tune_type: str | None = Field(None, description="e.g. jig, reel, waltz")
    k: int = Field(3, ge=1, le=10, description="How many tunes.")


class PlanArgs(BaseModel):
    request: str = Field(description="The user's request, in their words.")
    key: str | None = Field(None, description="Tonic, e.g. D or F#.")
    mode: Mode | None = None
    meter: str | None = Field(None, description="e.g. 6/8, 3/4")
    tempo_bpm: int | None = Field(None, ge=30, le=260)
    bars: int | None = Field(None, ge=2, le=128)
    instrument: str | None = Field(None, description="e.g. piano, violin, flute")
    tune_type: str | None = Field(None, description="e.g. jig, reel, waltz, air")


class NoArgs(BaseModel):
    pass


class RecallArgs(BaseModel):
    query: str = Field(description="The earlier tune in the user's words, e.g. 'the waltz from yesterday'.")


class WriteAbcArgs(BaseModel):
    abc: str = Field(description="A whole tune in ABC notation with X, T, M, L, K headers.")


class EditArgs(BaseModel):
    instruction: str = Field(description="The change in the user's words, e.g. 'slower, in minor'.")


class RenderArgs(BaseModel):
    formats: list[Literal["mid", "wav", "svg", "musicxml"]] = Field(
        default_factory=lambda: ["mid", "wav", "svg"], description="Files to make."
    )


class GenerateAudioArgs(BaseModel):
    prompt: str | None = Field(None, description="Text for MusicGen; default: the bridged prompt.")
    seconds: float = Field(10.0, gt=0, le=300, description="Length in seconds.")
    use_melody: bool = Field(True, description="Condition on the composed tune's melody.")


class ScoreAudioArgs(BaseModel):
    text: str | None = Field(None, description="Description to score against; default: the request.")


class RepairMidiArgs(BaseModel):
    path: str = Field(description="The MIDI file the user gave.")
    first_bar: int | None = Field(None, ge=1, description="First missing bar (1-based); default: detect.")
    last_bar: int | None = Field(None, ge=1, description="Last missing bar.")


class ContinueArgs(BaseModel):
    bars: int = Field(8, ge=1, le=64, description="How many bars to add.")


# name -> (schema, description for the model, action)
TOOL_SPECS: dict[str, tuple[type[BaseModel], str, Callable[..., str]]] = {
    "describe_image": (PathArgs, "Analyse the user's image: colours, mood, energy; suggests a music plan.", actions.describe_image),
    "describe_audio": (PathArgs, "Analyse the user's audio clip: tempo, key, loudness, instruments and mood heard.", actions.describe_audio),
    "transcribe_audio": (PathArgs, "Write the melody of the user's clip as ABC; it becomes the tune to edit or continue.", actions.transcribe_audio),
    "search_exemplars": (SearchArgs, "Find real folk tunes like the request in the library.", actions.search_exemplars),
    "plan_music": (PlanArgs, "Make a music plan (key, mode, meter, tempo, bars, instrument) from the request.", actions.plan_music),
    "compose_abc": (NoArgs, "Compose the planned tune as ABC and refine it with the critic.", actions.compose_abc),
    "write_abc": (WriteAbcArgs, "Submit a tune you wrote in ABC; it is checked, repaired and critiqued.", actions.write_abc),
    "critique_abc": (NoArgs, "Score the current tune against the plan and list problems.", actions.critique_abc),
    "edit_abc": (EditArgs, "Change the previous tune: tempo, mode, key, instrument, length.", actions.edit_abc),
    "render": (RenderArgs, "Make MIDI, WAV audio and an SVG score of the current tune.", actions.render),
    "generate_audio": (GenerateAudioArgs, "Make realistic audio with MusicGen (needs its weights).", actions.generate_audio),
    "score_audio": (ScoreAudioArgs, "Score the rendered audio against a description.", actions.score_audio),
    "repair_midi": (RepairMidiArgs, "Fill missing bars of the user's MIDI file.", actions.repair_midi),
    "continue_tune": (ContinueArgs, "Continue the current tune for more bars.", actions.continue_tune),
    "recall_tune": (RecallArgs, "Find a tune made in an earlier session, to play or edit it.", actions.recall_tune),
}


def build_tools(ctx: TurnContext, names: list[str] | None = None) -> list[BaseTool]:
    """LangChain tools bound to this turn; `names` picks a subset (default: all)."""
    tools = []
    for name in names or list(TOOL_SPECS):
        schema, description, action = TOOL_SPECS[name]
        tools.append(
            StructuredTool.from_function(
                func=partial(action, ctx),
                name=name,
                description=description,
                args_schema=schema,
            )
        )
    return tools


def tools_for_turn(ctx: TurnContext) -> list[str]:
    """The tools worth offering this turn: fewer tools mean a shorter prompt for a small model."""
    names = ["plan_music", "search_exemplars", "compose_abc", "write_abc", "critique_abc", "render", "generate_audio", "score_audio"]
    if "image" in ctx.user_files:
        names.insert(0, "describe_image")
    if "audio" in ctx.user_files:
        names[:0] = ["describe_audio", "transcribe_audio"]
    names.append("recall_tune")
    if ctx.previous_abc or "abc" in ctx.user_files or "audio" in ctx.user_files:
        names += ["edit_abc", "continue_tune"]
    if "midi" in ctx.user_files:
        names.append("repair_midi")
    return names
