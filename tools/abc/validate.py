"""Check a parsed tune: headers, bar durations against the meter, pitch range; abc2midi as a second opinion.

Every message names the line and bar and says what would be right, so a model can act on it:
"line 7, bar 5: 3.5 beats in 3/4 (expected 3)".
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

from tunesmith.tools.abc.fields import parse_tempo
from tunesmith.tools.abc.results import Problem
from tunesmith.tools.abc.tokens import BarSpan, ParsedTune

ABC2MIDI_TIMEOUT_S = 5.0
ABC2MIDI_LINE_RE = re.compile(r"^(Error|Warning) in line-char (\d+)-(\d+) : (.*)$")
# abc2midi's own bar-length check ignores pickups and endings; ours replaces it.
ABC2MIDI_DUPLICATES = re.compile(r"time units while the time signature has|Bar \d+ has")
# abc2midi "Error" lines that do not lose or misplace any note: it still plays the tune as written
# (a tie between different pitches, a broken rhythm over unequal notes, a text annotation read as
# a chord name, a hornpipe outside 2/4 or 4/4, an unknown I: field). They count as warnings.
ABC2MIDI_BENIGN = re.compile(
    r"Could not find note to be tied|Cannot apply broken rhythm|Guitar chord does not start|"
    r"Unrecognized chord name|Hornpipe must be in|I: key .* not recognized"
)
PIANO_RANGE = range(21, 109)
UNIT_NAMES = {1: "whole notes", 2: "half notes", 4: "beats", 8: "eighths", 16: "sixteenths", 32: "32nds", 64: "64ths"}


def format_amount(value: Fraction) -> str:
    """3 -> '3', 7/2 -> '3.5', 1/3 -> '0.33'."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def where(line: int | None, bar: int | None) -> str:
    """'line 7, bar 5: ' with whichever parts are known."""
    parts = ([f"line {line}"] if line else []) + ([f"bar {bar}"] if bar is not None else [])
    return ", ".join(parts) + ": " if parts else ""


def header_problems(tune: ParsedTune) -> list[Problem]:
    """Missing or unreadable X, T, M, L, Q, K headers."""
    headers, problems = tune.headers, []

    def add(severity: str, message: str) -> None:
        problems.append(Problem(line=None, bar=None, severity=severity, kind="header", message=message))

    if "X" not in headers:
        add("error", "no X: header; start the tune with X:1")
    elif not re.fullmatch(r"\d+", headers["X"].strip()):
        add("warning", f"X:{headers['X']} should be a number, e.g. X:1")
    if not tune.has_key_field:
        add("error", "no K: header; end the header with a key line such as K:D or K:Am")
    if "T" not in headers:
        add("warning", "no T: header; add a title line, e.g. T:Untitled")
    if "M" not in headers:
        add("warning", "no M: header; bar lengths cannot be checked (add e.g. M:4/4)")
    if "L" not in headers:
        add("warning", "no L: header; notes default to 1/8 (1/16 below 3/4); add e.g. L:1/8")
    if "Q" not in headers:
        add("warning", "no Q: header; players default to 120 quarter notes a minute; add e.g. Q:1/4=120")
    elif parse_tempo(headers["Q"]) is None:
        add("warning", f"Q:{headers['Q']} is not a tempo; write e.g. Q:1/4=120")
    return problems


def _is_boundary(bar_line: str) -> bool:
    """A bar line that ends or starts a section: repeats, double bars, endings."""
    return any(mark in bar_line for mark in (":", "||", "|]", "[|")) or bool(re.search(r"\d", bar_line))


def bar_problems(tune: ParsedTune) -> list[Problem]:
    """Bars whose duration does not match the meter.

    Allowed: a short first bar (pickup), a short last bar, and short bars next to a section
    boundary (repeat sign, double bar, first/second ending), where a pickup and its complement sit.
    """
    problems = []
    by_voice: dict[str, list[BarSpan]] = {}
    for bar in tune.bars:
        by_voice.setdefault(bar.voice, []).append(bar)
    for bars in by_voice.values():
        for position, bar in enumerate(bars):
            expected = bar.meter.bar_length
            if expected is None or bar.overlay or bar.count > 1 or bar.duration == expected:
                continue
            if bar.duration < expected and (
                position in (0, len(bars) - 1) or _is_boundary(bar.left) or _is_boundary(bar.right)
            ):
                continue
            unit = Fraction(1, bar.meter.denominator)
            problems.append(Problem(
                line=bar.line, bar=bar.number, severity="error", kind="bar_duration",
                message=f"{where(bar.line, bar.number)}{format_amount(bar.duration / unit)} "
                f"{UNIT_NAMES.get(bar.meter.denominator, 'units')} in {bar.meter.text} "
                f"(expected {format_amount(expected / unit)})",
            ))
    return problems


def pitch_problems(tune: ParsedTune) -> list[Problem]:
    """Notes outside MIDI 0-127 (errors) or outside the piano's 21-108 (warnings), one per bar."""
    problems, seen = [], set()
    for note in tune.notes:
        if note.midi is None or note.midi in PIANO_RANGE:
            continue
        bar = tune.bars[note.bar_index]
        if (bar.number, note.midi in range(128)) in seen:
            continue
        seen.add((bar.number, note.midi in range(128)))
        line = tune.text.count("\n", 0, note.start) + 1
        playable = note.midi in range(128)
        problems.append(Problem(
            line=line, bar=bar.number, severity="warning" if playable else "error", kind="pitch",
            message=f"{where(line, bar.number)}MIDI note {note.midi} is outside "
            + ("the piano range 21-108; move it an octave" if playable else "MIDI's 0-127; move it by octaves"),
        ))
    return problems


def _serious(severity: str, message: str) -> bool:
    """An abc2midi message that loses or misplaces notes (not a warning, a benign error or a bar-length check)."""
    return severity == "Error" and not ABC2MIDI_BENIGN.search(message) and not ABC2MIDI_DUPLICATES.search(message)


def abc2midi_errors(output: str) -> list[str]:
    """abc2midi's error lines in `output` that lose or misplace notes; empty when it plays the tune as written.

    The one judge of "abc2midi accepts this tune": the validator and the MIDI renderer both use it.
    """
    errors = []
    for raw in output.splitlines():
        line = raw.strip()
        match = ABC2MIDI_LINE_RE.match(line)
        if match and _serious(match.group(1), match.group(4)) or not match and line.lower().startswith("error"):
            errors.append(line)
    return errors


def abc2midi_problems(tune: ParsedTune) -> list[Problem]:
    """What abc2midi says about the tune (errors and warnings with line numbers), in a temp folder."""
    program = shutil.which("abc2midi")
    if program is None:
        return [Problem(line=None, bar=None, severity="warning", kind="abc2midi",
                        message="abc2midi is not installed, so the second opinion was skipped (apt-get install abcmidi)")]
    with tempfile.TemporaryDirectory(prefix="tunesmith-abc-") as folder:
        path = Path(folder) / "tune.abc"
        path.write_text(tune.text + "\n", encoding="utf-8", errors="replace")
        try:
            completed = subprocess.run(
                [program, str(path), "-c"], cwd=folder, capture_output=True, text=True,
                timeout=ABC2MIDI_TIMEOUT_S, encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:  # it would not play the tune either
            return [Problem(line=None, bar=None, severity="error", kind="abc2midi",
                            message=f"abc2midi did not finish within {ABC2MIDI_TIMEOUT_S:g} s; the tune may be too complex")]
        except OSError as exc:
            return [Problem(line=None, bar=None, severity="warning", kind="abc2midi",
                            message=f"abc2midi could not be started ({exc.strerror or exc}), so the second opinion was skipped")]
    problems = []
    if completed.returncode != 0:  # it crashed (an absurd header can overflow its buffers): it would not play it
        problems.append(Problem(line=None, bar=None, severity="error", kind="abc2midi",
                                message=f"abc2midi stopped with exit status {completed.returncode} on this tune; "
                                "check the header values (M:, L:, Q:, K:)"))
    for raw in (completed.stdout + completed.stderr).splitlines():
        match = ABC2MIDI_LINE_RE.match(raw.strip())
        if not match and raw.strip().lower().startswith("error"):
            problems.append(Problem(line=None, bar=None, severity="error", kind="abc2midi",
                                    message=f"abc2midi: {raw.strip()[:200]}"))
        if not match or ABC2MIDI_DUPLICATES.search(match.group(4)):
            continue
        severity, line, _, message = match.groups()
        line_number = int(line)
        bar = next((b.number for b in tune.bars if b.line == line_number), None)
        problems.append(Problem(
            line=line_number, bar=bar, severity="error" if _serious(severity, message) else "warning", kind="abc2midi",
            message=f"{where(line_number, None)}abc2midi: {message.strip()}",
        ))
    return problems


def check_tune(tune: ParsedTune, *, check_abc2midi: bool) -> list[Problem]:
    """All problems of a parsed tune, parse problems first."""
    located = [
        problem if problem.message.startswith("line ") else problem.model_copy(
            update={"message": where(problem.line, problem.bar) + problem.message})
        for problem in tune.problems
    ]
    problems = header_problems(tune) + located + bar_problems(tune) + pitch_problems(tune)
    if check_abc2midi:
        problems += abc2midi_problems(tune)
    return problems

