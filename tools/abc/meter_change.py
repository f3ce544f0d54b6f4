"""Change a tune's meter where the notes allow it: same bar length, or regrouping whole bars.

3/4 <-> 6/8 and 4/4 <-> 2/2 keep every bar line; 2/4 -> 4/4 merges pairs of bars; 4/4 -> 2/4 splits
each bar where a note starts half-way. Anything else raises AbcError saying why.
"""

from __future__ import annotations

from fractions import Fraction

from tunesmith.tools.abc.fields import FieldError, Meter, parse_meter
from tunesmith.tools.abc.intake import parsed_tune
from tunesmith.tools.abc.results import AbcError
from tunesmith.tools.abc.spelling import header_replacement, replace_spans
from tunesmith.tools.abc.tokens import BarSpan, ParsedTune


def _merge(tune: ParsedTune, factor: int) -> list[tuple[int, int, str]]:
    """Remove the bar lines inside each group of `factor` full bars (a pickup stays on its own)."""
    bars = [bar for bar in tune.bars if bar.number > 0]
    if len(bars) % factor:
        raise AbcError(f"the tune has {len(bars)} bars, which do not group evenly into bars {factor} times as long")
    removals = []
    for position in range(0, len(bars), factor):
        group = bars[position:position + factor]
        for bar, following in zip(group, group[1:]):
            between = tune.text[bar.end:following.start]
            if bar.right.strip() != "|" or bar.duration != bar.meter.bar_length:
                raise AbcError(
                    f"bar {bar.number} ends with {bar.right.strip() or 'no bar line'!r} or is not a full bar, "
                    "so it cannot merge with the next; only plain bar lines inside full bars can go"
                )
            removals.append((bar.end, following.start, between.replace("|", "", 1)))
    return removals


def _split_points(tune: ParsedTune, bar: BarSpan, length: Fraction) -> list[Fraction]:
    """Onsets (from the bar start, whole notes) where new bar lines go; a short pickup splits from its end."""
    if bar.number == 0:
        return [bar.duration - k * length for k in range(1, int(bar.duration / length) + 1) if bar.duration - k * length > 0]
    return [k * length for k in range(1, int(bar.duration / length) + 1) if k * length < bar.duration]


def _split(tune: ParsedTune, length: Fraction) -> list[tuple[int, int, str]]:
    """Insert bar lines so each bar becomes bars of `length` (whole notes), where notes start there."""
    insertions = []
    for index, bar in enumerate(tune.bars):
        starts = {}
        for note in tune.notes:
            if note.bar_index == index and not note.grace and not note.chord_member:
                starts.setdefault(note.onset - bar.onset, note.prefix_start)
        for point in _split_points(tune, bar, length):
            if point not in starts:
                beats = float(point * 4)
                raise AbcError(
                    f"bar {bar.number}: no note starts {beats:g} quarter beats in, so it cannot be split "
                    "into shorter bars; a note would have to be tied across the new bar line"
                )
            insertions.append((starts[point], starts[point], "| "))
    return insertions


def change_meter(abc: str, meter: str) -> str:
    """Rewrite M: to `meter` and regroup bars when the bar length changes by a whole factor.

    Raises AbcError when the tune has no meter or changes meter inside, when the bar lengths are
    not whole multiples, or when a note crosses a new bar line.
    """
    try:
        new = parse_meter(str(meter))
    except FieldError as error:
        raise AbcError(str(error)) from None
    tune = parsed_tune(abc)
    old: Meter = tune.meter
    if old.bar_length is None or new.bar_length is None:
        raise AbcError(f"cannot change {old.text} to {new.text}: both meters need a bar length (not 'none')")
    if any(bar.meter != old for bar in tune.bars) or len({bar.voice for bar in tune.bars}) > 1:
        raise AbcError("the tune changes meter inside or has several voices; change_meter handles one meter, one voice")
    ratio = new.bar_length / old.bar_length
    if ratio == 1:
        edits = []
    elif ratio.denominator == 1:
        edits = _merge(tune, ratio.numerator)
    elif ratio.numerator == 1:
        edits = _split(tune, new.bar_length)
    else:
        raise AbcError(
            f"{old.text} bars are not a whole number of {new.text} bars (or the reverse); "
            f"try a meter with the same bar length or twice/half of it"
        )
    return replace_spans(tune.text, edits + [header_replacement(tune, "M", new.text)])
