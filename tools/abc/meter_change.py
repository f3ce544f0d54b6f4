"""Change a tune's meter: regroup bars where the bar lines allow it, else re-rhythm each bar (tools.abc.rebar).

* Same bar length (3/4 <-> 6/8, 4/4 <-> 2/2): every note stays; the bar's beats are regrouped.
* A whole multiple: 2/4 -> 4/4 merges pairs of bars; 4/4 -> 2/4 splits each bar in two, a note held
  across the new bar line becoming two tied notes. Where bars cannot pair up (an odd count inside
  a section), each bar is re-rhythmed into one bar of the new meter instead.
* Anything else (4/4 -> 3/4, 4/4 -> 6/8, 6/8 -> 4/4): each bar becomes one bar of the new meter,
  its beats mapped onto the new beats (`rebar.rerhythm_bar`), so phrases keep their bar count.

Q: follows: when bars map one to one a bar keeps its length in time (4/4 at 220 quarters -> 6/8 at
110 dotted quarters); when bars merge or split, notes keep their speed.
"""

from __future__ import annotations

from fractions import Fraction

from tunesmith.tools.abc.fields import FieldError, Meter, parse_meter, parse_tempo
from tunesmith.tools.abc.intake import parsed_tune
from tunesmith.tools.abc.rebar import BarWriter, Beats, read_bar_events, rerhythm_bar, write_events
from tunesmith.tools.abc.results import AbcError
from tunesmith.tools.abc.spelling import header_replacement, replace_spans
from tunesmith.tools.abc.tokens import BarSpan, ParsedTune
from tunesmith.tools.theory import beats_per_bar

TEMPO_LIMITS = (20, 400)  # what set_tempo accepts


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


def _rewrite(tune: ParsedTune, old: Meter, new: Meter, *, split: bool) -> list[tuple[int, int, str]]:
    """Replace every bar's contents: re-rhythmed into one bar of `new`, or (`split`) cut into bars of `new` with ties."""
    old_beats, new_beats = Beats.of(old), Beats.of(new)
    edits = []
    for index, bar in enumerate(tune.bars):
        if bar.count > 1 or not any(n.bar_index == index for n in tune.notes):
            continue  # a multi-bar rest, or a bar with no notes, keeps its text
        inline = "".join(_inline(tune.text[f.start:f.end]) for f in tune.fields if bar.start <= f.start < bar.end)
        found = read_bar_events(tune, index, old_beats)
        if not found.events:
            continue  # only grace notes: nothing sounds in the bar's own time
        writer = BarWriter(tune.bars[index].key or tune.key, bar.unit)
        if split:
            end = found.offset + bar.duration
            lines = [k * new.bar_length for k in range(1, int(old.bar_length / new.bar_length))
                     if found.offset < k * new.bar_length < end]
            text = write_events(found.events, writer, lines, new_beats.length)
        else:
            moved, _ = rerhythm_bar(found, old_beats, new_beats, new.bar_length)
            text = write_events(moved, writer, [], new_beats.length)
        edits.append((bar.start, bar.end, inline + text))
    return edits


def _inline(field: str) -> str:
    """A field written inside a bar, as an inline field (`P:B` on its own line becomes `[P:B]`)."""
    return field if field.startswith("[") else f"[{field.strip()}]"


def _tempo(tune: ParsedTune, old: Meter, new: Meter, bars_one_to_one: bool) -> list[tuple[int, int, str]]:
    """Q: for the new meter: a bar keeps its length in time when bars map one to one, else notes keep their speed."""
    tempo = parse_tempo(tune.headers.get("Q", ""))
    if tempo is None:
        return []
    beat, bpm = tempo
    if bars_one_to_one:
        new_bpm = bpm * beats_per_bar(new.fraction) / beats_per_bar(old.fraction)
    else:
        new_bpm = bpm * float(beat) / (3 / 8 if new.compound else 1 / 4)
    new_bpm = min(max(round(new_bpm), TEMPO_LIMITS[0]), TEMPO_LIMITS[1])
    return [header_replacement(tune, "Q", f"{'3/8' if new.compound else '1/4'}={new_bpm}")]


def change_meter(abc: str, meter: str) -> str:
    """Rewrite M: to `meter`, regrouping or re-rhythming the bars (see the module text), and Q: to match.

    Raises AbcError when the tune has no meter, changes meter inside or has several voices.
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
    if new.fraction == old.fraction:  # C and 4/4: the same bars, written another way
        return tune.text if new.text == old.text else replace_spans(tune.text, [header_replacement(tune, "M", new.text)])
    ratio = new.bar_length / old.bar_length
    one_to_one = True
    if ratio == 1:
        edits = []
    elif ratio.denominator == 1:
        try:
            edits, one_to_one = _merge(tune, ratio.numerator), False
        except AbcError:  # bars that cannot pair up: each becomes one longer bar
            edits = _rewrite(tune, old, new, split=False)
    elif ratio.numerator == 1:
        one_to_one = False
        try:
            edits = _split(tune, new.bar_length)
        except AbcError:  # a note held across a new bar line: tie it
            edits = _rewrite(tune, old, new, split=True)
    else:
        edits = _rewrite(tune, old, new, split=False)
    edits += [header_replacement(tune, "M", new.text)] + _tempo(tune, old, new, one_to_one)
    if "L" not in tune.headers:  # the default unit length depends on the meter: keep the old one
        edits.append(header_replacement(tune, "L", f"{tune.unit.numerator}/{tune.unit.denominator}"))
    return replace_spans(tune.text, edits)
