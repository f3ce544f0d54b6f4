"""The metrical grid of a melody heard in a clip: tatum, beat, meter and where the bars start.

Bottom-up, as a listener finds the beat:
1. Tatum (the shortest regular step, usually the eighth note): the longest period p for which the
   note onsets line up on a grid, measured by the phase coherence |Σ w·exp(2πi·t/p)| / Σ w of the
   onset times t (weights w: note confidence). A tatum between two grid steps is refined by least
   squares of onset time on grid index, so a slightly slow or fast clip still fits.
2. Beats and bars: every hypothesis of tatums per beat (1, 2, 3, 4 or 6: simple or compound) and beats
   per bar (2, 3 or 4) at every phase is scored by how well the notes' accents fit its metrical
   levels (downbeat > beat > half beat > the rest). A note's accent is its loudness at the onset,
   its length and its presence — strong positions have louder, longer and more notes (Lerdahl &
   Jackendoff's metrical preference rules; abc2midi and players alike accent the downbeat). A prior
   on the beat's tempo (around 100 BPM for a quarter-note beat) breaks ties between levels.
Tempo drift beyond a few per cent and rubato are not followed: the grid is one straight line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tunesmith.tools.audio.notes import HeardNote

MIN_TATUM_S, MAX_TATUM_S = 0.08, 1.2
TATUM_COHERENCE = 0.8  # share of the best coherence a longer period needs to be the tatum
MAX_COLLISIONS = 0.05  # share of onsets that may share a grid step with another (ornaments, detection slips)
TATUMS_PER_BEAT = (1, 2, 3, 4, 6)
BEATS_PER_BAR = (2, 3, 4)
# Beat tempo priors (BPM, spread in octaves): simple beats are quarter notes, compound beats dotted quarters.
SIMPLE_BEAT_BPM, COMPOUND_BEAT_BPM, TEMPO_SPREAD_OCTAVES = 105.0, 80.0, 0.55
LENGTH_WEIGHT = 1.0  # beat accent = 1 (a note starts) + this * its length z-score
HARMONY_WEIGHT, BAR_LENGTH_WEIGHT = 0.5, 0.0  # bar accent = loudness z + these * (tonic-chord tone, length z)
ABSENT_BEAT_ACCENT, ABSENT_BAR_ACCENT = 0.0, -1.0  # accents of a tatum where no note starts
# (downbeat-level, beat-level) weight of each accent's contrasts
BAR_ACCENT_WEIGHTS, BEAT_ACCENT_WEIGHTS = (1.0, 1.0), (0.0, 1.0)
TEMPO_PRIOR_WEIGHT = 1.5
NOTE_VALUE_WEIGHT = 0.5
EIGHTHS_PER_TATUM = {1: 2.0, 2: 1.0, 3: 1.0, 4: 0.5, 6: 0.5}  # tatum length in eighths by tatums per beat
FOUR_BEAT_PENALTY = 0.8
SHRINK_TATUMS = 3
UNUSED_SHARE, UNUSED_SUBDIVISION_PENALTY = 0.03, 2.0
PITCH_MEAN_SHARE = 0.75  # of a note's expected loudness taken from its own pitch's mean (rest: the trend)


@dataclass(frozen=True)
class BeatGrid:
    """A straight metrical grid: tatum `tatum_s` seconds long, tatum 0 at `origin_s` seconds, a bar every
    `tatums_per_beat * beats_per_bar` tatums, the first downbeat at tatum `downbeat`."""

    tatum_s: float
    origin_s: float
    tatums_per_beat: int
    beats_per_bar: int
    downbeat: int
    fit: float  # phase coherence of the onsets on the tatum grid, 0..1 (1: every onset on the grid)

    @property
    def compound(self) -> bool:
        return self.tatums_per_beat in (3, 6)

    @property
    def tatums_per_bar(self) -> int:
        return self.tatums_per_beat * self.beats_per_bar

    @property
    def beat_bpm(self) -> float:
        """Beats per minute: quarter notes in a simple meter, dotted quarters in a compound one."""
        return 60.0 / (self.tatum_s * self.tatums_per_beat)

    @property
    def meter(self) -> str:
        """The time signature: 2/4, 3/4, 4/4, or 6/8, 9/8, 12/8 when beats divide in three."""
        return f"{3 * self.beats_per_bar}/8" if self.compound else f"{self.beats_per_bar}/4"

    @property
    def sixteenths_per_tatum(self) -> int:
        """Length of one tatum in sixteenth notes (a simple beat is 4 sixteenths, a compound one 6)."""
        return (6 if self.compound else 4) // self.tatums_per_beat

    def index(self, seconds: float) -> int:
        """The nearest tatum to a time in seconds."""
        return int(round((seconds - self.origin_s) / self.tatum_s))


def _coherence(onsets: np.ndarray, weights: np.ndarray, periods: np.ndarray) -> np.ndarray:
    phases = np.exp(2j * np.pi * onsets[None, :] / periods[:, None])
    return np.abs(phases @ weights) / weights.sum()


def _collisions(onsets: np.ndarray, period: float) -> float:
    """Share of onsets that land on a grid step another onset already took (a grid too coarse)."""
    origin = float(np.angle(np.exp(2j * np.pi * onsets / period).sum()) / (2 * np.pi) * period)
    steps = np.round((onsets - origin) / period)
    return 1.0 - len(np.unique(steps)) / len(steps)


def _tatum(onsets: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """(tatum seconds, coherence): the longest period whose grid fits nearly as well as the best one
    and puts no two notes on one step (a dotted rhythm needs the sixteenth, not the eighth)."""
    periods = np.geomspace(MIN_TATUM_S, MAX_TATUM_S, 1600)
    coherence = _coherence(onsets, weights, periods)
    peaks = [i for i in range(1, len(periods) - 1) if coherence[i] >= coherence[i - 1] and coherence[i] >= coherence[i + 1]]
    if not peaks:
        return float(periods[int(np.argmax(coherence))]), float(coherence.max())
    best = max(coherence[i] for i in peaks)
    for i in sorted(peaks, reverse=True):
        if coherence[i] >= TATUM_COHERENCE * best and _collisions(onsets, periods[i]) <= MAX_COLLISIONS:
            return float(periods[i]), float(coherence[i])
    chosen = max(peaks, key=lambda i: coherence[i])
    return float(periods[chosen]), float(coherence[chosen])


def _refine(onsets: np.ndarray, tatum: float) -> tuple[float, float]:
    """Least-squares (tatum, origin) of onset time on nearest grid index, twice to settle the indices."""
    origin = float(np.angle(np.exp(2j * np.pi * onsets / tatum).sum()) / (2 * np.pi) * tatum)
    for _ in range(2):
        indices = np.round((onsets - origin) / tatum)
        if len(set(indices)) < 2:
            break
        tatum, origin = (float(v) for v in np.polyfit(indices, onsets, 1))
    return tatum, origin


def _zscore(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def _effect(values: np.ndarray, strong: np.ndarray, weak: np.ndarray) -> float:
    """How much larger `values` are where `strong` than where `weak`, in pooled standard deviations,
    shrunk towards 0 when either side has few tatums (0 when either is empty)."""
    if strong.sum() < 1 or weak.sum() < 1:
        return 0.0
    a, b = values[strong], values[weak]
    spread = math.sqrt((a.var() * len(a) + b.var() * len(b)) / (len(a) + len(b))) + 0.25
    fewest = min(len(a), len(b))
    return float(a.mean() - b.mean()) / spread * fewest / (fewest + SHRINK_TATUMS)


def _tempo_prior(beat_bpm: float, compound: bool) -> float:
    centre = COMPOUND_BEAT_BPM if compound else SIMPLE_BEAT_BPM
    return -0.5 * (math.log2(beat_bpm / centre) / TEMPO_SPREAD_OCTAVES) ** 2


def _unused_subdivision(occupied: np.ndarray, offset: np.ndarray, per_beat: int) -> bool:
    """True when no part of the beat after its start ever begins a note: the 'beats' are really
    several notes long (a waltz's quarter notes read as a 9/8's eighths)."""
    beats = max(1, int((offset % per_beat == 0).sum()))
    return all(occupied[offset % per_beat == part].sum() / beats < UNUSED_SHARE for part in range(1, per_beat))


def _note_value_prior(modal_tatums: int, per_beat: int) -> float:
    """Folk tunes move mostly in eighth notes: 0 when the commonest note length is an eighth under this
    hypothesis, down by one per octave away from it (a quarter or a sixteenth: -1)."""
    eighths = modal_tatums * EIGHTHS_PER_TATUM[per_beat]
    return -abs(math.log2(eighths))


def metre_scores(beat_accent: np.ndarray, bar_accent: np.ndarray, tatum_s: float,
                 modal_tatums: int = 1) -> list[tuple[float, int, int, int]]:
    """(score, tatums per beat, beats per bar, downbeat tatum) for every hypothesis, best first.

    Two accents per tatum of the clip: `bar_accent` (played harder, a tone of the tonic chord) and
    `beat_accent` (a note starts here, and it is long). For each, a hypothesis earns the contrast of
    its downbeats over its other beats and of its beats over the tatums between them, each weighted
    by how well that accent tells those levels apart (measured on renders: loudness marks downbeats,
    length marks beats). A four-beat bar must also show its first beat above its third, or two-beat
    bars explain it as well. The tempo prior of the beat is added.
    """
    positions = np.arange(len(beat_accent))
    occupied = beat_accent != ABSENT_BEAT_ACCENT
    scored = []
    for per_beat in TATUMS_PER_BEAT:
        for per_bar in BEATS_PER_BAR:
            tatums = per_beat * per_bar
            prior = TEMPO_PRIOR_WEIGHT * _tempo_prior(60.0 / (tatum_s * per_beat), per_beat in (3, 6))
            prior += NOTE_VALUE_WEIGHT * _note_value_prior(modal_tatums, per_beat)
            for phase in range(tatums):
                offset = (positions - phase) % tatums
                on_beat = offset % per_beat == 0
                beat = offset // per_beat
                score = prior
                for accent, (bar_weight, beat_weight) in ((bar_accent, BAR_ACCENT_WEIGHTS), (beat_accent, BEAT_ACCENT_WEIGHTS)):
                    if per_beat > 1:
                        score += beat_weight * _effect(accent, on_beat, ~on_beat)
                    else:  # every tatum is a beat: the grouping into bars is the level above the tatum
                        score += beat_weight * _effect(accent, beat == 0, beat > 0)
                    if per_bar == 4:
                        score += bar_weight * (_effect(accent, on_beat & (beat == 0), on_beat & (beat == 2))
                                               + _effect(accent, on_beat & (beat % 2 == 0), on_beat & (beat % 2 == 1))
                                               - FOUR_BEAT_PENALTY)
                    else:
                        score += bar_weight * _effect(accent, on_beat & (beat == 0), on_beat & (beat > 0))
                if per_beat > 1 and _unused_subdivision(occupied, offset, per_beat):
                    score -= UNUSED_SUBDIVISION_PENALTY
                scored.append((score, per_beat, per_bar, phase))
    return sorted(scored, reverse=True)


def onset_loudness(samples: np.ndarray, sample_rate: int, line: Sequence[HeardNote], window_s: float = 0.08) -> np.ndarray:
    """How hard each note of a melody was played: the loudest 256-sample frame (dB) in its first
    `window_s` seconds (or up to the next note), less what the instrument gives that pitch anyway —
    mostly the mean of the notes of the same pitch, partly a quadratic trend over pitch, so a note that
    always falls on the downbeat keeps some of its accent."""
    frame = 256
    levels = []
    for note, following in zip(line, [*line[1:], None]):
        start = max(0, int(note.start_s * sample_rate))
        stop = min(note.start_s + window_s, following.start_s if following else math.inf)
        piece = samples[start : max(start + frame, int(stop * sample_rate))].astype(np.float64)
        frames = piece[: len(piece) // frame * frame].reshape(-1, frame) if len(piece) >= frame else piece[None, :]
        levels.append(10 * math.log10(float((frames**2).mean(axis=1).max()) + 1e-12) if piece.size else -120.0)
    result = np.array(levels)
    pitches = np.array([n.pitch for n in line], dtype=float)
    trend = (np.polyval(np.polyfit(pitches, result, 2), pitches) if len(set(pitches.tolist())) >= 3
             else np.full_like(result, result.mean()))
    own = trend.copy()
    for pitch in set(pitches.tolist()):
        same = pitches == pitch
        if same.sum() >= 3:
            own[same] = result[same].mean()
    return result - PITCH_MEAN_SHARE * own - (1 - PITCH_MEAN_SHARE) * trend


def _tonic_triad(line: Sequence[HeardNote]) -> set[int]:
    """Pitch classes of the tonic chord of the melody's key (Krumhansl-Schmuckler on note durations)."""
    from tunesmith.tools.theory import estimate_key

    weights = [0.0] * 12
    for note in line:
        weights[note.pitch % 12] += note.duration_s
    key = estimate_key(weights)
    if key is None:  # every pitch class equally long: no tonic to favour
        return set()
    root = key.tonic_pitch_class
    return {root, (root + (4 if key.mode == "major" else 3)) % 12, (root + 7) % 12}


def find_grid(line: Sequence[HeardNote], loudness_db: np.ndarray) -> BeatGrid:
    """The grid that best explains a monophonic melody (notes by onset) and how hard each note was played."""
    onsets = np.array([n.start_s for n in line])
    weights = np.array([max(n.amplitude, 0.05) for n in line])
    tatum, fit = _tatum(onsets, weights)
    tatum, origin = _refine(onsets, tatum)
    indices = np.round((onsets - origin) / tatum).astype(int)
    shift = indices.min()
    indices -= shift
    origin += shift * tatum
    lengths = _zscore(np.log(np.clip(np.diff(np.append(onsets, line[-1].end_s)), 0.03, None)))
    triad = _tonic_triad(line)
    in_triad = np.array([1.0 if n.pitch % 12 in triad else 0.0 for n in line])
    note_bar_accent = _zscore(np.asarray(loudness_db, dtype=float)) + HARMONY_WEIGHT * in_triad + BAR_LENGTH_WEIGHT * lengths
    beat_accent = np.full(indices.max() + 1, ABSENT_BEAT_ACCENT)
    bar_accent = np.full(indices.max() + 1, ABSENT_BAR_ACCENT)
    for index, length, accent in zip(indices, lengths, note_bar_accent):  # the first note wins a shared tatum
        if beat_accent[index] == ABSENT_BEAT_ACCENT:
            beat_accent[index] = 1.0 + LENGTH_WEIGHT * length
            bar_accent[index] = accent
    gaps = np.diff(np.unique(indices))
    modal = int(np.bincount(gaps).argmax()) if len(gaps) else 1
    _, per_beat, per_bar, phase = metre_scores(beat_accent, bar_accent, tatum, max(modal, 1))[0]
    return BeatGrid(tatum_s=tatum, origin_s=origin, tatums_per_beat=per_beat, beats_per_bar=per_bar,
                    downbeat=phase, fit=round(fit, 4))
