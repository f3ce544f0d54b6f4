"""A clip's melody as an ABC tune: basic-pitch notes → one melody line → the beat grid → bars of ABC.

`transcribe_audio` is the symbolic counterpart of MusicGen-melody's chroma conditioning: "like this
clip, but in minor" edits the clip's own tune. Steps: notes heard (`notes.py`, in 30 s windows with
progress), the melody among them (`melody_line.py`), tatum/meter/downbeat (`beat_grid.py`), the key
(Krumhansl-Schmuckler on the melody's duration-weighted pitch classes, `tools.theory.estimate_key`),
then each note snapped to the grid, split at bar lines with ties, spelled in the key and written with
the composer's notation helpers; the tune is validated (our parser and abc2midi) before it is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.errors import InputError
from tunesmith.tools.audio.beat_grid import BeatGrid, find_grid, onset_loudness
from tunesmith.tools.audio.notes import SAMPLE_RATE, HeardNote, detect_notes

MIN_SECONDS = 1.0  # a melody needs a few notes
MIN_MELODY_NOTES = 6
MIN_MEAN_CONFIDENCE = 0.3  # mean basic-pitch confidence of the line's notes; noise stays below it
SILENT_DBFS = -60.0
REST_AFTER_BEATS = 1.0  # a silence this many beats long (or longer) between notes is written as a rest
DEFAULT_INSTRUMENT = "piano"


class MelodyNotFound(InputError):
    """The clip holds no melody that can be written down (silence, noise, no steady pulse)."""


class Transcription(BaseModel):
    """The clip's melody as ABC, and the facts the explanation quotes."""

    abc: str
    source: str = Field(description="File name of the clip.")
    notes: int = Field(description="Notes in the written melody.")
    bars: int = Field(description="Full bars (a pickup not counted).")
    meter: str
    tempo_bpm: int = Field(description="Beats per minute: quarter notes, or dotted quarters in 6/8, 9/8, 12/8.")
    key: str = Field(description="Tonic, e.g. 'G'.")
    mode: str = Field(description="'major' or 'minor'.")
    key_correlation: float = Field(description="Krumhansl-Schmuckler correlation of the melody with its key, -1..1.")
    grid_fit: float = Field(description="How well note onsets sit on the beat grid, 0..1.")
    notes_heard: int = Field(description="Notes basic-pitch heard, all voices.")
    seconds: float = Field(description="Length of the clip, seconds.")
    melody: list[tuple[float, float, int]] = Field(description="The melody line heard: (onset s, offset s, MIDI pitch).")

    def sentence(self) -> str:
        """e.g. 'transcribed from your clip: 32 notes, 8 bars, tempo 100, G major'."""
        return (f"transcribed from your clip: {self.notes} notes, {self.bars} bars, tempo {self.tempo_bpm}, "
                f"{self.key} {self.mode}")


@dataclass
class _Event:
    """A note (pitch) or rest (None) on the grid: start and length in tatums from the first note."""

    pitch: int | None
    start: int
    length: int


def _grid_events(line: Sequence[HeardNote], grid: BeatGrid) -> list[_Event]:
    """Notes snapped to tatums; a note lasts until the next one (legato), or a rest follows when the
    note ended at least REST_AFTER_BEATS beats before the next onset."""
    first = grid.index(line[0].start_s)
    starts = [grid.index(n.start_s) - first for n in line]
    events: list[_Event] = []
    rest_tatums = REST_AFTER_BEATS * grid.tatums_per_beat
    for number, (note, start) in enumerate(zip(line, starts)):
        if events and start <= events[-1].start:
            continue  # two onsets on one tatum: the first (more salient in the line) stays
        following = next((s for s in starts[number + 1 :] if s > start), None)
        ends = max(start + 1, grid.index(note.end_s) - first)
        if following is None:  # the last note rings on; it ends at the next bar line at the latest
            bars_after = -(-(start + 1 - grid.downbeat) // grid.tatums_per_bar)  # ceiling division
            bar_line = grid.downbeat + bars_after * grid.tatums_per_bar
            events.append(_Event(note.pitch, start, min(ends, max(bar_line, start + 1)) - start))
        elif following - ends >= rest_tatums:
            events += [_Event(note.pitch, start, ends - start), _Event(None, ends, following - ends)]
        else:
            events.append(_Event(note.pitch, start, following - start))
    return events


def _spell(pitch: int, scale) -> tuple[int, int]:
    """(scale step, alteration) for a MIDI pitch: a scale tone if it is one; else the neighbouring
    degree raised or lowered, whichever is written with fewer accidentals (C natural in B minor, not
    B sharp); when both need one, a sharp, unless the key has flats or the note is a major key's b3, b6, b7."""
    offset = pitch - scale.midi(0)
    octave, within = divmod(offset, 12)
    degrees = scale.semitones
    if within in degrees:
        return octave * 7 + degrees.index(within), 0
    below = max(i for i, d in enumerate(degrees) if d < within)
    raised = (octave * 7 + below, within - degrees[below])
    lowered = (octave * 7 + below + 1, within - (degrees[below + 1] if below + 1 < 7 else 12))
    flat_first = scale.fifths < 0 or (scale.mode == "major" and within in (3, 8, 10))
    candidates = [lowered, raised] if flat_first else [raised, lowered]
    return min(candidates, key=lambda c: abs(scale.note_spelling(*c)[1]))


def _bars(events: list[_Event], grid: BeatGrid) -> list[list[tuple[int | None, int, bool]]]:
    """Bars of (pitch or None, sixteenths, tied to the next) — the pickup first when there is one.
    Notes crossing a bar line are tied; lengths no single note shows are split into tied parts."""
    from tunesmith.tools.compose.rhythm import WRITABLE

    per_bar = grid.tatums_per_bar
    pickup = grid.downbeat % per_bar  # tatums before the first downbeat (the first note is tatum 0)
    unit = grid.sixteenths_per_tatum
    end = events[-1].start + events[-1].length
    bar_starts = ([0] if pickup else []) + list(range(pickup, end, per_bar))
    bars: list[list[tuple[int | None, int, bool]]] = []
    for number, bar_start in enumerate(bar_starts):
        bar_end = bar_starts[number + 1] if number + 1 < len(bar_starts) else min(end, bar_start + per_bar)
        content: list[tuple[int | None, int, bool]] = []
        for event in events:
            lo, hi = max(event.start, bar_start), min(event.start + event.length, bar_end)
            if lo >= hi:
                continue
            remaining = (hi - lo) * unit
            while remaining:
                piece = max(v for v in WRITABLE if v <= remaining)
                remaining -= piece
                more = remaining > 0 or (event.start + event.length > hi)
                content.append((event.pitch, piece, more and event.pitch is not None))
        bars.append(content)
    if bars and not pickup:
        last_length = sum(piece for _, piece, _ in bars[-1])
        missing = per_bar * unit - last_length
        if missing > 0:  # close the last bar with a rest, as no pickup asks for a short one
            while missing:
                piece = max(v for v in WRITABLE if v <= missing)
                bars[-1].append((None, piece, False))
                missing -= piece
    return bars


def write_abc(line: Sequence[HeardNote], grid: BeatGrid, *, title: str, instrument: str = DEFAULT_INSTRUMENT
              ) -> tuple[str, int, str, str, float]:
    """(ABC text, notes written, tonic, mode, key correlation) for a melody on its grid."""
    from tunesmith.tools.compose.melody import Note
    from tunesmith.tools.compose.notation import bar_abc
    from tunesmith.tools.theory import estimate_key, gm_program
    from tunesmith.tools.theory.harmony import writable_scale

    events = _grid_events(line, grid)
    weights = [0.0] * 12
    for event in events:
        if event.pitch is not None:
            weights[event.pitch % 12] += event.length
    key = estimate_key(weights)
    tonic, mode, correlation = (key.tonic, key.mode, key.correlation) if key else ("C", "major", 0.0)
    scale, _ = writable_scale(tonic, mode)
    written = []
    for bar in _bars(events, grid):
        notes = []
        for pitch, length, tied in bar:
            if pitch is None:
                notes.append(Note(0, 0, length, rest=True))
            else:
                step, alteration = _spell(pitch, scale)
                notes.append(Note(step, alteration, length, tie=tied))
        written.append(bar_abc(notes, scale, grid.meter))
    beat = "3/8" if grid.compound else "1/4"
    tempo = int(min(260, max(30, round(grid.beat_bpm))))
    header = ["X:1", f"T:{title}", f"M:{grid.meter}", "L:1/8", f"Q:{beat}={tempo}", f"K:{scale.abc_key()}",
              f"%%MIDI program {gm_program(instrument)}"]
    per_line = 4 if grid.tatums_per_bar * grid.sixteenths_per_tatum <= 16 else 2
    lines = [" | ".join(written[i : i + per_line]) for i in range(0, len(written), per_line)]
    body = " |\n".join(lines) + " |]"
    count = sum(1 for e in events if e.pitch is not None)
    return "\n".join(header) + "\n" + body + "\n", count, scale.tonic, mode, correlation


def _check_level(samples: np.ndarray, name: str) -> None:
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    if 20 * np.log10(rms + 1e-12) < SILENT_DBFS:
        raise MelodyNotFound(f"no melody was found in {name}: it is silent (below {SILENT_DBFS:.0f} dBFS)")


def transcribe_samples(samples: np.ndarray, *, name: str = "the clip", instrument: str = DEFAULT_INSTRUMENT,
                       progress: Callable[[float], None] | None = None) -> Transcription:
    """Transcribe mono float samples at 22.05 kHz; raises MelodyNotFound with one sentence when no
    melody can be written down, InputError for a clip under a second."""
    from tunesmith.tools.abc import count_bars, validate_abc
    from tunesmith.tools.audio.melody_line import (
        STRONG_ONSET_DELTA,
        WEAK_ONSET_DELTA,
        audio_onsets,
        match_onsets,
        melody_line,
    )

    seconds = len(samples) / SAMPLE_RATE
    if seconds < MIN_SECONDS:
        raise InputError(f"{name} lasts {seconds:.2f} s; a melody needs at least {MIN_SECONDS:g} s of audio")
    _check_level(samples, name)
    heard = detect_notes(samples, progress=progress)
    line = match_onsets(melody_line(heard), audio_onsets(samples, SAMPLE_RATE, WEAK_ONSET_DELTA),
                        audio_onsets(samples, SAMPLE_RATE, STRONG_ONSET_DELTA))
    if len(line) < MIN_MELODY_NOTES or np.mean([n.amplitude for n in line]) < MIN_MEAN_CONFIDENCE:
        raise MelodyNotFound(
            f"no melody was found in {name}: basic-pitch heard {len(heard)} notes but no line of at least "
            f"{MIN_MELODY_NOTES} clear pitched notes (noise, drums or speech give none)"
        )
    grid = find_grid(line, onset_loudness(samples, SAMPLE_RATE, line))
    abc, count, tonic, mode, correlation = write_abc(line, grid, title=f"Transcribed from {name}", instrument=instrument)
    report = validate_abc(abc)
    if not report.valid:
        raise MelodyNotFound(f"the melody of {name} could not be written as valid ABC: {report.errors[0].message}")
    return Transcription(
        abc=abc, source=name, notes=count, bars=count_bars(abc), meter=grid.meter,
        tempo_bpm=int(min(260, max(30, round(grid.beat_bpm)))), key=tonic, mode=mode,
        key_correlation=round(correlation, 3), grid_fit=grid.fit, notes_heard=len(heard), seconds=round(seconds, 3),
        melody=[(n.start_s, n.end_s, n.pitch) for n in line],
    )


def transcribe_audio(path: str | Path, *, instrument: str = DEFAULT_INSTRUMENT,
                     progress: Callable[[float], None] | None = None) -> Transcription:
    """Transcribe an audio file's melody as ABC. Raises AudioInputError (unreadable, empty, over 10
    minutes), InputError (under a second), MelodyNotFound, or UnavailableError (basic-pitch missing)."""
    from tunesmith.tools.audio.load import load_audio

    path = Path(path)
    samples, _ = load_audio(path, sample_rate=SAMPLE_RATE)
    return transcribe_samples(samples, name=path.name, instrument=instrument, progress=progress)
