"""How token sequences are laid out for the model, shared by training and by sampling, so both agree.

* a tune: `<bos> controls body <eos>`; a window of a long tune: `<bos> controls <cont> bars...`;
* a tune after an exemplar: `<bos> controls' exemplar bars <eos> <bos> controls body <eos>`;
* an infilling (fill-in-the-middle): `<bos> controls <pre> bars before <suf> bars after <mid> missing bars <eos>`.

Bars are "bar units": a bar's notes with the bar line (and ending) that follows it; bar lines
before the first bar ('|:') belong to the first unit.
"""

from __future__ import annotations

from tunesmith.tools.melody_model.vocab import BAR_LINES, BOS, CONTINUED, ENDINGS, EOS, MIDDLE, PREFIX, SUFFIX


def is_bar_token(token: str) -> bool:
    return token in BAR_LINES or token in ENDINGS


def bar_units(body: list[str]) -> list[list[str]]:
    """The body cut into bar units: leading bar lines, notes, then the bar line(s) after them."""
    units: list[list[str]] = []
    current: list[str] = []
    seen_notes = False
    for token in body:
        if is_bar_token(token):
            current.append(token)
            continue
        if seen_notes and current and is_bar_token(current[-1]):
            units.append(current)
            current, seen_notes = [], False
        current.append(token)
        if not token.startswith("M:"):
            seen_notes = True
    if current:
        units.append(current)
    return units


def tune_sequence(controls: list[str], body: list[str]) -> list[str]:
    return [BOS, *controls, *body, EOS]


def window_sequence(controls: list[str], units: list[list[str]], first: int, budget: int) -> list[str]:
    """A long tune from bar unit `first`, as many whole bars as fit `budget` tokens (at least one)."""
    sequence = [BOS, *controls] + ([CONTINUED] if first else [])
    for index, unit in enumerate(units[first:]):
        if len(sequence) + len(unit) > budget - 1 and index:
            return sequence
        sequence += unit
    return sequence + [EOS]


def exemplar_prefix(controls: list[str], units: list[list[str]], budget: int) -> list[str]:
    """An exemplar's opening bars, as many as fit `budget` tokens, closed by <eos>."""
    sequence = [BOS, *controls]
    for unit in units:
        if len(sequence) + len(unit) > budget - 1:
            break
        sequence += unit
    return sequence + [EOS]


def infill_sequence(controls: list[str], before: list[list[str]], after: list[list[str]], budget: int) -> list[str]:
    """`<bos> controls <pre> before <suf> after <mid>`: the bars nearest the gap kept within `budget` tokens."""
    before, after = list(before), list(after)
    def size() -> int:
        return 4 + len(controls) + sum(map(len, before)) + sum(map(len, after))
    while size() > budget and (before or after):
        if sum(map(len, before)) >= sum(map(len, after)):
            before.pop(0)
        else:
            after.pop()
    return [BOS, *controls, PREFIX, *[t for u in before for t in u], SUFFIX, *[t for u in after for t in u], MIDDLE]
