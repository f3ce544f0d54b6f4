"""Adherence: does the tune do what the plan asked? Key, mode, meter, tempo, length, range, instrument."""

from __future__ import annotations

from tunesmith.tools.abc import NoteEvent, TuneAnalysis
from tunesmith.tools.critic.results import Dimension
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory import MeterError, parse_meter, pitch_class
from tunesmith.tools.theory.keys import MODE_FIFTHS

TEMPO_TOLERANCE = 0.25  # a tempo 25% or more away from the target scores 0


def _pitch_class(tonic: str) -> int | None:
    try:
        return pitch_class(tonic)
    except ValueError:  # "none": a tune without a tonic
        return None


def _relative_major(tonic_pc: int, mode: str) -> int:
    """Pitch class of the major key with the same notes (A minor -> C)."""
    return (tonic_pc + MODE_FIFTHS[mode] * 7) % 12


def _key(analysis: TuneAnalysis, plan: MusicPlan) -> Dimension:
    target = _pitch_class(plan.key)
    declared = _pitch_class(analysis.key)
    estimated = _pitch_class(analysis.estimated_key)
    measured = f"K:{analysis.key} {analysis.mode}; notes suggest {analysis.estimated_key} {analysis.estimated_mode}"
    if declared != target:
        score = 0.3 if estimated == target else 0.0
        note = f"the tune is in {analysis.key}, the plan asks for {plan.key}; transpose it (K:{plan.key})"
    else:
        # The notes agree when the estimated key shares the declared scale (D dorian reads as C major or A minor).
        same_scale = estimated is not None and analysis.mode in MODE_FIFTHS and _relative_major(
            estimated, analysis.estimated_mode) == _relative_major(declared, analysis.mode)
        score = 1.0 if estimated == target or same_scale else 0.7
        note = "ok" if score == 1.0 else (
            f"K: says {plan.key} but the notes centre on {analysis.estimated_key}; "
            f"start and end phrases on {plan.key} and stress its triad")
    return Dimension(name="key", score=score, measured=measured, target=plan.key, note=note)


def _mode(analysis: TuneAnalysis, plan: MusicPlan) -> Dimension:
    score = 1.0 if analysis.mode == plan.mode else 0.0
    note = "ok" if score else f"the tune is in {analysis.mode}, the plan asks for {plan.mode}; change the mode (K:{plan.key}{'' if plan.mode == 'major' else ' ' + plan.mode})"
    return Dimension(name="mode", score=score, measured=analysis.mode, target=plan.mode, note=note)


def _meter(analysis: TuneAnalysis, plan: MusicPlan) -> Dimension:
    try:
        same = parse_meter(analysis.meter).fraction == plan.meter
    except MeterError:
        same = False
    note = "ok" if same else f"the tune is in {analysis.meter}, the plan asks for {plan.meter}; rewrite it in M:{plan.meter}"
    return Dimension(name="meter", score=1.0 if same else 0.0, measured=analysis.meter, target=plan.meter, note=note)


def _tempo(analysis: TuneAnalysis, plan: MusicPlan, quarters_per_minute: float) -> Dimension:
    beat = 1.5 if plan.compound else 1.0  # plan beats are dotted quarters in compound meters
    bpm = quarters_per_minute / beat
    error = abs(bpm - plan.tempo_bpm) / plan.tempo_bpm
    score = max(0.0, 1.0 - error / TEMPO_TOLERANCE)
    measured = f"{bpm:.0f} bpm" + ("" if analysis.tempo_bpm else " (no Q:, player default)")
    beat_text = "3/8" if plan.compound else "1/4"
    note = "ok" if score >= 0.9 and analysis.tempo_bpm else f"set the tempo to Q:{beat_text}={plan.tempo_bpm} (now {measured})"
    return Dimension(name="tempo", score=round(score, 3), measured=measured, target=f"{plan.tempo_bpm} bpm", note=note)


def _bars(analysis: TuneAnalysis, plan: MusicPlan) -> Dimension:
    score = max(0.0, 1.0 - abs(analysis.bars - plan.bars) / plan.bars)
    note = "ok" if analysis.bars == plan.bars else (
        f"the tune has {analysis.bars} bars, the plan asks for {plan.bars}; "
        + ("add" if analysis.bars < plan.bars else "remove") + f" {abs(analysis.bars - plan.bars)}")
    return Dimension(name="bars", score=round(score, 3), measured=str(analysis.bars), target=str(plan.bars), note=note)


def _range(events: list[NoteEvent], plan: MusicPlan) -> Dimension:
    pitches = [e.midi for e in events if e.midi is not None]
    outside = [(e.bar, e.midi) for e in events if e.midi is not None and not plan.low_pitch <= e.midi <= plan.high_pitch]
    score = 1.0 - len(outside) / len(pitches) if pitches else 0.0
    measured = f"MIDI {min(pitches)}-{max(pitches)}" if pitches else "no notes"
    if not outside:
        note = "ok"
    else:
        bars = sorted({bar for bar, _ in outside})
        note = (f"{len(outside)} note(s) outside MIDI {plan.low_pitch}-{plan.high_pitch} (bars "
                f"{', '.join(map(str, bars[:6]))}); move them by an octave")
    return Dimension(name="range", score=round(score, 3), measured=measured,
                     target=f"MIDI {plan.low_pitch}-{plan.high_pitch}", note=note)


def _instrument(analysis: TuneAnalysis, plan: MusicPlan) -> Dimension:
    program = analysis.instrument_program
    score = 1.0 if program == plan.program else 0.0
    measured = f"program {program}" if program is not None else "no %%MIDI program (piano by default)"
    note = "ok" if score else f"add %%MIDI program {plan.program} ({plan.instrument}) after the K: line"
    return Dimension(name="instrument", score=score, measured=measured, target=f"program {plan.program} ({plan.instrument})", note=note)


def adherence_dimensions(analysis: TuneAnalysis, events: list[NoteEvent], plan: MusicPlan, quarters_per_minute: float) -> list[Dimension]:
    """Key, mode, meter, tempo, bars, range and instrument, each scored against the plan."""
    return [
        _key(analysis, plan), _mode(analysis, plan), _meter(analysis, plan),
        _tempo(analysis, plan, quarters_per_minute), _bars(analysis, plan), _range(events, plan),
        _instrument(analysis, plan),
    ]
