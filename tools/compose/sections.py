"""Sections of a tune: their phrases, chords per bar, rhythm motifs, contour targets, and repetition.

Repetition is what makes a melody sound composed rather than improvised, so it is planned here:
* a returning letter (the second A of AABB) keeps the chords and rhythm of its first statement
  and the first half of its notes, then re-composes the second half (a varied ending);
* a letter heard once echoes its first two bars at the start of its second phrase
  (antecedent-consequent period), and a one-phrase section of such a letter ends with the tune's
  first final cadence bar (a common ending, as A and B parts of dance tunes often share).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from random import Random

from tunesmith.tools.compose.melody import BarPlan, Note, Voice, realise_bar
from tunesmith.tools.compose.rhythm import Cell, beat_cell_bar, cadence_cell, pick_bar_cell
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory.harmony import MODE_HARMONY, Chord, Scale, parse_chord, phrase_progression

Bar = tuple[BarPlan, list[Note]]
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
# How far (share of half the range) the contour swings: few notes must not cover a wide arc by leaps.
CONTOUR_SWING = {"sparse": 0.5, "medium": 0.7, "dense": 0.85}
MAX_JOIN_SEMITONES = 7  # a copied bar may start at most a fifth from the note before it


def phrase_lengths(bars: int) -> list[int]:
    """Phrase lengths in bars: fours, with a remainder of one bar folded into the last phrase."""
    phrases = [4] * (bars // 4)
    rest = bars % 4
    if rest >= 2 or not phrases:
        phrases.append(rest)
    elif rest:
        phrases[-1] += rest
    return [p for p in phrases if p]


@dataclass
class SectionWriter:
    """Writes the sections of one tune in order, remembering what later sections repeat."""

    plan: MusicPlan
    scale: Scale
    voice: Voice
    cells: list[tuple[Cell, int]]  # bar rhythms to draw motifs from; empty: built beat by beat
    given: list[Chord]  # the plan's chords; empty: the mode's default progressions
    rng: Random
    choices: list[str]
    bars: list[Bar] = field(default_factory=list)
    first_statement: dict[str, list[Bar]] = field(default_factory=dict)
    final_cadence: Bar | None = None

    def write(self, letter: str, length: int) -> None:
        """Append one section of `length` bars for form letter `letter`."""
        earlier = self.first_statement.get(letter)
        returns = self.plan.form[: self.plan.bars].count(letter) > 1
        if earlier and len(earlier) == length:
            plans = [bar_plan for bar_plan, _ in earlier]
        else:
            plans = self._plan(letter, length)
        keep = min(len(earlier), length // 2) if earlier else 0
        realised: list[Bar] = list(earlier[:keep]) if earlier else []
        for index in range(keep, length):
            copy = None if earlier or returns else self._echo(index, plans, realised)
            previous = (self.bars + realised)[-1][1] if self.bars or realised else []
            if copy is not None and copy[0].chord == plans[index].chord and self._joins(previous, copy[1]):
                realised.append((copy[0], [Note(n.step, n.alteration, n.duration) for n in copy[1]]))
            else:
                realised.append((plans[index], realise_bar(plans[index], previous, self.voice, self.rng)))
        if self.final_cadence is None:
            self.final_cadence = realised[-1]
        self.first_statement.setdefault(letter, realised)
        self.bars.extend(realised)

    def _echo(self, index: int, plans: list[BarPlan], realised: list[Bar]) -> Bar | None:
        """The bar this one repeats in a section heard once, if any (phrase ends are never echoes)."""
        if index >= 4 and index % 4 < 2 and plans[index].ending == "none" and realised[index % 4][0].ending == "none":
            return realised[index % 4]
        if index == len(plans) - 1 and len(plans) <= 5:
            return self.final_cadence
        return None

    def _joins(self, previous: list[Note], notes: list[Note]) -> bool:
        if not previous:
            return True
        last, first = previous[-1], notes[0]
        gap = self.scale.midi(first.step, first.alteration) - self.scale.midi(last.step, last.alteration)
        return abs(gap) <= MAX_JOIN_SEMITONES

    def _plan(self, letter: str, length: int) -> list[BarPlan]:
        """Chords, rhythm and contour targets for each bar of a new section."""
        plan, scale, voice, rng = self.plan, self.scale, self.voice, self.rng
        phrases = phrase_lengths(length)
        numerals = self._harmony(phrases)
        motif = [pick_bar_cell(self.cells, rng) if self.cells else beat_cell_bar(plan.meter, plan.density, rng)
                 for _ in range(2)]
        cadence = cadence_cell(plan.meter, plan.density, rng, motif[0])
        low_step = next(s for s in range(-60, 60) if scale.midi(s) >= voice.low)
        high_step = next(s for s in range(60, -60, -1) if scale.midi(s) <= voice.high)
        half = (high_step - low_step) / 2
        centre = (low_step + high_step) / 2 + LETTER_REGISTER[letter] * half
        shape, swing = CONTOURS[plan.contour], CONTOUR_SWING[plan.density]
        plans, bar = [], 0
        for number, phrase in enumerate(phrases):
            closing = number == len(phrases) - 1
            for position in range(phrase):
                end_of_phrase = position == phrase - 1
                start, end = (min(high_step - 1, max(low_step + 1, centre + swing * half * shape(t)))
                              for t in (position / phrase, (position + 1) / phrase))
                plans.append(BarPlan(
                    chord=numerals[bar],
                    rhythm=cadence if end_of_phrase else motif[position % 2],
                    target_start=start, target_end=end,
                    ending=("final" if closing else "half") if end_of_phrase else "none",
                ))
                bar += 1
        return plans

    def _harmony(self, phrases: list[int]) -> list[Chord]:
        """One chord per bar: the plan's numerals (cycled) or the mode's default progression per phrase."""
        mode = self.plan.mode
        if self.given:
            chords = [self.given[i % len(self.given)] for i in range(sum(phrases))]
            note = f"chords from the plan ({' '.join(c.numeral for c in self.given)})"
            if not chords[-1].is_tonic:
                chords[-1] = parse_chord(MODE_HARMONY[mode].tonic, self.scale)
                note += "; last bar of each section set to the tonic for the cadence"
            self._note(note)
            return chords
        numerals: list[str] = []
        for number, phrase in enumerate(phrases):
            progression = phrase_progression(mode, phrase, number == len(phrases) - 1, self.rng)
            if number and phrase == phrases[0]:  # a consequent phrase opens like the antecedent
                progression[: phrase // 2] = numerals[: phrase // 2]
            numerals.extend(progression)
        self._note(f"harmony: default {mode} progressions, half cadence mid-section, "
                   f"{MODE_HARMONY[mode].tonic} at section ends")
        return [parse_chord(n, self.scale) for n in numerals]

    def _note(self, note: str) -> None:
        if note not in self.choices:
            self.choices.append(note)
