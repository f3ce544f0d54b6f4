"""MusicGen through Meta's audiocraft package, used only when it is importable.

audiocraft 1.3 pins torch 2.1, which conflicts with this project's torch 2.13: it must live in its own
environment (`python -m venv ac && ac/bin/pip install audiocraft==1.3.0`, then install Tunesmith there).
It loads audiocraft-format checkpoints by Hugging Face id (e.g. facebook/musicgen-small) and extends past
30 s by itself; continuation uses the first prompt only.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from tunesmith.errors import UnavailableError
from tunesmith.tools.musicgen.backend import Sampling, choose_device
from tunesmith.tools.weights import BackendStatus

_INSTALL_HINT = ("audiocraft pins torch 2.1: install it in its own environment "
                 "(pip install audiocraft==1.3.0 in a separate venv) or use backend='transformers'.")


class AudiocraftUnavailable(UnavailableError):
    """backend='audiocraft' was asked for but the package is not importable here."""


def audiocraft_available() -> bool:
    return importlib.util.find_spec("audiocraft") is not None


def audiocraft_status() -> BackendStatus:
    """Doctor row for the optional audiocraft backend (never required)."""
    if audiocraft_available():
        return BackendStatus("audiocraft backend", True, "audiocraft is importable; backend='audiocraft' can be used")
    return BackendStatus("audiocraft backend", False, "not installed (optional; transformers is the default)", _INSTALL_HINT)


def audiocraft_generate(
    mode: str, prompts: list[str], *, seconds: float | None, sampling: Sampling, model: str,
    device: str | None, source: Path | None = None,
) -> tuple[np.ndarray, int, str]:
    """Generate with audiocraft: (audio (channels, samples), sample rate Hz, device used).

    mode 'text' makes `seconds`; 'melody' follows the chroma of `source` (default: its length, ≤ 30 s);
    'continuation' continues `source` to `seconds` in total.
    """
    if not audiocraft_available():
        raise AudiocraftUnavailable(f"backend 'audiocraft' is not installed in this environment; {_INSTALL_HINT}")
    import torch
    from audiocraft.models import MusicGen

    from tunesmith.tools.audio import load_audio

    device = choose_device(device)
    generator = MusicGen.get_pretrained(model, device=device)
    source_audio = None
    if source is not None:
        samples, _ = load_audio(source, sample_rate=generator.sample_rate)
        source_audio = torch.from_numpy(samples)[None, None].to(device)
        if seconds is None:
            seconds = min(samples.size / generator.sample_rate, 30.0)
    generator.set_generation_params(use_sampling=True, top_k=sampling.top_k, temperature=sampling.temperature,
                                    cfg_coef=sampling.guidance_scale, duration=float(seconds))
    torch.manual_seed(sampling.seed)
    if mode == "text":
        audio = generator.generate(prompts[:1], progress=True)
    elif mode == "melody":
        audio = generator.generate_with_chroma(prompts[:1], source_audio, generator.sample_rate, progress=True)
    else:
        audio = generator.generate_continuation(source_audio, generator.sample_rate, prompts[:1], progress=True)
    return audio[0].float().cpu().numpy(), int(generator.sample_rate), device
