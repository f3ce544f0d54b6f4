"""Throughput of the symbolic tools: validate and critique (tunes/s), render (tunes/s, 32-bar tune to WAV).

Run: .venv/bin/python benchmarks/symbolic_bench.py [--tunes N] [--calibrate]
Speed is also given as a ratio to a baseline measured in the same run: music21's ABC parser
(`converter.parse(..., format='abc')`) on the same tunes. `--calibrate` prints the 10th-90th
percentile bands of the critic's quality metrics over valid corpus tunes (used in critic_quality.BANDS).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.corpus_validation import corpus_tunes
from tunesmith.tools.abc import validate_abc
from tunesmith.tools.critic import critique_abc

THIRTY_TWO_BARS = """X:1
T:Benchmark Reel
M:4/4
L:1/8
Q:1/4=120
K:D
%%MIDI program 40
|:"D"d2fd AdFA|"G"G2BG dGBd|"D"d2fd AdFA|"A"cBAG FEDC|
"D"d2fd AdFA|"G"G2BG dGBd|"A"ABcd efge|"D"d2f2 d4:|
|:"D"f2af dfaf|"G"g2bg dgbg|"D"f2af dfaf|"A"e2ce Acec|
"D"f2af dfaf|"G"g2bg dgbg|"A"agfe dcBA|"D"d2f2 d4:|
|:"Bm"B2dB FBdB|"A"A2cA EAcA|"G"G2BG DGBG|"A"A2cA EAce|
"Bm"B2dB FBdB|"A"A2cA EAcA|"G"GABc defe|"D"d2f2 d4:|
|:"D"DFAd fdAF|"G"GBdg bgdB|"D"DFAd fdAF|"A"EAce agec|
"D"DFAd fdAF|"G"GBdg bgdB|"A"agfe dcBA|"D"d8:|
"""


def rate(function, items) -> tuple[float, float]:
    """(items per second, seconds) for calling `function` on each item."""
    started = time.perf_counter()
    for item in items:
        function(item)
    seconds = time.perf_counter() - started
    return len(items) / seconds, seconds


def music21_parse(tune: str) -> None:
    from music21 import converter

    try:
        converter.parse(tune, format="abc")
    except Exception:  # noqa: BLE001 - the baseline only needs timing; its failures are not ours
        pass


def calibrate(tunes: list[str]) -> None:
    """Print 10th/50th/90th percentiles of each quality metric over valid tunes."""
    from tunesmith.tools.abc import parsed_tune, tune_notes
    from tunesmith.tools.critic.metrics import (
        duration_entropy,
        intervals,
        large_leaps,
        melody,
        pitch_class_entropy,
        repetition_ratio,
        scale_consistency,
        stepwise_ratio,
    )

    values: dict[str, list[float]] = {}
    for tune in tunes:
        if not validate_abc(tune, check_abc2midi=False).valid:
            continue
        events = tune_notes(tune)
        line = melody(events)
        parsed = parsed_tune(tune)
        if len(line) < 16 or parsed.key.tonic is None:
            continue
        steps = intervals(line)
        metrics = {
            "pitch_class_entropy": pitch_class_entropy(line),
            "scale_consistency": scale_consistency(line, parsed.key.scale_pitch_classes()),
            "stepwise_motion": stepwise_ratio(steps),
            "large_leap_share": len(large_leaps(steps)) / len(steps),
            "duration_entropy": duration_entropy([e for e in events if e.midi is not None])[0],
            "repetition": repetition_ratio([e for e in events if e.midi is not None]),
        }
        for name, value in metrics.items():
            values.setdefault(name, []).append(value)
    print(f"calibration over {len(values.get('repetition', []))} valid tunes with 16+ notes and a tonic:")
    for name, series in values.items():
        deciles = statistics.quantiles(series, n=10)
        print(f"  {name:<22} p10 {deciles[0]:.3f}  p20 {deciles[1]:.3f}  median {statistics.median(series):.3f}  p90 {deciles[-1]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tunes", type=int, default=400, help="corpus tunes to time (spread over the corpus)")
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    _, named = corpus_tunes(None)
    step = max(1, len(named) // args.tunes)
    tunes = [tune for _, tune in named[::step]][: args.tunes]
    if args.calibrate:
        calibrate([tune for _, tune in named[::3]])
        return
    baseline, baseline_s = rate(music21_parse, tunes[:100])
    own_parse, _ = rate(lambda t: validate_abc(t, check_abc2midi=False), tunes)
    with_abc2midi, _ = rate(validate_abc, tunes)
    critique, _ = rate(critique_abc, tunes)
    print(f"tunes timed: {len(tunes)} (baseline: music21 ABC parse on {min(100, len(tunes))})")
    print(f"{'music21 converter.parse (baseline)':<40}{baseline:>9.1f} tunes/s   1.0x")
    print(f"{'validate_abc, own checks only':<40}{own_parse:>9.1f} tunes/s {own_parse / baseline:>6.1f}x")
    print(f"{'validate_abc + abc2midi second opinion':<40}{with_abc2midi:>9.1f} tunes/s {with_abc2midi / baseline:>6.1f}x")
    print(f"{'critique_abc (no plan)':<40}{critique:>9.1f} tunes/s {critique / baseline:>6.1f}x")
    try:
        from tunesmith.tools.render import render_all
    except ImportError:
        print("render: pending (tools/render.py not available)")
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = render_all(THIRTY_TWO_BARS, Path(folder), name="bench32", formats=("mid", "wav"))
        wav_seconds = time.perf_counter() - started
        render_rate, _ = rate(lambda t: render_all(t, Path(folder), name="r", formats=("mid", "wav")), tunes[:20])
    audio = result.duration_seconds or 0.0
    print(f"{'render_all mid+wav, corpus tunes':<40}{render_rate:>9.1f} tunes/s {render_rate / baseline:>6.1f}x")
    print(f"32-bar tune to WAV: {wav_seconds:.2f} s for {audio:.1f} s of audio ({audio / wav_seconds:.0f}x real time)")


if __name__ == "__main__":
    main()
