"""Rhythm for composing: beat groups of a meter, idiomatic bar patterns per tune type, cadence bars.

Durations are integers in *sixteenth notes* (4 = a quarter note, 6 = a dotted quarter). A rhythm
cell is the tuple of note durations that fills one bar or one beat.
"""

from __future__ import annotations

from random import Random

from tunesmith.tools.theory import parse_meter
from tunesmith.tools.theory.tune_types import tune_type_names

Cell = tuple[int, ...]
# Note values a single ABC note can show in a score without ties (in sixteenths).
WRITABLE = frozenset({1, 2, 3, 4, 6, 8, 12, 16, 24, 32})


def bar_sixteenths(meter: str) -> int:
    """Length of one bar in sixteenth notes, e.g. 6/8 -> 12."""
    parsed = parse_meter(meter)
    return parsed.numerator * 16 // parsed.denominator


def beat_groups(meter: str) -> list[int]:
    """The bar split into beats (sixteenths each): 6/8 -> [6, 6], 7/8 -> [4, 4, 6], 2/2 -> [8, 8]."""
    parsed = parse_meter(meter)
    top, bottom = parsed.numerator, parsed.denominator
    unit = 16 // bottom
    if parsed.compound:
        return [3 * unit] * (top // 3)  # dotted beats
    if bottom <= 4:
        return [unit] * top
    # Irregular eighths/sixteenths (5/8, 7/8, 3/8, 11/16): twos with a three at the end.
    twos, rest = divmod(top, 2)
    groups = [2 * unit] * twos
    if rest:
        groups[-1:] = [3 * unit] if groups else [unit]
    return groups


# One-beat cells by beat length (sixteenths) and density, each with a weight.
BEAT_CELLS: dict[int, dict[str, list[tuple[Cell, int]]]] = {
    8: {"sparse": [((8,), 3), ((6, 2), 1)], "medium": [((4, 4), 3), ((6, 2), 1), ((8,), 1)],
        "dense": [((2, 2, 2, 2), 3), ((4, 2, 2), 1), ((2, 2, 4), 1)]},
    6: {"sparse": [((6,), 2), ((4, 2), 2)], "medium": [((2, 2, 2), 3), ((4, 2), 2), ((6,), 1)],
        "dense": [((2, 2, 2), 4), ((2, 1, 1, 2), 1), ((3, 1, 2), 1)]},
    4: {"sparse": [((4,), 4), ((3, 1), 1)], "medium": [((2, 2), 4), ((4,), 2), ((3, 1), 1)],
        "dense": [((1, 1, 2), 2), ((2, 1, 1), 2), ((1, 1, 1, 1), 2), ((2, 2), 2)]},
    3: {"sparse": [((3,), 1)], "medium": [((2, 1), 1), ((3,), 1)], "dense": [((1, 1, 1), 2), ((2, 1), 1)]},
    2: {"sparse": [((2,), 1)], "medium": [((2,), 2), ((1, 1), 1)], "dense": [((1, 1), 2), ((2,), 1)]},
    1: {"sparse": [((1,), 1)], "medium": [((1,), 1)], "dense": [((1,), 1)]},
}

# Whole-bar patterns that make a tune type recognisable, keyed by (tune type, meter).
# Sources: common session-tune rhythms (jig quaver triplets, reel running quavers, hornpipe dotted
# pairs, strathspey Scotch snaps, waltz minim + crotchet, mazurka dotted first beat).
TUNE_TYPE_CELLS: dict[tuple[str, str], list[tuple[Cell, int]]] = {
    ("jig", "6/8"): [((2, 2, 2, 2, 2, 2), 6), ((4, 2, 2, 2, 2), 2), ((2, 2, 2, 4, 2), 2), ((4, 2, 4, 2), 1)],
    ("slip jig", "9/8"): [((2, 2, 2, 2, 2, 2, 2, 2, 2), 5), ((4, 2, 2, 2, 2, 2, 2, 2), 2), ((2, 2, 2, 4, 2, 2, 2, 2), 2)],
    ("slide", "12/8"): [((4, 2, 4, 2, 4, 2, 4, 2), 3), ((4, 2, 2, 2, 2, 4, 2, 2, 2, 2), 2), ((2, 2, 2, 2, 2, 2, 4, 2, 4, 2), 2)],
    ("reel", "4/4"): [((2,) * 8, 6), ((4, 2, 2, 2, 2, 2, 2), 2), ((1, 1, 2, 2, 2, 2, 2, 2, 2), 1)],
    ("reel", "2/2"): [((2,) * 8, 6), ((4, 2, 2, 2, 2, 2, 2), 2)],
    ("hornpipe", "4/4"): [((3, 1) * 4, 5), ((3, 1, 3, 1, 4, 4), 1), ((2, 2, 3, 1, 3, 1, 3, 1), 1)],
    ("strathspey", "4/4"): [((1, 3, 3, 1, 1, 3, 4), 3), ((3, 1, 1, 3, 3, 1, 4), 3), ((3, 1, 3, 1, 1, 3, 4), 2)],
    ("polka", "2/4"): [((2, 2, 2, 2), 4), ((4, 2, 2), 2), ((2, 2, 4), 2)],
    ("march", "2/4"): [((3, 1, 2, 2), 3), ((2, 2, 2, 2), 3), ((4, 4), 1)],
    ("march", "6/8"): [((4, 2, 4, 2), 4), ((2, 2, 2, 4, 2), 2), ((6, 4, 2), 1)],
    ("waltz", "3/4"): [((8, 4), 4), ((4, 4, 4), 3), ((4, 2, 2, 4), 2), ((6, 2, 4), 1)],
    ("mazurka", "3/4"): [((3, 1, 4, 4), 4), ((2, 2, 4, 4), 2), ((4, 4, 4), 1)],
    ("minuet", "3/4"): [((4, 4, 4), 3), ((2, 2, 4, 4), 2), ((8, 4), 1)],
    ("sarabande", "3/4"): [((4, 6, 2), 3), ((4, 8), 2), ((6, 2, 4), 1)],
    ("slow air", "4/4"): [((8, 4, 4), 3), ((6, 2, 8), 2), ((4, 4, 8), 2), ((12, 4), 1)],
    ("slow air", "3/4"): [((8, 4), 3), ((6, 2, 4), 2), ((12,), 1)],
    ("slow air", "6/8"): [((6, 4, 2), 3), ((4, 2, 6), 2), ((12,), 1)],
    ("lullaby", "6/8"): [((4, 2, 4, 2), 3), ((6, 4, 2), 2), ((12,), 1)],
    ("lullaby", "3/4"): [((8, 4), 3), ((4, 4, 4), 2), ((12,), 1)],
    ("hymn", "4/4"): [((4, 4, 4, 4), 4), ((8, 4, 4), 2), ((4, 4, 8), 1)],
}
# Types without cells of their own borrow those of the type they move like.
RHYTHM_FAMILY = {"lament": "slow air", "ballad": "slow air", "chorale": "hymn", "barn dance": "hornpipe"}


def tune_type_cells(tune_type: str | None, meter: str) -> list[tuple[Cell, int]]:
    """Idiomatic bar patterns for a tune type in a meter; empty when we know none for that pair."""
    if not tune_type:
        return []
    name = tune_type_names().get(tune_type.strip().lower(), tune_type.strip().lower())
    return TUNE_TYPE_CELLS.get((RHYTHM_FAMILY.get(name, name), meter), [])


def beat_cell_bar(meter: str, density: str, rng: Random) -> Cell:
    """A bar built beat by beat from one-beat cells of the density (sparse, medium, dense)."""
    cell: list[int] = []
    for beat in beat_groups(meter):
        choices = BEAT_CELLS.get(beat, {}).get(density) or [((beat,), 1)]
        cell.extend(_weighted(choices, rng))
    return tuple(cell)


def cadence_cell(meter: str, density: str, rng: Random, motif: Cell = ()) -> Cell:
    """A phrase-ending bar: moving notes, then the goal note held over the last beat(s).

    The goal note starts on the middle of the bar when that gives a single writable note
    (4/4: beats 3-4 as a half note; 6/8: the second dotted quarter), else on the last beat.
    The moving notes repeat the start of `motif` (the section's bar rhythm) when it fits.
    """
    beats = beat_groups(meter)
    lead = max(1, len(beats) // 2) if len(beats) > 1 else 0
    held = sum(beats[lead:])
    if held not in WRITABLE:
        lead, held = len(beats) - 1, beats[-1]
    prefix, total = [], 0
    for duration in motif:
        if total >= sum(beats[:lead]):
            break
        prefix.append(duration)
        total += duration
    if prefix and total == sum(beats[:lead]):
        return (*prefix, held)
    moving: list[int] = []
    for beat in beats[:lead]:
        choices = BEAT_CELLS.get(beat, {}).get("dense" if density == "dense" else "medium") or [((beat,), 1)]
        moving.extend(_weighted(choices, rng))
    return (*moving, held)


def _weighted(choices: list[tuple[Cell, int]], rng: Random) -> Cell:
    cells, weights = zip(*choices)
    return rng.choices(cells, weights=weights)[0]


def pick_bar_cell(choices: list[tuple[Cell, int]], rng: Random) -> Cell:
    """One bar pattern drawn by weight."""
    return _weighted(choices, rng)


def strong_onsets(meter: str) -> set[int]:
    """Onsets (sixteenths from the bar start) of the downbeat and, in 4-beat bars, the mid-bar accent."""
    beats = beat_groups(meter)
    onsets = {0}
    if len(beats) >= 4 and len(beats) % 2 == 0:
        onsets.add(sum(beats[: len(beats) // 2]))
    return onsets


def beat_onsets(meter: str) -> set[int]:
    """Onsets (sixteenths from the bar start) of every beat of the bar."""
    onsets, position = set(), 0
    for beat in beat_groups(meter):
        onsets.add(position)
        position += beat
    return onsets
