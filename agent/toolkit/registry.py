"""The LangChain tools the agent's model may call, in one place: typed arguments, short descriptions.

Each tool is bound to one turn's TurnContext; the work is done in `tools.actions`. Argument schemas are
pydantic models, so a wrong call fails validation with a message naming the field, which the agent
loop hands back to the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field, create_model

from tunesmith.agent.toolkit import actions, own_tune
from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.errors import InputError, NotFoundError
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


class PlanChoices(BaseModel):
    key: str | None = Field(None, description="Tonic, e.g. D or F#.")
    mode: Mode | None = None
    meter: str | None = Field(None, description="e.g. 6/8, 3/4")
    tempo_bpm: int | None = Field(None, ge=30, le=260)
    bars: int | None = Field(None, ge=2, le=128)
    instrument: str | None = Field(None, description="e.g. piano, violin, flute")
    tune_type: str | None = Field(None, description="e.g. jig, reel, waltz, air")


class PlanArgs(PlanChoices):
    request: str | None = Field(None, description="The user's request (default: their own words).")


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


TUNE_FIELD = Field(None, description="Which tune of the user's ABC file: a number, X:3, a title, or all.")


class TuneArgs(BaseModel):
    tune: str | None = TUNE_FIELD


class ScoreArgs(BaseModel):
    formats: list[Literal["svg", "pdf", "musicxml"]] = Field(default_factory=lambda: ["svg"], description="Score files.")
    tune: str | None = TUNE_FIELD


class CheckArgs(BaseModel):
    bar: int | None = Field(None, ge=0, description="Only this bar's problems, e.g. 7.")
    tune: str | None = TUNE_FIELD


class ConvertArgs(BaseModel):
    to: list[Literal["mid", "wav", "svg", "pdf", "musicxml", "abc"]] = Field(
        default_factory=lambda: ["mid"], description="Formats to make; abc transcribes the user's MIDI.")
    tune: str | None = TUNE_FIELD


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
    # The user's own tune, unchanged unless abc2midi cannot play it.
    "play_tune": (TuneArgs, "Play the user's own tune as written: MIDI, WAV, score.", own_tune.play_tune),
    "show_score": (ScoreArgs, "Engrave the user's tune as a score (SVG, PDF, MusicXML).", own_tune.show_score),
    "check_tune": (CheckArgs, "Check the user's tune; list problems by line and bar.", own_tune.check_tune),
    "convert_tune": (ConvertArgs, "Convert the user's tune or MIDI file to other formats.", own_tune.convert_tune),
    "analyse_tune": (TuneArgs, "Key, meter, bars and likely tune type of the user's tune.", own_tune.analyse_tune),
    "list_tunes": (NoArgs, "List the tunes in the user's ABC file.", own_tune.list_tunes),
    "fix_tune": (TuneArgs, "Repair the user's tune when they ask for it fixed.", own_tune.fix_tune),
}
#: Tools that read a file the user gave: when one refuses it (bad input), the turn stops with that
#: sentence instead of carrying on without the file.
READS_USER_FILES = frozenset({"describe_image", "describe_audio", "repair_midi", "play_tune", "show_score",
                              "check_tune", "convert_tune", "analyse_tune", "list_tunes", "fix_tune"})


def _bound(ctx: TurnContext, name: str, action: Callable[..., str]) -> Callable[..., str]:
    """The action bound to the turn; a refusal of the user's own file is remembered in the context."""

    def run(**arguments: Any) -> str:
        try:
            return action(ctx, **arguments)
        except (InputError, NotFoundError) as error:
            if name in READS_USER_FILES and ctx.user_files:
                ctx.rejected_input = ctx.rejected_input or str(error)
            raise

    return run


def build_tools(ctx: TurnContext, names: list[str] | None = None) -> list[BaseTool]:
    """LangChain tools bound to this turn; `names` picks a subset (default: all)."""
    tools = []
    for name in names or list(TOOL_SPECS):
        schema, description, action = TOOL_SPECS[name]
        tools.append(
            StructuredTool.from_function(
                func=_bound(ctx, name, action),
                name=name,
                description=description,
                args_schema=schema,
            )
        )
    return tools


class GapArgs(BaseModel):
    first_bar: int | None = Field(None, ge=1, description="First missing bar (1-based); default: detect.")
    last_bar: int | None = Field(None, ge=1, description="Last missing bar.")


# What is left for the model to choose in a plan: files, the user's words and output formats are fixed
# by the words (agent.recipes), so those arguments are not offered — a shorter grammar, fewer tokens.
PLAN_CHOICES: dict[str, type[BaseModel]] = {
    "describe_image": NoArgs, "describe_audio": NoArgs, "transcribe_audio": NoArgs, "plan_music": PlanChoices,
    "render": NoArgs, "repair_midi": GapArgs, "generate_audio": NoArgs,
}


def open_plan_choices(ctx: TurnContext) -> type[BaseModel]:
    """plan_music's arguments cut to the plan fields left open: not set by the user's words ("a jig in
    D major" decides key, mode and, through the jig's conventions, meter, tempo, bars and instrument),
    nor by the picture or clip already looked at (their plan outranks a model's suggestion)."""
    from tunesmith.tools.planning.intent import open_plan_fields

    seen = ctx.bridge.plan.reasons if ctx.bridge is not None else {}
    if ctx.audio is not None:
        from tunesmith.tools.audio.clip_plan import plan_from_clip

        clip_plan = plan_from_clip(ctx.audio, tags=ctx.audio.tags, transcription=ctx.transcription, seed=ctx.seed)
        seen = {**seen, **clip_plan.reasons}
    open_fields = [f for f in open_plan_fields(ctx.request, list(PlanChoices.model_fields)) if f not in seen]
    fields = {name: (PlanChoices.model_fields[name].annotation, PlanChoices.model_fields[name]) for name in open_fields}
    return create_model("PlanChoices", **fields) if fields else NoArgs


def plan_tools(ctx: TurnContext, names: list[str]) -> list[BaseTool]:
    """The tools as the planning model sees them: only the arguments still open to its choice. Every
    argument is a token the model must write; one the words decide would be overruled anyway."""
    tools = []
    for name in names:
        schema, description, action = TOOL_SPECS[name]
        choices = open_plan_choices(ctx) if name == "plan_music" else PLAN_CHOICES.get(name, schema)
        tools.append(StructuredTool.from_function(func=_bound(ctx, name, action), name=name, description=description,
                                                  args_schema=choices))
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
    if ctx.previous_abc or "abc" in ctx.user_files:
        names += ["show_score", "check_tune", "analyse_tune", "convert_tune", "fix_tune"]
    if "abc" in ctx.user_files:
        names += ["play_tune", "list_tunes"]
    if "midi" in ctx.user_files:
        names += ["repair_midi", *(["convert_tune"] if "convert_tune" not in names else [])]
    return names
