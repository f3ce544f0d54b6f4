"""What the composer borrows from retrieved exemplar tunes: bar rhythms and melodic interval habits.

Exemplars are read with `tools.abc` (the one ABC parser). Rhythm cells are taken only from
exemplars in the plan's meter, from complete bars of plain notes whose lengths are single written
note values; interval habits come from every exemplar, whatever its meter.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from tunesmith.tools.compose.melody import IntervalHabits
from tunesmith.tools.compose.rhythm import WRITABLE, Cell, bar_sixteenths

MAX_INTERVAL = 12  # semitones; larger jumps in exemplars are section joins, not habits


@dataclass
class ExemplarStyle:
    """Material drawn from exemplars, with a note per use for the tune's `choices`."""

    titles: list[str] = field(default_factory=list)
    cells: list[tuple[Cell, int]] = field(default_factory=list)  # bar rhythm (sixteenths) -> times seen
    habits: IntervalHabits | None = None
    notes: list[str] = field(default_factory=list)


def _meter(value: str | None) -> str | None:
    text = (value or "").strip().replace(" ", "")
    return {"C": "4/4", "c": "4/4", "C|": "2/2", "c|": "2/2"}.get(text, text) or None


def exemplar_style(exemplars: Sequence[str], meter: str) -> ExemplarStyle:
    """Rhythm cells (bars of `meter`) and interval habits from ABC tunes; unreadable ones are skipped."""
    from tunesmith.tools.abc import AbcError, parse_headers, tune_notes

    style = ExemplarStyle()
    bar_length = bar_sixteenths(meter)
    cells: Counter[Cell] = Counter()
    cell_sources: list[str] = []
    intervals: Counter[int] = Counter()
    for index, text in enumerate(exemplars):
        try:
            headers = parse_headers(text)
            events = tune_notes(text)
        except (AbcError, ValueError) as exc:
            style.notes.append(f"exemplar {index + 1} skipped: {exc}")
            continue
        title = headers.get("T") or f"exemplar {index + 1}"
        style.titles.append(title)
        pitches = [e.midi for e in events if e.midi is not None]
        intervals.update(b - a for a, b in zip(pitches, pitches[1:]) if abs(b - a) <= MAX_INTERVAL)
        if _meter(headers.get("M")) == meter:
            found = _bar_cells(events, bar_length)
            if found:
                cells.update(found)
                cell_sources.append(f"'{title}' ({len(found)} bars)")
    if cells:
        style.cells = sorted(cells.items(), key=lambda item: (-item[1], item[0]))
        style.notes.append(f"rhythm: {len(style.cells)} bar patterns in {meter} from {', '.join(cell_sources)}")
    if sum(intervals.values()) >= 8:
        style.habits = IntervalHabits.from_counts(intervals)
        style.notes.append(
            f"interval habits from {', '.join(repr(t) for t in style.titles)}: {sum(intervals.values())} intervals, "
            f"{style.habits.step_share():.0%} steps"
        )
    return style


def _bar_cells(events, bar_length: int) -> list[Cell]:
    """Durations (sixteenths) of each complete bar of notes; bars with rests, tuplets or odd values are left out."""
    bars: dict[int, dict[float, tuple[float, bool]]] = defaultdict(dict)
    for event in events:
        bars[event.bar].setdefault(event.onset, (event.duration, event.midi is None))
    cells = []
    for onsets in bars.values():
        durations = [onsets[o][0] * 4 for o in sorted(onsets)]
        if any(onsets[o][1] for o in onsets) or any(d != int(d) or int(d) not in WRITABLE for d in durations):
            continue
        if sum(durations) == bar_length:
            cells.append(tuple(int(d) for d in durations))
    return cells
