"""Agent tools for the user's own tune: play it, show its score, check it, convert it, analyse it, list a
tune book — without changing the music unless abc2midi cannot play it, and saying so when it did.

The tune is the attached ABC file's (one of its tunes, picked by number, X: or title), else this
turn's or the previous turn's tune. Results go into the TurnContext; each tool answers the model
with a short sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.agent.toolkit.context import TurnContext
from tunesmith.errors import InputError

if TYPE_CHECKING:
    from tunesmith.tools.tunebook import BookTune, CheckedTune

SCORE_FORMATS = ("svg", "pdf", "musicxml")
CONVERT_FORMATS = ("mid", "wav", "svg", "pdf", "musicxml", "abc")


class UnreadableFile(InputError):
    """A file the user gave cannot be read as what it claims to be; the message says why."""


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # older tune books are Latin-1
        return data.decode("latin-1")


def _book(ctx: TurnContext) -> list[BookTune]:
    """The attached ABC file as a book of tunes (read once per turn)."""
    from tunesmith.tools.tunebook import read_book

    if ctx.book is None:
        path = ctx.user_files["abc"]
        try:
            ctx.book = read_book(_read_text(path))
        except OSError as error:
            raise UnreadableFile(f"the ABC file {path.name} cannot be read ({error.strerror or error})") from None
    return ctx.book


def chosen_tunes(ctx: TurnContext, which: str | None = None) -> list[tuple[str, str]]:
    """(label, ABC) of the tunes a tool acts on: those `which` (or the words) pick from the attached
    ABC file, else this turn's or the previous turn's tune. Raises InputError/NotFoundError saying why."""
    from tunesmith.tools.planning.intent import read_tune_choice
    from tunesmith.tools.tunebook import pick_tunes

    if "abc" in ctx.user_files:
        book = _book(ctx)
        choice = read_tune_choice(which) if which else (ctx.intent.tune if ctx.intent else None)
        picked = pick_tunes(book, choice, ctx.request)
        name = ctx.user_files["abc"].name
        if len(book) > 1 and choice is None:
            ctx.notes.append(f"{name} holds {len(book)} tunes; this turn used {picked[0].label()} "
                             "(say 'the second one', 'X:3' or a title for another, or 'all of them').")
        return [(_book_label(tune, len(book), name), tune.abc) for tune in picked]
    if "midi" in ctx.user_files and ctx.abc is None:
        raise InputError(f"{ctx.user_files['midi'].name} is MIDI; ask for 'ABC from this MIDI' to transcribe it first")
    return [("the tune", ctx.current_tune())]


def _book_label(tune: BookTune, count: int, file_name: str) -> str:
    """How a tune of the user's file is named in replies: "'Drowsy Maggie' (X:7 2 of 3 in book.abc)"."""
    if count == 1:
        return f"'{tune.title}' from {file_name}"
    return f"'{tune.title}' ({f'X:{tune.x} ' if tune.x else ''}{tune.number} of {count} in {file_name})"


def _file_name(base: str, index: int, count: int) -> str:
    return base if count == 1 else f"{base}-{index}"


def _keep(ctx: TurnContext, label: str, abc: str, count: int, origin: str) -> None:
    """Make a single chosen tune this turn's tune (so later turns can edit it)."""
    if count == 1:
        ctx.abc, ctx.abc_origin = abc, f"your tune {label}, {origin}"


def _playable(ctx: TurnContext, label: str, abc: str) -> CheckedTune:
    """The tune checked and made playable (repaired only where abc2midi cannot play it), with the
    repairs recorded as this turn's changes."""
    from tunesmith.tools.tunebook import check_own_tune

    checked = check_own_tune(abc)
    ctx.checked = checked
    if checked.repairs:
        ctx.edits.extend(f"{label}: {change}" for change in checked.repairs)
        ctx.notes.append(f"abc2midi could not play {label} as written, so it was repaired: {'; '.join(checked.repairs)}.")
    return checked


def play_tune(ctx: TurnContext, tune: str | None = None) -> str:
    """Play the user's tune as written (repaired only where abc2midi cannot play it): MIDI, WAV and score."""
    from tunesmith.tools.render import RenderError, render_all, render_svg

    chosen = chosen_tunes(ctx, tune)
    lines = []
    for index, (label, abc) in enumerate(chosen, start=1):
        checked = _playable(ctx, label, abc)
        name = _file_name("tune", index, len(chosen))
        renders = render_all(checked.abc, ctx.out_dir, name, formats=["abc", "mid", "wav"])
        try:
            renders.svg = render_svg(checked.abc, ctx.out_dir, _file_name("score", index, len(chosen)))
        except RenderError as error:  # the sound is what was asked for; a missing score is only noted
            ctx.notes.append(f"No score for {label}: {error}")
        if len(chosen) == 1:
            ctx.renders = renders
        else:
            ctx.made_files.update({f"{kind} {index}": path for kind in ("midi", "wav", "svg")
                                   if (path := getattr(renders, kind, None))})
        _keep(ctx, label, checked.abc, len(chosen), "played as written" if checked.as_given else "repaired to play")
        done = "as written" if checked.as_given else f"after repairs ({'; '.join(checked.repairs)})"
        lines.append(f"Played {label} {done}: {renders.wav.name}, {renders.duration_seconds or 0:.0f} s.")
    return " ".join(lines)


def fix_tune(ctx: TurnContext, tune: str | None = None) -> str:
    """Repair the user's tune (headers, unknown symbols, bar lengths) and make the repaired tune this turn's."""
    from tunesmith.tools.abc import repair_abc

    chosen = chosen_tunes(ctx, tune)
    if len(chosen) > 1:
        raise InputError("fix one tune at a time: say which (a number, X:3 or its title)")
    label, abc = chosen[0]
    result = repair_abc(abc, check_abc2midi=True)
    ctx.abc, ctx.abc_origin = result.abc, f"your tune {label}, repaired" if result.changes else f"your tune {label}"
    ctx.edits.extend(f"{label}: {change}" for change in result.changes)
    left = [p.message for p in result.report.errors]
    if left:
        ctx.notes.append(f"Still wrong after repair: {'; '.join(left[:3])}.")
    ctx.answers.append(f"Repaired {label}: {'; '.join(result.changes)}." if result.changes
                       else f"{label} needed no repair: it is valid as written.")
    return ctx.answers[-1] + " Next: render."


def show_score(ctx: TurnContext, formats: list[str] | None = None, tune: str | None = None) -> str:
    """Engrave the user's tune: SVG score, and PDF or MusicXML when asked."""
    from tunesmith.tools.render import render_musicxml, render_pdf, render_svg

    wanted = [f for f in (formats or ["svg"]) if f in SCORE_FORMATS] or ["svg"]
    chosen = chosen_tunes(ctx, tune)
    made = []
    for index, (label, abc) in enumerate(chosen, start=1):
        checked = _playable(ctx, label, abc)
        writers = {"svg": render_svg, "pdf": render_pdf, "musicxml": render_musicxml}
        for kind in wanted:
            path = writers[kind](checked.abc, ctx.out_dir, _file_name("score", index, len(chosen)))
            ctx.made_files[kind if len(chosen) == 1 else f"{kind} {index}"] = path
            made.append(path.name)
        _keep(ctx, label, checked.abc, len(chosen), "engraved as written" if checked.as_given else "repaired to engrave")
    return f"Score: {', '.join(made)}."


def check_tune(ctx: TurnContext, bar: int | None = None, tune: str | None = None) -> str:
    """Check the user's tune: every problem with its line and bar; a repaired version is offered, not forced."""
    from tunesmith.memory.files import atomic_write_text
    from tunesmith.tools.abc import repair_abc, validate_abc
    from tunesmith.tools.tunebook import findings

    chosen = chosen_tunes(ctx, tune)
    bar = bar if bar is not None else (ctx.intent.bar if ctx.intent else None)
    answers = []
    for index, (label, abc) in enumerate(chosen, start=1):
        report = validate_abc(abc, check_abc2midi=True)
        found = findings(report, bar)
        where = f" in bar {bar}" if bar is not None else ""
        ctx.findings.extend(f"{label}: {line}" for line in found)
        errors = [line for line in found if line.startswith("error")]
        verdict = (f"{label} is valid{where}" if not errors else f"{label} has {len(errors)} error{'s' if len(errors) != 1 else ''}{where}")
        warnings = len(found) - len(errors)
        verdict += f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
        if not report.valid:
            offered = repair_abc(abc, check_abc2midi=True)
            if offered.changes:
                name = _file_name("repaired", index, len(chosen)) + ".abc"
                ctx.made_files[f"repaired abc {index}" if len(chosen) > 1 else "repaired abc"] = atomic_write_text(
                    ctx.out_dir / name, offered.abc.rstrip() + "\n")
                verdict += f"; a repaired version is in {name} ({'; '.join(offered.changes)}) — yours is unchanged"
        answers.append(verdict + ".")
        _keep(ctx, label, abc, len(chosen), "checked, not changed")
    ctx.answers.extend(answers)
    return " ".join(answers) + (" Findings: " + " | ".join(ctx.findings[:8]) if ctx.findings else "")


def convert_tune(ctx: TurnContext, to: list[str] | None = None, tune: str | None = None) -> str:
    """Convert the user's tune (or MIDI file) to other formats: mid, wav, svg, pdf, musicxml, or abc from MIDI."""
    from tunesmith.memory.files import atomic_write_text
    from tunesmith.tools.render import render_all, render_musicxml, render_pdf, render_svg

    targets = [f for f in (to or ["mid"]) if f in CONVERT_FORMATS] or ["mid"]
    if "abc" in targets and "midi" in ctx.user_files:
        _abc_from_midi(ctx)
        targets = [f for f in targets if f != "abc"]
        if not targets:
            return f"Transcribed {ctx.user_files['midi'].name} to ABC: tune.abc."
    chosen = chosen_tunes(ctx, tune)
    made = []
    for index, (label, abc) in enumerate(chosen, start=1):
        checked = _playable(ctx, label, abc)
        name = _file_name("tune", index, len(chosen))
        for kind in targets:
            if kind in ("mid", "wav"):
                renders = render_all(checked.abc, ctx.out_dir, name, formats=[kind])
                path = renders.wav if kind == "wav" else renders.midi
            elif kind == "abc":
                path = atomic_write_text(ctx.out_dir / f"{name}.abc", checked.abc.rstrip() + "\n")
            else:
                writer = {"svg": render_svg, "pdf": render_pdf, "musicxml": render_musicxml}[kind]
                path = writer(checked.abc, ctx.out_dir, name)
            ctx.made_files[kind if len(chosen) == 1 else f"{kind} {index}"] = path
            made.append(path.name)
        _keep(ctx, label, checked.abc, len(chosen), "converted as written" if checked.as_given else "repaired to convert")
    return f"Converted: {', '.join(made)}."


def _abc_from_midi(ctx: TurnContext) -> None:
    from tunesmith.tools.render import RenderError, midi_to_abc

    path = ctx.user_files["midi"]
    try:
        ctx.abc = midi_to_abc(path)
    except RenderError as error:
        if "not installed" in str(error):
            raise
        raise UnreadableFile(f"{path.name} could not be read as MIDI: {error}") from None
    ctx.abc_origin = f"transcribed from your MIDI file {path.name} by midi2abc"
    ctx.answers.append(f"Transcribed {path.name} to ABC with midi2abc (key guessed from the notes).")


def analyse_tune(ctx: TurnContext, tune: str | None = None) -> str:
    """What the user's tune is: key (written and heard), meter, tempo, bars, range, and its likely tune type."""
    from tunesmith.tools.abc import analyse_abc
    from tunesmith.tools.corpus.likeness import guess_tune_kind
    from tunesmith.tools.theory.pitch import note_name

    chosen = chosen_tunes(ctx, tune)
    answers = []
    for label, abc in chosen:
        facts = analyse_abc(abc)
        heard = f"{facts.estimated_key} {facts.estimated_mode}"
        written = f"{facts.key} {facts.mode}"
        key_line = (f"key {written} (the K: line; the notes agree, correlation {facts.key_confidence:.2f})"
                    if heard == written else
                    f"key {written} by its K: line, but the notes sound most like {heard} (correlation {facts.key_confidence:.2f})")
        kind = guess_tune_kind(abc, key=facts.key, mode=facts.mode, meter=facts.meter, bars=facts.bars, title=facts.title)
        kind_line = f"most likely a {kind.tune_type} ({'; '.join(kind.evidence)})" if kind.tune_type else \
            f"no clear tune type ({'; '.join(kind.evidence) or 'nothing to compare'})"
        tempo = f"{facts.tempo_bpm} BPM by its Q: line" if facts.tempo_bpm else "no tempo marked"
        span = f"{note_name(facts.lowest)}–{note_name(facts.highest)}" if facts.lowest is not None else "no notes"
        answers.append(f"{label}: {key_line}; meter {facts.meter}; {facts.bars} bars; {tempo}; range {span}; {kind_line}.")
        _keep(ctx, label, abc, len(chosen), "analysed, not changed")
    ctx.answers.extend(answers)
    return " ".join(answers)


def list_tunes(ctx: TurnContext) -> str:
    """List the tunes in the user's ABC file: number, X: and title."""
    if "abc" not in ctx.user_files:
        raise InputError("there is no ABC file to list; attach one with --abc")
    book = _book(ctx)
    listing = [tune.label() for tune in book]
    ctx.answers.append(f"{ctx.user_files['abc'].name} holds {len(book)} tune{'s' if len(book) != 1 else ''}: "
                       + "; ".join(listing) + ".")
    return ctx.answers[-1]
