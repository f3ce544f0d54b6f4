"""What the bars around a gap say: the parts (instruments, piano hands), the key, the chords heard
and the chords touching the gap, and the harmonic rhythm (chords per bar).

Times are quarter-note beats; pitches MIDI numbers; bars 0-based.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.tools.repair.context_fit import BarContext
from tunesmith.tools.repair.gap_harmony import Chord, Key, chord_of, estimate_key
from tunesmith.tools.repair.midi_bars import PIANO_HIGH, PIANO_LOW, BarNote, PianoPiece

CONTEXT_BARS = 4  # bars each side that inform (and judge) the fill
HAND_SPLIT = 60  # middle C: right hand at or above, left hand below


@dataclass(frozen=True)
class Part:
    """One line to fill: notes of instrument `voice` with pitch in `low..high` (MIDI numbers)."""

    voice: int
    low: int = PIANO_LOW
    high: int = PIANO_HIGH
    hand: str = ""  # "right"/"left" for a split piano track, "" otherwise

    def holds(self, note: BarNote) -> bool:
        return note.voice == self.voice and self.low <= note.pitch <= self.high


@dataclass
class GapAnalysis:
    """What the context says: key, chords before/after the gap, chords heard in all context bars, parts."""

    key: Key
    chord_before: Chord | None
    chord_after: Chord | None
    heard: list[Chord]
    parts: list[Part]


def gap_context(piece: PianoPiece, gap: tuple[int, int]) -> BarContext:
    """Notes of up to CONTEXT_BARS bars each side of 0-based inclusive bars `gap`."""
    first, last = gap
    return BarContext(
        left=piece.notes_in_bars(max(0, first - CONTEXT_BARS), first - 1),
        right=piece.notes_in_bars(last + 1, min(piece.bar_count - 1, last + CONTEXT_BARS)),
        gap_start=piece.bar_starts[first],
        gap_end=piece.bar_starts[last + 1],
        bar_length=piece.bar_length(first),
    )


def find_parts(notes: list[BarNote]) -> list[Part]:
    """One part per instrument; a piano-like track that plays on both sides of middle C in a wide
    range (over an octave and a half, at least 20% of notes each side) becomes two hands."""
    parts = []
    for voice in sorted({n.voice for n in notes}):
        pitches = [n.pitch for n in notes if n.voice == voice]
        upper = sum(p >= HAND_SPLIT for p in pitches) / len(pitches)
        if max(pitches) - min(pitches) >= 19 and 0.2 <= upper <= 0.8:
            parts += [Part(voice, HAND_SPLIT, PIANO_HIGH, "right"), Part(voice, PIANO_LOW, HAND_SPLIT - 1, "left")]
        else:
            parts.append(Part(voice))
    return parts


def chords_per_bar(piece: PianoPiece, bar: int) -> int:
    """Harmonic rhythm: two chords a bar in 4/4, 2/2 and 6/8 style bars, one otherwise (3/4, 2/4)."""
    return harmonic_rhythm(piece.bar_length(bar), piece.meter[1])


def harmonic_rhythm(bar_quarters: float, denominator: int) -> int:
    """Chords in a bar of `bar_quarters` quarter beats whose meter has this denominator: two in 4/4,
    2/2 and 6/8 style bars, one otherwise (3/4, 2/4)."""
    return 2 if (bar_quarters >= 4 and bar_quarters % 2 == 0) or (denominator == 8 and bar_quarters == 3) else 1


def _harmonic_spans(piece: PianoPiece, bar: int) -> list[tuple[float, float]]:
    """(start, end) in quarter beats of each chord's share of a bar."""
    units, start, length = chords_per_bar(piece, bar), piece.bar_starts[bar], piece.bar_length(bar)
    return [(start + length * i / units, start + length * (i + 1) / units) for i in range(units)]


def _chords_in(piece: PianoPiece, bars: range, key: Key) -> list[Chord]:
    """The chord of every harmonic span that has notes, in time order."""
    chords = []
    for bar in bars:
        for low, high in _harmonic_spans(piece, bar):
            notes = [n for n in piece.notes if low - 1e-6 <= n.start < high - 1e-6]
            if notes:
                chords.append(chord_of(notes, key))
    return chords


def analyse_gap(piece: PianoPiece, gap: tuple[int, int]) -> GapAnalysis:
    """Key from all context bars (Krumhansl–Schmuckler), chords of the spans touching the gap and
    of all context bars."""
    context = gap_context(piece, gap)
    key = estimate_key(context.notes)
    before = _chords_in(piece, range(gap[0] - 1, gap[0]), key) if gap[0] > 0 else []
    after = _chords_in(piece, range(gap[1] + 1, min(gap[1] + 2, piece.bar_count)), key)
    heard = _chords_in(piece, range(max(0, gap[0] - CONTEXT_BARS), gap[0]), key) + _chords_in(
        piece, range(gap[1] + 1, min(piece.bar_count, gap[1] + 1 + CONTEXT_BARS)), key)
    return GapAnalysis(
        key=key,
        chord_before=before[-1] if before else None,
        chord_after=after[0] if after else None,
        heard=heard,
        parts=find_parts(context.notes),
    )
