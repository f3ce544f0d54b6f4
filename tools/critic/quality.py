"""Quality: how the tune reads as a melody, scored against bands typical of real folk tunes.

Bands (low, high) are the 10th-90th percentiles over 3,863 valid tunes (16+ notes, with a tonic)
of music21's ABC corpus, measured by `benchmarks/symbolic_bench.py --calibrate`; repetition uses
the 20th percentile as its low end, because over 10% of those tunes (through-composed Essen songs)
repeat no bar at all. A value inside its band scores 1; outside, the score falls linearly to 0
over the band's `slack`. Metric sources are in `tools/critic_metrics.py`.
"""

from __future__ import annotations

from tunesmith.tools.abc import NoteEvent, ParsedTune, TuneAnalysis
from tunesmith.tools.critic.metrics import (
    band_score,
    duration_entropy,
    intervals,
    large_leaps,
    melody,
    pitch_class_entropy,
    repetition_ratio,
    scale_consistency,
    stepwise_ratio,
)
from tunesmith.tools.critic.results import Dimension
from tunesmith.tools.theory import PITCH_CLASS_NAMES, note_name, pitch_class

# name: (low, high, slack) -- see the module docstring.
BANDS = {
    "pitch_class_entropy": (2.24, 2.76, 0.8),  # bits
    "scale_consistency": (0.93, 1.0, 0.3),
    "stepwise_motion": (0.30, 0.68, 0.3),
    "large_leap_share": (0.0, 0.08, 0.15),
    "duration_entropy": (0.56, 1.88, 0.8),  # bits
    "repetition": (0.12, 0.74, 0.3),
}
DEGREE_NAMES = {0: "tonic", 1: "flat supertonic", 2: "supertonic", 3: "minor third", 4: "major third", 5: "subdominant",
                6: "tritone", 7: "dominant", 8: "minor sixth", 9: "major sixth", 10: "flat seventh", 11: "leading note"}


def _banded(name: str, value: float) -> tuple[float, str]:
    low, high, slack = BANDS[name]
    return round(band_score(value, low, high, slack), 3), f"{low:g}-{high:g}"


def _entropy(line: list[NoteEvent]) -> Dimension:
    value = pitch_class_entropy(line)
    score, target = _banded("pitch_class_entropy", value)
    low, high, _ = BANDS["pitch_class_entropy"]
    note = "ok" if score == 1 else (
        "the melody uses too few pitches; widen it to more notes of the scale" if value < low
        else "the melody wanders over too many pitch classes; keep to the scale")
    return Dimension(name="pitch_class_entropy", score=score, measured=f"{value:.2f} bits", target=f"{target} bits", note=note)


def _scale(line: list[NoteEvent], analysis: TuneAnalysis, scale: set[int]) -> Dimension:
    value = scale_consistency(line, scale)
    score, target = _banded("scale_consistency", value)
    outside = sorted({e.bar for e in line if e.midi % 12 not in scale})
    note = "ok" if score == 1 else (
        f"{round((1 - value) * 100)}% of notes are outside {analysis.key} {analysis.mode} "
        f"(bars {', '.join(map(str, outside[:6]))}); use notes of the scale")
    return Dimension(name="scale_consistency", score=score, measured=f"{value:.0%} in scale", target=target, note=note)


def _steps(line: list[NoteEvent]) -> tuple[Dimension, Dimension]:
    steps = intervals(line)
    ratio = stepwise_ratio(steps)
    score, target = _banded("stepwise_motion", ratio)
    low = BANDS["stepwise_motion"][0]
    note = "ok" if score == 1 else (
        "the melody leaps too much; connect notes by step more often" if ratio < low
        else "the melody moves almost only by step; add some leaps (thirds, fourths) for shape")
    stepwise = Dimension(name="stepwise_motion", score=score, measured=f"{ratio:.0%} steps", target=target, note=note)
    leaps = large_leaps(steps)
    share = len(leaps) / len(steps) if steps else 0.0
    leap_score, leap_target = _banded("large_leap_share", share)
    worst = sorted(leaps, key=lambda i: -abs(i.semitones))[:3]
    leap_note = "ok" if leap_score == 1 else "large leaps: " + "; ".join(
        f"bar {i.bar}: {note_name(i.low)} to {note_name(i.high)} ({abs(i.semitones)} semitones)" for i in worst
    ) + "; fill them with steps or move a note an octave"
    leap = Dimension(name="large_leaps", score=leap_score, measured=f"{len(leaps)} of {len(steps)} intervals over a fifth",
                     target=f"share {leap_target}", note=leap_note)
    return stepwise, leap


def _rhythm(events: list[NoteEvent]) -> Dimension:
    sounding = [e for e in events if e.midi is not None]
    entropy, distinct = duration_entropy(sounding)
    score, target = _banded("duration_entropy", entropy)
    low = BANDS["duration_entropy"][0]
    note = "ok" if score == 1 else (
        "the rhythm is uniform; mix long and short notes (dotted notes, a held note at phrase ends)" if entropy < low
        else "the rhythm has too many different note lengths; reuse a few rhythmic cells")
    return Dimension(name="rhythmic_variety", score=score, measured=f"{entropy:.2f} bits over {distinct} durations",
                     target=f"{target} bits", note=note)


def _repetition(events: list[NoteEvent]) -> Dimension:
    value = repetition_ratio([e for e in events if e.midi is not None])
    score, target = _banded("repetition", value)
    low = BANDS["repetition"][0]
    note = "ok" if score == 1 else (
        "no bar returns; repeat a motif or a whole phrase so the tune has a shape" if value < low
        else "too many bars are copies; vary the repeated bars")
    return Dimension(name="repetition", score=score, measured=f"{value:.0%} of bars recur", target=target, note=note)


def _cadence(line: list[NoteEvent], analysis: TuneAnalysis) -> Dimension:
    tonic = analysis.key if analysis.key != "none" else analysis.estimated_key
    tonic_pc = pitch_class(tonic)
    if not line:
        return Dimension(name="cadence", score=0.0, measured="no notes", target=tonic, note="the tune has no notes")
    last = line[-1].midi
    degree = (last - tonic_pc) % 12
    score = 1.0 if degree == 0 else 0.5 if degree in (3, 4, 7) else 0.0
    name = PITCH_CLASS_NAMES[last % 12]
    note = "ok" if degree == 0 else f"the tune ends on the {DEGREE_NAMES[degree]} ({name}); end on {tonic}"
    return Dimension(name="cadence", score=score, measured=f"ends on {name}", target=tonic, note=note)


def section_lengths(tune: ParsedTune) -> list[int]:
    """Bars per section (split at repeat signs and double bars), pickups and second endings not counted."""
    voice = tune.bars[0].voice if tune.bars else None
    sections, seen, current = [], set(), 0
    for bar in (b for b in tune.bars if b.voice == voice):
        new = [n for n in range(bar.number, bar.number + bar.count) if n > 0 and n not in seen]
        seen.update(new)
        current += len(new)
        if any(mark in bar.right for mark in (":", "||", "|]")) and current:
            sections.append(current)
            current = 0
    if current:
        sections.append(current)
    return sections


def _phrases(tune: ParsedTune) -> Dimension:
    lengths = section_lengths(tune)
    regular = [n for n in lengths if n % 4 == 0]
    score = len(regular) / len(lengths) if lengths else 0.0
    odd = [n for n in lengths if n % 4]
    note = "ok" if score == 1 else f"sections of {', '.join(map(str, odd))} bars; make each section 4, 8 or 16 bars"
    return Dimension(name="phrase_lengths", score=round(score, 3), measured="sections of " + ", ".join(map(str, lengths)) + " bars",
                     target="multiples of 4 bars", note=note)


def quality_dimensions(tune: ParsedTune, analysis: TuneAnalysis, events: list[NoteEvent]) -> list[Dimension]:
    """Pitch-class entropy, scale consistency, stepwise motion, large leaps, rhythmic variety,
    repetition, cadence on the tonic and phrase lengths."""
    line = melody(events)
    stepwise, leaps = _steps(line)
    return [
        _entropy(line), _scale(line, analysis, tune.key.scale_pitch_classes() if tune.key.tonic else _best_scale(line)),
        stepwise, leaps, _rhythm(events), _repetition(events), _cadence(line, analysis), _phrases(tune),
    ]


def _best_scale(line: list[NoteEvent]) -> set[int]:
    """The major scale (12 transpositions) holding most of the notes, for tunes with no key."""
    major = {0, 2, 4, 5, 7, 9, 11}
    scales = [{(p + t) % 12 for p in major} for t in range(12)]
    return max(scales, key=lambda scale: scale_consistency(line, scale))
