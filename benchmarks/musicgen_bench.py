"""MusicGen real-time factor and audio-descriptor throughput on this machine.

    .venv/bin/python benchmarks/musicgen_bench.py              # tiny random models (seconds)
    .venv/bin/python benchmarks/musicgen_bench.py --real-size  # plus a random model of musicgen-small's size

Real-time factor (RTF) = compute seconds per second of audio (below 1: faster than real time). Ratios are
against baselines measured in the same run: text generation without classifier-free guidance (half the
batch) for MusicGen, and plain decoding + resampling of the same file for the descriptors.
No weights exist here, so every model is randomly initialised: speed is real, the music is noise.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def musicgen_rtf(folder: Path, melody_folder: Path, work: Path, seconds: float) -> None:
    """Print RTF of text, melody and continuation generation with the MusicGen tools."""
    import numpy as np
    import soundfile

    from tunesmith.tools.musicgen import continue_audio, generate_from_text, generate_with_melody

    generate_from_text("warm-up", work / "warm.wav", seconds=0.5, model=str(folder), progress=False)
    no_cfg = generate_from_text("a calm folk tune", work / "nocfg.wav", seconds=seconds, guidance_scale=1.0,
                                model=str(folder), progress=False)
    text = generate_from_text("a calm folk tune", work / "text.wav", seconds=seconds, model=str(folder), progress=False)
    t = np.arange(int(seconds * 32000)) / 32000
    soundfile.write(str(work / "melody.wav"), 0.5 * np.sin(2 * np.pi * 440 * t), 32000)
    generate_with_melody("warm-up", work / "melody.wav", work / "warm_m.wav", seconds=0.5, model=str(melody_folder),
                         progress=False)
    melody = generate_with_melody("a folk tune", work / "melody.wav", work / "m.wav", model=str(melody_folder),
                                  progress=False)
    continuation = continue_audio("a folk tune", work / "melody.wav", work / "c.wav", total_seconds=3 * seconds,
                                  block_seconds=seconds, overlap_seconds=seconds / 2, model=str(folder), progress=False)
    print(f"MusicGen (tiny random, {text.device}), {seconds:g} s of audio per call")
    print(f"  baseline text, no CFG     RTF {no_cfg.realtime_factor:8.3f}")
    for label, result in (("text, CFG 3", text), ("melody, CFG 3", melody), ("continuation, CFG 3", continuation)):
        print(f"  {label:<25} RTF {result.realtime_factor:8.3f}   x{result.realtime_factor / no_cfg.realtime_factor:5.2f} "
              f"of baseline  ({result.compute_seconds:.2f} s for {result.generated_seconds:g} s generated, {result.blocks} block(s))")


def descriptor_throughput(work: Path) -> None:
    """Print seconds of audio analysed per compute second, against decoding alone."""
    import numpy as np
    import soundfile

    from tunesmith.tools.audio import audio_descriptors, describe_audio, load_audio

    sr, minutes = 44100, 2
    rng = np.random.default_rng(0)
    t = np.arange(sr * 60 * minutes) / sr
    clip = 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sign(np.sin(2 * np.pi * 2 * t))) / 2 + 0.01 * rng.standard_normal(t.size)
    path = work / "two_minutes.wav"
    soundfile.write(str(path), clip.astype(np.float32), sr)
    describe_audio(path, segment_seconds=30)  # warm-up: librosa compiles its kernels on first use
    decode, (samples, rate) = _timed(lambda: load_audio(path))
    measure, _ = _timed(lambda: audio_descriptors(samples, rate))
    describe, _ = _timed(lambda: describe_audio(path, segment_seconds=10))
    audio_seconds = 60.0 * minutes
    print(f"Audio descriptors on {minutes} min of 44.1 kHz audio")
    print(f"  baseline decode+resample   {audio_seconds / decode:8.0f} x real time")
    print(f"  audio_descriptors          {audio_seconds / measure:8.0f} x real time   x{measure / decode:5.2f} of baseline time")
    print(f"  describe_audio (10 s segs) {audio_seconds / describe:8.0f} x real time   x{describe / decode:5.2f} of baseline time"
          f"  ({describe / minutes:.2f} s per minute of audio)")


def real_size_rtf(work: Path, seconds: float) -> None:
    """RTF of a random model with musicgen-small's shapes (T5-base text encoder, 24 x 1024 decoder)."""
    import torch
    from support.tiny_models import build_musicgen_small_sized

    folder = build_musicgen_small_sized(work / "musicgen_small_sized")
    from tunesmith.tools.musicgen import generate_from_text

    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    results = {}
    for device in devices:
        generate_from_text("warm-up", work / "w.wav", seconds=0.2, model=str(folder), device=device, progress=False)
        results[device] = generate_from_text("a calm folk tune", work / f"{device}.wav", seconds=seconds,
                                             model=str(folder), device=device, progress=False)
    print(f"MusicGen-small-sized random model, {seconds:g} s of audio, CFG 3")
    for device, result in results.items():
        ratio = results["cpu"].realtime_factor / result.realtime_factor
        print(f"  {device:<5} RTF {result.realtime_factor:8.3f}   {ratio:6.1f}x faster than this CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="audio seconds per tiny-model call")
    parser.add_argument("--real-size", action="store_true", help="also time a musicgen-small-sized random model")
    parser.add_argument("--real-size-seconds", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (tiny models are bound by per-op overhead: 1 is fastest)")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} CPU thread(s)")
    from support.tiny_models import build_tiny_musicgen, build_tiny_musicgen_melody

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        musicgen_rtf(build_tiny_musicgen(work / "tiny"), build_tiny_musicgen_melody(work / "tiny_melody"), work,
                     args.seconds)
        descriptor_throughput(work)
        if args.real_size:
            real_size_rtf(work, args.real_size_seconds)


if __name__ == "__main__":
    main()
