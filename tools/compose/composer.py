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

from tunesmith.errors import InputError
from tunesmith.tools.compose.exemplar_style import exemplar_style
from tunesmith.tools.compose.melody import IntervalHabits, Voice
from tunesmith.tools.compose.notation import bar_abc
from tunesmith.tools.compose.rhythm import bar_sixteenths, tune_type_cells
from tunesmith.tools.compose.sections import Bar, SectionWriter
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory.harmony import Chord, Scale, parse_chord, writable_scale

# MIDI velocity (0-127) of abc2midi's chord and bass accompaniment, below the melody's 80-105.
CHORD_VOLUME = 50


class ComposeError(InputError):
    """The plan cannot be realised; the message names the bad value and what would be valid."""


class ComposedTune(BaseModel):
    """A realised plan: the ABC text, the plan it came from, and notes on what was drawn from where."""

    abc: str
    plan: MusicPlan
    exemplar_titles: list[str]
    choices: list[str]


def compose_abc(plan: MusicPlan, exemplars: Sequence[str] = ()) -> ComposedTune:
    """Write `plan` as one ABC tune; `exemplars` are ABC texts of retrieved tunes to borrow style from."""
    if bar_sixteenths(plan.meter) == 0:
        raise ComposeError(f"meter {plan.meter} has no beats; use e.g. 4/4, 3/4, 6/8")
    rng = Random(f"tunesmith-compose:{plan.seed}")
    choices: list[str] = []
    scale, respelled = writable_scale(plan.key, plan.mode)
    if respelled:
        choices.append(respelled)
    style = exemplar_style(exemplars, plan.meter)
    choices.extend(style.notes)
    voice = Voice(scale, plan.meter, *_melody_range(plan, choices), style.habits or IntervalHabits.default())
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
    for letter, length in _layout(plan, choices):
        writer.write(letter, length)
        section_ends.add(len(writer.bars) - 1)
    choices.append(f"instrument {plan.instrument} -> %%MIDI program {plan.program}; chord symbols above the bars "
                   "are played softly as an accompaniment by abc2midi")
    abc = _write_abc(plan, scale, writer.bars, section_ends)
    return ComposedTune(abc=abc, plan=plan, exemplar_titles=style.titles, choices=choices)


def _melody_range(plan: MusicPlan, choices: list[str]) -> tuple[int, int]:
    """Lowest and highest MIDI numbers for the melody, widened to an octave so every degree fits."""
    low, high = sorted((plan.low_pitch, plan.high_pitch))
    if high - low < 12:
        centre = (low + high) // 2
        low = max(21, min(centre - 6, 108 - 12))
        high = low + 12
        choices.append(f"range {plan.low_pitch}-{plan.high_pitch} is under an octave; widened to MIDI {low}-{high} so the scale fits")
    else:
        choices.append(f"melody range MIDI {low}-{high}")
    return low, high


def _given_chords(plan: MusicPlan, scale: Scale) -> list[Chord]:
    chords = []
    for numeral in plan.chords:
        try:
            chords.append(parse_chord(numeral, scale))
        except ValueError as exc:
            raise ComposeError(str(exc)) from None
    return chords


def _layout(plan: MusicPlan, choices: list[str]) -> list[tuple[str, int]]:
    """(letter, bars) per section of the form, every letter written out."""
    letters = plan.form[: plan.bars]
    if letters != plan.form:
        choices.append(f"form {plan.form} has more sections than the {plan.bars} bars; used {letters}")
    base, extra = divmod(plan.bars, len(letters))
    lengths = [base + (1 if index >= len(letters) - extra else 0) for index in range(len(letters))]
    choices.append(f"form {letters}: sections of {', '.join(str(n) for n in lengths)} bars, each ending on the tonic; "
                   "a returning section repeats the first half of its first statement, then varies")
    return list(zip(letters, lengths))


def _write_abc(plan: MusicPlan, scale: Scale, bars: list[Bar], section_ends: set[int]) -> str:
    title = " ".join(plan.title.split()) or "Untitled"
    beat = "3/8" if plan.compound else "1/4"
    header = ["X:1", f"T:{title[:120]}"]
    # abc2midi swings an R:hornpipe and rejects it outside 2/4 and 4/4, so R: is left out there.
    if plan.tune_type and not (plan.tune_type.strip().lower() == "hornpipe" and plan.meter not in ("2/4", "4/4")):
        header.append(f"R:{' '.join(plan.tune_type.split())}")
    header += [f"M:{plan.meter}", "L:1/8", f"Q:{beat}={plan.tempo_bpm}", f"K:{scale.abc_key()}",
               f"%%MIDI program {plan.program}", f"%%MIDI chordvol {CHORD_VOLUME}", f"%%MIDI bassvol {CHORD_VOLUME}"]
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
