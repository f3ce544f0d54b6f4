"""Transcription of real tunes from audio: note F1, exact bars, meter/tempo/downbeat, contour after an edit, speed.

Run: .venv/bin/python benchmarks/transcription_bench.py [--tunes 30] [--seed 2024] [--dev-seed 1] [--long] [--llm 3]

Held-out tunes: `tools.corpus.sample.sample_tunes(N, seed)` (excluding the tunes of the dev seed the
transcriber's settings were tuned on), chord symbols removed, each rendered by the product's renderer
(abc2midi + FluidSynth) with one of piano, flute, violin, accordion in turn. The reference is the
melody in the rendered MIDI file (abc2midi's performance: repeats unfolded).

* Notes: mir_eval note F1 (onset within 50 ms, pitch within 50 cents, offsets ignored) of every note
  basic-pitch hears and of the melody line picked from them.
* Bars: the transcribed ABC is read back with music21 (ties joined); a reference bar counts as
  recovered when the transcription has exactly its notes — pitches, onsets and durations in quarter
  beats (clipped to the bar) — in the same span of time after the first note.
* Metre: meter (2/2 counts as 4/4: same bar), tempo within 4 % and the downbeat where the tune has it.
* Contour: "like this clip, but in a minor key" done the deterministic way (transcribe, then the edit
  parser and editor) against the old way (compose a new tune from the clip's tempo and key): share of
  the first 24 notes' 23 interval directions (up, down, same) equal to the original tune's, position
  by position, and with each reference note matched to the note sounding at the same time.
* Speed: seconds of processing per minute of audio for transcription and for musicnn tagging, and for
  decoding the WAV (the baseline); `--long` adds a 10-minute clip (windows, progress, peak memory).
* `--llm N`: the same edit through `tunesmith compose EDIT --audio clip.wav` with the configured chat
  model (the embedded LLM by default) on N clips; `--only-llm` runs just that.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

INSTRUMENTS = ("piano", "flute", "violin", "accordion")
CONTOUR_NOTES = 24
EDIT = "like this clip, but in a minor key"


def melody_only(abc: str) -> str:
    """The tune without chord symbols (so abc2midi plays the melody alone)."""
    return re.sub(r'"[^"]*"', "", abc)


def reference_notes(midi: Path) -> tuple[list[tuple[float, float, int]], float]:
    """(onset s, offset s, pitch) of the rendered melody, and the quarter note's length in seconds."""
    import pretty_midi

    performance = pretty_midi.PrettyMIDI(str(midi))
    notes = sorted((n.start, n.end, n.pitch) for instrument in performance.instruments[:1] for n in instrument.notes)
    return notes, 60.0 / float(performance.get_tempo_changes()[1][0])


def note_f1(reference: list[tuple[float, float, int]], estimate: list[tuple[float, float, int]]) -> float:
    import mir_eval
    import numpy as np
    import pretty_midi

    if not estimate:
        return 0.0
    def arrays(notes):
        return (np.array([[a, max(b, a + 0.01)] for a, b, _ in notes]),
                np.array([pretty_midi.note_number_to_hz(p) for *_, p in notes]))
    return float(mir_eval.transcription.precision_recall_f1_overlap(
        *arrays(reference), *arrays(estimate), onset_tolerance=0.05, offset_ratio=None)[2])


def abc_notes(abc: str) -> list[tuple[float, float, int]]:
    """(onset, duration, pitch) in quarter beats from the first note, tied notes joined, read by the
    product's ABC parser (music21's reader does not carry accidentals through a bar, abc2midi does)."""
    from tunesmith.tools.abc import parsed_tune

    tune = parsed_tune(abc)
    notes: list[tuple[float, float, int]] = []
    tied = False
    for note in tune.notes:
        if note.grace or note.chord_member:
            continue
        if note.midi is None:  # a rest ends any tie
            tied = False
            continue
        onset, length = float(note.onset * 4), float(note.duration * 4)
        if tied and notes and notes[-1][2] == note.midi:
            notes[-1] = (notes[-1][0], notes[-1][1] + length, note.midi)
        else:
            notes.append((onset, length, note.midi))
        tied = tune.text[note.length_end : note.length_end + 1] == "-"
    first = notes[0][0] if notes else 0.0
    return [(onset - first, length, pitch) for onset, length, pitch in notes]


def exact_bars(reference: list[tuple[float, float, int]], quarter_s: float, pickup_q: float, bar_q: float,
               transcribed: list[tuple[float, float, int]]) -> tuple[int, int]:
    """(reference bars recovered exactly, reference bars) — see the module docstring."""
    first = reference[0][0]
    ref_q = [((a - first) / quarter_s, (b - a) / quarter_s, p) for a, b, p in reference]
    end = max(onset + length for onset, length, _ in ref_q)
    starts = ([0.0] if pickup_q > 1e-6 else []) + [pickup_q + k * bar_q for k in range(int((end - pickup_q) / bar_q) + 1)]
    recovered = total = 0
    for number, start in enumerate(starts):
        stop = starts[number + 1] if number + 1 < len(starts) else start + bar_q
        def content(notes, start=start, stop=stop):
            return sorted((p, round((o - start) * 12), round((min(o + d, stop) - o) * 12))
                          for o, d, p in notes if start - 1e-3 <= o < stop - 1e-3)
        wanted = content(ref_q)
        if not wanted:
            continue
        total += 1
        recovered += content(transcribed) == wanted
    return recovered, total


def abc_seconds(abc: str) -> list[tuple[float, int]]:
    """(onset s from the first note, pitch) of a tune at its own Q: tempo."""
    from tunesmith.tools.abc import parsed_tune, quarters_per_minute

    seconds_per_quarter = 60.0 / quarters_per_minute(parsed_tune(abc))
    return [(onset * seconds_per_quarter, pitch) for onset, _, pitch in abc_notes(abc)]


def aligned_contour_agreement(reference: list[tuple[float, float, int]], other: list[tuple[float, int]]) -> float:
    """Interval-direction agreement over the reference's first notes, each matched to the other tune's
    note sounding nearest in time (within 0.15 s, both from their first note): an extra or missing
    note does not shift every later comparison, as it does position by position."""
    import bisect

    first = reference[0][0]
    times = [t for t, _ in other]
    matched = []
    for onset, _, pitch in reference[:CONTOUR_NOTES]:
        i = bisect.bisect_left(times, onset - first - 0.15)
        near = [j for j in range(i, min(i + 3, len(times))) if abs(times[j] - (onset - first)) <= 0.15]
        matched.append((pitch, other[min(near, key=lambda j: abs(times[j] - onset + first))][1] if near else None))
    agree = [(b[0] > a[0]) - (b[0] < a[0]) == ((b[1] > a[1]) - (b[1] < a[1]))
             if a[1] is not None and b[1] is not None else False for a, b in zip(matched, matched[1:])]
    return sum(agree) / max(1, len(agree))


def directions(pitches: list[int]) -> list[int]:
    return [(b > a) - (b < a) for a, b in zip(pitches, pitches[1:])]


def contour_agreement(reference: list[int], other: list[int]) -> float:
    ref, est = directions(reference[:CONTOUR_NOTES]), directions(other[:CONTOUR_NOTES])
    return sum(r == e for r, e in zip(ref, est)) / max(1, len(ref))


def run(tunes: int, seed: int, dev_seed: int, long_clip: bool, llm: int = 0) -> None:

    from tunesmith.tools.abc import analyse_abc, set_instrument, tune_notes
    from tunesmith.tools.audio.clip_plan import plan_from_clip
    from tunesmith.tools.audio.describe import describe_audio, load_audio
    from tunesmith.tools.audio.melody_line import melody_line
    from tunesmith.tools.audio.musicnn.tagger import tag_samples
    from tunesmith.tools.audio.notes import SAMPLE_RATE, detect_notes
    from tunesmith.tools.audio.transcribe import transcribe_samples
    from tunesmith.tools.compose.composer import compose_abc
    from tunesmith.tools.corpus.sample import sample_tunes
    from tunesmith.tools.edits import apply_edits, parse_edit
    from tunesmith.tools.planning.request import plan_from_request
    from tunesmith.tools.render import render_all
    from tunesmith.tools.theory import parse_meter

    dev = {t.id for t in sample_tunes(tunes, dev_seed)}
    chosen = sample_tunes(tunes, seed, exclude=dev)
    rows, seconds_audio, seconds_decode, seconds_transcribe, seconds_tag = [], 0.0, 0.0, 0.0, 0.0
    with tempfile.TemporaryDirectory(prefix="tunesmith-transcription-") as work:
        folder = Path(work)
        for number, tune in enumerate(chosen):
            instrument = INSTRUMENTS[number % len(INSTRUMENTS)]
            abc = set_instrument(melody_only(tune.abc), instrument)
            rendered = render_all(abc, folder, f"t{number:02d}", formats=["mid", "wav"])
            reference, quarter_s = reference_notes(rendered.midi)
            analysis = analyse_abc(abc)
            bar_q = float(parse_meter(analysis.meter).bar_length * 4)
            pickup_q = sum(n.duration for n in tune_notes(abc) if n.bar == 0)
            start = time.perf_counter()
            samples, _ = load_audio(rendered.wav, sample_rate=SAMPLE_RATE)
            seconds_decode += time.perf_counter() - start
            start = time.perf_counter()
            try:
                transcription = transcribe_samples(samples, name=rendered.wav.name, instrument=instrument)
            except ValueError as error:
                transcription, why = None, str(error)
            seconds_transcribe += time.perf_counter() - start
            start = time.perf_counter()
            tag_samples(samples, SAMPLE_RATE)
            seconds_tag += time.perf_counter() - start
            seconds_audio += len(samples) / SAMPLE_RATE
            heard = detect_notes(samples)  # again, untimed, for the note-level scores
            line = melody_line(heard)
            row = {"tune": tune.id, "instrument": instrument, "meter": analysis.meter,
                   "f1_all": note_f1(reference, [(n.start_s, n.end_s, n.pitch) for n in heard]),
                   "f1_line": note_f1(reference, [(n.start_s, n.end_s, n.pitch) for n in line])}
            ref_pitches = [p for *_, p in reference]
            if transcription is None:
                row.update(bars=(0, 1), metre=(False, False, False), contour_edit=0.0, aligned_edit=0.0, error=why)
            else:
                got = abc_notes(transcription.abc)
                row["bars"] = exact_bars(reference, quarter_s, pickup_q, bar_q, got)
                beat_q = 1.5 if transcription.meter.endswith("/8") else 1.0
                tempo_ok = abs(60.0 / transcription.tempo_bpm * (1 / beat_q) / quarter_s - 1) < 0.04
                same_bar = parse_meter(transcription.meter).bar_length == parse_meter(analysis.meter).bar_length  # 2/2 = 4/4
                row["metre"] = (same_bar, tempo_ok, row["bars"][0] > 0)
                edited = apply_edits(transcription.abc, parse_edit(EDIT)).abc
                row["contour_edit"] = contour_agreement(ref_pitches, [p for *_, p in abc_notes(edited)])
                row["aligned_edit"] = aligned_contour_agreement(reference, abc_seconds(edited))
                row["key"] = f"{transcription.key} {transcription.mode}"
            description = describe_audio(rendered.wav, with_tags=False)
            old_way = compose_abc(plan_from_request(EDIT, base=plan_from_clip(description, seed=number))).abc
            row["contour_old"] = contour_agreement(ref_pitches, [p for *_, p in abc_notes(old_way)])
            row["aligned_old"] = aligned_contour_agreement(reference, abc_seconds(old_way))
            rows.append(row)
            bars = row["bars"]
            print(f"{tune.id:45s} {instrument:9s} F1 all {row['f1_all']:.2f} line {row['f1_line']:.2f}  "
                  f"bars {bars[0]:2d}/{bars[1]:2d}  contour edit {row['contour_edit']:.2f} old {row['contour_old']:.2f}"
                  + (f"  ({row['error']})" if "error" in row else ""), flush=True)
    print()
    print(f"{len(rows)} held-out tunes (seed {seed}; dev seed {dev_seed} excluded), rendered with {', '.join(INSTRUMENTS)} in turn")
    for instrument in (*INSTRUMENTS, None):
        group = [r for r in rows if instrument is None or r["instrument"] == instrument]
        recovered, total = sum(r["bars"][0] for r in group), sum(r["bars"][1] for r in group)
        print(f"  {instrument or 'all':10s} tunes {len(group):2d}  note F1 all notes {statistics.fmean(r['f1_all'] for r in group):.3f}"
              f"  melody line {statistics.fmean(r['f1_line'] for r in group):.3f}  exact bars {recovered}/{total} "
              f"= {recovered / max(total, 1):.1%}  tunes with >=90% bars {sum(r['bars'][0] >= 0.9 * r['bars'][1] for r in group)}")
    meter_ok = sum(r["metre"][0] for r in rows)
    tempo_ok = sum(r["metre"][1] for r in rows)
    print(f"  meter right {meter_ok}/{len(rows)}, tempo within 4% {tempo_ok}/{len(rows)}")
    edit, old = [r["contour_edit"] for r in rows], [r["contour_old"] for r in rows]
    print(f"  '{EDIT}': interval-direction agreement with the original, first {CONTOUR_NOTES} notes: "
          f"transcribe+edit {statistics.fmean(edit):.3f} (median {statistics.median(edit):.3f}) vs "
          f"compose from tempo+key (old) {statistics.fmean(old):.3f} position by position; matched in time: "
          f"{statistics.fmean(r['aligned_edit'] for r in rows):.3f} vs {statistics.fmean(r['aligned_old'] for r in rows):.3f}")
    minutes = seconds_audio / 60
    print(f"  speed per minute of audio: decode {seconds_decode / minutes:.2f} s (baseline), transcribe "
          f"{seconds_transcribe / minutes:.2f} s (x{seconds_transcribe / seconds_decode:.1f}), musicnn tags (2 taggers) "
          f"{seconds_tag / minutes:.2f} s (x{seconds_tag / seconds_decode:.1f}); {seconds_audio:.0f} s of audio in all")
    if long_clip:
        _long_clip(chosen)
    if llm:
        _llm_check(chosen, llm)


def _llm_check(chosen, count: int) -> None:
    """`tunesmith compose EDIT --audio clip.wav` with the configured chat model (the embedded LLM by
    default) on the first `count` tunes: contour agreement and which tools the model and the agent ran."""
    import json
    import subprocess

    from tunesmith.tools.abc import set_instrument
    from tunesmith.tools.render import render_all

    print(f"  real LLM, '{EDIT}' through the CLI:")
    with tempfile.TemporaryDirectory(prefix="tunesmith-llm-") as work:
        for number, tune in enumerate(chosen[:count]):
            instrument = INSTRUMENTS[number % len(INSTRUMENTS)]
            rendered = render_all(set_instrument(melody_only(tune.abc), instrument), Path(work), f"clip{number}",
                                  formats=["mid", "wav"])
            reference, _ = reference_notes(rendered.midi)
            out = Path(work) / f"turn{number}"
            start = time.perf_counter()
            run = subprocess.run([sys.executable, "-m", "tunesmith.cli", "compose", EDIT, "--audio", str(rendered.wav),
                                  "--out", str(out)], capture_output=True, text=True, timeout=900)
            seconds = time.perf_counter() - start
            if not (out / "tune.abc").is_file():
                print(f"    {tune.id}: no tune ({run.stderr.strip().splitlines()[-1:] or run.returncode})")
                continue
            calls = json.loads((out / "trace.json").read_text())["tool_calls"]
            agreement = contour_agreement([p for *_, p in reference], [p for *_, p in abc_notes((out / "tune.abc").read_text())])
            steps = ", ".join(f"{c['name']}{'*' if c['by'] == 'agent' else ''}{'!' if c['error'] else ''}" for c in calls)
            print(f"    {tune.id:45s} contour {agreement:.2f}  {seconds:.0f} s  tools: {steps}")
    print("    (* run by the agent because the model skipped it; ! the call failed)")


def _long_clip(chosen) -> None:
    """A 10-minute clip (renders played one after another): time, progress calls and peak memory."""
    import numpy as np

    from tunesmith.tools.abc import set_instrument
    from tunesmith.tools.audio.describe import load_audio
    from tunesmith.tools.audio.notes import SAMPLE_RATE
    from tunesmith.tools.audio.transcribe import transcribe_samples
    from tunesmith.tools.render import render_all

    pieces, total = [], 0
    with tempfile.TemporaryDirectory(prefix="tunesmith-long-") as work:
        for number, tune in enumerate(chosen):
            rendered = render_all(set_instrument(melody_only(tune.abc), "flute"), Path(work), f"l{number}", formats=["wav"])
            samples, _ = load_audio(rendered.wav, sample_rate=SAMPLE_RATE)
            pieces.append(samples)
            total += len(samples)
            if total >= 600 * SAMPLE_RATE:
                break
    clip = np.concatenate(pieces)[: 599 * SAMPLE_RATE]
    calls = []
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = transcribe_samples(clip, name="ten-minutes.wav", progress=calls.append)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"  10-minute clip ({len(clip) / SAMPLE_RATE:.0f} s): {seconds:.1f} s, {len(calls)} progress calls, "
          f"{result.notes} notes, {result.bars} bars; peak RSS {after / 1024:.0f} MB (+{(after - before) / 1024:.0f} MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tunes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--dev-seed", type=int, default=1)
    parser.add_argument("--long", action="store_true", help="also a 10-minute clip")
    parser.add_argument("--llm", type=int, default=0, help="also run the CLI with the real chat model on N clips")
    parser.add_argument("--only-llm", action="store_true", help="skip everything but the --llm check")
    arguments = parser.parse_args()
    if arguments.only_llm:
        from tunesmith.tools.corpus.sample import sample_tunes

        dev = {t.id for t in sample_tunes(arguments.tunes, arguments.dev_seed)}
        _llm_check(sample_tunes(arguments.tunes, arguments.seed, exclude=dev), arguments.llm)
    else:
        run(arguments.tunes, arguments.seed, arguments.dev_seed, arguments.long, arguments.llm)
