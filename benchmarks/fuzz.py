"""Fuzz the ABC core, the renderer and the word parsers; count crashes, hangs and repairs abc2midi rejects.

Run: .venv/bin/python benchmarks/fuzz.py [--tunes 3000] [--words 6000] [--corpus 600|all] [--seed 0]

Three passes, each call in a worker process with a per-call time limit (`--limit`, seconds):
1. `--tunes` corpus tunes (music21's ABC collections), each mutated 1-4 times (deleted spans, inserted
   ABC symbols, removed headers, bad header values, Unicode typography and control characters), then
   validated, repaired, analysed, critiqued, edited and rendered to MIDI.
2. `--words` random request and edit strings (tune words, keys, tempos, meters, numbers of hundreds of
   digits, random Unicode) through the request reader, the planner and the edit reader.
3. `--corpus` unmutated corpus tunes: for every tune abc2midi plays, does abc2midi still play its repair?
Prints calls, crashes (an exception that is not a TunesmithError), hangs (a call past the limit),
repairs claimed valid that abc2midi rejects, and playable tunes that repair made unplayable, with the
first examples of each; `--report FILE` saves every failing input as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import shutil
import subprocess
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ABC_SYMBOLS = list("ABCDEFGabcdefgzxZ|:[]()123456789/,'^_=-<>{}\"!~.+&%\\ uvTHLMOPS") + [
    "|:", ":|", "::", "[1", "[2", "(3", "!trill!", "!", '"Am"', "{g}", "[K:G]", "[M:3/4]", "\n", "\n\n", "%",
]
UNICODE_BITS = ["\u00a0", "\u2018", "\u2019", "\u201c", "\u201d", "\u2013", "\u2014", "\u2026", "é", "ß", "\u200b",
                "\ufeff", "\u202e", "♯", "♭", "𝄞", "🎵", "\x00", "\x1b", "\x07", "\x0c", "\t", "\r"]
BAD_HEADERS = {
    "M": ["1000000/4", "0/4", "3/0", "7/3", "abc", "", "99999999999999999999/4", "3/4/4", "-3/4"],
    "L": ["0/0", "1/0", "1/3", "100", "", "1/99999999999999999999", "x"],
    "Q": ["1/0=120", "1/4=0", "1/4=99999999999999999999", "fast", "0/0=0", "=120", "1/4=-5", '"Allegro"'],
    "K": ["H#", "Zmaj", "C exp ^f ^^^c", "", "Cb locrian", "B# major", "D clef=bass transpose=-999999999999"],
    "X": ["", "abc", "-1"],
}
WORDS = ["a", "an", "the", "jig", "reel", "waltz", "march", "hornpipe", "air", "polka", "slow", "fast", "very",
         "in", "of", "key", "D", "G", "A", "Bb", "F#", "H#", "X", "major", "minor", "dorian", "mixolydian", "m",
         "bars", "bar", "measures", "per", "part", "parts", "BPM", "bpm", "tempo", "at", "to", "seconds",
         "minutes", "long", "for", "violin", "flute", "piano", "fiddle", "time", "meter", "6/8", "3/4", "0/4",
         "4/0", "1000000/4", "allegro", "presto", "slower", "faster", "much", "a bit", "higher", "lower", "up",
         "down", "fifth", "octave", "semitones", "transpose", "add", "remove", "drop", "shorter", "longer",
         "twice", "half", "as", "like", "B", "section", "sad", "happy", "calm", "sadder", "brighter", "AABB",
         "thirty-two", "sixteen", "a hundred", "-", ",", ".", "!", "?", "and", "but", "not", "too", "make", "it"]


EDITED_TUNE = "X:1\nT:Edited\nM:4/4\nL:1/8\nQ:1/4=100\nK:G\n|:GABc dBGA|B2ge dB2z|c2ec B2dB|A2FA G4:|\n"


def number_words(rng: random.Random) -> str:
    """A number as people (and fuzzers) write it: small, huge, negative, decimal or hundreds of digits."""
    choice = rng.random()
    if choice < 0.3:
        return str(rng.randint(0, 300))
    if choice < 0.5:
        return "9" * rng.choice([4, 20, 400])
    if choice < 0.6:
        return f"-{rng.randint(1, 100)}"
    if choice < 0.7:
        return f"{rng.randint(0, 500)}.{rng.randint(0, 99)}"
    return str(rng.choice([0, 1, 2000, 10000, 65536, 10**30]))


def random_words(rng: random.Random) -> str:
    """A random request or edit: vocabulary, numbers and now and then raw Unicode."""
    if rng.random() < 0.03:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(800, 1200)))  # past every length cap
    parts = []
    for _ in range(rng.randint(0, 14)):
        roll = rng.random()
        if roll < 0.6:
            parts.append(rng.choice(WORDS))
        elif roll < 0.85:
            parts.append(number_words(rng))
        else:
            parts.append("".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 6))))
    return " ".join(parts)


def mutate(tune: str, rng: random.Random) -> str:
    """1-4 random mutations of a tune's text."""
    text = tune
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["delete", "insert", "header_removed", "header_bad", "unicode", "line_copy", "symbols"])
        position = rng.randint(0, len(text))
        if kind == "delete":
            text = text[:position] + text[position + rng.randint(1, 12):]
        elif kind in ("insert", "symbols"):
            text = text[:position] + "".join(rng.choice(ABC_SYMBOLS) for _ in range(rng.randint(1, 6))) + text[position:]
        elif kind == "unicode":
            text = text[:position] + "".join(rng.choice(UNICODE_BITS) for _ in range(rng.randint(1, 3))) + text[position:]
        elif kind in ("header_removed", "header_bad"):
            letter = rng.choice(list(BAD_HEADERS))
            lines = text.split("\n")
            index = next((i for i, line in enumerate(lines) if line.startswith(f"{letter}:")), None)
            if kind == "header_removed" and index is not None:
                del lines[index]
            elif kind == "header_bad":
                value = f"{letter}:{rng.choice(BAD_HEADERS[letter])}"
                if index is None:
                    lines.insert(min(1, len(lines)), value)
                else:
                    lines[index] = value
            text = "\n".join(lines)
        elif kind == "line_copy":
            lines = text.split("\n")
            lines.insert(rng.randint(0, len(lines)), rng.choice(lines))
            text = "\n".join(lines)
    return text


# --- what the worker process does ------------------------------------------------------------------


def abc2midi_accepts(abc: str) -> bool:
    """abc2midi writes a MIDI file and reports no error that loses notes (the judge render_midi uses)."""
    from tunesmith.tools.abc import abc2midi_errors

    with tempfile.TemporaryDirectory(prefix="fuzz-") as work:
        (Path(work) / "t.abc").write_text(abc + "\n", encoding="utf-8")
        try:
            done = subprocess.run([shutil.which("abc2midi") or "abc2midi", "t.abc", "-o", "t.mid"], cwd=work,
                                  capture_output=True, text=True, errors="replace", timeout=10)
        except subprocess.TimeoutExpired:
            return False
        midi = Path(work) / "t.mid"
        return done.returncode == 0 and midi.is_file() and midi.stat().st_size > 0 and not abc2midi_errors(
            done.stdout + done.stderr)


def _tune_calls() -> dict[str, Any]:
    from tunesmith.tools.abc import (
        analyse_abc,
        change_meter,
        change_mode,
        count_bars,
        repair_abc,
        set_tempo,
        transpose_abc,
        tune_notes,
        validate_abc,
    )
    from tunesmith.tools.critic import critique_abc
    from tunesmith.tools.render import render_midi

    def repair(text: str) -> dict[str, Any]:
        result = repair_abc(text)
        return {"valid": result.report.valid, "abc": result.abc}

    def render(text: str) -> None:
        with tempfile.TemporaryDirectory(prefix="fuzz-render-") as out:
            render_midi(text, Path(out))

    return {
        "validate": lambda t: validate_abc(t).valid, "repair": repair, "analyse": analyse_abc, "notes": tune_notes,
        "bars": count_bars, "critique": lambda t: critique_abc(t).overall, "transpose": lambda t: transpose_abc(t, 2),
        "mode": lambda t: change_mode(t, "minor"), "meter": lambda t: change_meter(t, "3/4"),
        "tempo": lambda t: set_tempo(t, 90), "render_midi": render, "abc2midi": abc2midi_accepts,
    }


def _word_calls() -> dict[str, Any]:
    from tunesmith.tools.edits import apply_edits, parse_edit
    from tunesmith.tools.plan import MusicPlan
    from tunesmith.tools.planning import parse_request, plan_from_request

    current = MusicPlan(bars=16, tempo_bpm=100)
    return {"parse_request": parse_request, "plan_from_request": plan_from_request,
            "parse_edit": parse_edit, "parse_edit_with_plan": lambda t: parse_edit(t, current),
            "apply_edit": lambda t: apply_edits(EDITED_TUNE, parse_edit(t, current))}


def _serve(connection: Any) -> None:
    """Worker loop: (call name, text) in, ('ok', value) | ('expected', message) | ('crash', traceback) out."""
    from tunesmith.errors import TunesmithError

    calls = {**_tune_calls(), **_word_calls()}
    while True:
        name, text = connection.recv()
        try:
            value = calls[name](text)
            connection.send(("ok", value if isinstance(value, (bool, dict)) else None))
        except TunesmithError as error:
            connection.send(("expected", str(error)[:200]))
        except Exception:  # a crash: exactly what this benchmark hunts
            connection.send(("crash", traceback.format_exc(limit=6)[-1500:]))


@dataclass
class Worker:
    """A forked worker that is killed and replaced when a call passes the time limit."""

    limit_s: float
    process: Any = None
    connection: Any = None

    def start(self) -> None:
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.connection = parent

    def call(self, name: str, text: str) -> tuple[str, Any, float]:
        if self.process is None or not self.process.is_alive():
            self.start()
        started = time.perf_counter()
        self.connection.send((name, text))
        if not self.connection.poll(self.limit_s):
            self.process.kill()
            self.process.join()
            self.process = None
            return "hang", None, time.perf_counter() - started
        try:
            status, value = self.connection.recv()
        except EOFError:  # the worker died (segfault, out of memory): a crash
            self.process = None
            return "crash", "the worker process died", time.perf_counter() - started
        return status, value, time.perf_counter() - started

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()


@dataclass
class Tally:
    """Counts per outcome and the first examples of each failure."""

    calls: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    def record(self, name: str, text: str, status: str, value: Any, seconds: float) -> None:
        self.calls[name] += 1
        self.outcomes[status] += 1
        if seconds > self.slowest[0]:
            self.slowest = (seconds, name)
        if status in ("crash", "hang"):
            self.failures.append({"kind": status, "call": name, "input": text, "detail": value})

    def flag(self, kind: str, name: str, text: str, detail: str) -> None:
        self.outcomes[kind] += 1
        self.failures.append({"kind": kind, "call": name, "input": text, "detail": detail})


def corpus_tunes() -> list[str]:
    """Every tune in music21's ABC collections."""
    from music21 import corpus

    from tunesmith.tools.abc import split_tunes

    tunes = []
    for path in corpus.getPaths(fileExtensions=["abc"]):
        tunes.extend(split_tunes(Path(path).read_text(encoding="latin-1")))
    return tunes


def fuzz_tunes(worker: Worker, tunes: list[str], count: int, rng: random.Random, tally: Tally) -> None:
    names = [n for n in _tune_calls() if n != "abc2midi"]
    for number in range(count):
        text = mutate(rng.choice(tunes), rng)
        for name in names:
            status, value, seconds = worker.call(name, text)
            tally.record(name, text, status, value, seconds)
            if name == "repair" and status == "ok" and value["valid"]:
                verdict, accepted, _ = worker.call("abc2midi", value["abc"])
                if verdict == "ok" and not accepted:
                    tally.flag("repair claimed valid, abc2midi rejects", name, text, value["abc"])
        if (number + 1) % 500 == 0:
            print(f"  tunes: {number + 1}/{count}, crashes {tally.outcomes['crash']}, hangs {tally.outcomes['hang']}",
                  flush=True)


def fuzz_words(worker: Worker, count: int, rng: random.Random, tally: Tally) -> None:
    names = list(_word_calls())
    for _ in range(count):
        text = random_words(rng)
        name = rng.choice(names)
        status, value, seconds = worker.call(name, text)
        tally.record(name, text, status, value, seconds)


def corpus_repairs(worker: Worker, tunes: list[str], tally: Tally) -> tuple[int, int]:
    """(tunes abc2midi plays, of which repair made unplayable)."""
    playable = broken = 0
    for number, tune in enumerate(tunes):
        status, accepted, _ = worker.call("abc2midi", tune)
        if status != "ok" or not accepted:
            continue
        playable += 1
        status, value, seconds = worker.call("repair", tune)
        tally.record("corpus repair", tune, status, value, seconds)
        if status == "ok":
            status, still, _ = worker.call("abc2midi", value["abc"])
            if status == "ok" and not still:
                broken += 1
                tally.flag("playable tune made unplayable by repair", "repair", tune, value["abc"])
        if (number + 1) % 1000 == 0:
            print(f"  corpus: {number + 1}/{len(tunes)}, playable {playable}, broken {broken}", flush=True)
    return playable, broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tunes", type=int, default=3000, help="mutated tunes (each through every ABC call)")
    parser.add_argument("--words", type=int, default=6000, help="random request and edit strings")
    parser.add_argument("--corpus", default="600", help="unmutated tunes for the repair check, or 'all'")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=60.0, help="per-call time limit in seconds (a hang)")
    parser.add_argument("--report", type=Path, default=None, help="write every failure to this JSON file")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tunes = corpus_tunes()
    worker = Worker(args.limit)
    tally = Tally()
    started = time.perf_counter()
    try:
        fuzz_tunes(worker, tunes, args.tunes, rng, tally)
        tune_seconds = time.perf_counter() - started
        fuzz_words(worker, args.words, rng, tally)
        word_seconds = time.perf_counter() - started - tune_seconds
        sample = tunes if args.corpus == "all" else rng.sample(tunes, min(int(args.corpus), len(tunes)))
        playable, broken = corpus_repairs(worker, sample, tally)
    finally:
        worker.stop()
    total = time.perf_counter() - started
    print(f"\nmutated tunes {args.tunes} ({tune_seconds:.0f} s), random words {args.words} ({word_seconds:.0f} s), "
          f"corpus tunes {len(sample)}; {sum(tally.calls.values())} calls in {total:.0f} s")
    print("calls: " + ", ".join(f"{name} {n}" for name, n in tally.calls.items()))
    print(f"{'ok':<44}{tally.outcomes['ok']:>8}")
    print(f"{'refused with a TunesmithError (expected)':<44}{tally.outcomes['expected']:>8}")
    for kind in ("crash", "hang", "repair claimed valid, abc2midi rejects"):
        print(f"{kind:<44}{tally.outcomes[kind]:>8}")
    print(f"{'corpus tunes abc2midi plays':<44}{playable:>8}")
    print(f"{'  of which repair made unplayable':<44}{broken:>8}")
    print(f"slowest call: {tally.slowest[0]:.2f} s ({tally.slowest[1]}); per-call limit {args.limit:g} s")
    for failure in tally.failures[:8]:
        print(f"\n[{failure['kind']}] {failure['call']}: {failure['input'][:160]!r}\n{str(failure['detail'])[-600:]}")
    if args.report:
        args.report.write_text(json.dumps(tally.failures, indent=1, ensure_ascii=False))
        print(f"\nall {len(tally.failures)} failures: {args.report}")


if __name__ == "__main__":
    main()
