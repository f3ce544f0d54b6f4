"""'play this tune' on random real tunes: how many play exactly as written, how many needed a repair.

Draws N tunes at random (fixed seed) from music21's ~13,000 ABC tunes, attaches each as the user's
file and asks the agent "play this tune" (a read-only job: no model call). Counts the tunes played
byte for byte as written (and of those, how many our validator finds fault with that abc2midi plays
anyway), the tunes repaired first (with the repairs seen most), and the turns that failed.

    .venv/bin/python benchmarks/play_corpus.py [--tunes 200] [--seed 7] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections import Counter
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tunes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from tunesmith.agent.turn import run_turn
    from tunesmith.settings import load_settings
    from tunesmith.tools.abc import validate_abc
    from tunesmith.tools.corpus.reader import _abc_files, _interleaved
    from tunesmith.tools.tunebook import stops_abc2midi

    out = args.out or Path(tempfile.mkdtemp(prefix="tunesmith-play-corpus-"))
    _, files = _abc_files(None)
    tunes = [t for t in _interleaved(files) if hasattr(t, "abc")]
    chosen = random.Random(args.seed).sample(tunes, args.tunes)
    settings = load_settings(output_dir=out / "sessions")
    counts: Counter[str] = Counter()
    repairs: Counter[str] = Counter()
    failures: list[str] = []
    started, load = time.perf_counter(), os.getloadavg()[0]
    for number, tune in enumerate(chosen, start=1):
        path = out / "tunes" / f"{number:03d}.abc"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tune.abc, encoding="utf-8")
        outcome = run_turn("play this tune", chat_model=GenericFakeChatModel(messages=iter([])), settings=settings,
                           turn_dir=out / "turns" / f"{number:03d}", user_files={"abc": path})
        trace = json.loads((outcome.folder / "trace.json").read_text())
        own = trace["evidence"].get("own_tune", {})
        if outcome.status != "done":
            counts["failed"] += 1
            failures.append(f"{tune.file.relative} X:{tune.x}: {outcome.reply}")
        elif own.get("played_as_written"):
            identical = (outcome.folder / "tune.abc").read_text(encoding="utf-8") == tune.abc.rstrip() + "\n"
            counts["as written"] += 1
            counts["as written, byte-identical"] += identical
            counts["as written, valid by our validator"] += validate_abc(tune.abc).valid
        else:
            counts["repaired first"] += 1
            repairs.update("a bar's length" if change.startswith("bar ") else change for change in own.get("repairs", []))
            counts["repaired first, abc2midi could not play it"] += bool(stops_abc2midi(validate_abc(tune.abc)))
    seconds = time.perf_counter() - started
    print(f"{args.tunes} random corpus tunes (seed {args.seed}), 'play this tune', {seconds:.0f} s "
          f"({seconds / args.tunes:.2f} s a tune; load {load:.1f} at start, {os.getloadavg()[0]:.1f} at end, "
          f"{os.cpu_count()} cores):")
    as_written = counts["as written"]
    print(f"  played as written: {as_written} (byte-identical ABC: {counts['as written, byte-identical']}; valid by our "
          f"validator: {counts['as written, valid by our validator']}, the other "
          f"{as_written - counts['as written, valid by our validator']} have faults abc2midi plays through)")
    print(f"  repaired first: {counts['repaired first']} (abc2midi could not play them as written: "
          f"{counts['repaired first, abc2midi could not play it']})")
    print(f"  failed: {counts['failed']}")
    for change, count in repairs.most_common(8):
        print(f"    repair: {change} ({count})")
    for failure in failures[:10]:
        print(f"  failed: {failure}")
    print(f"files: {out}")


if __name__ == "__main__":
    main()
