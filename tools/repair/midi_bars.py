"""A MIDI file seen as bars: notes placed on the bar grid in quarter-note beats, pitched instruments only.

Times here are in quarter-note beats from the start of the piece (tempo-independent); seconds appear
only when reading or writing the file. Pitches are MIDI note numbers, clamped into the 88-key range.
"""

from __future__ import annotations

import bisect
import dataclasses
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tunesmith.errors import InputError

PIANO_LOW, PIANO_HIGH = 21, 108  # A0 and C8: the 88 keys
DEFAULT_METER = (4, 4)
MAX_BARS = 10_000  # far longer than any piece; a broken time signature could otherwise make millions
# Notes starting this close (quarter-note beats) before a bar line belong to the next bar: files
# from sequencers and abc2midi place onsets a few ticks off the grid.
ONSET_SNAP = 1.0 / 48


class RepairInputError(InputError):
    """The MIDI (or the bars asked for) cannot be repaired or continued; the message says why."""


@dataclass(frozen=True)
class BarNote:
    """One note: `pitch` a MIDI number, `start`/`end` in quarter-note beats, `voice` the instrument index."""

    pitch: int
    start: float
    end: float
    velocity: int
    voice: int


@dataclass
class PianoPiece:
    """Pitched notes of a MIDI on its bar grid.

    `bar_starts[i]` is where bar i (0-based) begins, in quarter-note beats; the list has one extra
    entry at the end, so bar i spans `bar_starts[i] .. bar_starts[i + 1]`.
    """

    notes: list[BarNote]
    bar_starts: list[float]
    voice_names: list[str]
    meter: tuple[int, int] = DEFAULT_METER
    clamped_notes: int = 0
    midi: Any = field(default=None, repr=False)  # the pretty_midi.PrettyMIDI it came from

    @property
    def bar_count(self) -> int:
        return len(self.bar_starts) - 1

    def bar_of(self, beat: float) -> int:
        """0-based bar holding `beat` (quarter-note beats); beats past the end fall in the last bar."""
        index = bisect.bisect_right(self.bar_starts, beat + ONSET_SNAP) - 1
        return max(0, min(index, self.bar_count - 1))

    def bar_length(self, bar: int) -> float:
        """Length of a 0-based bar in quarter-note beats."""
        return self.bar_starts[bar + 1] - self.bar_starts[bar]

    def notes_in_bars(self, first: int, last: int) -> list[BarNote]:
        """Notes whose onset lies in 0-based bars `first..last` inclusive, sorted by onset then pitch."""
        if last < first:
            return []
        low, high = self.bar_starts[max(first, 0)], self.bar_starts[min(last, self.bar_count - 1) + 1]
        return [note for note in self.notes if low - ONSET_SNAP <= note.start < high - ONSET_SNAP]

    def empty_bars(self) -> list[int]:
        """0-based bars in which no note starts."""
        filled = {self.bar_of(note.start) for note in self.notes}
        return [bar for bar in range(self.bar_count) if bar not in filled]

    def beat_to_seconds(self, beat: float) -> float:
        """Quarter-note beats → seconds, through the file's tempo map."""
        return float(self.midi.tick_to_time(int(round(beat * self.midi.resolution))))

    def with_bars_appended(self, bars: int, length: float | None = None) -> PianoPiece:
        """The same piece with `bars` empty bars added at the end, each `length` quarter-note beats
        (default: as long as the last bar)."""
        length = length or self.bar_length(self.bar_count - 1)
        extra = [self.bar_starts[-1] + length * (i + 1) for i in range(bars)]
        return dataclasses.replace(self, bar_starts=self.bar_starts + extra)


def clamp_to_piano(pitch: int) -> int:
    """Move a MIDI pitch by octaves into 21..108 (A0..C8), keeping its pitch class."""
    while pitch < PIANO_LOW:
        pitch += 12
    while pitch > PIANO_HIGH:
        pitch -= 12
    return pitch


def load_midi(path: Path) -> Any:
    """Read a MIDI file with pretty_midi, turning every failure into a `RepairInputError`."""
    import pretty_midi

    path = Path(path)
    if not path.is_file():
        raise RepairInputError(f"MIDI file {path} does not exist; give the path of a .mid file")
    try:
        return pretty_midi.PrettyMIDI(str(path))
    except Exception as error:  # pretty_midi/mido raise many types for corrupt or non-MIDI files
        raise RepairInputError(f"{path} is not a readable MIDI file ({type(error).__name__}: {error}); give a Standard MIDI File (.mid)") from error


def _bar_grid(midi: Any, end_beat: float) -> tuple[list[float], tuple[int, int]]:
    """Bar starts in quarter-note beats from the time-signature map, covering 0..end_beat."""
    changes = sorted(midi.time_signature_changes, key=lambda ts: ts.time)
    # A broken time signature (0 beats) would make bar counting never end: such a change counts as 4/4.
    segments = [(float(midi.time_to_tick(ts.time) / midi.resolution),
                 (ts.numerator, ts.denominator) if ts.numerator > 0 < ts.denominator else DEFAULT_METER) for ts in changes]
    if not segments or segments[0][0] > 1e-6:
        segments.insert(0, (0.0, segments[0][1] if segments else DEFAULT_METER))
    starts: list[float] = []
    for index, (segment_start, (numerator, denominator)) in enumerate(segments):
        bar_length = numerator * 4.0 / denominator
        segment_end = segments[index + 1][0] if index + 1 < len(segments) else max(end_beat, segment_start + 1e-6)
        beat = segment_start
        while beat < segment_end - 1e-6:
            starts.append(beat)
            beat += bar_length
            if len(starts) > MAX_BARS:
                raise RepairInputError(f"the MIDI file has more than {MAX_BARS:,} bars; give a shorter piece")
    last_length = segments[-1][1][0] * 4.0 / segments[-1][1][1]
    starts.append(starts[-1] + last_length)
    return starts, segments[0][1]


def piece_from_midi(midi: Any, source: str = "MIDI") -> PianoPiece:
    """Place the pitched notes of a `pretty_midi.PrettyMIDI` on its bar grid (drum tracks are left out)."""
    notes: list[BarNote] = []
    names: list[str] = []
    clamped = 0
    for voice, instrument in enumerate(midi.instruments):
        names.append(instrument.name or f"program {instrument.program}")
        if instrument.is_drum:
            continue
        for note in instrument.notes:
            pitch = clamp_to_piano(note.pitch)
            clamped += pitch != note.pitch
            start = float(midi.time_to_tick(note.start) / midi.resolution)
            end = max(float(midi.time_to_tick(note.end) / midi.resolution), start + 1.0 / 32)
            notes.append(BarNote(int(pitch), start, end, int(note.velocity), voice))
    if not notes:
        drums = any(instrument.is_drum and instrument.notes for instrument in midi.instruments)
        why = "only drum notes (channel 10), which have no pitch to repair" if drums else "no notes"
        raise RepairInputError(f"{source} has {why}; give a MIDI with pitched notes (e.g. piano)")
    notes.sort(key=lambda n: (n.start, n.pitch))
    bar_starts, meter = _bar_grid(midi, max(note.end for note in notes))
    return PianoPiece(notes, bar_starts, names, meter, clamped, midi)


def load_piano_piece(path: Path) -> PianoPiece:
    """Load a MIDI file as a `PianoPiece`; raises `RepairInputError` for missing, corrupt, empty or drum-only files."""
    return piece_from_midi(load_midi(path), source=str(path))


def write_piece_midi(piece: PianoPiece, replace_bars: tuple[int, int], new_notes: list[BarNote], path: Path) -> Path:
    """Write the piece with notes starting in 0-based bars `replace_bars` (inclusive) replaced by `new_notes`.

    Pitches are written clamped to the piano range; the file is written atomically. The piece's
    PrettyMIDI object is edited in place, so load the piece again before writing another version.
    """
    import pretty_midi

    from tunesmith.memory.files import atomic_write_bytes

    midi = piece.midi
    low, high = piece.bar_starts[replace_bars[0]], piece.bar_starts[replace_bars[1] + 1]
    for instrument in midi.instruments:
        if instrument.is_drum:
            continue
        kept = []
        for note in instrument.notes:
            beat = midi.time_to_tick(note.start) / midi.resolution
            if not (low - ONSET_SNAP <= beat < high - ONSET_SNAP):
                note.pitch = clamp_to_piano(note.pitch)
                kept.append(note)
        instrument.notes = kept
    if not midi.instruments:
        midi.instruments.append(pretty_midi.Instrument(program=0, name="Piano"))
    for note in new_notes:
        midi.instruments[note.voice].notes.append(
            pretty_midi.Note(velocity=note.velocity, pitch=note.pitch,
                             start=piece.beat_to_seconds(note.start), end=piece.beat_to_seconds(note.end))
        )
    for instrument in midi.instruments:
        instrument.notes.sort(key=lambda n: (n.start, n.pitch))
    buffer = io.BytesIO()
    midi.write(buffer)
    return atomic_write_bytes(path, buffer.getvalue())
