"""Apply edit operations to a tune's ABC through tools.abc, one kind of change at a time.

Each operation changes only what it names: a tempo edit rewrites Q:, a mode edit moves the melody's
scale degrees and chord symbols to the new mode and rewrites K:, an instrument edit rewrites
`%%MIDI program` (and moves the tune by octaves only if it would not sit in the new instrument's
range). Pitch changes stay inside the instrument's range (`tools.theory.melody_range`): a key
change takes the octave that fits; an explicit interval that would leave the range is not done,
and the sentence says why. An operation that cannot be done is skipped with the reason.

Parts of a tune ("the B part") are found from the written tune: a part ends at a double bar, an
end bar or a repeat sign, and parts whose first two bars have the same pitches share a letter
(so a written-out AABB reads as A, A, B, B).
"""

from __future__ import annotations

import re

from tunesmith.tools.abc import (
    AbcError,
    analyse_abc,
    change_density,
    change_meter,
    change_mode,
    count_bars,
    end_on,
    extract_section,
    parse_headers,
    parsed_tune,
    replace_section,
    set_field,
    set_instrument,
    set_tempo,
    transpose_abc,
    tune_notes,
    validate_abc,
)
from tunesmith.tools.edits.extend import continue_in_style
from tunesmith.tools.edits.operations import EditOp, EditResult
from tunesmith.tools.planning.words import TEMPO_MAX, TEMPO_MIN
from tunesmith.tools.theory import GM_PROGRAMS, TONICS, melody_range, normalise_meter, note_name, pitch_class
from tunesmith.tools.theory.tune_types import TUNE_TYPES

ABC_DEFAULT_TEMPO = 120  # quarter notes a minute: what abc2midi plays when a tune has no Q:
PIANO_KEYS = (21, 108)
_PART_END = ("||", "|]", ":|", "::", "[|")
_OUTER_BAR_LINES = re.compile(r"^(?:\|:|::|\|\||\||:)+\s*|\s*(?::\||\|\]|\|\||::|\||:)+$")


def apply_edits(abc: str, ops: list[EditOp], *, instrument: str | None = None, seed: int = 0) -> EditResult:
    """Apply `ops` to `abc` in order; each applied op adds a sentence to `applied`, each impossible one to `skipped`.

    `instrument` (a General MIDI name) is what the tune is played on, for range checks; by default the
    name of the tune's `%%MIDI program`. `seed` chooses among new bars when the tune grows.
    """
    result = EditResult(abc=abc)
    context = _Context(instrument or _instrument_of(abc), seed)
    for op in ops:
        done = len(result.applied)
        try:
            if op.section and op.kind != "section":
                _apply_to_part(result, op)
            else:
                _APPLY[op.kind](result, op, context)
        except AlreadySo as already:
            result.already.append(str(already))
            result.outcomes.append("already")
        except (AbcError, ValueError) as error:
            result.skipped.append(f"{op.evidence!r} was not done: {error}")
            result.outcomes.append("skipped")
        else:
            result.outcomes.append("applied")
        result.applied_kinds += [op.kind] * (len(result.applied) - done)
    return result


class AlreadySo(AbcError):
    """The tune already has what an operation asks for ("in minor" of a minor tune): nothing to do, nothing wrong."""


class _Context:
    """What every operation may need: the instrument the tune is played on (it changes with an
    instrument edit) and the seed for new bars."""

    def __init__(self, instrument: str | None, seed: int) -> None:
        self.instrument, self.seed = instrument, seed

    @property
    def compass(self) -> tuple[int, int]:
        return melody_range(self.instrument) if self.instrument else PIANO_KEYS

    @property
    def player(self) -> str:
        return f"the {self.instrument}'s" if self.instrument else "the piano's"


def _instrument_of(abc: str) -> str | None:
    program = analyse_abc(abc).instrument_program
    return next((name for name, number in GM_PROGRAMS.items() if number == program), None) if program is not None else None


def _outside(abc: str, shift: int, compass: tuple[int, int]) -> int:
    """How many notes a shift of `shift` semitones puts outside `compass`."""
    low, high = compass
    return sum(1 for n in tune_notes(abc) if n.midi is not None and not low <= n.midi + shift <= high)


def _tempo(result: EditResult, op: EditOp, context: _Context) -> None:
    analysis = analyse_abc(result.abc)
    old = analysis.tempo_bpm or ABC_DEFAULT_TEMPO
    wanted = op.value if isinstance(op.value, int) else round(old * float(op.value))
    bpm = min(max(wanted, TEMPO_MIN), TEMPO_MAX)
    if bpm == old:
        limit = f"; {TEMPO_MIN}-{TEMPO_MAX} BPM is the range" if bpm != wanted else ""
        raise AlreadySo(f"the tune is already at {old} BPM{limit}")
    result.abc = set_tempo(result.abc, bpm)
    limit = f" (the {'fastest' if wanted > bpm else 'slowest'} allowed)" if bpm != wanted else ""
    result.applied.append(f"tempo {old} -> {bpm} BPM{limit} ({op.evidence!r}); the notes are unchanged")
    result.plan_changes["tempo_bpm"] = bpm


def _retitle(result: EditResult, before: str, after: str) -> None:
    """Keep a title that names the key true ("Reel in G major" -> "Reel in G minor")."""
    title = parse_headers(result.abc).get("T", "")
    if before in title:
        result.abc = set_field(result.abc, "T", title.replace(before, after))
        result.plan_changes["title"] = title.replace(before, after)


def _mode(result: EditResult, op: EditOp, context: _Context) -> None:
    before = analyse_abc(result.abc)
    if before.mode == op.value:
        raise AlreadySo(f"the tune is already in {before.key} {op.value}")
    result.abc = change_mode(result.abc, str(op.value))
    symbols = " and chord symbols" if '"' in result.abc else ""
    result.applied.append(f"{before.key} {before.mode} -> {before.key} {op.value}: same tonic, melody{symbols} moved "
                          f"onto the {op.value} scale ({op.evidence!r})")
    result.plan_changes["mode"] = str(op.value)
    _retitle(result, f"{before.key} {before.mode}", f"{before.key} {op.value}")


def _key(result: EditResult, op: EditOp, context: _Context) -> None:
    before = analyse_abc(result.abc)
    if before.key not in TONICS:
        raise AbcError(f"the tune's key {before.key!r} has no tonic to transpose from")
    up = (pitch_class(str(op.value)) - pitch_class(before.key)) % 12
    if up == 0:
        raise AlreadySo(f"the tune is already in {op.value}")
    if op.direction == "up":
        candidates = [up]
    elif op.direction == "down":
        candidates = [up - 12]
    else:  # the octave that fits the instrument, then the nearer way (down a fourth rather than up a fifth)
        candidates = sorted([up, up - 12], key=lambda s: (_outside(result.abc, s, context.compass), abs(s)))
    semitones = candidates[0]
    if _outside(result.abc, semitones, context.compass):
        other = up - 12 if semitones == up else up
        hint = f"; {'down' if other < 0 else 'up'} to {op.value} would fit" if not _outside(result.abc, other, context.compass) else ""
        raise AbcError(_range_problem(result.abc, semitones, context) + hint)
    _transpose_by(result, semitones, f"{before.key} -> {op.value}, {op.evidence!r}", context)
    _retitle(result, f"{before.key} {before.mode}", f"{analyse_abc(result.abc).key} {before.mode}")


def _range_problem(abc: str, semitones: int, context: _Context) -> str:
    low, high = context.compass
    pitches = [n.midi + semitones for n in tune_notes(abc) if n.midi is not None] or [low]
    where = (f"up to {note_name(max(pitches))}, above" if max(pitches) > high else f"down to {note_name(min(pitches))}, below")
    name = context.instrument or "piano"
    return (f"moving {semitones:+d} semitones would take the tune {where} what the {name} plays well "
            f"({note_name(low)}-{note_name(high)})")


def _transpose(result: EditResult, op: EditOp, context: _Context) -> None:
    semitones = int(op.value)
    if _outside(result.abc, semitones, context.compass) > _outside(result.abc, 0, context.compass):
        raise AbcError(_range_problem(result.abc, semitones, context))
    _transpose_by(result, semitones, f"{op.evidence!r}", context)


def _transpose_by(result: EditResult, semitones: int, why: str, context: _Context) -> None:
    result.abc = transpose_abc(result.abc, semitones)
    after = analyse_abc(result.abc)
    compass = f", notes {note_name(after.lowest)}-{note_name(after.highest)}" if after.lowest is not None else ""
    result.applied.append(f"transposed {semitones:+d} semitones ({why}); now in {after.key} {after.mode}{compass}")
    if after.key in TONICS:
        result.plan_changes["key"] = after.key
    if after.lowest is not None and after.highest is not None:
        result.plan_changes["low_pitch"] = max(21, after.lowest)
        result.plan_changes["high_pitch"] = min(108, after.highest)


def _meter(result: EditResult, op: EditOp, context: _Context) -> None:
    before = analyse_abc(result.abc)
    if before.meter != "none" and normalise_meter(before.meter) == normalise_meter(str(op.value)):
        raise AlreadySo(f"the tune is already in {op.value}")
    result.abc = change_meter(result.abc, str(op.value))
    after = analyse_abc(result.abc)
    tempo = f"; tempo {before.tempo_bpm} -> {after.tempo_bpm} BPM so a bar keeps its length" if (
        after.tempo_bpm != before.tempo_bpm) else ""
    result.applied.append(f"meter {before.meter} -> {op.value}, the melody re-rhythmed into {after.bars} bars{tempo} "
                          f"({op.evidence!r})")
    result.plan_changes.update(meter=str(op.value), bars=after.bars)
    if after.tempo_bpm is not None:
        result.plan_changes["tempo_bpm"] = after.tempo_bpm


def _tune_type(result: EditResult, op: EditOp, context: _Context) -> None:
    """A tune type's meter (melody re-rhythmed), its R: field, and a tempo inside its usual range."""
    kind = TUNE_TYPES[str(op.value)]
    before = analyse_abc(result.abc)
    if before.tune_type == kind.name and before.meter != "none" and normalise_meter(before.meter) == kind.meter:
        raise AlreadySo(f"the tune is already a {kind.name} in {kind.meter}")
    if before.meter == "none" or normalise_meter(before.meter) != kind.meter:
        _meter(result, op.model_copy(update={"kind": "meter", "value": kind.meter}), context)
    if before.tune_type:
        _retitle(result, before.tune_type.title(), kind.name.title())
    result.abc = set_field(result.abc, "R", kind.name)
    tempo = analyse_abc(result.abc).tempo_bpm or ABC_DEFAULT_TEMPO
    low, high = kind.tempo_range
    if not low <= tempo <= high:
        result.abc = set_tempo(result.abc, kind.tempo_bpm)
        result.applied.append(f"tempo {tempo} -> {kind.tempo_bpm} BPM, a {kind.name}'s usual pace ({low}-{high})")
        result.plan_changes["tempo_bpm"] = kind.tempo_bpm
    result.applied.append(f"now a {kind.name} ({op.evidence!r})")
    result.plan_changes["tune_type"] = kind.name


def _instrument(result: EditResult, op: EditOp, context: _Context) -> None:
    name = str(op.value)
    if context.instrument == name and analyse_abc(result.abc).instrument_program is not None:
        raise AlreadySo(f"the tune is already played on the {name}")
    result.abc = set_instrument(result.abc, name)
    context.instrument = name
    result.applied.append(f"instrument -> {name} ({op.evidence!r})")
    result.plan_changes["instrument"] = name
    if _outside(result.abc, 0, context.compass):
        shift = min((-48, -36, -24, -12, 12, 24, 36, 48), key=lambda s: (_outside(result.abc, s, context.compass), abs(s)))
        if _outside(result.abc, shift, context.compass) < _outside(result.abc, 0, context.compass):
            _transpose_by(result, shift, f"{'up' if shift > 0 else 'down'} {abs(shift) // 12} octave(s) into "
                                         f"{context.player} range", context)


def _target_bars(result: EditResult, op: EditOp) -> int:
    current = count_bars(result.abc)
    if op.value == "+part":
        return current + _first_part_length(result.abc)
    if isinstance(op.value, str):
        return current + int(op.value)
    return op.value if isinstance(op.value, int) else round(current * float(op.value))


def _first_part_length(abc: str) -> int:
    """Bars of the tune's first part (4 to 16): how much a tune grows by when it is made 'longer'."""
    letter, first, last = tune_parts(abc)[0]
    return min(max(last - max(first, 1) + 1, 4), 16)


def _bars(result: EditResult, op: EditOp, context: _Context) -> None:
    """New length: the first N bars when shorter; new bars continuing the tune in its style when longer."""
    current = count_bars(result.abc)
    target = _target_bars(result, op)
    if not 2 <= target <= 128:
        raise AbcError(f"{target} bars is outside the 2-128 a tune here may have")
    if target == current:
        raise AlreadySo(f"the tune already has {current} bars")
    numbers = _bar_numbers(result.abc)
    if target < current:
        result.abc = _join(result.abc, [(numbers[0], numbers[target - 1])])
        result.applied.append(f"kept the first {target} of {current} bars ({op.evidence!r})")
    else:
        added = target - current
        try:
            result.abc = continue_in_style(result.abc, added, seed=context.seed)
            how = "new bars continuing the tune in its style"
        except AbcError as error:  # a tune continuation cannot read: play it again instead, and say so
            copies = -(-target // current)
            longer = _join(result.abc, [(numbers[0], numbers[-1])] * copies)
            result.abc = longer if target % current == 0 else _join(longer, [(numbers[0], _bar_numbers(longer)[target - 1])])
            how = f"the tune played again (no new bars could be written: {error})"
        result.applied.append(f"{current} -> {count_bars(result.abc)} bars: {added} {how} ({op.evidence!r})")
    result.plan_changes["bars"] = count_bars(result.abc)


def _add_part(result: EditResult, op: EditOp, context: _Context) -> None:
    """A new part as long as the first, continuing the tune in its style, after a double bar."""
    parts = tune_parts(result.abc)
    letters = "".join(dict.fromkeys(p[0] for p in parts))
    wanted = str(op.value).split()[1] if " " in str(op.value) else "ABCDEFGH"[min(len(letters), 7)]
    if wanted in letters:
        raise AbcError(f"the tune already has a {wanted} part (its parts: {letters}); ask for "
                       f"'a {'ABCDEFGH'[min(len(letters), 7)]} part'")
    length = _first_part_length(result.abc)
    text = result.abc.rstrip()
    text = text[:-2] + "||" if text.endswith("|]") else text
    grown = continue_in_style(text + "\n", length, seed=context.seed).rstrip().split("\n")
    repeated = ":|" in result.abc or any(a[0] == b[0] for a, b in zip(parts, parts[1:]))
    if repeated:  # the other parts are played twice: so is the new one
        grown[-1] = "|: " + grown[-1].removesuffix("|]").rstrip(" |") + " :|"
    result.abc = "\n".join(grown) + "\n"
    form = "".join(p[0] for p in parts) + wanted * (2 if repeated else 1)
    article = "an" if length in (8, 11, 18) else "a"
    result.applied.append(f"added {article} {length}-bar {wanted} part continuing the tune in its style"
                          f"{', played twice' if repeated else ''}; the form is now {form} ({op.evidence!r})")
    result.plan_changes.update(form=form, bars=count_bars(result.abc))


def _density(result: EditResult, op: EditOp, context: _Context) -> None:
    before = len([n for n in tune_notes(result.abc) if n.midi is not None])
    result.abc = change_density(result.abc, str(op.value))
    after = len([n for n in tune_notes(result.abc) if n.midi is not None])
    what = "livelier: long notes split, with passing notes" if op.value == "more" else "calmer: pairs of notes joined"
    result.applied.append(f"rhythm {what} ({before} -> {after} notes, same bars and harmony; {op.evidence!r})")
    result.plan_changes["density"] = "dense" if op.value == "more" else "sparse"


def _ending(result: EditResult, op: EditOp, context: _Context) -> None:
    sounding = [n.midi for n in tune_notes(result.abc) if n.midi is not None]
    if not sounding:
        raise AbcError("the tune has no notes to end on")
    before = sounding[-1]
    try:
        result.abc = end_on(result.abc, str(op.value), context.compass)
    except AbcError as error:
        if "already ends" in str(error):
            raise AlreadySo(str(error)) from None
        raise
    after = [n.midi for n in tune_notes(result.abc) if n.midi is not None][-1]
    result.applied.append(f"the last note moved from {note_name(before)} to {note_name(after)}, the home note "
                          f"{'higher' if op.value == 'high' else 'lower'} ({op.evidence!r})")


def _section(result: EditResult, op: EditOp, context: _Context) -> None:
    if str(op.value).startswith("add"):
        _add_part(result, op, context)
        return
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


_APPLY = {"tempo": _tempo, "mode": _mode, "key": _key, "transpose": _transpose, "meter": _meter,
          "tune_type": _tune_type, "instrument": _instrument, "bars": _bars, "section": _section, "density": _density,
          "ending": _ending}


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
        body = section[parsed_tune(section).body_start:].splitlines()
        music = "\n".join(line for line in body if not line.lstrip().startswith("%"))  # directives are in the prefix
        bodies.append(music.strip().removesuffix("|]").rstrip("|") + "||")
    joined = prefix + "\n" + "\n".join(bodies)[:-2] + "|]\n"
    report = validate_abc(joined, check_abc2midi=False)
    if not report.valid:
        raise AbcError(f"the edited tune would not be valid: {report.problems[0].message}")
    return joined
