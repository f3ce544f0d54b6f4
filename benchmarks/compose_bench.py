"""Compose and render: validity, adherence, critic quality against a random-pitch baseline, and speed.

Run: .venv/bin/python benchmarks/compose_bench.py [--plans 300]

* Quality: the same plans composed twice — by `compose_abc`, and by a baseline that keeps the
  form, rhythm and headers but draws every pitch uniformly from the scale tones in range — and
  both scored by `tools.critic`. The gap is what the melody rules add.
* Speed: compose time per tune as a ratio to validating the same tune (measured in this run),
  and rendering a 32-bar tune to WAV as a ratio to the tune's playing time (real-time factor).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

from tunesmith.tools.abc import validate_abc
from tunesmith.tools.compose import compose_abc
from tunesmith.tools.compose.melody import Note
from tunesmith.tools.critic import critique_abc
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.render import render_all
from tunesmith.tools.theory import TONICS
from tunesmith.tools.theory.meter import COMMON_METERS as METERS

MODES = ["major", "minor", "dorian", "mixolydian"]
TUNE_TYPES = [None, "jig", "reel", "waltz", "hornpipe", "polka", "air"]


def plans(count: int) -> list[MusicPlan]:
    rng = random.Random(99)
    return [
        MusicPlan(key=rng.choice(TONICS), mode=rng.choice(MODES), meter=rng.choice(METERS[:5]),
                  bars=rng.choice([8, 16, 32]), form=rng.choice(["AABB", "AABA", "AB"]),
                  tune_type=rng.choice(TUNE_TYPES), density=rng.choice(["sparse", "medium", "dense"]),
                  low_pitch=60, high_pitch=60 + rng.randint(12, 24), seed=seed)
        for seed in range(count)
    ]


def random_pitches(plan, previous, voice, rng) -> list[Note]:
    """Baseline bar: the planned rhythm with uniformly random scale tones from the range."""
    options = [(s, a) for s, a, _ in voice.candidates(plan.chord, False, None) if a == 0] or [
        (s, a) for s, a, _ in voice.candidates(plan.chord, False, None)]
    return [Note(*rng.choice(options), duration) for duration in plan.rhythm]


def quality(tunes: list[tuple[MusicPlan, str]]) -> tuple[float, dict[str, float]]:
    overall, dimensions = [], {}
    for plan, abc in tunes:
        critique = critique_abc(abc, plan)
        overall.append(critique.overall)
        for dimension in critique.quality:
            dimensions.setdefault(dimension.name, []).append(dimension.score)
    return statistics.mean(overall), {name: statistics.mean(scores) for name, scores in dimensions.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=300)
    count = parser.parse_args().plans
    chosen = plans(count)

    start = time.perf_counter()
    composed = [(plan, compose_abc(plan).abc) for plan in chosen]
    compose_seconds = time.perf_counter() - start
    start = time.perf_counter()
    reports = [validate_abc(abc, check_abc2midi=False) for _, abc in composed]
    validate_seconds = time.perf_counter() - start
    valid = sum(r.valid for r in reports)
    exact_bars = sum(r.bars == plan.bars for r, (plan, _) in zip(reports, composed))
    print(f"plans: {count}; valid ABC: {valid}/{count}; exact bar count: {exact_bars}/{count}")
    print(f"compose: {1000 * compose_seconds / count:.1f} ms/tune = "
          f"{compose_seconds / validate_seconds:.2f}x the time to validate the same tunes")

    with mock.patch("tunesmith.tools.compose.sections.realise_bar", random_pitches):
        baseline = [(plan, compose_abc(plan).abc) for plan in chosen]
    ours, our_dims = quality(composed)
    theirs, their_dims = quality(baseline)
    print(f"critic overall (0..1): compose_abc {ours:.3f} vs random-pitch baseline {theirs:.3f}")
    print(f"{'quality dimension':24} {'compose':>8} {'baseline':>9}")
    for name in our_dims:
        print(f"{name:24} {our_dims[name]:8.3f} {their_dims.get(name, float('nan')):9.3f}")

    plan = MusicPlan(meter="4/4", bars=32, form="AABB", tune_type="reel", tempo_bpm=120, seed=1)
    abc = compose_abc(plan).abc
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = render_all(abc, Path(out), formats=("mid", "wav"))
        wav_seconds = time.perf_counter() - start
        start = time.perf_counter()
        render_all(abc, Path(out), formats=("svg",))
        svg_seconds = time.perf_counter() - start
    print(f"32-bar reel: {result.duration_seconds:.1f} s of audio rendered (MIDI+WAV) in {wav_seconds:.2f} s "
          f"= {result.duration_seconds / wav_seconds:.0f}x real time; SVG score in {svg_seconds:.2f} s")


if __name__ == "__main__":
    main()
