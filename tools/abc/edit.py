"""Edits of one tune that keep everything else as written: transpose, mode, tempo, instrument, sections.

Bar numbers are 1-based as musicians count them (a pickup is bar 0). Every edit raises AbcError
with the reason when it cannot be done.
"""

from __future__ import annotations

import re

from tunesmith.tools.abc.chords import CHORD_SYMBOL_RE, chord_for_mode, is_major_dominant, read_chord_symbol
from tunesmith.tools.abc.fields import Key
from tunesmith.tools.abc.intake import checked_text, parsed_tune
from tunesmith.tools.abc.meter_change import change_meter
from tunesmith.tools.abc.results import AbcError
from tunesmith.tools.abc.spelling import (
    FLAT_SPELLING,
    SHARP_SPELLING,
    Spelling,
    header_replacement,
    key_field_replacements,
    replace_spans,
    respell_notes,
)
from tunesmith.tools.abc.tokens import BarSpan, NoteToken, ParsedTune
from tunesmith.tools.theory import (
    LETTERS,
    MODES,
    key_fifths,
    key_name,
    key_signature,
    midi_number,
    mode_from_word,
    pitch_class,
)

__all__ = [
    "change_meter", "change_mode", "extract_section", "replace_section", "set_field", "set_instrument", "set_tempo",
    "transpose_abc",
]

MAX_TRANSPOSE = 48
TEMPO_RANGE = range(20, 401)


def _transposed_key(key: Key, semitones: int) -> Key:
    if key.tonic is None:
        return key
    tonic = key_name(key.tonic_pitch_class + semitones, key.mode)
    return Key(tonic, key.mode, key_signature(tonic, key.mode))


def _transposed_spelling(note: NoteToken, key: Key, semitones: int) -> Spelling:
    """Move the letter by the interval between the old and new tonic letters, then fix the accidental."""
    target = note.midi + semitones
    if note.key.tonic is None or key.tonic is None:
        letter, alteration = (SHARP_SPELLING if semitones >= 0 else FLAT_SPELLING)[target % 12]
        return letter, target // 12 - 1, alteration
    shift = (LETTERS.index(key.tonic[0]) - LETTERS.index(note.key.tonic[0])) % 7
    index = LETTERS.index(note.letter) + shift
    letter, octave = LETTERS[index % 7], note.octave + index // 7
    octave += round((target - midi_number(letter, 0, octave)) / 12)
    return letter, octave, target - midi_number(letter, 0, octave)


def _transposed_chord_symbol(symbol: str, semitones: int, prefer_flats: bool) -> str:
    match = CHORD_SYMBOL_RE.match(symbol)
    if not match:
        return symbol

    def move(letter: str, accidental: str) -> str:
        name, alteration = (FLAT_SPELLING if prefer_flats else SHARP_SPELLING)[(pitch_class(letter + accidental) + semitones) % 12]
        return name + {1: "#", -1: "b", 0: ""}[alteration]

    root, accidental, quality, bass, bass_accidental = match.groups()
    text = move(root, accidental) + quality
    if bass:
        text += "/" + move(bass, bass_accidental)
    return f'"{text}"'


def transpose_abc(abc: str, semitones: int) -> str:
    """Transpose by `semitones` (-48..48): key fields, notes (re-spelled in the new key) and chord symbols."""
    if not isinstance(semitones, int) or abs(semitones) > MAX_TRANSPOSE:
        raise AbcError(f"cannot transpose by {semitones!r}; give a whole number of semitones from -48 to 48")
    tune = parsed_tune(abc)
    if semitones == 0:
        return tune.text

    def new_key(key: Key) -> Key:
        return _transposed_key(key, semitones)

    replacements = key_field_replacements(tune, new_key)
    replacements += respell_notes(tune, new_key, lambda note, key: _transposed_spelling(note, key, semitones))
    prefer_flats = key_fifths(new_key(tune.key).tonic or "C", "major") < 0
    for start, end in tune.chord_symbols:
        symbol = tune.text[start:end]
        replacements.append((start, end, _transposed_chord_symbol(symbol, semitones, prefer_flats)))
    _check_range(tune, semitones)
    return replace_spans(tune.text, replacements)


def _check_range(tune: ParsedTune, semitones: int) -> None:
    pitches = [n.midi + semitones for n in tune.notes if n.midi is not None]
    if pitches and (min(pitches) < 0 or max(pitches) > 127):
        raise AbcError(f"transposing by {semitones} moves notes outside MIDI 0-127; use a smaller interval")


def _mode_name(mode: str) -> str:
    word = mode.strip().lower()
    name = mode_from_word(word) or mode_from_word(word[:3]) if word else None
    if name is None:
        raise AbcError(f"{mode!r} is not a mode; use one of {', '.join(MODES)}")
    return name


def change_mode(abc: str, mode: str) -> str:
    """Keep the tonic and move each scale note onto the same degree of the new mode (D major -> D minor).

    Notes outside the old scale (chromatic notes) keep their pitch. Chord symbols move with the
    melody (`tools.abc.chords.chord_for_mode`: G major's "C" becomes G minor's "Cm"); in minor a
    melody note on the lowered seventh under the major V chord is raised to the leading note, as
    the harmonic minor has it, so tune and chord agree.
    """
    name = _mode_name(mode)
    tune = parsed_tune(abc)
    if tune.key.tonic is None:
        raise AbcError("the tune has no tonic (K:none or no K:), so its mode cannot change; set a key first")

    def new_key(key: Key) -> Key:
        if key.tonic is None:
            return key
        if key_fifths(key.tonic, name) not in range(-7, 8):
            raise AbcError(f"{key.tonic} {name} needs more than 7 sharps or flats; transpose to its enharmonic first")
        return Key(key.tonic, name, key_signature(key.tonic, name))

    symbols, chord_at = _mode_chord_symbols(tune, name)

    def spell(note: NoteToken, key: Key) -> Spelling:
        written = note.midi - midi_number(note.letter, 0, note.octave)
        if written != note.key.alterations.get(note.letter, 0):
            return note.letter, note.octave, written  # a chromatic note keeps its pitch
        alteration = key.alterations.get(note.letter, 0)
        chord = chord_at.get(note.start)
        if (name == "minor" and key.tonic is not None and chord is not None and is_major_dominant(chord, key.tonic)
                and (midi_number(note.letter, alteration, note.octave) - pitch_class(key.tonic)) % 12 == 10):
            alteration += 1  # the leading note under V
        return note.letter, note.octave, alteration

    replacements = key_field_replacements(tune, new_key) + respell_notes(tune, new_key, spell) + symbols
    return replace_spans(tune.text, replacements)


def _mode_chord_symbols(tune: ParsedTune, mode: str) -> tuple[list[tuple[int, int, str]], dict[int, str]]:
    """Replacements for the chord symbols in the new mode, and the (new) chord sounding at each note's start."""
    notes = sorted((n for n in tune.notes if n.letter is not None), key=lambda n: n.start)
    replacements, chord_at, sounding = [], {}, None
    symbols = iter(sorted(tune.chord_symbols))
    pending = next(symbols, None)
    for note in notes:
        while pending is not None and pending[0] < note.start:
            start, end = pending
            text = tune.text[start:end]
            if note.key.tonic is not None:
                new = chord_for_mode(text, note.key.tonic, note.key.mode, mode)
                replacements.append((start, end, new))
                sounding = new if read_chord_symbol(new) else sounding
            pending = next(symbols, None)
        chord_at[note.start] = sounding
    return replacements, chord_at


def set_tempo(abc: str, bpm: int) -> str:
    """Write Q: with `bpm` beats per minute; the beat is a quarter, or a dotted quarter in 6/8, 9/8, 12/8."""
    if not isinstance(bpm, int) or bpm not in TEMPO_RANGE:
        raise AbcError(f"tempo {bpm!r} is not usable; give whole beats per minute from 20 to 400")
    tune = parsed_tune(abc)
    beat = "3/8" if tune.meter.compound else "1/4"
    return replace_spans(tune.text, [header_replacement(tune, "Q", f"{beat}={bpm}")])


def set_field(abc: str, letter: str, value: str) -> str:
    """Write a header field (T:, R: ...) with `value`, replacing the first one there is or adding it before K:."""
    if letter not in ("T", "R", "C", "N", "Z", "S", "O", "B", "H"):
        raise AbcError(f"set_field writes descriptive fields (T, R, C, N, Z, S, O, B, H), not {letter!r}; "
                       "use set_tempo, change_meter or change_mode for Q, M and K")
    if "\n" in value:
        raise AbcError("a header field value is one line")
    tune = parsed_tune(abc)
    return replace_spans(tune.text, [header_replacement(tune, letter, value.strip())])


def set_instrument(abc: str, instrument: str) -> str:
    """Write `%%MIDI program N` (General MIDI, 0-based) for the instrument, replacing any program lines."""
    from tunesmith.tools.theory import gm_program

    try:
        program = gm_program(str(instrument))
    except ValueError as error:
        raise AbcError(str(error)) from None
    tune = parsed_tune(abc)
    line = f"%%MIDI program {program}"
    if tune.programs:
        return replace_spans(tune.text, [(start, end, line) for start, end, _ in tune.programs])
    key_line = next((f for f in tune.fields if f.in_header and f.letter == "K"), None)
    if key_line is None:
        raise AbcError("the tune has no K: line to put the instrument after; add the header first (repair_abc)")
    return replace_spans(tune.text, [(key_line.end, key_line.end, "\n" + line)])


def _bar_range(tune: ParsedTune, first_bar: int, last_bar: int) -> tuple[BarSpan, BarSpan]:
    """The first and last bars of the range (first voice), or AbcError naming the valid numbers."""
    voice = tune.bars[0].voice if tune.bars else "1"
    if any(b.voice != voice for b in tune.bars):
        raise AbcError("the tune has several voices; section edits work on single-voice tunes")
    numbers = [bar.number for bar in tune.bars]
    lowest, highest = min(numbers, default=0), max(numbers, default=0)
    if not (isinstance(first_bar, int) and isinstance(last_bar, int)) or not (
        first_bar <= last_bar and first_bar in numbers and last_bar in numbers
    ):
        raise AbcError(f"bars {first_bar!r}-{last_bar!r} are not in the tune; it has bars {lowest}-{highest}")
    first = next(bar for bar in tune.bars if bar.number == first_bar)
    last = next(bar for bar in reversed(tune.bars) if bar.number == last_bar)
    return first, last


def extract_section(abc: str, first_bar: int, last_bar: int) -> str:
    """A tune of bars `first_bar`..`last_bar` (inclusive) with the header, meter, unit and key in effect there."""
    tune = parsed_tune(abc)
    first, last = _bar_range(tune, first_bar, last_bar)
    updates = []
    if first.meter.text != tune.meter.text:
        updates.append(header_replacement(tune, "M", first.meter.text))
    if first.unit != tune.unit:
        updates.append(header_replacement(tune, "L", f"{first.unit.numerator}/{first.unit.denominator}"))
    if first.key is not None and first.key != tune.key:
        updates.append(header_replacement(tune, "K", first.key.canonical))
    header = replace_spans(tune.text[: tune.body_start], [u for u in updates if u[1] <= tune.body_start])
    # An instrument set just after K: (in the body) belongs to the section too.
    header = header.rstrip("\n") + "".join(
        "\n" + tune.text[start:end] for start, end, _ in tune.programs if start >= tune.body_start and start < first.start
    )
    opening = "|:" if first.left.split()[-1:] and first.left.split()[-1].endswith(":") else ""
    closing = re.sub(r"[\[\d,-]+$", "", last.right.split()[0]) if last.right else "|]"
    body = opening + tune.text[first.start:last.end] + (closing or "|]")
    return header + "\n" + body + "\n"


def replace_section(abc: str, first_bar: int, last_bar: int, bars_abc: str) -> str:
    """Replace bars `first_bar`..`last_bar` (inclusive) with `bars_abc` (bars separated by `|`).

    The bar lines around the section are kept; `bars_abc` may also be a whole tune, whose music is used.
    """
    tune = parsed_tune(abc)
    first, last = _bar_range(tune, first_bar, last_bar)
    new_bars = checked_text(bars_abc)
    try:
        inner = parsed_tune(new_bars)
        if inner.has_key_field:  # a whole tune: its music, without directives such as %%MIDI
            body = inner.text[inner.body_start:].splitlines()
            new_bars = "\n".join(line for line in body if not line.lstrip().startswith("%"))
    except AbcError:
        pass
    # The section's own bar lines (and repeat colons) stay in the tune; drop the ones around the new bars.
    new_bars = re.sub(r"^[\s|:]+|[\s|:]+$", "", new_bars)
    if not new_bars:
        raise AbcError("the replacement bars are empty; give music such as 'd2 f2 | a4'")
    return tune.text[: first.start] + new_bars + tune.text[last.end:]

