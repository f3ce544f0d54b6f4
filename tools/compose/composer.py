"""Realise a `MusicPlan` as valid ABC: sections per the form, phrases with cadences, idiomatic rhythm.

Deterministic: the same plan (seed included) always gives the same tune. When exemplar tunes are
given, their bar rhythms (for the same meter) and melodic interval habits shape the new tune, and
`choices` says what was taken from which tune.

Layout: every letter of the form is written out (no repeat signs), so the ABC has exactly
`plan.bars` bars; bars are shared out equally between the letters (the last letters get any
remainder). A letter that comes back repeats the first half of its first statement and varies the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random

from pydantic import BaseModel

from tunesmith.settings import Composer, get_settings
from tunesmith.tools.compose.exemplar_style import exemplar_style
from tunesmith.tools.compose.layout import ComposeError, abc_header, form_layout, plan_range
from tunesmith.tools.compose.melody import IntervalHabits, Voice
from tunesmith.tools.compose.notation import bar_abc
from tunesmith.tools.compose.rhythm import bar_sixteenths, tune_type_cells
from tunesmith.tools.compose.sections import Bar, SectionWriter
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory.harmony import Chord, Scale, parse_chord, writable_scale


class ComposedTune(BaseModel):
    """A realised plan: the ABC text, the plan it came from, and notes on what was drawn from where."""

    abc: str
    plan: MusicPlan
    exemplar_titles: list[str]
    choices: list[str]
    composer: Composer = "rule_based"


def compose_abc(plan: MusicPlan, exemplars: Sequence[str] = (), *, composer: Composer | None = None) -> ComposedTune:
    """Write `plan` as one ABC tune; `exemplars` are ABC texts of retrieved tunes to take style from.

    `composer` (default: the `composer` setting) picks the melody model or the rule-based composer.
    When the melody model cannot write the plan (a meter it has not learned, missing weights) the
    rule-based composer writes it and the first choice says why, in one sentence.
    """
    if bar_sixteenths(plan.meter) == 0:
        raise ComposeError(f"meter {plan.meter} has no beats; use e.g. 4/4, 3/4, 6/8")
    if (composer or get_settings().composer) == "melody_model":
        from tunesmith.tools.compose.model_composer import sample_plan
        from tunesmith.tools.melody_model.limits import ModelCannotCompose

        try:
            tune = sample_plan(plan, exemplars, count=1)[0]
        except ModelCannotCompose as reason:
            fallback = compose_rule_based(plan, exemplars)
            fallback.choices.insert(0, f"{reason}; the rule-based composer wrote it instead")
            return fallback
        return ComposedTune(abc=tune.abc, plan=plan, exemplar_titles=[tune.exemplar] if tune.exemplar else [],
                            choices=tune.choices, composer="melody_model")
    return compose_rule_based(plan, exemplars)


def compose_rule_based(plan: MusicPlan, exemplars: Sequence[str] = ()) -> ComposedTune:
    """The rule-based composer (fallback and baseline): phrases, cadences and rhythm cells from rules
    and from the exemplars' bar rhythms and interval habits."""
    if bar_sixteenths(plan.meter) == 0:
        raise ComposeError(f"meter {plan.meter} has no beats; use e.g. 4/4, 3/4, 6/8")
    rng = Random(f"tunesmith-compose:{plan.seed}")
    choices: list[str] = ["melody: written by the rule-based composer (phrase rules, rhythm cells and interval habits)"]
    scale, respelled = writable_scale(plan.key, plan.mode)
    if respelled:
        choices.append(respelled)
    style = exemplar_style(exemplars, plan.meter)
    choices.extend(style.notes)
    voice = Voice(scale, plan.meter, *plan_range(plan, choices), style.habits or IntervalHabits.default())
    if style.habits is None:
        choices.append("interval habits: a folk-tune profile in which steps dominate (no exemplar notes)")
    given = _given_chords(plan, scale)
    cells = style.cells or tune_type_cells(plan.tune_type, plan.meter)
    if not style.cells:
        choices.append(
            f"rhythm: {plan.tune_type} bar patterns for {plan.meter}" if cells
            else f"rhythm: {plan.density} one-beat patterns for {plan.meter}"
        )
    writer = SectionWriter(plan, scale, voice, cells, given, rng, choices)
    section_ends: set[int] = set()
    for letter, length in form_layout(plan, choices):
        writer.write(letter, length)
        section_ends.add(len(writer.bars) - 1)
    choices.append(f"instrument {plan.instrument} -> %%MIDI program {plan.program}; chord symbols above the bars "
                   "are played softly as an accompaniment by abc2midi")
    abc = _write_abc(plan, scale, writer.bars, section_ends)
    return ComposedTune(abc=abc, plan=plan, exemplar_titles=style.titles, choices=choices, composer="rule_based")


def _given_chords(plan: MusicPlan, scale: Scale) -> list[Chord]:
    chords = []
    for numeral in plan.chords:
        try:
            chords.append(parse_chord(numeral, scale))
        except ValueError as exc:
            raise ComposeError(str(exc)) from None
    return chords


def _write_abc(plan: MusicPlan, scale: Scale, bars: list[Bar], section_ends: set[int]) -> str:
    header = abc_header(plan, scale.abc_key())
    per_line = 2 if bar_sixteenths(plan.meter) > 16 else 4
    lines, line = [], ""
    previous_symbol = None
    for index, (bar_plan, notes) in enumerate(bars):
        starts_section = index == 0 or index - 1 in section_ends
        symbol = bar_plan.chord.symbol if bar_plan.chord.symbol != previous_symbol or starts_section else None
        previous_symbol = bar_plan.chord.symbol
        barline = "|]" if index == len(bars) - 1 else "||" if index in section_ends else "|"
        line += bar_abc(notes, scale, plan.meter, symbol) + barline
        if (index + 1) % per_line == 0 or index in section_ends:
            lines.append(line)
            line = ""
        else:
            line += " "
    if line:
        lines.append(line.rstrip())
    return "\n".join(header + lines) + "\n"
