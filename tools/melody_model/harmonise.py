"""Chord symbols for a melody: per bar, the chord of the mode's usual harmony that holds most of the
bar's notes (weighted by length, the first note double), so abc2midi can play an accompaniment.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=64)
def _candidates(scale, mode: str) -> tuple[tuple[str, frozenset[int]], ...]:
    """(chord symbol, pitch classes) for the mode's tonic, cadence and colour chords, tonic first."""
    from tunesmith.tools.theory.harmony import MODE_HARMONY, parse_chord

    harmony = MODE_HARMONY[mode]
    numerals = dict.fromkeys([harmony.tonic, *harmony.before_tonic, harmony.half_cadence, *harmony.colour])
    chords = []
    for numeral in numerals:
        try:
            chord = parse_chord(numeral, scale)
        except ValueError:
            continue
        chords.append((chord.symbol, frozenset(scale.midi(d, a) % 12 for d, a in chord.tones)))
    return tuple(chords)


def chord_for_notes(notes: list[tuple[int, int]], scale, mode: str) -> str | None:
    """The best chord symbol for (MIDI pitch, length) notes of one bar; None for a bar of rests."""
    if not notes:
        return None
    best, best_score = None, -1.0
    for symbol, classes in _candidates(scale, mode):
        score = sum(length * (2 if index == 0 else 1) for index, (pitch, length) in enumerate(notes)
                    if pitch % 12 in classes)
        if score > best_score:  # ties keep the earlier (tonic, then cadence) chord
            best, best_score = symbol, score
    return best


def tonic_chord(scale, mode: str) -> str:
    """The chord symbol of the mode's tonic chord."""
    return _candidates(scale, mode)[0][0]
