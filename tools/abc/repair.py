"""Repair the usual mistakes of model-written ABC. A tune that already validates is returned unchanged.

Rounds, each re-parsing the result of the last: (1) text around the tune (prose, ``` fences) and
blank lines inside it, (2) headers (X, T, M, L, K missing or unreadable) and unknown symbols,
(3) bar durations, by trimming or padding the last note or rest of each wrong bar.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from fractions import Fraction

from tunesmith.tools.abc.analysis import estimated_key
from tunesmith.tools.abc.fields import (
    FieldError,
    Key,
    Meter,
    default_unit_length,
    parse_key,
    parse_meter,
    parse_tempo,
    parse_unit_length,
)
from tunesmith.tools.abc.parse import parse_tune
from tunesmith.tools.abc.results import RepairResult, ValidationReport
from tunesmith.tools.abc.spelling import Spelling, header_replacement, replace_spans, respell_notes
from tunesmith.tools.abc.tokens import NoteToken, ParsedTune, is_prose
from tunesmith.tools.theory import abc_key, midi_number, mode_from_word

# Meter for a bar length (whole notes) when a tune has no M: line.
METER_FOR_LENGTH = {Fraction(1, 2): "2/4", Fraction(3, 4): "3/4", Fraction(1): "4/4", Fraction(3, 8): "3/8",
                    Fraction(9, 8): "9/8", Fraction(3, 2): "12/8", Fraction(5, 4): "5/4"}


def format_length(multiple: Fraction) -> str:
    """An ABC length suffix for a multiple of the unit: 1 -> '', 2 -> '2', 1/2 -> '/', 3/2 -> '3/2'."""
    if multiple == 1:
        return ""
    if multiple.denominator == 1:
        return str(multiple.numerator)
    if multiple.numerator == 1 and multiple.denominator == 2:
        return "/"
    return f"{multiple.numerator if multiple.numerator != 1 else ''}/{multiple.denominator}"


def _strip_surroundings(text: str, changes: list[str]) -> str:
    """Drop prose and code-fence lines and blank lines between music lines."""
    lines = text.split("\n")
    kept, dropped = [], 0
    for line in lines:
        stripped = line.strip()
        if stripped and is_prose(stripped) and not re.match(r"^([A-Za-z]:|%)", stripped):
            dropped += 1
            continue
        kept.append(line)
    if dropped:
        changes.append(f"removed {dropped} line(s) of prose or code fence around the tune")
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    blanks = sum(1 for line in kept if not line.strip())
    if blanks:
        kept = [line for line in kept if line.strip()]
        changes.append(f"removed {blanks} blank line(s) inside the tune (a blank line ends a tune)")
    return "\n".join(kept)


def _normalised_key(value: str) -> str | None:
    """'d min' -> 'Dm', 'F sharp major' -> None; a K: value abc2midi reads, if one can be made."""
    text = value.strip().replace("♯", "#").replace("♭", "b").replace("-", " ")
    match = re.match(r"([A-Ga-g])\s*(#|b|sharp|flat)?\s*([A-Za-z]*)", text, re.IGNORECASE)
    if not match:
        return None
    accidental = {"sharp": "#", "flat": "b"}.get((match.group(2) or "").lower(), match.group(2) or "")
    word = match.group(3).lower()
    mode = "major" if not word else mode_from_word(word) or mode_from_word(word[:3])
    if mode is None:
        return None
    candidate = abc_key(match.group(1).upper() + accidental, mode)
    try:
        parse_key(candidate)
    except FieldError:
        return None
    return candidate


def _header_fixes(tune: ParsedTune, changes: list[str]) -> list[tuple[int, int, str]]:
    """Add or fix X, T, M, L and K header fields."""
    headers, fixes = tune.headers, []
    meter = tune.meter
    if "M" not in headers or not _readable(parse_meter, headers["M"]):
        lengths = Counter(bar.duration for bar in tune.bars if bar.duration)
        common = lengths.most_common(1)[0][0] if lengths else Fraction(1)
        meter = parse_meter(METER_FOR_LENGTH.get(common, "4/4"))
        fixes.append(header_replacement(tune, "M", meter.text))
        changes.append(f"set M:{meter.text} (the most common bar length)" if "M" not in headers
                       else f"replaced M:{headers['M']} with M:{meter.text}")
    if "L" not in headers or not _readable(parse_unit_length, headers["L"]):
        unit = _best_unit(tune, meter)
        text = f"{unit.numerator}/{unit.denominator}"
        fixes.append(header_replacement(tune, "L", text))
        changes.append(f"set L:{text} (the unit length that makes most bars fit {meter.text})")
    if not tune.has_key_field or not _readable(parse_key, headers.get("K", "")):
        old = headers.get("K")
        key = _normalised_key(old) if old else None
        if key is None:
            tonic, mode, _ = estimated_key(tune)
            key = abc_key(tonic, mode)
        if tune.has_key_field:
            fixes.append(header_replacement(tune, "K", key))
            changes.append(f"replaced K:{old} with K:{key}")
        else:
            fixes.extend(_key_line_insertion(tune, key))
            changes.append(f"added K:{key} (estimated from the notes; pitches kept as written)")
    if "T" not in headers:
        fixes.append(header_replacement(tune, "T", "Untitled"))
        changes.append("added T:Untitled")
    if "X" not in headers:
        fixes.append((0, 0, "X:1\n"))
        changes.append("added X:1")
    for start, end, new, _ in tune.fixes:
        fixes.append((start, end, new))
    changes.extend(f"{description} ({count}x)" if count > 1 else description
                   for description, count in Counter(fix[3] for fix in tune.fixes).items())
    if "Q" in headers and parse_tempo(headers["Q"]) is None:
        fixes.append(header_replacement(tune, "Q", "1/4=120"))
        changes.append(f"replaced the unreadable Q:{headers['Q']} with Q:1/4=120 (what players assumed)")
    return fixes


def _best_unit(tune: ParsedTune, meter: Meter) -> Fraction:
    """The unit length (1/4, 1/8 or 1/16) under which most bars fill the meter; the ABC default on a tie."""
    default = default_unit_length(meter)
    if meter.bar_length is None:
        return default

    def fitting(unit: Fraction) -> int:
        return sum(bar.duration * unit / tune.unit == meter.bar_length for bar in tune.bars)

    candidates = [default] + [u for u in (Fraction(1, 8), Fraction(1, 16), Fraction(1, 4)) if u != default]
    return max(candidates, key=fitting)


def _key_line_insertion(tune: ParsedTune, key: str) -> list[tuple[int, int, str]]:
    """Insert K: just before the music and re-spell the notes so every pitch stays as it sounded."""
    new_key = parse_key(key)

    def same_pitch(note: NoteToken, _: Key) -> Spelling:
        return note.letter, note.octave, note.midi - midi_number(note.letter, 0, note.octave)

    return [(tune.body_start, tune.body_start, f"K:{key}\n")] + respell_notes(tune, lambda _: new_key, same_pitch)


def _readable(reader: Callable[[str], object], value: str) -> bool:
    try:
        reader(value)
    except FieldError:
        return False
    return True


def _bar_fixes(tune: ParsedTune, report: ValidationReport, changes: list[str]) -> list[tuple[int, int, str]]:
    """Trim or pad the last note of each bar whose duration the validator flagged."""
    wrong = {(p.line, p.bar) for p in report.problems if p.kind == "bar_duration" and p.severity == "error"}
    fixes = []
    for index, bar in enumerate(tune.bars):
        if (bar.line, bar.number) not in wrong or bar.meter.bar_length is None:
            continue
        elements = sorted(
            (n for n in tune.notes if n.bar_index == index and not n.grace and not n.chord_member), key=lambda n: n.onset
        )
        if elements:
            fix = _fit_bar(elements, bar.onset, bar.meter.bar_length, bar.end, tune.text)
        else:  # only grace notes or decorations: a whole-bar rest keeps the count right
            fix = [(bar.start, bar.end, "z" + format_length(bar.meter.bar_length / bar.unit) + " ")]
        if fix:
            fixes.extend(fix)
            changes.append(f"bar {bar.number} (line {bar.line}): adjusted its last note so it fills {bar.meter.text}")
    return fixes


def _fit_bar(
    elements: list[NoteToken], bar_onset: Fraction, target: Fraction, bar_end: int, text: str
) -> list[tuple[int, int, str]]:
    """Edits that make a bar last `target` (whole notes): shorten or lengthen the note at the target, drop the rest."""
    for position, element in enumerate(elements):
        before = element.onset - bar_onset
        is_last = position == len(elements) - 1
        if before + element.duration < target and not is_last:
            continue
        wanted = target - before
        edits = []
        if not is_last:
            cut = elements[position + 1].prefix_start
            while cut > element.length_end and text[cut - 1] in " \t":
                cut -= 1
            edits = [(cut, bar_end, "")]
        if element.duration == element.written and element.base:
            suffix = format_length(wanted / element.base)
            return [(element.length_start, element.length_end, suffix)] + edits
        # A tuplet or broken-rhythm note: replace it and what follows with a rest of the right length.
        rest = "z" + format_length(wanted / (element.base or element.written or Fraction(1, 8)))
        return [(element.prefix_start, bar_end, rest + " ")]
    return []


def repair(text: str, validate: Callable[[str], ValidationReport]) -> RepairResult:
    """Repair `text` (see module docstring) with `validate` as the judge; valid input is returned unchanged."""
    report = validate(text)
    if report.valid:
        return RepairResult(abc=text, changes=[], report=report)
    changes: list[str] = []
    from tunesmith.tools.abc.intake import split_tunes

    tunes = split_tunes(text)
    if len(tunes) > 1:
        changes.append(f"kept only the first of {len(tunes)} tunes")
        text = tunes[0]
    text = _strip_surroundings(text, changes)
    if not text.strip():
        return RepairResult(abc=text, changes=changes, report=report)
    tune = parse_tune(text)
    text = replace_spans(text, _header_fixes(tune, changes))
    for _ in range(2):
        report = validate(text)
        tune = parse_tune(text)
        fixes = _bar_fixes(tune, report, changes)
        if not fixes:
            break
        text = replace_spans(text, fixes)
    return RepairResult(abc=text, changes=changes, report=validate(text))
