"""What a parsed tune contains: its notes in beats, its estimated key, its range and playing time.

Key estimation is the Krumhansl-Schmuckler algorithm (Krumhansl 1990, "Cognitive Foundations of
Musical Pitch"): correlate the duration-weighted pitch-class histogram with the Krumhansl-Kessler
major and minor profiles rotated to each of the 12 tonics; the best correlation wins.
"""

from __future__ import annotations

import math
from fractions import Fraction

from tunesmith.tools.abc.fields import parse_tempo
from tunesmith.tools.abc.tokens import ParsedTune
from tunesmith.tools.abc.results import NoteEvent, TuneAnalysis

KK_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KK_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)
MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
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


def _correlation(xs: list[float], ys: tuple[float, ...]) -> float:
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    spread = math.sqrt(sum((x - mean_x) ** 2 for x in xs) * sum((y - mean_y) ** 2 for y in ys))
    return cov / spread if spread else 0.0


def estimate_key(weights: list[float]) -> tuple[str, str, float]:
    """(tonic name, 'major' | 'minor', correlation -1..1) by Krumhansl-Schmuckler; ('C', 'major', 0) if silent."""
    if not any(weights):
        return "C", "major", 0.0
    best = ("C", "major", -2.0)
    for tonic in range(12):
        rotated = weights[tonic:] + weights[:tonic]
        for mode, profile, names in (("major", KK_MAJOR, MAJOR_NAMES), ("minor", KK_MINOR, MINOR_NAMES)):
            score = _correlation(rotated, profile)
            if score > best[2]:
                best = (names[tonic], mode, score)
    return best


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
    estimated, estimated_mode, confidence = estimate_key(pitch_class_weights(tune))
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
