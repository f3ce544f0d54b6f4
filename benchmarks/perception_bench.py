"""Perception timings: how long `describe_image` takes per image at 1 MP and 12 MP.

Run: .venv/bin/python benchmarks/perception_bench.py

Each section measures its own baseline in the same run and reports ratios against it, so numbers
compare across machines. The image baseline is a plain full-resolution Pillow decode of the same
file (open + load + convert to RGB): the least a naive analysis would have to do.
To add a section (e.g. audio), write a function returning rows and append it to SECTIONS.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

Row = tuple[str, float, float]  # (what, median seconds, ratio to the section's baseline)
REPEATS = 5


def median_seconds(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time of `action` in seconds, after one warm-up call."""
    action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _photo_at(megapixels: float, folder: Path, suffix: str) -> Path:
    """The scikit-image astronaut photo resized to about `megapixels` (4:3), saved as PNG or JPEG."""
    import skimage.data
    from PIL import Image

    width = round((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = round(width * 3 / 4)
    path = folder / f"astronaut_{megapixels:g}mp.{suffix}"
    image = Image.fromarray(skimage.data.astronaut()).resize((width, height), Image.Resampling.BICUBIC)
    image.save(path, **({"quality": 90} if suffix == "jpg" else {}))
    return path


def _full_decode(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        image.convert("RGB").load()


def image_section() -> list[Row]:
    """describe_image (no caption) on 1 MP and 12 MP JPEG and PNG files vs a full Pillow decode."""
    from tunesmith.tools.vision import describe_image

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for megapixels in (1, 12):
            for suffix in ("jpg", "png"):
                path = _photo_at(megapixels, Path(tmp), suffix)
                baseline = median_seconds(lambda path=path: _full_decode(path))
                analysis = median_seconds(lambda path=path: describe_image(path, caption=False))
                rows.append((f"{megapixels:>2} MP {suffix.upper():4} full Pillow decode (baseline)", baseline, 1.0))
                rows.append((f"{megapixels:>2} MP {suffix.upper():4} describe_image", analysis, analysis / baseline))
    return rows


def cue_section() -> list[Row]:
    """What the content cues (words, faces, expressions) add to describe_image, warm (models loaded), on a
    photo with a face, a cover with a title and a photo with neither; the cold load is timed once."""
    import subprocess
    import sys

    from tunesmith.tools.vision import describe_image

    rows: list[Row] = []
    cold = subprocess.run([sys.executable, "-c", (
        "import time; t = time.perf_counter(); "
        "from tunesmith.tools.vision.ocr import _engine; from tunesmith.tools.vision.faces import load_cascade, "
        "load_expression_model; _engine(); load_cascade(); load_expression_model(); print(time.perf_counter() - t)")],
        capture_output=True, text=True, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        import skimage.data
        from PIL import Image, ImageDraw, ImageFont

        folder = Path(tmp)
        Image.fromarray(skimage.data.astronaut()).save(folder / "astronaut.png")
        Image.fromarray(skimage.data.coffee()).save(folder / "coffee.png")
        cover = Image.new("RGB", (800, 800), (18, 28, 70))
        draw = ImageDraw.Draw(cover)
        draw.text((60, 200), "SUMMER NIGHTS", font=ImageFont.load_default(size=80), fill=(250, 225, 130))
        draw.text((60, 330), "Live at the Harbour", font=ImageFont.load_default(size=34), fill=(230, 230, 230))
        cover.save(folder / "cover.png")
        for name in ("astronaut.png", "cover.png", "coffee.png"):
            path = folder / name
            baseline = median_seconds(lambda path=path: describe_image(path, caption=False, cues=False))
            with_cues = median_seconds(lambda path=path: describe_image(path, caption=False))
            rows.append((f"{name:14} describe_image, no cues (baseline)", baseline, 1.0))
            rows.append((f"{name:14} describe_image + cues (+{with_cues - baseline:.2f} s)", with_cues, with_cues / baseline))
    load = float(cold.stdout.strip())
    rows.append(("cue models' load in a new process (once)", load, float("nan")))
    return rows


def image_turn_section() -> list[Row]:
    """An image turn with no model call (`tunesmith.compose_tune`, the agent's own tools, default refinement) on
    three pictures, with the content cues and without them (the baseline: the same turn before issue 29)."""
    from unittest import mock

    import skimage.data
    from PIL import Image

    import tunesmith
    from tunesmith.tools import vision

    rows: list[Row] = []
    plain = vision.describe_image
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pictures = []
        for name in ("astronaut", "coffee", "rocket"):
            Image.fromarray(getattr(skimage.data, name)()).save(folder / f"{name}.png")
            pictures.append(folder / f"{name}.png")
        for picture in pictures:
            turn = lambda picture=picture: tunesmith.compose_tune("music for this picture", image=picture)  # noqa: E731
            with mock.patch.object(vision, "describe_image",
                                   lambda path, **kw: plain(path, **{**kw, "cues": False})):
                baseline = median_seconds(turn, repeats=3)
            with_cues = median_seconds(turn, repeats=3)
            rows.append((f"{picture.name:14} image turn, no cues (baseline)", baseline, 1.0))
            rows.append((f"{picture.name:14} image turn + cues (+{with_cues - baseline:.2f} s)", with_cues,
                         with_cues / baseline))
    return rows


# --- audio: describe_audio time per minute of audio ------------------------------------------------


def _one_minute_clip(folder: Path, sample_rate: int = 44100) -> Path:
    """One minute of plucked A-minor triads at 100 BPM with a little noise, as 16-bit WAV."""
    import numpy as np
    import soundfile

    beat = int(0.6 * sample_rate)
    t = np.arange(beat) / sample_rate
    chords = [(220.0, 261.63, 329.63), (293.66, 349.23, 440.0), (329.63, 415.30, 493.88), (220.0, 261.63, 329.63)]
    beats = [sum(np.sin(2 * np.pi * f * t) for f in chords[(i // 4) % 4]) * np.exp(-6 * t) for i in range(100)]
    clip = 0.2 * np.concatenate(beats) + 0.003 * np.random.default_rng(0).standard_normal(100 * beat)
    path = folder / "one_minute.wav"
    soundfile.write(str(path), clip.astype(np.float32), sample_rate, subtype="PCM_16")
    return path


def audio_section() -> list[Row]:
    """describe_audio and audio_descriptors on 1 min of 44.1 kHz WAV vs decoding + resampling it."""
    from tunesmith.tools.audio import audio_descriptors, describe_audio, load_audio

    with tempfile.TemporaryDirectory() as tmp:
        path = _one_minute_clip(Path(tmp))
        samples, sample_rate = load_audio(path)
        baseline = median_seconds(lambda: load_audio(path))
        measures = median_seconds(lambda: audio_descriptors(samples, sample_rate))
        described = median_seconds(lambda: describe_audio(path, segment_seconds=10))
    return [
        ("1 min WAV decode + resample (baseline)", baseline, 1.0),
        ("1 min audio_descriptors (whole clip)", measures, measures / baseline),
        ("1 min describe_audio (whole + 6 segments)", described, described / baseline),
    ]


SECTIONS: list[tuple[str, Callable[[], list[Row]]]] = [
    ("image analysis", image_section),
    ("picture content cues", cue_section),
    ("image turn without a model call", image_turn_section),
    ("audio analysis", audio_section),
]


def main() -> None:
    import os

    print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    for title, section in SECTIONS:
        print(f"\n== {title} (median of {REPEATS} runs) ==")
        for what, seconds, ratio in section():
            print(f"{what:<48} {seconds * 1000:9.1f} ms   {ratio:5.2f}× baseline")


if __name__ == "__main__":
    main()
