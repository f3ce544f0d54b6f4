"""Apply edit operations to a tune's ABC through tools.abc, one kind of change at a time.

Each operation changes only what it names: a tempo edit rewrites Q:, a mode edit re-spells notes
onto the new scale degrees and rewrites K:, an instrument edit rewrites `%%MIDI program`. An
operation tools.abc cannot do (e.g. 3/4 -> 4/4 without re-barring) is skipped with the reason.

Parts of a tune ("the B part") are found from the written tune: a part ends at a double bar, an
end bar or a repeat sign, and parts whose first two bars have the same pitches share a letter
(so a written-out AABB reads as A, A, B, B).
"""

from __future__ import annotations

import re

from tunesmith.tools.abc import (
    AbcError,
    analyse_abc,
    change_meter,
    change_mode,
    count_bars,
    extract_section,
    parse_headers,
    parsed_tune,
    replace_section,
    set_instrument,
    set_tempo,
    transpose_abc,
    tune_notes,
    validate_abc,
)
from tunesmith.tools.edits.operations import EditOp, EditResult
from tunesmith.tools.theory import TONICS, pitch_class

ABC_DEFAULT_TEMPO = 120  # quarter notes a minute: what abc2midi plays when a tune has no Q:
_PART_END = ("||", "|]", ":|", "::", "[|")
_OUTER_BAR_LINES = re.compile(r"^(?:\|:|::|\|\||\||:)+\s*|\s*(?::\||\|\]|\|\||::|\||:)+$")


def apply_edits(abc: str, ops: list[EditOp]) -> EditResult:
    """Apply `ops` to `abc` in order; each applied op adds a sentence to `applied`, each impossible one to `skipped`."""
    result = EditResult(abc=abc)
    for op in ops:
        try:
            if op.section and op.kind != "section":
                _apply_to_part(result, op)
            else:
                _APPLY[op.kind](result, op)
        except (AbcError, ValueError) as error:
            result.skipped.append(f"{op.kind} {op.value!r} (from {op.evidence!r}) was not applied: {error}")
    return result


def _tempo(result: EditResult, op: EditOp) -> None:
    analysis = analyse_abc(result.abc)
    old = analysis.tempo_bpm or ABC_DEFAULT_TEMPO
    bpm = op.value if isinstance(op.value, int) else round(old * float(op.value))
    result.abc = set_tempo(result.abc, bpm)
    result.applied.append(f"tempo {old} -> {bpm} BPM ({op.evidence!r}); the notes are unchanged")
    result.plan_changes["tempo_bpm"] = bpm


def _mode(result: EditResult, op: EditOp) -> None:
    before = analyse_abc(result.abc)
    if before.mode == op.value:
        result.skipped.append(f"the tune is already in {op.value} ({op.evidence!r})")
        return
    result.abc = change_mode(result.abc, str(op.value))
    result.applied.append(f"{before.key} {before.mode} -> {before.key} {op.value}: same tonic, notes moved onto "
                          f"the {op.value} scale ({op.evidence!r})")
    result.plan_changes["mode"] = str(op.value)


def _key(result: EditResult, op: EditOp) -> None:
    before = analyse_abc(result.abc)
    if before.key not in TONICS:
        raise AbcError(f"the tune's key {before.key!r} has no tonic to transpose from")
    semitones = (pitch_class(str(op.value)) - pitch_class(before.key)) % 12
    semitones -= 12 if semitones > 6 else 0  # the nearer way: down a fourth rather than up a fifth
    if semitones == 0:
        result.skipped.append(f"the tune is already in {op.value} ({op.evidence!r})")
        return
    _transpose_by(result, semitones, f"{before.key} -> {op.value}")


def _transpose(result: EditResult, op: EditOp) -> None:
    _transpose_by(result, int(op.value), f"{op.evidence!r}")


def _transpose_by(result: EditResult, semitones: int, why: str) -> None:
    result.abc = transpose_abc(result.abc, semitones)
    after = analyse_abc(result.abc)
    result.applied.append(f"transposed {semitones:+d} semitones ({why}); now in {after.key} {after.mode}")
    if after.key in TONICS:
        result.plan_changes["key"] = after.key
    if after.lowest is not None and after.highest is not None:
        result.plan_changes["low_pitch"] = max(21, after.lowest)
        result.plan_changes["high_pitch"] = min(108, after.highest)


def _meter(result: EditResult, op: EditOp) -> None:
    before = analyse_abc(result.abc).meter
    result.abc = change_meter(result.abc, str(op.value))
    result.applied.append(f"meter {before} -> {op.value}, bars regrouped ({op.evidence!r})")
    result.plan_changes["meter"] = str(op.value)
    result.plan_changes["bars"] = count_bars(result.abc)


def _instrument(result: EditResult, op: EditOp) -> None:
    result.abc = set_instrument(result.abc, str(op.value))
    result.applied.append(f"instrument -> {op.value} ({op.evidence!r})")
    result.plan_changes["instrument"] = str(op.value)


def _bars(result: EditResult, op: EditOp) -> None:
    """New length: the first N bars when shorter; the tune played again (then cut to N) when longer."""
    current = count_bars(result.abc)
    if isinstance(op.value, str):
        target = current + int(op.value)
    else:
        target = op.value if isinstance(op.value, int) else round(current * float(op.value))
    if not 2 <= target <= 128:
        raise AbcError(f"{target} bars is outside 2-128")
    numbers = _bar_numbers(result.abc)
    first, last = numbers[0], numbers[-1]
    if target == current:
        result.skipped.append(f"the tune already has {current} bars ({op.evidence!r})")
        return
    if target < current:
        result.abc = _join(result.abc, [(first, numbers[target - 1])])
        result.applied.append(f"kept the first {target} of {current} bars ({op.evidence!r})")
    else:
        copies = -(-target // current)
        longer = _join(result.abc, [(first, last)] * copies)
        result.abc = longer if target % current == 0 else _join(longer, [(first, _bar_numbers(longer)[target - 1])])
        result.applied.append(f"{current} -> {target} bars by playing the tune again ({op.evidence!r})")
    result.plan_changes["bars"] = count_bars(result.abc)


def _section(result: EditResult, op: EditOp) -> None:
    verb, letter = str(op.value).split()
    parts = tune_parts(result.abc)
    chosen = [p for p in parts if (p[0] == letter) == (verb == "keep")]
    if not any(p[0] == letter for p in parts):
        raise AbcError(f"the tune has no {letter} part; its parts are {''.join(p[0] for p in parts)}")
    if not chosen:
        raise AbcError(f"dropping every {letter} part would leave no music")
    result.abc = _join(result.abc, [(first, last) for _, first, last in chosen])
    form = "".join(p[0] for p in chosen)
    result.applied.append(f"{'kept only' if verb == 'keep' else 'dropped'} the {letter} part; the form is now {form} "
                          f"({op.evidence!r})")
    result.plan_changes.update(form=form, bars=count_bars(result.abc))


def _apply_to_part(result: EditResult, op: EditOp) -> None:
    """Transpose or change the mode of one part only, marking its key inline ([K:...]) and restoring it after."""
    if op.kind not in ("transpose", "mode"):
        raise AbcError(f"a {op.kind} change applies to the whole tune, not to the {op.section} part alone")
    parts = [(first, last) for letter, first, last in tune_parts(result.abc) if letter == op.section]
    if not parts:
        letters = "".join(p[0] for p in tune_parts(result.abc))
        raise AbcError(f"the tune has no {op.section} part; its parts are {letters}")
    home = parse_headers(result.abc)["K"]
    for first, last in reversed(parts):
        section = extract_section(result.abc, first, last)
        changed = transpose_abc(section, int(op.value)) if op.kind == "transpose" else change_mode(section, str(op.value))
        # The bar lines around the part stay in the tune (replace_section keeps them): take the music only.
        body = changed[parsed_tune(changed).body_start:].splitlines()
        music = "\n".join(line for line in body if not line.lstrip().startswith("%"))  # no %%MIDI mid-tune
        music = _OUTER_BAR_LINES.sub("", music.strip())
        key = parse_headers(changed)["K"]
        if key != home:  # spell the part in its own key, then return home
            music = f"[K:{key}] {music} [K:{home}]"
        result.abc = replace_section(result.abc, first, last, music)
    what = f"transposed {int(op.value):+d} semitones" if op.kind == "transpose" else f"moved to {op.value}"
    result.applied.append(f"the {op.section} part {what} ({op.evidence!r}); the other parts are unchanged")


def _tune_type(result: EditResult, op: EditOp) -> None:
    result.plan_changes["tune_type"] = str(op.value)
    result.applied.append(f"now a {op.value} ({op.evidence!r})")


_APPLY = {"tempo": _tempo, "mode": _mode, "key": _key, "transpose": _transpose, "meter": _meter,
          "instrument": _instrument, "bars": _bars, "section": _section, "tune_type": _tune_type}


def tune_parts(abc: str) -> list[tuple[str, int, int]]:
    """The tune's parts as (letter, first bar, last bar), bar numbers 1-based as in tools.abc."""
    numbers = _bar_numbers(abc)
    tune = parsed_tune(abc)
    ends = {bar.number for bar in tune.bars if any(mark in bar.right for mark in _PART_END)}
    starts = {bar.number for bar in tune.bars if "|:" in bar.left}
    parts: list[tuple[int, int]] = []
    first = numbers[0]
    for number in numbers:
        if number in ends or number + 1 in starts or number == numbers[-1]:
            parts.append((first, number))
            first = number + 1
    pitches: dict[int, tuple[int | None, ...]] = {}
    for note in tune_notes(abc):
        pitches[note.bar] = pitches.get(note.bar, ()) + (note.midi,)
    letters: list[str] = []
    openings: dict[tuple, str] = {}
    for start, _ in parts:
        opening = (pitches.get(start), pitches.get(start + 1))
        letters.append(openings.setdefault(opening, "ABCDEFGH"[min(len(openings), 7)]))
    return [(letter, start, end) for letter, (start, end) in zip(letters, parts, strict=True)]


def _bar_numbers(abc: str) -> list[int]:
    """Bar numbers as tools.abc counts them (0 = a pickup), in order."""
    numbers = sorted({bar.number for bar in parsed_tune(abc).bars})
    if not numbers:
        raise AbcError("the tune has no bars to edit")
    return numbers


def _join(abc: str, ranges: list[tuple[int, int]]) -> str:
    """A tune with the same header and these bar ranges in order; the result must validate."""
    tune = parsed_tune(abc)
    directives = [line for line in abc[tune.body_start: tune.bars[0].start].splitlines() if line.startswith("%")]
    prefix = "\n".join([abc[: tune.body_start].rstrip(), *directives])
    bodies = []
    for first, last in ranges:
        section = extract_section(abc, first, last)
        bodies.append(section[parsed_tune(section).body_start:].strip().removesuffix("|]").rstrip("|") + "||")
    joined = prefix + "\n" + "\n".join(bodies)[:-2] + "|]\n"
    report = validate_abc(joined, check_abc2midi=False)
    if not report.valid:
        raise AbcError(f"the edited tune would not be valid: {report.problems[0].message}")
    return joined
