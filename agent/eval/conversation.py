"""Checks for one turn of a multi-turn chat suite, read from the files the turn wrote.

* `turn_misses`: the suite's chat expectations (`unchanged`, `same_as`, `relative`) against the
  turn's tune.abc, the tune before the turn and the tunes earlier turns wrote.
* `reply_problems`: whether the reply is consistent with the turn: the facts it states ("Now: ...",
  "The tune is still ...") match the tune measured from the files, each "X (a → b)" it claims
  matches the tune before and after, it claims no change when no tune was written, and every
  edit the trace records as not done is named in it. It reads the reply as text, independently of
  how `agent/reply.py` wrote it.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

from tunesmith.agent.eval.suite import Expectation

FACTS_RE = re.compile(
    r"(?P<key>[A-G][#b]?) (?P<mode>major|minor|dorian|mixolydian|lydian|phrygian|locrian), (?P<meter>[^,]+), "
    r"(?:(?P<tempo>\d+) BPM|no tempo mark), (?P<instrument>[^,]+), (?P<bars>\d+) bars")
NOW_RE = re.compile(r"Now: " + FACTS_RE.pattern)
STILL_RE = re.compile(r"The tune is still version \d+: " + FACTS_RE.pattern)
CHANGE_RE = re.compile(r"the (?P<what>key|mode|meter|tempo|instrument|length|form|tune type) \((?P<old>[^→()]+?) → (?P<new>[^()]+?)\)")


def _facts(abc: str, plan: dict[str, Any] | None = None) -> dict[str, Any]:
    from tunesmith.agent.state import TuneFacts

    return TuneFacts.from_abc(abc, plan).model_dump()


def _notes(abc: str) -> list[tuple[float, float, int | None]]:
    from tunesmith.tools.abc import tune_notes

    return [(n.onset, n.duration, n.midi) for n in tune_notes(abc)]


def _measure(abc: str, name: str) -> float:
    from tunesmith.tools.abc import analyse_abc, tune_notes

    pitches = [n.midi for n in tune_notes(abc) if n.midi is not None]
    if name == "tempo":
        return float(analyse_abc(abc).tempo_bpm or 120)
    if name == "bars":
        return float(analyse_abc(abc).bars)
    if name == "notes":
        return float(len(pitches))
    if name == "final_note":
        return float(pitches[-1]) if pitches else 0.0
    return statistics.fmean(pitches) if pitches else 0.0  # pitch: the mean MIDI note


def _direction(before: float, after: float) -> str:
    if after > before:
        return "higher"
    return "lower" if after < before else "same"


def turn_misses(expect: Expectation, folder: Path, before_abc: str | None, earlier: dict[int, Path]) -> list[str]:
    """Sentences for each chat expectation the turn misses; `earlier` maps turn numbers to their folders."""
    tune = folder / "tune.abc"
    after = tune.read_text(encoding="utf-8") if tune.is_file() else None
    misses = []
    if expect.unchanged:
        if after is not None and (before_abc is None or _notes(after) != _notes(before_abc)
                                  or _facts(after) != _facts(before_abc)):
            misses.append("unchanged: expected no new version, but the turn wrote a different tune")
        return misses
    if after is None:
        if expect.same_as is not None or expect.relative:
            misses.append("the turn made no new version, so nothing changed as expected")
        return misses
    if expect.same_as is not None:
        other = earlier.get(expect.same_as)
        if other is None or not (other / "tune.abc").is_file():
            misses.append(f"same_as: turn {expect.same_as} wrote no tune to compare with")
        else:
            old = (other / "tune.abc").read_text(encoding="utf-8")
            if _notes(old) != _notes(after):
                misses.append(f"same_as: the notes differ from turn {expect.same_as}'s tune")
    for name, wanted in expect.relative.items():
        if before_abc is None:
            misses.append(f"{name}: expected {wanted} than before, but there was no tune before")
            continue
        moved = _direction(_measure(before_abc, name), _measure(after, name))
        moved = {"higher": "more", "lower": "fewer"}.get(moved, moved) if wanted in ("more", "fewer") else moved
        if moved != wanted:
            misses.append(f"{name}: expected {wanted} than before, got {moved}")
    return misses


def _stated(match: re.Match[str]) -> dict[str, Any]:
    return {"key": match["key"], "mode": match["mode"], "meter": match["meter"].strip(),
            "tempo_bpm": int(match["tempo"]) if match["tempo"] else None,
            "instrument": None if match["instrument"] == "no instrument set" else match["instrument"].strip(),
            "bars": int(match["bars"])}


def _same(field: str, claimed: Any, measured: Any) -> bool:
    """Equal facts; two instrument names are the same instrument when they are the same General MIDI program."""
    if field == "instrument" and claimed and measured and claimed != measured:
        from tunesmith.tools.theory import GM_PROGRAMS

        return GM_PROGRAMS.get(str(claimed)) is not None and GM_PROGRAMS.get(str(claimed)) == GM_PROGRAMS.get(str(measured))
    return claimed == measured


def _fact_problems(claimed: dict[str, Any], measured: dict[str, Any], where: str) -> list[str]:
    return [f"{where} says {field} {claimed[field]!r}, the tune has {measured[field]!r}"
            for field in claimed if not _same(field, claimed[field], measured.get(field))]


def _claimed_value(facts: dict[str, Any], what: str) -> str:
    if what == "key":
        return f"{facts['key']} {facts['mode']}"
    if what == "mode":
        return f"{facts['key']} {facts['mode']}"
    field = {"tempo": "tempo_bpm", "length": "bars", "tune type": "tune_type"}.get(what, what)
    value = facts.get(field)
    return f"{value} BPM" if field == "tempo_bpm" else f"{value} bars" if field == "bars" else str(value)


def reply_problems(reply: str, folder: Path, before_abc: str | None, trace: dict[str, Any]) -> list[str]:
    """Ways the reply disagrees with what the turn did; an empty list means it is consistent."""
    tune = folder / "tune.abc"
    plan = trace.get("plan")
    problems = []
    if tune.is_file():
        text = tune.read_text(encoding="utf-8")
        after = _facts(text, plan)
        now = NOW_RE.search(reply)
        if now is None:
            if before_abc is None or text.strip() != before_abc.strip():  # a question about the tune makes none
                problems.append("the reply does not state the tune it made ('Now: ...')")
        else:
            problems += _fact_problems(_stated(now), after, "the reply")
        before = _facts(before_abc) if before_abc else None
        for change in CHANGE_RE.finditer(reply):
            field = {"tempo": "tempo_bpm", "length": "bars", "tune type": "tune_type"}.get(change["what"], change["what"])
            if not _same(field, change["new"].strip(), _claimed_value(after, change["what"])):
                problems.append(f"the reply says the {change['what']} became {change['new'].strip()!r}, "
                                f"the tune has {_claimed_value(after, change['what'])!r}")
            if before is not None and change["old"].strip() != f"{after['key']} {before['mode']}" and not _same(
                    field, change["old"].strip(), _claimed_value(before, change["what"])):
                problems.append(f"the reply says the {change['what']} was {change['old'].strip()!r}, "
                                f"the tune before had {_claimed_value(before, change['what'])!r}")
    else:
        if re.search(r"\b(?:Changed|Made)\b", reply) or NOW_RE.search(reply):
            problems.append("the turn wrote no tune, but the reply claims a change or a new tune")
        still = STILL_RE.search(reply)
        if still is not None and before_abc is not None:
            problems += _fact_problems(_stated(still), _facts(before_abc), "the reply's 'still'")
    edit = trace.get("evidence", {}).get("edit") or {}
    for sentence in edit.get("refused", []) + edit.get("skipped", []):
        quoted = re.match(r"'([^']+)'", sentence)
        if quoted and quoted.group(1) not in reply:
            problems.append(f"the trace says {quoted.group(1)!r} was not done, the reply does not say so")
    return problems
