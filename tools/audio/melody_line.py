"""One melody from the notes heard in a clip: the line that is loudest, highest and most continuous.

`melody_line`: polyphonic notes (a piano's chords, an accompaniment, an octave ghost of the tune) become one
monophonic line by dynamic programming over the notes in onset order. A chain of notes scores
  Σ salience(note) − LEAP_COST · Σ excess leap (octaves beyond a fourth) between neighbours,
where salience is the model's confidence, a little more for longer and higher notes (the tune is
usually the top voice: the "skyline" heuristic, Uitdenbogerd & Zobel 1999), less a floor so faint
ghost notes cost more than they add. Notes whose onsets are closer than a chord's spread cannot
both be in the line. Each chosen note lasts until the next one starts, or until it ends if sooner.

`match_onsets`: a note model blurs repeated notes (a flute's "G G" heard as one long G) and splits a
bowed note whose loudness wobbles; the audio's own onsets (spectral flux) settle both: a note is
split where an onset falls well inside it, and a same-pitch note with no onset at its start joins
the note before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tunesmith.tools.audio.notes import HeardNote

CHORD_SPREAD_S = 0.045  # onsets closer than this sound as one chord: only one of them is the tune's
SALIENCE_FLOOR = 0.18  # a note adds to the line only when its salience is above this
LEAP_COST = 0.9  # per octave of leap beyond a perfect fourth (5 semitones)
HEIGHT_BONUS = 0.08  # per octave above the clip's median pitch
LOOKBACK_NOTES = 40  # predecessors considered per note (bounds the work on long clips)
ONSET_TOLERANCE_S = 0.05  # an audio onset this close to a note's start is that note's onset
MIN_PART_S = 0.09  # a repeated note is split off only when both parts are at least this long
# librosa peak-picking thresholds on the normalised onset strength, measured on renders of corpus tunes
WEAK_ONSET_DELTA, STRONG_ONSET_DELTA = 0.1, 0.3


def _salience(note: HeardNote, median_pitch: float) -> float:
    length = min(1.0, note.duration_s / 0.25) ** 0.5  # notes under a quarter second count less
    return note.amplitude * (0.5 + 0.5 * length) + HEIGHT_BONUS * (note.pitch - median_pitch) / 12 - SALIENCE_FLOOR


def _leap_cost(first: int, second: int) -> float:
    return LEAP_COST * max(0, abs(second - first) - 5) / 12


def melody_line(notes: Sequence[HeardNote]) -> list[HeardNote]:
    """The melody among `notes` (any order), sorted by onset, no two sounding at once."""
    ordered = sorted(notes, key=lambda n: (n.start_s, -n.pitch))
    if not ordered:
        return []
    pitches = sorted(n.pitch for n in ordered)
    median = pitches[len(pitches) // 2]
    salience = [_salience(n, median) for n in ordered]
    best = [0.0] * len(ordered)
    previous: list[int | None] = [None] * len(ordered)
    for j, note in enumerate(ordered):
        best[j], previous[j] = salience[j], None
        for i in range(max(0, j - LOOKBACK_NOTES), j):
            if note.start_s - ordered[i].start_s < CHORD_SPREAD_S:
                continue
            score = best[i] + salience[j] - _leap_cost(ordered[i].pitch, note.pitch)
            if score > best[j]:
                best[j], previous[j] = score, i
    end: int | None = max(range(len(ordered)), key=lambda k: best[k])
    if best[end] <= 0:
        return []
    chain = []
    while end is not None:
        chain.append(ordered[end])
        end = previous[end]
    chain.reverse()
    return [
        HeardNote(n.start_s, min(n.end_s, later.start_s) if later else n.end_s, n.pitch, n.amplitude)
        for n, later in zip(chain, [*chain[1:], None])
    ]


def mean_leap(line: Sequence[HeardNote]) -> float:
    """Mean absolute interval between neighbouring notes, semitones (0 for fewer than two notes)."""
    if len(line) < 2:
        return 0.0
    return math.fsum(abs(b.pitch - a.pitch) for a, b in zip(line, line[1:])) / (len(line) - 1)


def match_onsets(line: Sequence[HeardNote], weak_onsets_s: Sequence[float], strong_onsets_s: Sequence[float]
                 ) -> list[HeardNote]:
    """The line with repeated notes split at strong onsets, and same-pitch fragments with not even a
    weak onset at their start joined to the note before (onset times in seconds)."""
    import bisect

    onsets = sorted(weak_onsets_s)

    def onset_near(time: float) -> bool:
        i = bisect.bisect_left(onsets, time - ONSET_TOLERANCE_S)
        return i < len(onsets) and onsets[i] <= time + ONSET_TOLERANCE_S

    joined: list[HeardNote] = []
    for note in line:
        previous = joined[-1] if joined else None
        if (previous is not None and previous.pitch == note.pitch and note.start_s - previous.end_s < ONSET_TOLERANCE_S
                and not onset_near(note.start_s)):
            joined[-1] = HeardNote(previous.start_s, note.end_s, note.pitch, max(previous.amplitude, note.amplitude))
        else:
            joined.append(note)
    onsets = sorted(strong_onsets_s)
    result: list[HeardNote] = []
    for note in joined:
        start = note.start_s
        first = bisect.bisect_right(onsets, start + MIN_PART_S)
        for onset in onsets[first:]:
            if onset > note.end_s - MIN_PART_S:
                break
            result.append(HeardNote(start, onset, note.pitch, note.amplitude))
            start = onset
        result.append(HeardNote(start, note.end_s, note.pitch, note.amplitude))
    return result


def audio_onsets(samples, sample_rate: int, delta: float) -> list[float]:
    """Onset times (s) of a mono signal: peaks of librosa's spectral-flux onset strength higher than
    `delta` above the local mean (of the strength normalised to 0..1): 0.1 finds weak onsets too."""
    import librosa

    return [float(t) for t in librosa.onset.onset_detect(y=samples, sr=sample_rate, units="time", delta=delta)]
