"""What each kind of job must run, which tools the model may add, and whether the job got done.

The words decide, the model proposes: the intent reader (`tools.planning.intent`) names the job
("play this tune" is play, never an edit), its recipe here lists the steps that job cannot do without
(with the arguments the user's words and files fix), and the model's plan may only fill in the
arguments left open. Jobs with nothing left open (play, check, convert, fix your tune, ...) need no
model at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.tools.planning.intent import RequestIntent

#: Steps that only look at the user's picture or clip: run before the model plans, so it sees their
#: results and is not asked about what they decide.
PERCEPTION = ("describe_image", "describe_audio", "transcribe_audio")
#: Every tool a job's plan may hold when a model plans it (read-only jobs plan without one).
PLANNED_TOOLS = ("describe_image", "describe_audio", "transcribe_audio", "plan_music", "compose_abc", "render",
                 "generate_audio", "edit_abc", "continue_tune", "repair_midi")
_MODEL_CHOICES = ("plan_music", "edit_abc", "continue_tune", "repair_midi")  # tools with arguments left open


@dataclass
class Step:
    """One tool call of a turn's plan: its tool, arguments, and who asked for it (llm or agent).

    In a recipe, `args` are fixed by the words and files; `defaults` apply where the model chose nothing.
    """

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    by: str = "agent"
    defaults: dict[str, Any] = field(default_factory=dict)


def needs_model(intent: RequestIntent, ctx: TurnContext) -> bool:
    """Whether the job leaves a model anything to choose: plan fields the words, picture and clip leave
    open, an edit the words do not name, how many bars, which bars are missing. Jobs on a tune as it is
    (play, check, convert, fix) and jobs whose words decide everything ("slower, in minor") do not."""
    return any(_left_open(step, ctx) for step in recipe(intent, ctx) if step.name in _MODEL_CHOICES)


def _left_open(step: Step, ctx: TurnContext) -> bool:
    """Whether a step has an argument only a model would fill."""
    if step.name == "plan_music":
        from tunesmith.agent.toolkit.registry import open_plan_choices

        return bool(open_plan_choices(ctx).model_fields)
    fixed_by_words = {"edit_abc": "instruction", "continue_tune": "bars", "repair_midi": "first_bar"}[step.name]
    return fixed_by_words not in step.args


def _own_file(ctx: TurnContext) -> bool:
    return "abc" in ctx.user_files


def recipe(intent: RequestIntent, ctx: TurnContext, *, want_musicgen: bool = False) -> list[Step]:
    """The steps the job cannot do without, in order, with the arguments the words and files fix."""
    job, steps = intent.intent, []
    if job == "compose":
        if "image" in ctx.user_files:
            steps.append(Step("describe_image", {"path": ctx.user_files["image"].name}))
        steps += _clip_melody(ctx)  # a new tune in the style of the clip's melody (its sound, if it has none)
        steps += [Step("plan_music", {"request": ctx.request}), Step("compose_abc"), Step("render")]
        if want_musicgen:
            steps.append(Step("generate_audio"))
    elif job == "edit":
        steps += [*_clip_melody(ctx), _edit_step(ctx), Step("render")]
    elif job == "continue":
        steps += [*_clip_melody(ctx), Step("continue_tune", {"bars": intent.bars} if intent.bars else {}), Step("render")]
    elif job == "repair" and "midi" in ctx.user_files:
        gap = {"first_bar": intent.gap[0], "last_bar": intent.gap[1]} if intent.gap else {}
        steps.append(Step("repair_midi", {"path": ctx.user_files["midi"].name, **gap}))
    elif job == "repair":
        steps += [Step("fix_tune"), Step("render")]
    elif job == "play":
        if _own_file(ctx):
            steps.append(Step("play_tune"))
        else:
            if ctx.previous_abc is None:
                steps.append(Step("recall_tune", {"query": ctx.request}))
            steps.append(Step("render"))
    elif job == "score":
        steps.append(Step("show_score", {"formats": intent.formats or ["svg"]}))
    elif job == "check":
        steps.append(Step("check_tune", {"bar": intent.bar} if intent.bar is not None else {}))
    elif job == "convert" and "audio" in ctx.user_files:  # "transcribe this clip": its melody as ABC
        steps += [*_clip_melody(ctx), Step("render")]
    elif job == "convert":
        steps.append(Step("convert_tune", {"to": intent.formats}))
    elif job == "analyse":
        steps.append(Step("analyse_tune"))
    elif job == "list":
        steps.append(Step("list_tunes"))
    return steps  # the own-tune tools read which tune of a book the words pick from the intent


def _clip_melody(ctx: TurnContext) -> list[Step]:
    """The user's clip written down as ABC (tools.audio.transcribe): the tune the job acts on."""
    return [Step("transcribe_audio", {"path": ctx.user_files["audio"].name})] if "audio" in ctx.user_files else []


def _edit_step(ctx: TurnContext) -> Step:
    """edit_abc with the user's own words when they name a change the edit reader knows (a model's
    paraphrase once turned "slower, in minor" into "tempo to 110 BPM"); else the model's words, if any."""
    from tunesmith.tools.edits import parse_edit

    try:
        understood = bool(parse_edit(ctx.request, ctx.previous_plan))
    except ValueError:  # words too long to read as an edit
        understood = False
    return Step("edit_abc", {"instruction": ctx.request}) if understood else \
        Step("edit_abc", defaults={"instruction": ctx.request})


def allowed_tools(intent: RequestIntent, ctx: TurnContext, *, want_musicgen: bool = False) -> list[str]:
    """Tools the model may plan for this job: the recipe's. (Retrieval happens inside compose_abc with the
    plan's meter and type as filters; a model's own search, e.g. 4/4 tunes for a jig, only misled it.)"""
    names = [step.name for step in recipe(intent, ctx, want_musicgen=want_musicgen)]
    if "transcribe_audio" in names:  # it describes the clip first: a model's describe_audio is already done
        names.insert(names.index("transcribe_audio"), "describe_audio")
    return list(dict.fromkeys(names))


def merge_plan(proposed: list[Step], intent: RequestIntent, ctx: TurnContext, *,
               want_musicgen: bool = False) -> tuple[list[Step], list[str]]:
    """The plan to run: the recipe, in its order, with the model's arguments where it proposed the same
    tool (arguments the words or files fix win); steps outside the job are left out and noted.

    Returns the steps and sentences for the trace about what the words changed in the model's plan.
    """
    required = recipe(intent, ctx, want_musicgen=want_musicgen)
    allowed = set(allowed_tools(intent, ctx, want_musicgen=want_musicgen))
    notes, offered = [], {}
    for step in proposed:
        if step.name not in allowed:
            notes.append(f"The plan's step {step.name} was left out: your words ask to {intent.intent} "
                         f"({intent.evidence!r}).")
        else:
            offered.setdefault(step.name, step)
    plan = []
    for step in required:
        model_step = offered.pop(step.name, None)
        if model_step is None:
            plan.append(Step(step.name, {**step.defaults, **step.args}))
        else:  # the model's choices (plan fields, bars, the edit in its words) under what the words fix
            plan.append(Step(step.name, {**step.defaults, **model_step.args, **step.args}, "llm"))
    added = [step.name for step in plan if step.by == "agent"]
    if added and proposed:
        notes.append(f"Your words ask to {intent.intent}, so the agent added {', '.join(added)} to the model's plan.")
    elif added:
        notes.append(f"The model proposed no steps, so the agent ran the ones your words ask for: {', '.join(added)}.")
    return plan, notes


def shortfall(intent: RequestIntent, ctx: TurnContext) -> str | None:
    """None when the job's result exists (a rendered tune, the files, the answers); else why not."""
    job = intent.intent
    made = ctx.made_files
    wav = (ctx.renders is not None and ctx.renders.wav is not None) or any(k.startswith("wav") for k in made)
    if job in ("compose", "edit", "continue", "play") or job == "repair" and "midi" not in ctx.user_files:
        return None if ctx.abc is not None and wav else "no tune could be made playable"
    if job == "repair":
        return None if "midi" in made else "the MIDI file could not be repaired"
    if job == "score":
        return None if any(k.split()[0] in ("svg", "pdf", "musicxml") for k in made) else "no score could be engraved"
    if job == "convert":
        missing = [f for f in intent.formats if not (f in made or any(k.startswith(f + " ") for k in made)
                                                     or f == "abc" and ctx.abc is not None)]
        return f"no {', '.join(missing)} file could be made" if missing else None
    if job in ("check", "analyse", "list"):
        return None if ctx.answers else {"check": "the tune could not be checked", "analyse": "the tune could not be "
                                         "analysed", "list": "the file's tunes could not be read"}[job]
    return None
