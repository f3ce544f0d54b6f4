"""Repair the usual mistakes of model-written ABC. A tune that already validates is returned unchanged.

Rounds, each re-parsing the result of the last: (1) text around the tune (prose, ``` fences), blank
lines inside it, typography (no-break spaces, curly quotes, dashes) and control characters, (2) headers
(X, T, M, L, K missing or unreadable), unknown symbols and marks that decorate nothing, (3) bar
durations, by trimming or padding the last note or rest of each wrong bar, never cutting into a
tuplet or a broken-rhythm pair and writing only lengths abc2midi reads (power-of-two denominators).
A round that makes abc2midi report more errors than before is undone: repair never makes a tune
abc2midi plays unplayable.
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

# Typography a word processor or a model puts into music lines -> the ABC character meant.
TYPOGRAPHY = str.maketrans({
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", ""),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"),
    "\u2215": "/", "\u2044": "/", "\uff5c": "|", "\u2758": "|",
})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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


def _normalise_typography(text: str, changes: list[str]) -> str:
    """Control characters out everywhere; typographic spaces, quotes and dashes to ASCII in music lines."""
    cleaned = _CONTROL.sub("", text)
    if cleaned != text:
        changes.append(f"removed {len(text) - len(cleaned)} control character(s)")
    lines, replaced = cleaned.split("\n"), 0
    for index, line in enumerate(lines):
        if re.match(r"^\s*([A-Za-z+]:|%)", line) and not re.match(r"^\s*\[", line):
            continue  # a field or comment line: titles and lyrics keep their typography
        plain = line.translate(TYPOGRAPHY)
        replaced += sum(a != b for a, b in zip(line, plain)) + len(line) - len(plain)
        lines[index] = plain
    if replaced:
        changes.append(f"replaced {replaced} typographic character(s) (no-break spaces, curly quotes, dashes) in music lines")
    return "\n".join(lines)


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
            fix = _fit_bar(elements, bar.onset, bar.meter.bar_length, bar.end, tune.text, bar.unit)
        elif _playable(bar.meter.bar_length / bar.unit):  # only grace notes or decorations: a whole-bar rest
            fix = [(bar.start, bar.end, "z" + format_length(bar.meter.bar_length / bar.unit) + " ")]
        else:
            fix = []
        if fix:
            fixes.extend(fix)
            changes.append(f"bar {bar.number} (line {bar.line}): adjusted its last note so it fills {bar.meter.text}")
    return fixes


def _playable(multiple: Fraction) -> bool:
    """True for a positive length abc2midi reads: a multiple of the unit with a power-of-two denominator."""
    return multiple > 0 and multiple.denominator & (multiple.denominator - 1) == 0


def _altered(element: NoteToken) -> bool:
    """A note of a tuplet or a broken-rhythm pair: it sounds for other than its written length."""
    return element.duration != element.written or not element.base


def _rest_from(elements: list[NoteToken], index: int, bar_onset: Fraction, target: Fraction, bar_end: int,
               unit: Fraction) -> list[tuple[int, int, str]]:
    """Replace elements[index:] and the rest of the bar by one rest filling the bar to `target`, starting at
    the beginning of the tuplet or broken pair `index` is in; [] when no playable rest fits."""
    while index > 0 and _altered(elements[index]) and _altered(elements[index - 1]):
        index -= 1
    for start in range(index, -1, -1):
        wanted = (target - (elements[start].onset - bar_onset)) / unit
        if _playable(wanted) and (start == 0 or not _altered(elements[start - 1])):
            return [(elements[start].prefix_start, bar_end, "z" + format_length(wanted) + " ")]
    return []


def _fit_bar(
    elements: list[NoteToken], bar_onset: Fraction, target: Fraction, bar_end: int, text: str, unit: Fraction
) -> list[tuple[int, int, str]]:
    """Edits that make a bar last `target` (whole notes): shorten or lengthen the note at the target, drop the rest.

    A tuplet or broken-rhythm note is never cut alone: its group and what follows become a rest. A bar
    too short after such a note gets a rest appended. [] when no edit abc2midi could play would do.
    """
    for position, element in enumerate(elements):
        before = element.onset - bar_onset
        is_last = position == len(elements) - 1
        if before + element.duration < target and not is_last:
            continue
        if before + element.duration < target and _altered(element):  # short bar: pad after the group
            missing = (target - before - element.duration) / unit
            end = element.length_end
            return [(end, end, " z" + format_length(missing))] if _playable(missing) else []
        if not _altered(element):
            suffix = (target - before) / element.base
            if _playable(suffix):
                edits = []
                if not is_last:
                    cut = elements[position + 1].prefix_start
                    while cut > element.length_end and text[cut - 1] in " \t":
                        cut -= 1
                    edits = [(cut, bar_end, "")]
                return [(element.length_start, element.length_end, format_length(suffix))] + edits
        return _rest_from(elements, position, bar_onset, target, bar_end, unit)
    return []


def _abc2midi_errors(report: ValidationReport) -> int:
    return sum(1 for p in report.problems if p.kind == "abc2midi" and p.severity == "error")


def repair(text: str, validate: Callable[[str], ValidationReport]) -> RepairResult:
    """Repair `text` (see module docstring) with `validate` as the judge; valid input is returned unchanged.

    Text holding several tunes is never "valid" as one tune: the first tune is kept and repaired.
    """
    from tunesmith.tools.abc.intake import split_tunes

    original, first_report = text, validate(text)
    tunes = split_tunes(text)
    if first_report.valid and len(tunes) <= 1:
        return RepairResult(abc=text, changes=[], report=first_report)
    changes: list[str] = []
    if len(tunes) > 1:
        changes.append(f"kept only the first of {len(tunes)} tunes")
        text = tunes[0]
    text = _strip_surroundings(_normalise_typography(text, changes), changes)
    if not text.strip():
        return RepairResult(abc=text, changes=changes, report=first_report)
    text = replace_spans(text, _header_fixes(parse_tune(text), changes))
    report = validate(text)
    for _ in range(2):
        noted = len(changes)
        fixes = _bar_fixes(parse_tune(text), report, changes)
        if not fixes:
            break
        candidate = replace_spans(text, fixes)
        checked = validate(candidate)
        if _abc2midi_errors(checked) > _abc2midi_errors(report):  # these fixes broke what abc2midi played
            del changes[noted:]
            break
        text, report = candidate, checked
    if len(tunes) <= 1 and _abc2midi_errors(report) > _abc2midi_errors(first_report):
        return RepairResult(abc=original, changes=[], report=first_report)  # no repair beats a broken one
    return RepairResult(abc=text, changes=changes, report=report)
