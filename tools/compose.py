"""Realise a `MusicPlan` as valid ABC: sections per the form, phrases with cadences, idiomatic rhythm.

Deterministic: the same plan (seed included) always gives the same tune. When exemplar tunes are
given, their bar rhythms (for the same meter) and melodic interval habits shape the new tune, and
`choices` says what was taken from which tune.

Layout: every letter of the form is written out (no repeat signs), so the ABC has exactly
`plan.bars` bars; bars are shared out equally between the letters (the last letters get any
remainder). A letter that comes back repeats its first statement and varies its last bars.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from random import Random

from pydantic import BaseModel

from tools.exemplar_style import ExemplarStyle, exemplar_style
from tools.harmony import MODE_HARMONY, Chord, Scale, parse_chord, phrase_progression, writable_scale
from tools.melody import BarPlan, IntervalHabits, Note, Voice, realise_bar
from tools.notation import bar_abc
from tools.plan import MusicPlan
from tools.rhythm import Cell, bar_sixteenths, beat_cell_bar, cadence_cell, pick_bar_cell, tune_type_cells

# Contour shapes over a phrase, t in 0..1 -> -1..1 (below / above the section's centre pitch).
CONTOURS = {
    "arch": lambda t: -0.5 + 1.2 * math.sin(math.pi * t),
    "ascending": lambda t: -0.7 + 1.4 * t,
    "descending": lambda t: 0.7 - 1.4 * t,
    "wave": lambda t: 0.6 * math.sin(2 * math.pi * t),
    "flat": lambda t: 0.0,
}
# Register of each section letter relative to A, as a share of half the range: B parts sit higher.
LETTER_REGISTER = {"A": 0.0, "B": 0.35, "C": -0.2, "D": 0.2, "E": -0.1, "F": 0.3, "G": 0.1, "H": -0.3}


class ComposeError(ValueError):
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
    sections = _layout(plan, choices)
    first_statement: dict[str, list[tuple[BarPlan, list[Note]]]] = {}
    bars: list[tuple[BarPlan, list[Note]]] = []
    section_ends: set[int] = set()
    for letter, length in sections:
        earlier = first_statement.get(letter)
        plans = _plan_section(plan, scale, voice, letter, length, given, cells, rng, choices)
        realised = _realise_section(plans, earlier, bars, voice, rng)
        first_statement.setdefault(letter, realised)
        bars.extend(realised)
        section_ends.add(len(bars) - 1)
    choices.append(f"instrument {plan.instrument} -> %%MIDI program {plan.program}")
    abc = _write_abc(plan, scale, bars, section_ends)
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
                   "a returning section repeats its first statement with a varied ending")
    return list(zip(letters, lengths))


def _phrases(bars: int) -> list[int]:
    """Phrase lengths in bars: fours, with a remainder of one bar folded into the last phrase."""
    phrases = [4] * (bars // 4)
    rest = bars % 4
    if rest >= 2 or not phrases:
        phrases.append(rest)
    elif rest:
        phrases[-1] += rest
    return [p for p in phrases if p]


def _plan_section(plan: MusicPlan, scale: Scale, voice: Voice, letter: str, length: int, given: list[Chord],
                  cells: list[tuple[Cell, int]], rng: Random, choices: list[str]) -> list[BarPlan]:
    phrases = _phrases(length)
    numerals = _section_harmony(plan, phrases, given, rng, choices)
    motif = [pick_bar_cell(cells, rng) if cells else beat_cell_bar(plan.meter, plan.density, rng) for _ in range(2)]
    cadence = cadence_cell(plan.meter, plan.density, rng)
    low_step = next(s for s in range(-60, 60) if scale.midi(s) >= voice.low)
    high_step = next(s for s in range(60, -60, -1) if scale.midi(s) <= voice.high)
    centre, half = (low_step + high_step) / 2, (high_step - low_step) / 2
    centre += LETTER_REGISTER[letter] * half
    shape = CONTOURS[plan.contour]
    plans, bar = [], 0
    for number, phrase in enumerate(phrases):
        closing = number == len(phrases) - 1
        for position in range(phrase):
            end_of_phrase = position == phrase - 1
            chord = numerals[bar]
            targets = [min(high_step - 1, max(low_step + 1, centre + 0.6 * half * shape(t)))
                       for t in (position / phrase, (position + 1) / phrase)]
            plans.append(BarPlan(
                chord=chord,
                rhythm=cadence if end_of_phrase and phrase > 1 or (closing and end_of_phrase) else motif[position % 2],
                target_start=targets[0], target_end=targets[1],
                ending=("final" if closing else "half") if end_of_phrase else "none",
            ))
            bar += 1
    return plans


def _section_harmony(plan: MusicPlan, phrases: list[int], given: list[Chord], rng: Random,
                     choices: list[str]) -> list[Chord]:
    """One chord per bar: the plan's numerals (cycled) or the mode's default progression per phrase."""
    scale, _ = writable_scale(plan.key, plan.mode)
    length = sum(phrases)
    if given:
        chords = [given[i % len(given)] for i in range(length)]
        if not chords[-1].is_tonic:
            chords[-1] = parse_chord(MODE_HARMONY[plan.mode].tonic, scale)
            note = f"chords from the plan ({' '.join(c.numeral for c in given)}); last bar of each section set to the tonic for the cadence"
        else:
            note = f"chords from the plan ({' '.join(c.numeral for c in given)})"
        if note not in choices:
            choices.append(note)
        return chords
    numerals: list[str] = []
    for number, phrase in enumerate(phrases):
        progression = phrase_progression(plan.mode, phrase, number == len(phrases) - 1, rng)
        if number and phrase == phrases[0]:  # a consequent phrase opens like the antecedent
            half = phrase // 2
            progression[:half] = numerals[:half]
        numerals.extend(progression)
    note = f"harmony: default {plan.mode} progressions, half cadence mid-section, {MODE_HARMONY[plan.mode].tonic} at section ends"
    if note not in choices:
        choices.append(note)
    return [parse_chord(n, scale) for n in numerals]


def _realise_section(plans: list[BarPlan], earlier: list[tuple[BarPlan, list[Note]]] | None,
                     before: list[tuple[BarPlan, list[Note]]], voice: Voice, rng: Random) -> list[tuple[BarPlan, list[Note]]]:
    """Notes for a section; a returning letter keeps its first statement except the last bars."""
    keep = 0
    if earlier:
        keep = min(len(earlier), len(plans) - (2 if len(plans) >= 4 else 1))
    realised: list[tuple[BarPlan, list[Note]]] = list(earlier[:keep]) if earlier else []
    phrase_one = {}
    for index in range(keep, len(plans)):
        bar_plan = plans[index]
        previous = (before + realised)[-1][1] if before or realised else []
        echo = phrase_one.get(index % 4) if index >= 4 and index % 4 < 2 else None
        if echo and echo[0].chord == bar_plan.chord and echo[0].rhythm == bar_plan.rhythm:
            notes = [Note(n.step, n.alteration, n.duration) for n in echo[1]]
        else:
            notes = realise_bar(bar_plan, previous, voice, rng)
        realised.append((bar_plan, notes))
        if index < 4:
            phrase_one[index] = (bar_plan, notes)
    return realised


def _write_abc(plan: MusicPlan, scale: Scale, bars: list[tuple[BarPlan, list[Note]]], section_ends: set[int]) -> str:
    title = " ".join(plan.title.split()) or "Untitled"
    beat = "3/8" if plan.compound else "1/4"
    header = [f"X:1", f"T:{title[:120]}"]
    if plan.tune_type:
        header.append(f"R:{' '.join(plan.tune_type.split())}")
    header += [f"M:{plan.meter}", "L:1/8", f"Q:{beat}={plan.tempo_bpm}", f"K:{scale.abc_key()}",
               f"%%MIDI program {plan.program}"]
    per_line = 2 if bar_sixteenths(plan.meter) > 16 else 4
    lines, line = [], ""
    previous_symbol = None
    for index, (bar_plan, notes) in enumerate(bars):
        symbol = bar_plan.chord.symbol if bar_plan.chord.symbol != previous_symbol or index in section_ends else None
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
