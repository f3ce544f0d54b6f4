"""The one entry point for ABC notation: split, read, validate, repair, analyse and edit tunes.

Positions are 1-based lines of the tune text and bar numbers as musicians count them (a pickup is
bar 0, the first full bar is 1; repeats are not unfolded). Durations in results are quarter-note
beats; pitches are MIDI numbers. Expected failures raise `AbcError` with a message that says what
would be valid; malformed music never raises, it comes back as problems in a `ValidationReport`.
"""

from __future__ import annotations

from tunesmith.tools.abc.analysis import analyse, note_events, quarters_per_minute
from tunesmith.tools.abc.edit import (
    change_meter,
    change_mode,
    extract_section,
    replace_section,
    set_field,
    set_instrument,
    set_tempo,
    transpose_abc,
)
from tunesmith.tools.abc.fields import FieldError, Key, default_unit_length, parse_key, parse_meter, parse_unit_length
from tunesmith.tools.abc.intake import bar_count, checked_text, parsed_tune, split_tunes
from tunesmith.tools.abc.melody_edit import change_density, end_on
from tunesmith.tools.abc.parse import parse_tune
from tunesmith.tools.abc.results import (
    MAX_ABC_CHARS,
    AbcError,
    NoteEvent,
    Problem,
    RepairResult,
    TuneAnalysis,
    ValidationReport,
)
from tunesmith.tools.abc.spelling import ACCIDENTAL_TEXT, FLAT_SPELLING, SHARP_SPELLING, letter_text
from tunesmith.tools.abc.tokens import ParsedTune
from tunesmith.tools.abc.validate import abc2midi_errors, check_tune

__all__ = [
    # whole tunes as text
    "MAX_ABC_CHARS", "AbcError", "NoteEvent", "Problem", "RepairResult", "TuneAnalysis", "ValidationReport",
    "abc2midi_errors", "analyse_abc", "change_density", "change_meter", "change_mode", "count_bars", "end_on",
    "extract_section", "parse_headers", "repair_abc", "replace_section", "set_field", "set_instrument", "set_tempo",
    "split_tunes", "transpose_abc", "tune_notes", "validate_abc",
    # a tune parsed once and read many times (the critic, the composer's checks)
    "ParsedTune", "analyse", "bar_count", "note_events", "parsed_tune", "quarters_per_minute",
    # header fields and note spelling, for code that writes ABC
    "ACCIDENTAL_TEXT", "FLAT_SPELLING", "SHARP_SPELLING", "FieldError", "Key", "default_unit_length", "letter_text",
    "parse_key", "parse_meter", "parse_unit_length",
]


def parse_headers(abc: str) -> dict[str, str]:
    """Header letter -> value for the fields before the music (first value of each: T is the first title)."""
    return parse_tune(checked_text(abc)).headers


def _report(tune: ParsedTune, *, check_abc2midi: bool, extra: list[Problem] | None = None) -> ValidationReport:
    problems = (extra or []) + check_tune(tune, check_abc2midi=check_abc2midi)
    if not tune.notes:
        problems.append(Problem(line=None, bar=None, severity="error", kind="structure",
                                message="the tune has no notes; add music lines after the K: line"))
    return ValidationReport(
        valid=not any(p.severity == "error" for p in problems),
        problems=problems,
        bars=bar_count(tune),
        headers=tune.headers,
    )


def validate_abc(abc: str, *, check_abc2midi: bool = True) -> ValidationReport:
    """Check one tune: headers, symbols, bar durations against the meter, repeats, pitch range.

    With `check_abc2midi`, abc2midi's errors and warnings are added (it runs in a temp folder with
    a 5 s timeout). If the text holds several tunes only the first is checked, with a warning.
    """
    text = checked_text(abc)
    tunes = split_tunes(text)
    extra = []
    if len(tunes) > 1:
        extra.append(Problem(line=None, bar=None, severity="warning", kind="structure",
                             message=f"the text holds {len(tunes)} tunes; only the first was checked"))
        text = tunes[0]
    tune = parse_tune(text)
    if not tune.bars and not tune.fields:
        raise AbcError("this is not ABC: no header fields (X:, K: ...) and no music were found")
    return _report(tune, check_abc2midi=check_abc2midi, extra=extra)


def count_bars(abc: str) -> int:
    """Bars as written (repeats not unfolded); a pickup is not counted, a Z4 rest counts 4."""
    return bar_count(parsed_tune(abc))


def tune_notes(abc: str) -> list[NoteEvent]:
    """Notes and rests as written, not unfolding repeats: onset/duration in quarter beats, MIDI pitch.

    Grace notes are left out; every note of a chord is an event with the chord's onset.
    """
    return note_events(parsed_tune(abc))


def analyse_abc(abc: str) -> TuneAnalysis:
    """Title, declared and estimated key (Krumhansl-Schmuckler), meter, tempo, bars, range, duration."""
    tune = parsed_tune(abc)
    return analyse(tune, bar_count(tune))


def repair_abc(abc: str, *, check_abc2midi: bool = True) -> RepairResult:
    """Fix the usual mistakes of model-written ABC; a tune that already validates comes back unchanged.

    Fixes: prose and ``` fences around the tune, missing X/T/M/L/K headers, key names abc2midi
    rejects ("K:d min"), blank lines inside the tune, unknown symbols, and bars too long or too short
    for the meter (by trimming or padding the bar's last note or rest). `check_abc2midi` decides whether
    abc2midi's opinion counts when judging the tune valid.
    """
    from tunesmith.tools.abc.repair import repair

    return repair(checked_text(abc), lambda text: validate_abc(text, check_abc2midi=check_abc2midi))
