"""What each agent tool does to the turn: call the tool functions, keep results in the TurnContext,
and answer the model with a short sentence it can act on (small models read short results best).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.tools.plan import MusicPlan

PLAN_ARGUMENTS = ("key", "mode", "meter", "tempo_bpm", "bars", "instrument", "tune_type")


def _plan_line(plan: MusicPlan) -> str:
    kind = f" {plan.tune_type}" if plan.tune_type else ""
    return (
        f"{plan.key} {plan.mode}{kind}, {plan.meter}, {plan.tempo_bpm} BPM, {plan.bars} bars, "
        f"form {plan.form}, {plan.instrument}"
    )


def describe_image(ctx: TurnContext, path: str) -> str:
    """Analyse the user's image and bridge it to a music plan."""
    from tunesmith.tools.vision import describe_image as analyse
    from tunesmith.tools.vision import plan_from_image

    ctx.image = analyse(ctx.readable_path(path, "image"))
    ctx.bridge = plan_from_image(ctx.image, ctx.request, seed=ctx.seed)
    caption = f"caption: {ctx.image.caption}" if ctx.image.caption else f"no caption ({ctx.image.caption_status})"
    colours = ", ".join(f"{c.name} {c.share:.0%}" for c in ctx.image.palette[:4])
    cues = f" In it: {ctx.image.cues.summary()}." if ctx.image.cues is not None else ""
    return (
        f"Image: {colours}; valence {ctx.image.valence:.2f}, energy {ctx.image.energy:.2f}, calm {ctx.image.calm:.2f}; "
        f"{caption}.{cues} Suggested: {_plan_line(ctx.bridge.plan)}. Next: plan_music."
    )


def picture_cue_record(cues: Any, bridge: Any) -> dict[str, Any]:
    """The picture's cues for the trace and the web page: text lines, faces, scene cues (each with its
    confidence) and, from the bridge, how they moved the mood and which tags they gave."""
    record = cues.model_dump(mode="json")
    if bridge is not None:
        evidence = bridge.evidence
        record["effects"] = {
            "moved": {name: evidence.get(f"moved_{name}") for name in ("valence", "energy", "calm")},
            "mood_moves": evidence.get("mood_moves", ""),
            "tags": evidence.get("tags", "none"),
            "words_not_used": evidence.get("words_not_used"),
        }
    return record


def describe_audio(ctx: TurnContext, path: str) -> str:
    """Describe the user's reference clip (tempo, key, loudness, brightness, musicnn tags)."""
    from tunesmith.tools.audio import describe_audio as analyse

    ctx.audio = analyse(ctx.readable_path(path, "audio"))
    return f"Clip: {ctx.audio.caption} Next: transcribe_audio to keep its melody, or plan_music for a new tune."


def transcribe_audio(ctx: TurnContext, path: str) -> str:
    """Write the melody of the user's clip as ABC; it becomes the tune edits and continuation act on."""
    from tunesmith.tools.audio.clip_plan import clip_instrument, plan_from_clip
    from tunesmith.tools.audio.transcribe import transcribe_audio as transcribe

    clip = ctx.readable_path(path, "audio")
    if ctx.audio is None:
        describe_audio(ctx, str(clip))
    instrument = clip_instrument(ctx.audio.tags)[0] or "piano"
    say = ctx.progress or (lambda _message: None)
    ctx.transcription = transcribe(clip, instrument=instrument,
                                   progress=lambda share: say(f"transcribing {clip.name} {share:.0%}"))
    ctx.abc, ctx.abc_origin = ctx.transcription.abc, ctx.transcription.sentence()
    ctx.plan = plan_from_clip(ctx.audio, tags=ctx.audio.tags, transcription=ctx.transcription, keep_length=True,
                              seed=ctx.seed).model_copy(update={"title": f"Transcribed from {clip.name}"})
    return (f"Melody: {ctx.transcription.sentence()}. It is now the current tune: edit_abc or continue_tune change it, "
            "render plays it.")


def clip_evidence(ctx: TurnContext) -> list[str]:
    """What the reference clip contributed, one line each: its measures, the tags heard, its melody."""
    lines = [ctx.audio.caption]
    tags = ctx.audio.tags
    lines.append(f"Tags heard (musicnn, {', '.join(tags.taggers)}): {tags.summary(8)}" if tags is not None
                 else f"No tags: {ctx.audio.tags_status}")
    if ctx.transcription is not None:
        t = ctx.transcription
        lines.append(f"Melody {t.sentence()} (meter {t.meter}; {t.notes_heard} notes heard in all voices, "
                     f"{t.notes} kept in the melody line; onsets on the beat grid: fit {t.grid_fit:.2f}; "
                     f"key correlation {t.key_correlation:.2f})")
    return lines


def _clip_tune(ctx: TurnContext) -> None:
    """Transcribe the user's clip when a tool needs the clip's tune and nothing transcribed it yet."""
    if "audio" in ctx.user_files and ctx.transcription is None and ctx.abc is None:
        transcribe_audio(ctx, str(ctx.user_files["audio"]))
        ctx.notes.append(f"The clip's melody was transcribed first: {ctx.transcription.sentence()}.")


def _model_suggestions(arguments: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The plan fields the model proposed that are valid, and sentences for the ones that are not."""
    valid, ignored = {}, []
    for field, value in arguments.items():
        if value is None or field not in PLAN_ARGUMENTS:
            continue
        try:
            MusicPlan(**{field: value})
        except ValidationError as exc:
            ignored.append(f"{field}={value!r} ({exc.errors()[0]['msg']})")
            continue
        valid[field] = value
    return valid, ignored


def plan_music(ctx: TurnContext, request: str | None = None, **arguments: Any) -> str:
    """Turn the user's words (and any image or clip analysis) into a music plan.

    Precedence: the user's explicit words, then the image or clip, then the model's suggestions,
    then defaults for the tune type and mood (tools.request).
    """
    from tunesmith.tools.audio.clip_plan import plan_from_clip
    from tunesmith.tools.planning import plan_from_request

    suggestions, ignored = _model_suggestions(arguments)
    base = ctx.bridge.plan if ctx.bridge is not None else None
    if base is None and ctx.audio is not None:
        base = plan_from_clip(ctx.audio, tags=ctx.audio.tags, transcription=ctx.transcription, seed=ctx.seed)
    if suggestions:
        kept = base.reasons if base is not None else {}
        update = {field: value for field, value in suggestions.items() if field not in kept}
        reasons = {**kept, **{field: "chosen by the agent's model for this request" for field in update}}
        start = base if base is not None else MusicPlan(seed=ctx.seed)
        base = MusicPlan.model_validate({**start.model_dump(), **update, "reasons": reasons})
    # Only the user's own words count as "you asked for"; the model's paraphrase in `request` could
    # smuggle in details the user never said. The model's choices arrive as typed arguments instead.
    ctx.plan = plan_from_request(ctx.request or request or "", base=base, seed=ctx.seed)
    note = f" Ignored invalid suggestions: {'; '.join(ignored)}." if ignored else ""
    return f"Plan: {_plan_line(ctx.plan)}.{note} Next: compose_abc."


def search_exemplars(ctx: TurnContext, query: str, k: int = 3, **filters: Any) -> str:
    """Retrieve real tunes similar to the request from the library."""
    from tunesmith.tools.corpus import search_exemplars as search

    ctx.exemplars = search(query, k=k, **{key: value for key, value in filters.items() if value})
    if not ctx.exemplars:
        return "No tunes in the library match; compose_abc will work without exemplars."
    titles = "; ".join(f"{e.title} ({e.key} {e.mode}, {e.meter}, {e.tune_type or 'tune'})" for e in ctx.exemplars)
    return f"Found: {titles}. Next: compose_abc."


def retrieve_for_plan(ctx: TurnContext, plan: MusicPlan) -> None:
    """Fetch exemplars matching the plan's meter, mode and tune type, relaxing filters until some match."""
    from tunesmith.tools.corpus import search_exemplars as search

    attempts = [
        {"meter": plan.meter, "mode": plan.mode, "tune_type": plan.tune_type},
        {"meter": plan.meter, "tune_type": plan.tune_type},
        {"meter": plan.meter},
    ]
    # The picture's words (a cover's "Christmas Eve") join the user's in the query, after them.
    words = ctx.bridge.picture_words if ctx.bridge is not None else ""
    query = f"{ctx.request} {words}".strip() if words else ctx.request
    for filters in attempts:
        filters = {key: value for key, value in filters.items() if value}
        try:
            ctx.exemplars = search(query, k=3, **filters)
        except ValueError:  # a filter value the library does not have
            continue
        if ctx.exemplars:
            return


def recall_tune(ctx: TurnContext, query: str) -> str:
    """Find a tune made earlier ("the waltz I made yesterday") and make it the one edits act on."""
    from tunesmith.memory.generations import search_generations

    found = search_generations(query, k=1)
    if not found:
        return "No earlier tune matches; compose a new one with plan_music and compose_abc."
    tune = found[0]
    ctx.abc, ctx.abc_origin = tune.abc, f"recalled from an earlier session ({tune.session_id})"
    ctx.plan = MusicPlan.model_validate(tune.plan) if tune.plan else None
    ctx.notes.append(f"Started from the earlier tune '{tune.title}' ({tune.created}, session {tune.session_id}).")
    return f"Found '{tune.title}' made {tune.created[:10]} for “{tune.request}”. Next: render."


def compose_abc(ctx: TurnContext) -> str:
    """Realise the plan as ABC and refine it with the critic."""
    if ctx.plan is None:
        plan_music(ctx, ctx.request)
        ctx.notes.append("compose_abc planned from your words first, since no plan had been made.")
    if not ctx.exemplars:
        try:
            retrieve_for_plan(ctx, ctx.plan)
        except RuntimeError as exc:  # no library yet
            ctx.notes.append(f"No exemplars were used: {exc}")
    from tunesmith.tools.compose import refine_plan

    # The clip's own tune leads the exemplars: its rhythms and intervals shape the new tune (the symbolic
    # counterpart of MusicGen-melody's chroma conditioning).
    clip_tune = [ctx.transcription.abc] if ctx.transcription is not None else []
    outcome = refine_plan(ctx.plan, [*clip_tune, *(e.abc for e in ctx.exemplars)], rounds=ctx.refine_rounds)
    ctx.abc, ctx.plan, ctx.refinement, ctx.critique = outcome.abc, outcome.plan, outcome, outcome.critique
    ctx.abc_origin = "composed from the plan" + (" in the style of the clip's transcribed melody" if clip_tune else "")
    scores = " → ".join(f"{r.overall:.2f}" for r in outcome.rounds)
    return f"Composed {ctx.plan.bars} bars ({_plan_line(ctx.plan)}). Critic scores by round: {scores}. Next: render."


def write_abc(ctx: TurnContext, abc: str) -> str:
    """Take ABC the model wrote itself: repair, validate, critique and refine it."""
    from tunesmith.agent.revise import refine_written_abc

    outcome = refine_written_abc(abc, ctx.chat_model, ctx.plan, rounds=ctx.refine_rounds)
    ctx.abc, ctx.refinement, ctx.critique = outcome.abc, outcome, outcome.critique
    ctx.abc_origin = "written by the agent's model, then repaired and refined"
    feedback = "; ".join(outcome.critique.feedback[:3]) or "no problems"
    return f"Kept the tune scoring {outcome.best_score:.2f} (valid: {outcome.critique.valid}). Critic: {feedback}. Next: render."


def critique_abc(ctx: TurnContext) -> str:
    """Score the current tune against the plan."""
    from tunesmith.tools.critic import critique_abc as critique

    ctx.critique = critique(ctx.current_tune(), ctx.plan or ctx.previous_plan)
    feedback = "; ".join(ctx.critique.feedback[:4]) or "no problems found"
    return f"Critic overall {ctx.critique.overall:.2f}, valid {ctx.critique.valid}. {feedback}."


UNMEASURED_EDITS = ("density", "ending")  # changes the tune's facts do not show: the reply names them
# The agent renders an edited tune and writes the reply from the trace: one more model step is enough.
DONE = "Done; the agent renders it. Answer the user in one short sentence."


def edit_abc(ctx: TurnContext, instruction: str) -> str:
    """Apply the user's edit (tempo, mode, key, instrument, bars...) to the current tune.

    The user's own words (`ctx.request`) decide what changes; the model's `instruction` only fills a
    kind the words ask for without a value ("change the key" + the model's "in A"). What was asked,
    done, not done and ignored goes into `ctx.edit_report` for the reply and the trace.
    """
    from tunesmith.tools.edits import EditError, read_edit

    _clip_tune(ctx)
    if ctx.edit_report is not None:  # the user's words were already read this turn: never applied twice
        if ctx.abc is None:
            raise EditError("your words were already read this turn and no change could be made from them")
        return f"Your words were already applied this turn: {'; '.join(ctx.edit_report['applied']) or 'nothing'}. {DONE}"
    words = read_edit(ctx.request)
    model = read_edit(instruction) if instruction and instruction.strip() != ctx.request.strip() else None
    ops = list(words.ops)
    went_back = words.reference is not None and not (ctx.conversation and ctx.conversation.reference_problem)
    report: dict[str, Any] = {"asked": [op.evidence for op in words.ops], "refused": list(words.refused), "filled": [],
                              "open": [], "ignored": [], "applied": [], "skipped": [], "kinds": [], "unmeasured": [],
                              "reference": words.reference.evidence if went_back else None}
    ctx.edit_report = report
    if words.new_tune or (ctx.abc is None and ctx.previous_abc is None):
        return _compose_instead(ctx, report, words.new_tune)
    for kind in words.open_kinds:
        fill = [op for op in (model.ops if model else []) if op.kind == kind and not any(o.kind == kind for o in ops)]
        ops += fill[:1]
        report["filled" if fill else "open"].append(f"{kind}: {fill[0].evidence}" if fill else kind)
    if model is not None:
        report["ignored"] = [op.evidence for op in model.ops if not any((o.kind, o.value) == (op.kind, op.value) for o in ops)]
    return _apply_user_edit(ctx, ops, report)


def _compose_instead(ctx: TurnContext, report: dict[str, Any], asked_new: bool) -> str:
    """No tune to edit, or words asking for a new one: compose from the words if they ask for music at all."""
    from tunesmith.tools.edits import asks_for_music

    if not (asked_new or asks_for_music(ctx.request)):
        report["no_tune"] = True
        return "There is no tune yet and the words ask for none; answer the user without a tool."
    report["new_tune"] = True
    ctx.plan, ctx.exemplars, ctx.renders = None, [], None
    plan_music(ctx, ctx.request)
    result = compose_abc(ctx)
    ctx.notes.append("Your words asked for a new tune, so one was composed rather than the last one edited.")
    return result


def _apply_user_edit(ctx: TurnContext, ops: list, report: dict[str, Any]) -> str:
    """Apply the ops to the tune this turn starts from; record the result in the report, the plan and the context."""
    from tunesmith.tools.critic import critique_abc as critique
    from tunesmith.tools.edits import EditError, apply_edits
    from tunesmith.tools.theory import GM_PROGRAMS

    tune = ctx.current_tune()
    base_plan = ctx.plan or ctx.previous_plan
    if not ops:
        if report["reference"]:  # "go back to the first tune": that version, as it was
            ctx.abc, ctx.abc_origin, ctx.renders = tune, "an earlier version, as it was", None
            ctx.plan = base_plan
            return f"That earlier version is now the current tune. {DONE}"
        problems = report["refused"] + [f"you asked to change the {kind} without saying to what" for kind in report["open"]]
        raise EditError("; ".join(problems) or f"no change found in {ctx.request.strip()!r}; say what to change, "
                        "e.g. 'slower', 'in minor', 'up to A', 'in 6/8', 'for flute'")
    instrument = base_plan.instrument if base_plan is not None else None
    from tunesmith.tools.abc import analyse_abc

    if instrument is not None and GM_PROGRAMS.get(instrument) != analyse_abc(tune).instrument_program:
        instrument = None  # the plan does not describe this tune's instrument: read it from the ABC
    result = apply_edits(tune, ops, instrument=instrument, seed=ctx.seed)
    report.update(applied=result.applied, skipped=result.skipped, already=result.already,
                  kinds=list(dict.fromkeys(result.applied_kinds)),
                  unmeasured=[s for s, k in zip(result.applied, result.applied_kinds, strict=True) if k in UNMEASURED_EDITS])
    ctx.notes.extend(f"Edit not applied: {reason}" for reason in result.skipped)
    if not result.applied and not report["reference"]:
        raise EditError(f"nothing was changed: {'; '.join(result.skipped + result.already + report['refused'])}")
    edited = "the clip's transcribed melody" if ctx.transcription is not None and tune == ctx.transcription.abc else "the previous tune"
    ctx.abc, ctx.abc_origin, ctx.renders = result.abc, f"edited from {edited}", None
    ctx.edits.extend(result.applied)
    if base_plan is not None:
        asked = {field: f"you asked: {ctx.request.strip()!r}" for field in result.plan_changes}
        ctx.plan = base_plan.model_copy(update={**result.plan_changes, "reasons": {**base_plan.reasons, **asked}})
    ctx.critique = critique(ctx.abc, ctx.plan)
    skipped = f" Not done: {'; '.join(result.skipped)}." if result.skipped else ""
    return f"Edited: {'; '.join(result.applied) or 'nothing'}.{skipped} {DONE}"


def rendered_files(renders: Any) -> dict[str, Path]:
    """The files a RenderResult holds, by format."""
    return {kind: path for kind in ("abc", "midi", "wav", "svg", "musicxml") if (path := getattr(renders, kind, None))}


def render(ctx: TurnContext, formats: list[str] | None = None) -> str:
    """Render the current tune to the requested formats in the turn folder."""
    from tunesmith.tools.render import render_all, render_svg

    formats = formats or ["mid", "wav", "svg"]
    tune = ctx.current_tune()
    ctx.renders = render_all(tune, ctx.out_dir, "tune", formats=["abc", *(f for f in formats if f != "svg")])
    if "svg" in formats:  # the score keeps the name people look for
        ctx.renders.svg = render_svg(tune, ctx.out_dir, "score")
    made = [f"{kind}: {path.name}" for kind, path in rendered_files(ctx.renders).items()]
    return f"Rendered {', '.join(made)}. Now answer the user."


def generate_audio(ctx: TurnContext, prompt: str | None = None, seconds: float = 10.0, use_melody: bool = True) -> str:
    """MusicGen audio from the bridged prompt, conditioned on the composed melody when asked."""
    from tunesmith.tools.musicgen import generate_from_text, generate_with_melody, musicgen_prompt_for_plan
    from tunesmith.tools.weights import WeightsUnavailable

    text = prompt or (ctx.bridge.musicgen_prompt if ctx.bridge else None)
    if not text and ctx.plan is not None:
        heard = [t.tag.lower() for t in ctx.audio.tags.top(3)] if ctx.audio is not None and ctx.audio.tags else []
        text = musicgen_prompt_for_plan(ctx.plan, heard)
    text = text or ctx.request
    out_path = ctx.out_dir / "musicgen.wav"
    # The rendered tune (for a clip: its transcribed, edited melody) conditions MusicGen-melody; with no
    # render yet, the user's clip itself does.
    melody = ctx.renders.wav if (use_melody and ctx.renders is not None and ctx.renders.wav) else None
    if melody is None and use_melody and "audio" in ctx.user_files:
        melody = ctx.user_files["audio"]
    try:
        if melody is not None:
            result = generate_with_melody(text, melody, out_path, seconds=seconds, seed=ctx.seed)
        else:
            result = generate_from_text(text, out_path, seconds=seconds, seed=ctx.seed)
    except WeightsUnavailable as exc:
        note = f"MusicGen is not available ({exc}); the General MIDI rendering is this turn's audio."
        ctx.notes.append(note)
        return note + " Continue with render if not done, then answer."
    ctx.generated_audio.append(result)
    return f"Generated {result.seconds:.1f} s of audio from “{text}” into musicgen.wav."


def score_audio(ctx: TurnContext, text: str | None = None) -> str:
    """Score this turn's audio against a text (CLAP where available, audio descriptors always)."""
    from tunesmith.tools.audio import score_audio as score

    if ctx.renders is None or ctx.renders.wav is None:
        raise LookupError("there is no audio yet: call render first")
    result = score(ctx.renders.wav, [text or ctx.request])
    ctx.audio_scores.append(result)
    return f"Audio score: {result.summary}."


def repair_midi(ctx: TurnContext, path: str, first_bar: int | None = None, last_bar: int | None = None) -> str:
    """Fill missing bars of a MIDI file from their context."""
    from tunesmith.tools.repair import repair_midi as repair

    gap = (first_bar, last_bar) if first_bar and last_bar else None
    result = repair(ctx.readable_path(path, "midi"), ctx.out_dir, gap_bars=gap, seed=ctx.seed)
    ctx.notes.append(result.explanation)
    ctx.made_files["midi"] = Path(result.output)
    return f"Repaired bars {result.gap[0]}–{result.gap[1]}: {result.explanation}"


_CONTINUE_WORDS = re.compile(r"\b(?:continue|carry on|keep going|go on|extend|more bars|add (?:some )?bars)\b", re.I)


def continue_tune(ctx: TurnContext, bars: int = 8) -> str:
    """Continue the current tune for more bars (`tools.edits.continue_in_style`). The user's words decide:
    a length they name ("add 16 bars") wins over `bars`, which counts only when they asked to continue
    without a number; words asking for other changes are applied as an edit instead."""
    from tunesmith.tools.edits import EditOp, read_edit

    _clip_tune(ctx)
    words = read_edit(ctx.request)
    if ctx.edit_report is not None or words.ops or words.reference or words.new_tune or words.refused \
            or not _CONTINUE_WORDS.search(ctx.request):
        return edit_abc(ctx, "")
    op = EditOp(kind="bars", value=f"+{bars}", evidence=_CONTINUE_WORDS.search(ctx.request)[0])
    ctx.edit_report = {"asked": [op.evidence], "refused": [], "filled": [f"bars: {bars} (the model's number)"],
                       "open": [], "ignored": [], "applied": [], "skipped": [], "kinds": [], "unmeasured": [],
                       "reference": None}
    return _apply_user_edit(ctx, [op], ctx.edit_report)
