"""Edits of the melody's notes that keep its bars: livelier or calmer rhythm, and where the tune ends.

* `change_density(abc, "more")` splits each note of a quarter or longer into two (halves; a dotted
  note long-short), the second a step of the scale towards the next note (a passing note; an upper neighbour when the melody
  repeats or ends), so the tune moves in more notes without changing its harmony or its bars.
  `"less"` joins beats of equal notes: a pair in a simple beat into one note of the first pitch,
  three in a compound beat into long-short (`fgg` -> `f2g`).
  The last bar of each part (its cadence) is kept as written, as are notes in tuplets or broken
  rhythm and any bar where the new note's letter carries an accidental.
* `end_on(abc, "high" | "low", (lowest, highest))` moves the tune's final note to the highest
  (lowest) tonic within the instrument's range and an octave of the last note (or a fourth beyond
  the tune's own compass): a tune that ends high ends on its home note, not on a new one.

Durations are `Fraction`s of a whole note; pitches MIDI numbers.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from tunesmith.tools.abc.intake import parsed_tune
from tunesmith.tools.abc.rebar import PRINTABLE, length_text
from tunesmith.tools.abc.results import AbcError
from tunesmith.tools.abc.spelling import ACCIDENTAL_TEXT, letter_text, replace_spans
from tunesmith.tools.abc.tokens import NoteToken, ParsedTune
from tunesmith.tools.theory import LETTERS, midi_number

QUARTER = Fraction(1, 4)
_PART_END = ("||", "|]", ":|", "::")


def _plain(note: NoteToken) -> bool:
    """A single written note (no chord, tuplet or broken rhythm), sounding as long as written."""
    return note.letter is not None and not note.grace and not note.chord_member and note.written == note.duration


def _cadence_bars(tune: ParsedTune) -> set[int]:
    """Indexes of the bars that end a part or the tune: their rhythm is the cadence, kept as written."""
    ends = {i for i, bar in enumerate(tune.bars) if any(mark in bar.right for mark in _PART_END)}
    return ends | {len(tune.bars) - 1}


def _letters_with_accidentals(tune: ParsedTune, bar_index: int) -> set[str]:
    return {n.letter for n in tune.notes if n.bar_index == bar_index and n.letter and n.accidental is not None}


def _starts_chord(notes: list[NoteToken], index: int) -> bool:
    """True when the note at `index` is the first note of a chord (the next one sounds with it)."""
    return any(n.chord_member for n in notes[index + 1: index + 2])


def _step(note: NoteToken, towards: int | None) -> tuple[str, int]:
    """The letter and octave one scale step from `note` towards MIDI `towards` (up when level or unknown)."""
    up = towards is None or towards >= note.midi
    index = LETTERS.index(note.letter) + (1 if up else -1)
    return LETTERS[index % 7], note.octave + index // 7


def change_density(abc: str, direction: Literal["more", "less"]) -> str:
    """More notes (passing notes in long notes) or fewer (pairs joined); bars, harmony and cadences kept."""
    if direction not in ("more", "less"):
        raise AbcError(f"density {direction!r} is not a direction; use 'more' or 'less'")
    tune = parsed_tune(abc)
    if len({bar.voice for bar in tune.bars}) > 1:
        raise AbcError("the tune has several voices; rhythm edits work on single-voice tunes")
    edits = _livelier(tune) if direction == "more" else _calmer(tune)
    if not edits:
        raise AbcError("no note could change: the tune has no " + (
            "notes of a quarter or longer outside its cadences" if direction == "more"
            else "beats of equal notes to join outside its cadences"))
    return replace_spans(tune.text, edits)


def _livelier(tune: ParsedTune) -> list[tuple[int, int, str]]:
    cadences = _cadence_bars(tune)
    edits = []
    sounding = [n for n in tune.notes if not n.grace]
    for position, note in enumerate(sounding):
        if not _plain(note) or note.duration < QUARTER or note.bar_index in cadences or _starts_chord(sounding, position):
            continue
        if tune.text[note.length_end:note.length_end + 1] == "-":
            continue  # tied on: the held note is the point
        dotted = note.duration.numerator == 3
        first = note.duration * Fraction(2, 3) if dotted else note.duration / 2  # a dotted note: long-short
        second = note.duration - first
        if first not in PRINTABLE or second not in PRINTABLE:
            continue
        following = next((n for n in sounding[position + 1:] if n.midi is not None), None)
        letter, octave = _step(note, following.midi if following is not None else None)
        if letter in _letters_with_accidentals(tune, note.bar_index):
            continue
        written = tune.text[note.start:note.end]
        unit = tune.bars[note.bar_index].unit
        edits.append((note.start, note.length_end,
                      written + length_text(first, unit) + letter_text(letter, octave) + length_text(second, unit)))
    return edits


def _calmer(tune: ParsedTune) -> list[tuple[int, int, str]]:
    """Join the notes of beats filled by equal notes: two in a simple beat become one, the first two
    of three in a compound beat become a long-short pair (`fgg` -> `f2g`)."""
    cadences = _cadence_bars(tune)
    beats: dict[tuple[int, Fraction], list[NoteToken]] = {}
    for note in tune.notes:
        if note.grace:
            continue
        bar = tune.bars[note.bar_index]
        length = Fraction(3, bar.meter.denominator) if bar.meter.compound else QUARTER
        beats.setdefault((note.bar_index, (note.onset - bar.onset) // length), []).append(note)
    edits = []
    for (bar_index, _), notes in beats.items():
        meter = tune.bars[bar_index].meter
        wanted = 3 if meter.compound else 2
        if bar_index in cadences or len(notes) != wanted or not all(_plain(n) for n in notes):
            continue
        first, second = notes[0], notes[1]
        bar = tune.bars[bar_index]
        beat = Fraction(3, meter.denominator) if meter.compound else QUARTER
        if len({n.duration for n in notes}) != 1 or first.duration * wanted != beat or (first.onset - bar.onset) % beat:
            continue
        if second.accidental is not None or _symbol_between(tune, first, second):
            continue
        edits.append((first.length_start, first.length_end, length_text(first.duration * 2, bar.unit)))
        edits.append((second.prefix_start, second.length_end, ""))
    return edits


def _symbol_between(tune: ParsedTune, first: NoteToken, second: NoteToken) -> bool:
    return any(first.length_end <= start < second.start for start, _ in tune.chord_symbols)


def end_on(abc: str, where: Literal["high", "low"], compass: tuple[int, int]) -> str:
    """The tune with its final note moved to the tonic above ("high") or below ("low") it, inside
    `compass` (lowest, highest MIDI note an instrument plays well)."""
    if where not in ("high", "low"):
        raise AbcError(f"{where!r} is not where a tune can end; use 'high' or 'low'")
    tune = parsed_tune(abc)
    final = next((n for n in reversed(tune.notes) if n.midi is not None and not n.grace and not n.chord_member), None)
    if final is None:
        raise AbcError("the tune has no notes to end on")
    key = final.key
    if key.tonic is None:
        raise AbcError("the tune has no tonic (K:none), so there is no home note to end on")
    pitches = [n.midi for n in tune.notes if n.midi is not None and not n.grace]
    low, high = compass
    if where == "high":  # up to an octave above the last note, or a little above the tune's top
        ceiling = min(high, max(max(pitches) + 5, final.midi + 12))
        options = [p for p in range(final.midi + 1, ceiling + 1) if (p - key.tonic_pitch_class) % 12 == 0]
        target = max(options, default=None)
    else:
        floor = max(low, min(min(pitches) - 5, final.midi - 12))
        options = [p for p in range(floor, final.midi) if (p - key.tonic_pitch_class) % 12 == 0]
        target = min(options, default=None)
    if target is None:
        raise AbcError(f"the tune already ends on its {'highest' if where == 'high' else 'lowest'} home note "
                       f"within the instrument's range (MIDI {low}-{high})")
    letter = key.tonic[0]
    alteration = key.alterations.get(letter, 0)
    octave = (target - alteration - midi_number(letter, 0, 4)) // 12 + 4
    in_bar = [n for n in tune.notes if n.bar_index == final.bar_index and n.start < final.start and n.letter == letter]
    accidental = ACCIDENTAL_TEXT[alteration] if any(n.accidental is not None for n in in_bar) else ""
    return replace_spans(tune.text, [(final.start, final.end, accidental + letter_text(letter, octave))])
