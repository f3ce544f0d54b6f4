"""Parse one ABC tune: the header block, then the body line by line, then number the bars.

Bars are numbered as musicians do: a short first bar is the pickup, bar 0; the first full bar is 1.
"""

from __future__ import annotations

import re
from fractions import Fraction

from tunesmith.tools.abc.fields import (
    FieldError,
    Key,
    Meter,
    default_unit_length,
    parse_key,
    parse_meter,
    parse_unit_length,
)
from tunesmith.tools.abc.results import MAX_ABC_CHARS, AbcError, Problem
from tunesmith.tools.abc.syntax import BodyReader
from tunesmith.tools.abc.tokens import (
    BODY_FIELD_RE,
    HEADER_FIELD_RE,
    BarSpan,
    FieldSpan,
    ParsedTune,
    is_prose,
    small_number,
)

PROGRAM_RE = re.compile(r"^%%MIDI\s+program\s+(?:\d+\s+)?(\d+)")


def _strip_comment(line: str) -> str:
    """The line without a trailing `%` comment (an escaped `\\%` is kept)."""
    match = re.search(r"(?<!\\)%", line)
    return line[: match.start()] if match else line


def _looks_like_music(line: str) -> bool:
    """A line with a bar line or a run of note letters and no field prefix."""
    stripped = line.strip()
    return bool(stripped) and not HEADER_FIELD_RE.match(stripped) and (
        "|" in stripped or bool(re.search(r"[A-Ga-g][,']*\d*[ /]*[A-Ga-g]", stripped))
    ) and not is_prose(stripped)


def parse_tune(text: str) -> ParsedTune:
    """Read one tune (text from its X: line to the next tune); raise AbcError only for oversize input."""
    if len(text) > MAX_ABC_CHARS:
        raise AbcError(f"the ABC text has {len(text)} characters; at most {MAX_ABC_CHARS} are accepted")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems: list[Problem] = []
    headers: dict[str, str] = {}
    fields: list[FieldSpan] = []
    programs: list[tuple[int, int, int]] = []
    lines = text.split("\n")
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1

    index, has_key, continued = 0, False, False
    while index < len(lines) and not has_key:
        raw, number = lines[index], index + 1
        stripped = raw.strip()
        if continued:
            # The tail of a directive continued with a backslash (`%%Bfly ... \`).
            continued = stripped.endswith("\\")
            index += 1
            continue
        program = PROGRAM_RE.match(stripped)
        if program:
            programs.append((offsets[index], offsets[index] + len(raw), small_number(program.group(1))))
        if not stripped or stripped.startswith("%"):
            continued = stripped.startswith("%") and stripped.endswith("\\")
            index += 1
            continue
        match = HEADER_FIELD_RE.match(stripped)
        if match and not _looks_like_music(stripped):
            letter, value = match.group(1), _strip_comment(match.group(2)).strip()
            headers.setdefault(letter, value)
            fields.append(FieldSpan(letter, value, number, offsets[index], offsets[index] + len(raw), True))
            has_key = letter == "K"
            index += 1
            continue
        if _looks_like_music(stripped):
            break
        problems.append(Problem(line=number, bar=None, severity="error", kind="prose",
                                message=f"line {number}: {stripped[:40]!r} is not ABC; remove it"))
        index += 1

    meter, unit, key = _header_values(fields, problems)
    body_start = offsets[index] if index < len(offsets) else len(text)
    tune = ParsedTune(text, headers, fields, body_start, [], [], problems, key, meter, unit, programs, has_key)
    _repeated_header_values(tune)
    positions = _read_body(tune, lines[index:], offsets[index:], index + 1)
    _number_bars(tune, positions)
    return tune


def _repeated_header_values(tune: ParsedTune) -> None:
    """A second M: or L: line in the header that cannot be read: a problem, fixed by removing that line.

    Players read the last one (and abc2midi can crash on an absurd meter), so it must not pass unseen.
    """
    readers = {"M": parse_meter, "L": parse_unit_length}
    seen: set[str] = set()
    for field in (f for f in tune.fields if f.in_header and f.letter in readers):
        if field.letter not in seen:
            seen.add(field.letter)
            continue
        try:
            readers[field.letter](field.value)
        except FieldError as error:
            tune.problems.append(Problem(line=field.line, bar=None, severity="error", kind="header",
                                         message=f"line {field.line}: a second {field.letter}: line: {error}; remove it"))
            tune.fixes.append((field.start, min(field.end + 1, len(tune.text)), "",
                               f"removed a second, unreadable {field.letter}:{field.value} line"))


def _header_values(fields: list[FieldSpan], problems: list[Problem]) -> tuple[Meter, Fraction, Key]:
    """Meter, unit length and key from the header, with defaults where a field is missing or bad."""
    first = {}
    for field in fields:
        first.setdefault(field.letter, field)
    readers = {"M": parse_meter, "L": parse_unit_length, "K": parse_key}
    values = {}
    for letter, reader in readers.items():
        if letter in first:
            try:
                values[letter] = reader(first[letter].value)
            except FieldError as error:
                line = first[letter].line
                problems.append(Problem(line=line, bar=None, severity="error", kind="header", message=f"line {line}: {error}"))
    meter = values.get("M", Meter("none", None, None))
    return meter, values.get("L", default_unit_length(meter)), values.get("K", Key(None, "major", {}))


def _read_body(tune: ParsedTune, lines: list[str], offsets: list[int], first_number: int) -> list[tuple[Problem, int]]:
    """Tokenize the music lines; body fields (K:, M:, L:, V:) change what follows.

    Returns the problems found inside bars with the index of the bar each belongs to.
    """
    reader = BodyReader(tune)
    blank_line: int | None = None
    unmarked: list[int] = []  # lines ending a full bar without a bar line
    for raw, offset, number in zip(lines, offsets, range(first_number, first_number + len(lines))):
        stripped = raw.strip()
        if not stripped:
            blank_line = blank_line or number
            continue
        if blank_line is not None:
            if _looks_like_music(stripped):
                tune.problems.append(Problem(
                    line=blank_line, bar=None, severity="error", kind="structure",
                    message=f"line {blank_line}: a blank line ends the tune, so the music after it is ignored; remove the blank line",
                ))
            break
        program = PROGRAM_RE.match(stripped)
        if program:
            tune.programs.append((offset, offset + len(raw), small_number(program.group(1))))
        field = BODY_FIELD_RE.match(stripped)
        if stripped.startswith("%") or field:
            if field:
                letter, value = field.group(1), _strip_comment(field.group(2)).strip()
                tune.fields.append(FieldSpan(letter, value, number, offset, offset + len(raw), False))
                reader.apply_field(letter, value, number, offset)
            if reader.bar is None:
                reader.segment_start = offset + len(raw) + 1
            continue
        if is_prose(stripped):
            tune.problems.append(Problem(line=number, bar=None, severity="error", kind="prose",
                                         message=f"line {number}: {stripped[:40]!r} is not ABC; remove it"))
            continue
        music = _strip_comment(raw)
        reader.read_line(music, offset, number)
        if reader.end_line(offset + len(music.rstrip()), music.rstrip().endswith("\\")):
            unmarked.append(number)
    reader.close_open_groups(reader.last_end, len(lines) + first_number - 1)
    reader.close_bar("", reader.last_end)
    if unmarked:
        tune.problems.append(Problem(
            line=unmarked[0], bar=None, severity="warning", kind="structure",
            message=f"line {unmarked[0]}: {len(unmarked)} line(s) end a full bar without a bar line; add | at the line end",
        ))
    if reader.repeat_open is not None:
        tune.problems.append(Problem(line=reader.repeat_open, bar=None, severity="error", kind="repeat",
                                     message=f"line {reader.repeat_open}: |: opens a repeat that is never closed; add :| at its end"))
        last = tune.bars[-1] if tune.bars else None
        if last is not None:
            tune.fixes.append((last.end, last.end, ":" if last.right else ":|", "closed the last repeat"))
    return reader.positions


def ending_number(bar_line: str) -> int | None:
    """The first/second-ending number a bar line starts (`|1`, `:|2`, `[2`), or None."""
    match = re.search(r"\d+", bar_line)
    return small_number(match.group(0)) if match else None


def _number_bars(tune: ParsedTune, positions: list[tuple[Problem, int]]) -> None:
    """Number each voice's bars as musicians do.

    A short first bar is the pickup (0); full bars count from 1; a second ending repeats the
    numbers of the first; a short bar after a repeat sign that completes the short bar before it
    shares that bar's number (`continues`).
    """
    next_number: dict[str, int] = {}
    previous: dict[str, BarSpan] = {}
    first_ending: dict[str, int] = {}
    for bar in tune.bars:
        expected = bar.meter.bar_length
        if bar.voice not in next_number:
            pickup = expected is not None and bar.count == 1 and bar.duration < expected
            next_number[bar.voice] = 0 if pickup else 1
        ending = ending_number(bar.left)
        if ending == 1:
            first_ending[bar.voice] = next_number[bar.voice]
        elif ending is not None and bar.voice in first_ending:
            next_number[bar.voice] = first_ending[bar.voice]
        before = previous.get(bar.voice)
        if before is not None and expected is not None and before.duration < expected and (
            before.duration + bar.duration == expected and (":" in bar.left or "||" in bar.left)
        ):
            # The end of a section and the pickup of the next share one bar.
            bar.number, bar.continues = before.number, True
        else:
            bar.number = next_number[bar.voice]
            next_number[bar.voice] += bar.count
        previous[bar.voice] = bar
    for problem, bar_index in positions:
        problem.bar = tune.bars[bar_index].number if bar_index < len(tune.bars) else None
