"""The melody model's revisions of a draft: find its least likely bars (per-bar log-likelihood under
the model; written-out repeats change with their source) and rewrite them by infilling.

tools.compose.refine runs the rounds (best-of-N drafts, then these revisions) and keeps the best.
"""

from __future__ import annotations

import math

from tunesmith.tools.compose.model_composer import TEMPERATURE, TOP_P, Draft, Frame, closing_line, ends_tune
from tunesmith.tools.melody_model.sampling import FreeBar, cadence_classes

WINDOW_BARS = 2


def bar_windows(frame: Frame, draft: Draft, network) -> list[tuple[float, int, int]]:
    """(mean log-likelihood, section, first bar) of every two-bar window of a written section, least likely first."""
    from tunesmith.tools.melody_model.likelihood import token_log_probs

    log_probs, owner = token_log_probs(network, frame.controls, draft.native())
    sums: dict[int, list[float]] = {}
    for value, unit in zip(log_probs, owner):
        sums.setdefault(unit, []).append(value)
    means = [sum(v) / len(v) if v else math.nan for _, v in sorted(sums.items())]
    windows = []
    unit = 0
    for index, section in enumerate(draft.sections):
        count = len(draft.section_bars(index))
        if section.copy_of is None:
            for first in range(0, max(count - WINDOW_BARS + 1, 1)):
                values = [m for m in means[unit + first:unit + first + WINDOW_BARS] if not math.isnan(m)]
                if values:
                    windows.append((sum(values) / len(values), index, first))
        unit += count
    return sorted(windows)


def infill_window(frame: Frame, draft: Draft, section: int, first: int, *, network, count: int, seed: int,
                  temperature: float = TEMPERATURE, top_p: float = TOP_P) -> list[Draft]:
    """Drafts with bars `first`, `first`+1 of a written section rewritten by infilling."""
    from tunesmith.tools.melody_model.infill import infill_bars

    units: list[list[str]] = []
    position: dict[tuple[int, int], int] = {}
    for index in range(len(draft.sections)):
        bars = draft.section_bars(index)
        for number, bar in enumerate(bars):
            position[(index, number)] = len(units)
            units.append(list(bar) + ["|" if number < len(bars) - 1 else closing_line(draft.sections, index)])
    if draft.sections[0].times > 1:
        units[0] = ["|:"] + units[0]
    bars = draft.section_bars(section)
    last = min(first + WINDOW_BARS, len(bars))
    start, end = position[(section, first)], position[(section, last - 1)] + 1
    before, after = units[:start], units[end:]
    if start == 0 and units[0][0] == "|:":
        before = [["|:"]]
    final_section = ends_tune(draft.sections, section)
    slots = []
    for number in range(first, last):
        closing = units[position[(section, number)]][-1]
        cadence = cadence_classes(frame.plan.mode, final_section) if number == len(bars) - 1 else None
        downbeat = frame.downbeats[number % len(frame.downbeats)] if frame.downbeats else None
        slots.append((FreeBar(frame.units, cadence, section, number == 0, downbeat), closing))
    fills = infill_bars(network, frame.controls, before, after, slots, frame.rules, count=count, seed=seed,
                        temperature=temperature, top_p=top_p)
    return [draft.replaced(section, first, fill) for fill in fills if len(fill) == last - first]


def written_bar(frame: Frame, section: int, bar: int) -> int:
    """The 1-based bar number (as played and written out) of a section's bar's first statement."""
    return sum(s.bars * s.times for s in frame.sections[:section]) + bar + 1
