"""What a parsed tune contains: its notes in beats, its estimated key, its range and playing time.

The key is estimated by the project's one key finder (`tools.theory.keys.estimate_key`, Krumhansl-
Schmuckler) from the duration-weighted pitch-class histogram of the notes.
"""

from __future__ import annotations

from fractions import Fraction

from tunesmith.tools.abc.fields import parse_tempo
from tunesmith.tools.abc.results import NoteEvent, TuneAnalysis
from tunesmith.tools.abc.tokens import ParsedTune
from tunesmith.tools.theory import estimate_key

DEFAULT_QUARTERS_PER_MINUTE = 120


def note_events(tune: ParsedTune) -> list[NoteEvent]:
    """Sounding notes and rests as written (no repeat unfolding), onsets and durations in quarter beats.

    Grace notes are left out (they take no written time); chord notes share one onset.
    """
    events = []
    for note in tune.notes:
        if note.grace:
            continue
        events.append(NoteEvent(
            bar=tune.bars[note.bar_index].number, onset=float(note.onset * 4), duration=float(note.duration * 4),
            midi=note.midi,
        ))
    return events


def pitch_class_weights(tune: ParsedTune) -> list[float]:
    """Total duration (quarter beats) of each pitch class 0-11, grace notes excluded."""
    weights = [0.0] * 12
    for note in tune.notes:
        if note.midi is not None and not note.grace:
            weights[note.midi % 12] += float(note.duration * 4)
    return weights


def estimated_key(tune: ParsedTune) -> tuple[str, str, float]:
    """(tonic, 'major' | 'minor', correlation -1..1) the notes suggest; ('C', 'major', 0.0) for a tune without notes."""
    found = estimate_key(pitch_class_weights(tune))
    return (found.tonic, found.mode, found.correlation) if found else ("C", "major", 0.0)


def quarters_per_minute(tune: ParsedTune) -> float:
    """Tempo in quarter notes per minute from Q: (a 3/8 beat at 80 is 120 quarters), 120 if none."""
    tempo = parse_tempo(tune.headers.get("Q", ""))
    if tempo is None:
        return DEFAULT_QUARTERS_PER_MINUTE
    beat, bpm = tempo
    return float(beat * 4 * bpm)


def length_in_quarters(tune: ParsedTune) -> Fraction:
    """Written length of the longest voice, in quarter beats."""
    ends: dict[str, Fraction] = {}
    for bar in tune.bars:
        ends[bar.voice] = max(ends.get(bar.voice, Fraction(0)), bar.onset + bar.duration)
    return max(ends.values(), default=Fraction(0)) * 4


def analyse(tune: ParsedTune, bars: int) -> TuneAnalysis:
    """Headers as read plus estimated key, range and playing time of a parsed tune."""
    estimated, estimated_mode, confidence = estimated_key(tune)
    pitches = [n.midi for n in tune.notes if n.midi is not None and not n.grace]
    tempo = parse_tempo(tune.headers.get("Q", ""))
    unit = tune.unit
    tune_type = tune.headers.get("R", "").strip().lower() or None
    return TuneAnalysis(
        title=tune.headers.get("T", "").strip(),
        key=tune.key.tonic or "none",
        mode=tune.key.mode,
        key_confidence=round(confidence, 3),
        estimated_key=estimated,
        estimated_mode=estimated_mode,
        meter=tune.meter.text,
        unit_length=f"{unit.numerator}/{unit.denominator}",
        tempo_bpm=tempo[1] if tempo else None,
        tune_type=tune_type,
        bars=bars,
        lowest=min(pitches, default=None),
        highest=max(pitches, default=None),
        duration_seconds=round(float(length_in_quarters(tune)) * 60 / quarters_per_minute(tune), 2),
        notes=len([n for n in tune.notes if n.midi is not None and not n.grace and not n.chord_member]),
        instrument_program=tune.programs[0][2] if tune.programs else None,
    )
