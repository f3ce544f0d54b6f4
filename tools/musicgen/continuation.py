"""Make audio longer than one MusicGen window: block by block, each prompted with the end of the last.

Each block is generated with the last `overlap_seconds` of the audio so far as its audio prompt (and
its own text, if several are given); the block's new part is joined on with a short equal-power
crossfade over the re-decoded prompt, and the whole is trimmed to the requested length.
"""

from __future__ import annotations

import math

import numpy as np

from tunesmith.tools.musicgen.backend import LoadedMusicgen, Sampling, generate_window

CROSSFADE_SECONDS = 0.25  # short enough to keep the new block's attack, long enough to hide the seam


def equal_power_join(existing: np.ndarray, block: np.ndarray, prompt_samples: int, crossfade_samples: int) -> np.ndarray:
    """Append the new part of `block` (channels, samples) to `existing`.

    `block` starts with `prompt_samples` samples re-decoded from the end of `existing`; over the last
    `crossfade_samples` of those, existing fades out (cos) while the block fades in (sin), so the summed
    power stays level. The result is len(existing) + len(block) - prompt_samples samples long.
    """
    span = min(crossfade_samples, prompt_samples, existing.shape[1])
    new_part = block[:, prompt_samples:]
    if span == 0:
        return np.concatenate([existing, new_part], axis=1)
    angle = np.linspace(0.0, math.pi / 2, span, dtype=np.float32)
    seam = existing[:, -span:] * np.cos(angle) + block[:, prompt_samples - span : prompt_samples] * np.sin(angle)
    return np.concatenate([existing[:, :-span], seam, new_part], axis=1)


def planned_blocks(total_seconds: float, start_seconds: float, block_seconds: float, overlap_seconds: float) -> int:
    """How many generate calls continuing from `start_seconds` to `total_seconds` takes (0 s start: a text block first)."""
    blocks = 0
    if start_seconds <= 0:
        blocks, start_seconds = 1, min(block_seconds, total_seconds)
    return blocks + max(0, math.ceil((total_seconds - start_seconds - 1e-9) / (block_seconds - overlap_seconds)))


def extend_audio(
    loaded: LoadedMusicgen, prompts: list[str], start: np.ndarray | None, *, total_seconds: float,
    block_seconds: float, overlap_seconds: float, sampling: Sampling, progress: bool = True,
) -> tuple[np.ndarray, int]:
    """Grow `start` (channels, samples at loaded.sample_rate; None: begin from text) to `total_seconds`.

    Block i uses prompts[min(i, len(prompts) - 1)] and seed sampling.seed + i. Returns the audio
    (channels, samples) and the number of blocks generated.
    """
    sr, hop = loaded.sample_rate, loaded.hop
    total_samples = round(total_seconds * sr)
    start_seconds = 0.0 if start is None else start.shape[1] / sr
    count = planned_blocks(total_seconds, start_seconds, block_seconds, overlap_seconds)
    audio, block = start, 0

    def block_sampling() -> Sampling:
        return sampling.model_copy(update={"seed": sampling.seed + block})

    def label() -> str:
        return f"MusicGen block {block + 1}/{count}"

    if audio is None:
        audio = generate_window(loaded, prompts[0], seconds=min(block_seconds, total_seconds),
                                sampling=block_sampling(), description=label(), progress=progress)
        block = 1
    elif audio.shape[0] != loaded.channels:
        audio = np.repeat(audio[:1], loaded.channels, axis=0)  # a mono seed feeds both channels of a stereo model
    while audio.shape[1] < total_samples:
        # The prompt is a whole number of codec frames, so the re-decoded prompt lines up sample for sample.
        prompt_samples = min(round(overlap_seconds * loaded.frame_rate) * hop, audio.shape[1] // hop * hop)
        new_seconds = min(block_seconds - overlap_seconds, (total_samples - audio.shape[1]) / sr)
        generated = generate_window(
            loaded, prompts[min(block, len(prompts) - 1)], seconds=new_seconds, sampling=block_sampling(),
            audio_prompt=audio[:, audio.shape[1] - prompt_samples :], description=label(), progress=progress,
        )
        audio = equal_power_join(audio, generated, prompt_samples, round(CROSSFADE_SECONDS * sr))
        block += 1
    return audio[:, :total_samples], block
