"""How well a chunk of notes fits the bars around it: one documented score in 0..1, and the
context-discrimination test (does a chunk fit its own piece better than another piece?).

The fit score is a weighted mean of five parts, each in 0..1:

- `pitch_class` (weight 0.25): cosine similarity of duration-weighted pitch-class histograms of the
  chunk and of the context bars — same key, same harmonic colour.
- `density` (0.2): note onsets per quarter-note beat, smaller over larger of chunk and context.
- `register_match` (0.15): half `exp(-|mean pitch difference| / 6 semitones)`, half the ratio of the
  smaller to the larger pitch spread (standard deviation + 1 semitone).
- `motion` (0.15): cosine similarity of melodic-interval histograms (top note of each onset to the
  next, per instrument; bins: repeat, step, third, fourth–fifth, sixth–octave, wider) — a line
  that stands still or leaps about where the context walks scores low.
- `boundary` (0.25): continuity at each edge that has context: the melodic interval from the last
  top/bass note before the edge to the first after it (`exp(-max(0, |interval| - 2) / 5)`: steps
  cost nothing, an octave leap scores ~0.3), times a timing term that penalises a rest at the edge
  longer than twice the context's usual gap between onsets (`exp(-excess / bar length)`).

An empty chunk scores 0 on every part, so silence always scores 0. `content` is the same weighted
mean without `boundary`: how well the material suits the piece wherever it is placed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import BaseModel, Field

from tunesmith.tools.repair.midi_bars import BarNote

WEIGHTS = {"pitch_class": 0.25, "density": 0.2, "register_match": 0.15, "motion": 0.15, "boundary": 0.25}
INTERVAL_BINS = (0, 2, 4, 7, 12)  # upper bounds in semitones; anything wider falls in a sixth bin


@dataclass
class BarContext:
    """What surrounds a gap: notes of the bars before (`left`) and after (`right`), and the gap's
    span `gap_start..gap_end` in quarter-note beats. One side may be empty (gap at an edge)."""

    left: list[BarNote]
    right: list[BarNote]
    gap_start: float
    gap_end: float
    bar_length: float  # quarter-note beats

    @property
    def notes(self) -> list[BarNote]:
        return self.left + self.right


class ContextFit(BaseModel):
    """The fit of one chunk to one context; every field in 0..1, `score` the weighted total."""

    score: float = Field(description="Weighted fit 0..1 (weights in tools.context_fit.WEIGHTS).")
    content: float = Field(description="The weighted fit without the boundary part, 0..1.")
    pitch_class: float
    density: float
    register_match: float
    motion: float
    boundary: float


def pitch_class_histogram(notes: list[BarNote]) -> list[float]:
    """12 bins (C=0), each note weighted by its duration in beats."""
    histogram = [0.0] * 12
    for note in notes:
        histogram[note.pitch % 12] += note.end - note.start
    return histogram


def cosine(a: list[float], b: list[float]) -> float:
    """Cosine similarity, 0 when either vector is all zeros."""
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b)) / norm if norm else 0.0


def onset_density(notes: list[BarNote], span_beats: float) -> float:
    """Distinct onsets per quarter-note beat."""
    return len({round(n.start, 3) for n in notes}) / span_beats if span_beats > 0 else 0.0


def register_of(notes: list[BarNote]) -> tuple[float, float]:
    """Mean pitch and pitch standard deviation, both in semitones (MIDI numbers)."""
    pitches = [n.pitch for n in notes]
    mean = sum(pitches) / len(pitches)
    return mean, math.sqrt(sum((p - mean) ** 2 for p in pitches) / len(pitches))


def interval_histogram(notes: list[BarNote]) -> list[float]:
    """Counts of melodic intervals between successive onsets' top notes, per instrument, in the
    bins of INTERVAL_BINS (plus one for wider leaps)."""
    counts = [0.0] * (len(INTERVAL_BINS) + 1)
    for voice in {n.voice for n in notes}:
        tops: dict[float, int] = {}
        for note in notes:
            if note.voice == voice:
                tops[round(note.start, 3)] = max(tops.get(round(note.start, 3), 0), note.pitch)
        line = [tops[onset] for onset in sorted(tops)]
        for a, b in zip(line, line[1:]):
            counts[next((i for i, bound in enumerate(INTERVAL_BINS) if abs(b - a) <= bound), len(INTERVAL_BINS))] += 1
    return counts


def _context_span(notes: list[BarNote]) -> float:
    """Beats covered by the context bars, from first onset to last note end (at least one beat)."""
    return max(max(n.end for n in notes) - min(n.start for n in notes), 1.0)


def _outer_voices(notes: list[BarNote], first: bool) -> tuple[int, int, float] | None:
    """(top pitch, bass pitch, onset) of the first or last onset group of `notes`."""
    if not notes:
        return None
    onset = min(n.start for n in notes) if first else max(n.start for n in notes)
    group = [n.pitch for n in notes if abs(n.start - onset) < 1e-3]
    return max(group), min(group), onset


def _interval_score(a: tuple[int, int, float], b: tuple[int, int, float]) -> float:
    def step(x: int, y: int) -> float:
        return math.exp(-max(0, abs(x - y) - 2) / 5)

    return (step(a[0], b[0]) + step(a[1], b[1])) / 2


def _typical_gap(notes: list[BarNote]) -> float:
    """Median beats between successive onsets in the context (1 beat when it cannot tell)."""
    onsets = sorted({round(n.start, 3) for n in notes})
    gaps = sorted(b - a for a, b in zip(onsets, onsets[1:]))
    return gaps[len(gaps) // 2] if gaps else 1.0


def boundary_continuity(chunk: list[BarNote], context: BarContext) -> float:
    """Mean continuity over the edges that have context notes (see module docstring); 0 for no chunk."""
    if not chunk:
        return 0.0
    allowed_rest = 2 * _typical_gap(context.notes)
    scores = []
    if context.left:
        before, after = _outer_voices(context.left, first=False), _outer_voices(chunk, first=True)
        sounding_until = max(max(n.end for n in context.left), context.gap_start)
        rest = max(0.0, after[2] - sounding_until)
        scores.append(_interval_score(before, after) * math.exp(-max(0.0, rest - allowed_rest) / context.bar_length))
    if context.right:
        before, after = _outer_voices(chunk, first=False), _outer_voices(context.right, first=True)
        rest = max(0.0, min(after[2], context.gap_end) - max(n.end for n in chunk))
        scores.append(_interval_score(before, after) * math.exp(-max(0.0, rest - allowed_rest) / context.bar_length))
    return sum(scores) / len(scores) if scores else 0.0


def context_fit(chunk: list[BarNote], context: BarContext) -> ContextFit:
    """Score how well `chunk` (notes inside the gap) fits `context`; see the module docstring."""
    if not chunk or not context.notes:
        return ContextFit(score=0.0, content=0.0, **{name: 0.0 for name in WEIGHTS})
    pitch_class = cosine(pitch_class_histogram(chunk), pitch_class_histogram(context.notes))
    chunk_density = onset_density(chunk, context.gap_end - context.gap_start)
    context_density = onset_density(context.notes, _context_span(context.notes))
    density = min(chunk_density, context_density) / max(chunk_density, context_density, 1e-9)
    (chunk_mean, chunk_spread), (context_mean, context_spread) = register_of(chunk), register_of(context.notes)
    register = 0.5 * math.exp(-abs(chunk_mean - context_mean) / 6) + 0.5 * (
        (min(chunk_spread, context_spread) + 1) / (max(chunk_spread, context_spread) + 1)
    )
    around = [a + b for a, b in zip(interval_histogram(context.left), interval_histogram(context.right))]
    motion = cosine(interval_histogram(chunk), around)
    boundary = boundary_continuity(chunk, context)
    parts = {"pitch_class": pitch_class, "density": density, "register_match": register, "motion": motion,
             "boundary": boundary}
    score = sum(WEIGHTS[name] * value for name, value in parts.items())
    content = (score - WEIGHTS["boundary"] * boundary) / (1.0 - WEIGHTS["boundary"])
    return ContextFit(score=round(score, 4), content=round(content, 4),
                      **{name: round(value, 4) for name, value in parts.items()})


class Discrimination(BaseModel):
    """Context-discrimination test of one chunk: its fit to its own context vs other pieces' contexts."""

    own_fit: float
    other_fits: list[float]
    accuracy: float = Field(description="Share of other contexts the chunk fits strictly worse than its own (0..1).")


def _moved(chunk: list[BarNote], beats: float) -> list[BarNote]:
    """The chunk shifted by `beats` so it sits in another piece's gap."""
    return [BarNote(n.pitch, n.start + beats, n.end + beats, n.velocity, n.voice) for n in chunk]


def context_discrimination(chunk: list[BarNote], own: BarContext, others: list[BarContext], *,
                           content_only: bool = False) -> Discrimination:
    """Does `chunk` fit `own` better than each context in `others` (e.g. the same bars of random other
    pieces)? A chunk that could belong anywhere scores ~0.5; silence scores 0 (ties count as failures).
    With `content_only` the boundary part is left out of the comparison (a harder test: the chunk's
    notes alone must say where it belongs)."""
    if not others:
        raise ValueError("context_discrimination needs at least one other context to compare against")

    def fit(notes: list[BarNote], context: BarContext) -> float:
        result = context_fit(notes, context)
        return result.content if content_only else result.score

    own_fit = fit(chunk, own)
    other_fits = [fit(_moved(chunk, other.gap_start - own.gap_start), other) for other in others]
    wins = sum(own_fit > fit for fit in other_fits)
    return Discrimination(own_fit=own_fit, other_fits=other_fits, accuracy=wins / len(other_fits))
