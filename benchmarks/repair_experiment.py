"""Missing-bar repair experiment on real music shipped offline (music21's corpus).

For each piece (Bach chorales as 4-track MIDI, folk tunes from ABC as 1-track MIDI): delete 2–6
complete bars at a seeded random place with music on both sides, let `find_gap` locate them, and fill
them with (a) our repair, (b) the repeat-left baseline, (c) silence; the deleted original bars are
scored too as a reference. Reported per method: mean context-fit score (tools.context_fit), context-
discrimination accuracy (the chunk fits its own piece better than each of K random other pieces),
the same test with the other pieces transposed into this piece's key, that test again on content
alone (boundary part left out), pitch-class cosine to the
deleted original bars, and the share of notes identical to the left copy.

Then `continue_abc` adds 4 bars to random corpus tunes: how many come back valid, how many are
refused (with the reason), how many fail.

Run: .venv/bin/python benchmarks/repair_experiment.py [--chorales 40] [--folk 20] [--others 5]
     [--continuations 150] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

# The chorale renderings the tests use live in tests/support (test material, not part of the package).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.piano_midi import chorale_midi  # noqa: E402

from tunesmith.tools.repair.context_fit import (
    BarContext,
    context_discrimination,
    context_fit,
    cosine,
    pitch_class_histogram,
)
from tunesmith.tools.repair.gap_context import gap_context
from tunesmith.tools.repair.gap_fill import repeat_left_baseline
from tunesmith.tools.repair.gap_harmony import Key, estimate_key
from tunesmith.tools.repair.midi_bars import ONSET_SNAP, BarNote, load_piano_piece
from tunesmith.tools.repair.midi_repair import find_gap, repair_piece

METHODS = ("repair", "repeat-left", "silence", "original")


def chorale_paths(count: int, rng: random.Random) -> list[str]:
    from music21 import corpus

    paths = sorted(str(p) for p in corpus.getComposer("bach") if str(p).endswith((".mxl", ".xml", ".krn")))
    rng.shuffle(paths)
    return paths[: count * 2]  # some are skipped (too short, not 4 voices)


def folk_tunes(count: int, rng: random.Random) -> list[str]:
    """Single tunes (text from one X: line to the next) from music21's ABC collections."""
    import music21

    tunes = []
    for path in sorted((Path(music21.__file__).parent / "corpus").rglob("*.abc")):
        text = path.read_text(encoding="utf-8", errors="replace")
        tunes += ["X:" + chunk for chunk in re.split(r"^X:", text, flags=re.M)[1:]]
    rng.shuffle(tunes)
    return tunes[: count * 3]


def folk_midi(abc: str, path: Path) -> Path | None:
    """A folk tune as one-track MIDI via tools.abc.tune_notes, pickup padded so bars line up."""
    import pretty_midi

    from tunesmith.tools.abc import parse_meter, tune_notes

    if re.search(r"^V:", abc, flags=re.M):
        return None  # one melody line per tune
    try:
        events = [e for e in tune_notes(abc) if e.midi is not None]
        meter = parse_meter(re.search(r"^M:(.*)$", abc, flags=re.M).group(1).strip())
    except Exception:  # tunes our parser refuses are simply not used
        return None
    bar_length = float(meter.bar_length or 4) * 4
    numerator, denominator = meter.numerator, meter.denominator
    if not events or not meter.bar_length:
        return None
    first_full = min((e.onset for e in events if e.bar >= 1), default=0.0)
    pad = (bar_length - first_full) % bar_length  # pickup (bar 0) ends where a full bar would
    midi = pretty_midi.PrettyMIDI(initial_tempo=120)
    midi.time_signature_changes.append(pretty_midi.TimeSignature(numerator, denominator, 0.0))
    melody = pretty_midi.Instrument(program=0, name="Melody")
    for e in events:
        melody.notes.append(pretty_midi.Note(80, e.midi, (e.onset + pad) * 0.5, (e.onset + pad + e.duration) * 0.5))
    midi.instruments.append(melody)
    midi.write(str(path))
    return path


def delete_bars(source: Path, target: Path, first: int, last: int) -> None:
    """Copy `source` without the notes starting in 0-based bars first..last."""
    import pretty_midi

    piece = load_piano_piece(source)
    low, high = piece.bar_starts[first], piece.bar_starts[last + 1]
    midi = pretty_midi.PrettyMIDI(str(source))
    for instrument in midi.instruments:
        instrument.notes = [n for n in instrument.notes
                            if not low - ONSET_SNAP <= midi.time_to_tick(n.start) / midi.resolution < high - ONSET_SNAP]
    midi.write(str(target))


def run_piece(full: Path, folder: Path, rng: random.Random, seed: int) -> dict | None:
    piece_full = load_piano_piece(full)
    size = rng.randint(2, 6)
    if piece_full.bar_count < size + 4:
        return None
    first = rng.randint(1, piece_full.bar_count - size - 1)
    truth = (first, first + size - 1)
    holed_path = folder / f"{full.stem}-holed.mid"
    delete_bars(full, holed_path, *truth)
    piece = load_piano_piece(holed_path)
    try:
        found = find_gap(piece, None)
    except ValueError:
        found = None
    gap = truth
    started = time.perf_counter()
    ranked, _, notes = repair_piece(piece, gap, candidates=4, seed=seed)
    repair_seconds = time.perf_counter() - started
    started = time.perf_counter()
    repeat_left_baseline(piece, gap)
    baseline_seconds = time.perf_counter() - started
    chunks = {"repair": notes[ranked[0].name], "repeat-left": notes["repeat-left"], "silence": [],
              "original": piece_full.notes_in_bars(*truth)}
    return {"context": gap_context(piece, gap), "chunks": chunks, "detected": found == truth,
            "repair_seconds": repair_seconds, "baseline_seconds": baseline_seconds}


def in_same_key(context: BarContext, key: Key) -> BarContext:
    """`context` transposed (by -6..+5 semitones) so its estimated tonic is `key`'s: a harder
    discrimination test, where key alone cannot tell the pieces apart."""
    shift = (key.tonic - estimate_key(context.notes).tonic + 6) % 12 - 6

    def moved(notes: list[BarNote]) -> list[BarNote]:
        return [BarNote(n.pitch + shift, n.start, n.end, n.velocity, n.voice) for n in notes]

    return BarContext(moved(context.left), moved(context.right), context.gap_start, context.gap_end, context.bar_length)


def summarise(rows: list[dict], others: int, rng: random.Random) -> dict[str, dict[str, float]]:
    table = {}
    for method in METHODS:
        fits, accuracies, same_key, content, to_original, copied = [], [], [], [], [], []
        for index, row in enumerate(rows):
            chunk = row["chunks"][method]
            pool = [r["context"] for i, r in enumerate(rows) if i != index]
            fits.append(context_fit(chunk, row["context"]).score)
            rivals = rng.sample(pool, min(others, len(pool)))
            accuracies.append(context_discrimination(chunk, row["context"], rivals).accuracy)
            key = estimate_key(row["context"].notes)
            transposed = [in_same_key(r, key) for r in rivals]
            same_key.append(context_discrimination(chunk, row["context"], transposed).accuracy)
            content.append(context_discrimination(chunk, row["context"], transposed, content_only=True).accuracy)
            to_original.append(cosine(pitch_class_histogram(chunk), pitch_class_histogram(row["chunks"]["original"])))
            left = {(round(n.start, 3), n.pitch) for n in row["chunks"]["repeat-left"]}
            copied.append(sum((round(n.start, 3), n.pitch) in left for n in chunk) / len(chunk) if chunk else 0.0)
        table[method] = {"fit": _mean(fits), "discrimination": _mean(accuracies), "same_key": _mean(same_key),
                         "content": _mean(content),
                         "pc_cosine_to_original": _mean(to_original), "copy_of_left": _mean(copied)}
    return table


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def continuation_check(tunes: list[str]) -> None:
    """Continue each tune by 4 bars; count valid results, refusals (invalid input) and failures."""
    from collections import Counter

    from tunesmith.tools.abc import validate_abc
    from tunesmith.tools.repair import RepairInputError, continue_abc

    valid, refused, failed, why = 0, 0, 0, Counter()
    started = time.perf_counter()
    for tune in tunes:
        try:
            valid += validate_abc(continue_abc(tune, 4)).valid
        except RepairInputError as error:
            refused += 1
            why[str(error)[:40]] += 1
        except Exception as error:  # counted, not hidden: any crash here is a bug
            failed += 1
            why[f"crash {type(error).__name__}"] += 1
    seconds = time.perf_counter() - started
    print(f"continue_abc(+4 bars) on {len(tunes)} corpus tunes: {valid} valid, {refused} refused, {failed} failed "
          f"({1000 * seconds / max(1, len(tunes)):.0f} ms per tune); refusals: {dict(why.most_common(4))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chorales", type=int, default=40)
    parser.add_argument("--folk", type=int, default=20)
    parser.add_argument("--others", type=int, default=5, help="other pieces per discrimination test")
    parser.add_argument("--continuations", type=int, default=150, help="corpus tunes to continue by 4 bars")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    rows: dict[str, list[dict]] = {"chorale": [], "folk": []}
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for path in chorale_paths(args.chorales, rng):
            if len(rows["chorale"]) >= args.chorales:
                break
            try:
                midi = chorale_midi(folder / f"c{len(rows['chorale'])}.mid", work=path)
            except Exception:  # a corpus file music21 cannot turn into a 4-part score is skipped
                continue
            if (row := run_piece(midi, folder, rng, args.seed)) is not None:
                rows["chorale"].append(row)
        for tune in folk_tunes(args.folk, rng) if args.folk else []:
            if len(rows["folk"]) >= args.folk:
                break
            midi = folk_midi(tune, folder / f"f{len(rows['folk'])}.mid")
            if midi is not None and (row := run_piece(midi, folder, rng, args.seed)) is not None:
                rows["folk"].append(row)
    everything = rows["chorale"] + rows["folk"]
    print(f"pieces: {len(rows['chorale'])} chorales + {len(rows['folk'])} folk tunes; "
          f"gap found by find_gap: {sum(r['detected'] for r in everything)}/{len(everything)}")
    print(f"{'set':8} {'method':12} {'fit':>6} {'discrim':>8} {'samekey':>8} {'content':>8} "
          f"{'pc~orig':>8} {'copy':>6}")
    for name, subset in (("chorale", rows["chorale"]), ("folk", rows["folk"]), ("all", everything)):
        if len(subset) < 2:
            continue
        for method, numbers in summarise(subset, args.others, random.Random(args.seed)).items():
            print(f"{name:8} {method:12} {numbers['fit']:6.3f} {numbers['discrimination']:8.3f} "
                  f"{numbers['same_key']:8.3f} {numbers['content']:8.3f} "
                  f"{numbers['pc_cosine_to_original']:8.3f} {numbers['copy_of_left']:6.3f}")
    repair = sum(r["repair_seconds"] for r in everything)
    baseline = sum(r["baseline_seconds"] for r in everything)
    print(f"repair time per piece {1000 * repair / len(everything):.1f} ms = {repair / baseline:.0f}x the "
          f"repeat-left baseline; repair experiment {time.perf_counter() - started:.1f} s")
    if args.continuations:
        continuation_check(folk_tunes(args.continuations, random.Random(args.seed + 1))[: args.continuations])


if __name__ == "__main__":
    main()
