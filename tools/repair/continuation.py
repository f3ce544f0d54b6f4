"""Continue a tune (ABC) or a MIDI for N more bars with the repair machinery: the new bars are a gap
whose left context is the end of the piece and whose right context is a closing bar on the tonic
chord, so the continuation walks to a cadence. With one bar asked for there is no closing bar.

Times are quarter-note beats; pitches MIDI numbers.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from tunesmith.tools.repair.gap_context import chords_per_bar, find_parts
from tunesmith.tools.repair.gap_harmony import Key, estimate_key
from tunesmith.tools.repair.midi_bars import BarNote, PianoPiece, RepairInputError, load_piano_piece, write_piece_midi
from tunesmith.tools.repair.midi_repair import repair_piece

MAX_BARS = 64
ABC_ATTEMPTS = 4  # seeds tried before giving up on a continuation that abc validation refuses


def _check_bars(bars: int) -> None:
    if not isinstance(bars, int) or not 1 <= bars <= MAX_BARS:
        raise RepairInputError(f"bars={bars!r} is not a number of bars to add; use 1..{MAX_BARS}")


def _closing_bar(piece: PianoPiece, bar: int, key: Key) -> list[BarNote]:
    """Each part holds a tonic-chord note for the whole bar: the top part the tonic, the lowest the
    tonic in the bass, inner parts the chord tone nearest their mean pitch."""
    tonic_triad = key.triads()[0].pitch_classes
    start, end = piece.bar_starts[bar], piece.bar_starts[bar + 1]
    recent = piece.notes_in_bars(max(0, bar - 4), bar - 1)
    parts = find_parts(recent)
    means = {part: sum(n.pitch for n in recent if part.holds(n)) / max(1, sum(part.holds(n) for n in recent))
             for part in parts}
    ordered = sorted((p for p in parts if any(p.holds(n) for n in recent)), key=lambda p: -means[p])
    notes = []
    for index, part in enumerate(ordered):
        allowed = {key.tonic} if index == 0 or index == len(ordered) - 1 else tonic_triad
        pitch = min((p for p in range(part.low, part.high + 1) if p % 12 in allowed),
                    key=lambda p: abs(p - means[part]))
        velocity = next(n.velocity for n in reversed(recent) if part.holds(n))
        notes.append(BarNote(pitch, start, end, velocity, part.voice))
    return notes


@dataclass
class Continuation:
    """New notes, and the chord names of each new bar (as `tools.gap_context.chords_per_bar` splits
    it; the closing bar holds the tonic)."""

    notes: list[BarNote]
    bar_chords: list[list[str]]


def continue_piece(piece: PianoPiece, bars: int, *, seed: int = 0, bar_length: float | None = None,
                   key: Key | None = None) -> Continuation:
    """New notes for `bars` bars after the end of `piece` (each `bar_length` quarter beats, default
    the last bar's length), ending on the tonic of `key` (default: the key of the last 8 bars)."""
    _check_bars(bars)
    first_new = piece.bar_count
    extended = piece.with_bars_appended(bars, bar_length)
    key = key or estimate_key(piece.notes_in_bars(max(0, first_new - 8), first_new - 1))
    closing = _closing_bar(extended, first_new + bars - 1, key) if bars > 1 else []
    filled = (first_new, first_new + bars - (2 if closing else 1))
    with_close = dataclasses.replace(extended, notes=sorted(extended.notes + closing, key=lambda n: (n.start, n.pitch)))
    ranked, _, notes = repair_piece(with_close, filled, seed=seed, borrow_right=not closing)
    names = iter(ranked[0].chords)
    bar_chords = [[next(names) for _ in range(chords_per_bar(extended, bar))]
                  for bar in range(filled[0], filled[1] + 1)]
    return Continuation(notes[ranked[0].name] + closing, bar_chords + ([[key.triads()[0].name]] if closing else []))


def continue_midi(midi_path: Path, out_dir: Path, bars: int, seed: int = 0) -> Path:
    """Add `bars` bars to a MIDI and write `out_dir/continued.mid` atomically; returns its path.
    Raises `RepairInputError` for unreadable, empty or drum-only files and a bad `bars`."""
    _check_bars(bars)
    piece = load_piano_piece(Path(midi_path))
    new_notes = continue_piece(piece, bars, seed=seed).notes
    extended = piece.with_bars_appended(bars)
    new_bars = (piece.bar_count, extended.bar_count - 1)
    return write_piece_midi(extended, new_bars, new_notes, Path(out_dir) / "continued.mid")


def continue_abc(abc: str, bars: int, *, seed: int = 0) -> str:
    """The tune with `bars` new bars appended after its last bar (a final `|]` moves to the new end).

    The tune must be one valid single-voice tune; the result passes `tools.abc.validate_abc`.
    Raises `RepairInputError` saying what is wrong otherwise.
    """
    from tunesmith.tools.abc import (
        AbcError,
        FieldError,
        default_unit_length,
        parse_headers,
        parse_key,
        parse_meter,
        parse_unit_length,
        tune_notes,
        validate_abc,
    )

    _check_bars(bars)
    try:
        report = validate_abc(abc)
        headers = parse_headers(abc)
        meter = parse_meter(headers.get("M", "4/4"))
        unit = parse_unit_length(headers["L"]) if "L" in headers else default_unit_length(meter)
        signature = parse_key(headers.get("K", "C"))
        events = tune_notes(abc)
    except (AbcError, FieldError) as error:
        raise RepairInputError(f"cannot continue this ABC: {error}") from error
    if not report.valid:
        raise RepairInputError("cannot continue an invalid tune; fix first: "
                               + "; ".join(p.message for p in report.errors[:3]))
    if meter.bar_length is None:
        raise RepairInputError(f"M:{meter.text} has no bar length; continuation needs a meter such as 4/4 or 6/8")
    if re.search(r"^V:", abc, flags=re.M):
        raise RepairInputError("continue_abc handles single-voice tunes; this one has V: voices")
    piece = _abc_piece(events, (meter.numerator, meter.denominator))
    with_symbols = bool(re.search(r'"[A-G][#b]?(m|dim|maj|min|aug|sus|7|6|9)?[^"]*"', abc))
    bar_length = float(meter.bar_length) * 4
    key = None
    if signature.tonic is not None:  # the written key decides where the tune comes home
        minorish = signature.mode in ("minor", "dorian", "phrygian")
        key = Key(signature.tonic_pitch_class, "minor" if minorish else "major")
    text, shortfall = abc.rstrip(), bar_length - piece.bar_length(piece.bar_count - 1)
    if shortfall > 1e-3 and not text.endswith(":|"):
        # The last bar is short (it completes a pickup): finish it with a rest so the new bars
        # start on a downbeat. Before a closing repeat the short bar stays as written.
        text = _complete_last_bar(text, _length_text(shortfall, unit))
        piece.bar_starts[-1] += shortfall
    for attempt in range(ABC_ATTEMPTS):  # checked with abc2midi too, as validate_abc does by default
        new = continue_piece(piece, bars, seed=seed + attempt * 7919, bar_length=bar_length, key=key)
        starts = [piece.bar_starts[-1] + bar_length * i for i in range(bars + 1)]
        written = [_abc_bar([n for n in new.notes if starts[i] - 1e-6 <= n.start < starts[i + 1] - 1e-6],
                            starts[i], bar_length, unit, signature, new.bar_chords[i] if with_symbols else [])
                   for i in range(bars)]
        result = _append_bars(text, written)
        if validate_abc(result).valid:
            return result
    raise RepairInputError(f"could not write {bars} valid bars after this tune in {ABC_ATTEMPTS} attempts")


def _abc_piece(events: list, meter: tuple[int, int]) -> PianoPiece:
    """A one-voice PianoPiece from tools.abc NoteEvents: bars where the written bars start."""
    sounding = [e for e in events if e.midi is not None]
    if not sounding:
        raise RepairInputError("the tune has no notes to continue from")
    starts: list[float] = []
    for previous, event in zip([None] + events, events):  # a new bar wherever the bar number changes
        if previous is None or event.bar != previous.bar:  # (first and second endings may share numbers)
            starts.append(event.onset)
    starts.append(max(e.onset + e.duration for e in events))
    notes = [BarNote(e.midi, e.onset, e.onset + e.duration, 80, 0) for e in sounding]
    return PianoPiece(sorted(notes, key=lambda n: (n.start, n.pitch)), starts, ["Melody"], meter)


def _length_text(quarters: float, unit: Fraction) -> str:
    """ABC length suffix for a duration in quarter beats, in units of L: (`unit` of a whole note)."""
    ratio = (Fraction(quarters).limit_denominator(96) / 4) / unit
    if ratio == 1:
        return ""
    if ratio.denominator == 1:
        return str(ratio.numerator)
    return f"{ratio.numerator if ratio.numerator != 1 else ''}/{ratio.denominator}"


def _spelling(pitch: int, signature, in_bar: dict) -> str:
    """A MIDI pitch as an ABC note: the key's letter when the signature (and earlier accidentals in
    the bar) already give it, else a sharp/flat spelling with its accidental written."""
    from tunesmith.tools.abc import ACCIDENTAL_TEXT, FLAT_SPELLING, SHARP_SPELLING, letter_text
    from tunesmith.tools.theory import LETTERS, NATURAL_SEMITONES

    def octave_of(letter: str, alteration: int) -> int:
        return (pitch - NATURAL_SEMITONES[letter] - alteration) // 12 - 1

    for letter in LETTERS:
        alteration = signature.alterations.get(letter, 0)
        if (NATURAL_SEMITONES[letter] + alteration - pitch) % 12 == 0:
            octave = octave_of(letter, alteration)
            if in_bar.get((letter, octave), alteration) == alteration:
                return letter_text(letter, octave)
    flats = sum(signature.alterations.values()) < 0
    letter, alteration = (FLAT_SPELLING if flats else SHARP_SPELLING)[pitch % 12]
    octave = octave_of(letter, alteration)
    in_bar[(letter, octave)] = alteration
    return ACCIDENTAL_TEXT[alteration] + letter_text(letter, octave)


def _abc_bar(notes: list[BarNote], start: float, length: float, unit: Fraction, signature, chords: list[str]) -> str:
    """One bar of ABC: chords for notes sharing an onset, rests for the silences, filled to `length`;
    `chords` (names) are written as chord symbols at the start of their equal share of the bar, on
    the first note or rest that begins there."""
    tokens: list[tuple[float, str]] = []  # (onset in quarter beats, ABC text)
    position, in_bar = start, {}
    # Snap to a quarter of the unit length: ABC lengths need power-of-two denominators, and rhythms
    # borrowed from triplets would not have them.
    grid = float(unit)

    def snap(beat: float) -> float:
        return start + round((beat - start) / grid) * grid

    notes = [BarNote(n.pitch, snap(n.start), snap(n.end), n.velocity, n.voice) for n in notes]
    notes = [n for n in notes if n.end > n.start + 1e-6 and n.start < start + length - 1e-6]
    onsets = sorted({round(n.start, 4) for n in notes})
    for index, onset in enumerate(onsets):
        if onset - position > 1e-3:
            tokens.append((position, "z" + _length_text(onset - position, unit)))
        group = sorted({n.pitch for n in notes if abs(n.start - onset) < 1e-3})
        following = onsets[index + 1] if index + 1 < len(onsets) else start + length
        end = min(max(n.end for n in notes if abs(n.start - onset) < 1e-3), following)
        spelled = [_spelling(pitch, signature, in_bar) for pitch in group]
        tokens.append((onset, (spelled[0] if len(spelled) == 1 else "[" + "".join(spelled) + "]")
                       + _length_text(end - onset, unit)))
        position = end
    if start + length - position > 1e-3:
        tokens.append((position, "z" + _length_text(start + length - position, unit)))
    symbol_at = {round(start + length * i / len(chords), 3): name for i, name in enumerate(chords)}
    return " ".join(f'"{symbol_at[round(onset, 3)]}"{text}' if round(onset, 3) in symbol_at else text
                    for onset, text in tokens)


def _complete_last_bar(text: str, rest_length: str) -> str:
    """`text` with a rest of `rest_length` (ABC length suffix) put before its final bar line."""
    match = re.search(r"\s*(\|\]|\|\||\[\||\|)\s*$", text)
    return text[: match.start()] + f" z{rest_length} " + match.group(1) if match else text + f" z{rest_length} |"


def _append_bars(abc: str, bars: list[str]) -> str:
    """The tune text with `bars` (ABC bar contents) appended as a new music line ending in `|]`."""
    text = abc.rstrip()
    if text.endswith("|]"):
        text = text[:-2].rstrip() + " |"
    elif not text.endswith(("|", ":|", "::")):
        text += " |"
    return text + "\n" + " | ".join(bars) + " |]\n"
