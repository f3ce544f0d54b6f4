"""Load MusicGen / MusicGen-melody with Hugging Face transformers and generate one window of audio.

A window is what the model makes in one `generate` call (up to ~30 s). Longer pieces and continuations
are built from windows in `tools/musicgen_continue.py`. Timing of each run is kept per model so the next
long CPU run can be estimated before it starts.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.errors import InputError

log = logging.getLogger(__name__)

TRAINED_WINDOW_SECONDS = 30.0  # MusicGen was trained on 30 s excerpts; longer single windows degrade
LONG_RUN_SECONDS = 30.0  # CPU runs expected to take longer than this are announced with an estimate
_MODEL_TYPES = {False: "musicgen", True: "musicgen_melody"}
_CHROMA_DEFAULTS = {"sampling_rate": 32000, "hop_length": 4096, "n_fft": 16384, "chunk_length": 30, "num_chroma": 12}
_steps_per_second: dict[tuple[str, str], float] = {}  # measured decoder steps/s per (model folder, device)
_loaded: dict[tuple[str, bool, str], LoadedMusicgen] = {}


class MusicgenModelError(InputError):
    """The model folder exists but does not hold the MusicGen variant asked for."""


class Sampling(BaseModel):
    """How tokens are drawn. guidance_scale: classifier-free guidance (1 = off); top_k: 0 = no limit."""

    guidance_scale: float = Field(3.0, ge=1.0, le=20.0)
    temperature: float = Field(1.0, gt=0.0, le=5.0)
    top_k: int = Field(250, ge=0, le=100000)
    seed: int = 0


@dataclass
class LoadedMusicgen:
    """A model ready to generate, with what the caller needs to size windows."""

    name: str
    folder: Path
    melody: bool
    device: str
    model: Any
    tokenizer: Any
    sample_rate: int  # Hz of the generated audio
    frame_rate: int  # codec frames (decoder steps) per second of audio
    num_codebooks: int
    channels: int
    chroma: dict = field(default_factory=dict)  # melody models: chroma feature settings

    @property
    def hop(self) -> int:
        """Audio samples per codec frame."""
        return self.sample_rate // self.frame_rate

    @property
    def delay_steps(self) -> int:
        """Extra decoder steps the codebook delay pattern costs (stereo models interleave two sets)."""
        return self.num_codebooks // self.channels - 1

    @property
    def window_seconds(self) -> float:
        """Longest audio one generate call should make, seconds."""
        positions = self.model.config.decoder.max_position_embeddings
        return min(TRAINED_WINDOW_SECONDS, (positions - self.delay_steps - 1) / self.frame_rate)


def choose_device(device: str | None = None) -> str:
    """'cuda' when a GPU is usable, else 'cpu'; an explicit choice is checked."""
    import torch

    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in {"cpu", "cuda"} and not device.startswith("cuda:"):
        raise ValueError(f"device {device!r} is not valid; use 'cpu', 'cuda' or 'cuda:N'")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} was asked for but no CUDA GPU is available; use 'cpu'")
    return device


def _read_chroma_settings(folder: Path) -> dict:
    for name, key in (("preprocessor_config.json", None), ("processor_config.json", "feature_extractor")):
        path = folder / name
        if path.is_file():
            values = json.loads(path.read_text())
            values = values.get(key, {}) if key else values
            return {k: values.get(k, default) for k, default in _CHROMA_DEFAULTS.items()}
    return dict(_CHROMA_DEFAULTS)


def load_musicgen(name: str, *, melody: bool, device: str | None = None, allow_downloads: bool = False) -> LoadedMusicgen:
    """Resolve weights (local folder or HF cache) and load the model once per process.

    Raises WeightsUnavailable when the weights are not on this machine, MusicgenModelError when the
    folder holds another kind of model.
    """
    from tunesmith.tools.weights import find_weights

    folder = find_weights(name, allow_downloads=allow_downloads).require()
    device = choose_device(device)
    cache_key = (str(folder), melody, device)
    if cache_key in _loaded:
        return _loaded[cache_key]
    model_type = json.loads((folder / "config.json").read_text()).get("model_type")
    if model_type != _MODEL_TYPES[melody]:
        raise MusicgenModelError(
            f"{name} holds a {model_type!r} model, but this mode needs a {_MODEL_TYPES[melody]!r} model "
            f"(set {'musicgen_melody_model' if melody else 'musicgen_model'} to a MusicGen{'-melody' if melody else ''} folder)"
        )
    from transformers import AutoTokenizer, MusicgenForConditionalGeneration, MusicgenMelodyForConditionalGeneration

    model_class = MusicgenMelodyForConditionalGeneration if melody else MusicgenForConditionalGeneration
    model = model_class.from_pretrained(folder).to(device).eval()
    codec = model.config.audio_encoder
    loaded = LoadedMusicgen(
        name=name, folder=folder, melody=melody, device=device, model=model,
        tokenizer=AutoTokenizer.from_pretrained(folder),
        sample_rate=int(codec.sampling_rate), frame_rate=int(codec.frame_rate),
        num_codebooks=int(model.config.decoder.num_codebooks), channels=int(model.config.decoder.audio_channels),
        chroma=_read_chroma_settings(folder) if melody else {},
    )
    _loaded.clear()  # keep one model in memory: they are large
    _loaded[cache_key] = loaded
    return loaded


def estimate_seconds(loaded: LoadedMusicgen, steps: int) -> float | None:
    """Expected compute seconds for `steps` decoder steps, from earlier runs of this model; None if unmeasured."""
    rate = _steps_per_second.get((str(loaded.folder), loaded.device))
    return None if rate is None else steps / rate


class _StepProgress:
    """A logits processor that only watches: it is called once per decoder step, so it drives a tqdm bar
    and measures steps per second. (MusicGen's generate in transformers 5 does not feed a streamer
    past the prompt, so a streamer cannot do this.)"""

    def __init__(self, loaded: LoadedMusicgen, steps: int, description: str, show: bool) -> None:
        from tqdm.auto import tqdm

        self.loaded, self.steps, self.seen = loaded, steps, 0
        self.started = time.perf_counter()  # reset after the first step, which also pays for the prefill
        self.bar = tqdm(total=steps, desc=description, unit="step", disable=not show, leave=False)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        self.seen += 1
        self.bar.update(1)
        if self.seen == 1:
            self.started = time.perf_counter()
        elif self.seen == 9 and estimate_seconds(self.loaded, self.steps) is None and self.loaded.device == "cpu":
            rate = 8 / (time.perf_counter() - self.started)
            if self.steps / rate > LONG_RUN_SECONDS:
                log.info("about %.0f s on this CPU (%.1f steps/s measured)", self.steps / rate, rate)
        return scores

    def finish(self) -> None:
        """Close the bar; after a complete run, remember the measured rate for later estimates."""
        elapsed = time.perf_counter() - self.started
        if self.seen >= self.steps and self.seen > 1 and elapsed > 0:
            _steps_per_second[(str(self.loaded.folder), self.loaded.device)] = (self.seen - 1) / elapsed
        self.bar.close()


def melody_chroma(loaded: LoadedMusicgen, samples: np.ndarray) -> Any:
    """One-hot chroma (1, frames, num_chroma) of mono samples at the model rate, as the melody processor makes it.

    Same recipe as transformers' MusicgenMelodyFeatureExtractor (power STFT, chroma filter bank, keep
    only the strongest pitch class per frame), without its torchaudio dependency.
    """
    import torch
    from transformers.audio_utils import chroma_filter_bank

    settings = loaded.chroma
    n_fft, hop = int(settings["n_fft"]), int(settings["hop_length"])
    wav = torch.as_tensor(samples[: int(settings["chunk_length"] * loaded.sample_rate)], dtype=torch.float32)
    if wav.numel() < n_fft:
        pad = n_fft - wav.numel()
        wav = torch.nn.functional.pad(wav, (pad // 2, pad - pad // 2))
    window = torch.hann_window(n_fft)
    spectrum = torch.stft(wav, n_fft, hop_length=hop, window=window, center=True, pad_mode="reflect",
                          return_complex=True).abs() ** 2
    filters = torch.from_numpy(chroma_filter_bank(sampling_rate=loaded.sample_rate, num_frequency_bins=n_fft,
                                                  tuning=0, num_chroma=int(settings["num_chroma"]))).float()
    raw = filters @ spectrum  # (chroma, frames)
    one_hot = torch.zeros_like(raw.T)
    one_hot.scatter_(1, raw.T.argmax(dim=1, keepdim=True), 1.0)
    return one_hot.unsqueeze(0)


def generate_window(
    loaded: LoadedMusicgen, prompt: str, *, seconds: float, sampling: Sampling,
    audio_prompt: np.ndarray | None = None, chroma: Any = None, description: str = "MusicGen", progress: bool = True,
) -> np.ndarray:
    """Generate `seconds` of new audio, (channels, samples) float32 at loaded.sample_rate.

    With `audio_prompt` (channels, samples; a whole number of codec frames) the result starts with the
    model's re-decoding of that prompt, followed by the new audio.
    """
    import torch

    frames = max(1, round(seconds * loaded.frame_rate))
    steps = frames + loaded.delay_steps
    expected = estimate_seconds(loaded, steps)
    if expected is not None and expected > LONG_RUN_SECONDS and loaded.device == "cpu":
        log.info("about %.0f s on this CPU for %s", expected, description)
    inputs = dict(loaded.tokenizer([prompt], padding=True, return_tensors="pt"))
    if audio_prompt is not None:
        inputs["input_values"] = torch.as_tensor(audio_prompt, dtype=torch.float32)[None]
        inputs["padding_mask"] = torch.ones(1, audio_prompt.shape[-1], dtype=torch.long)
    if chroma is not None:
        inputs["input_features"] = chroma
    inputs = {key: value.to(loaded.device) for key, value in inputs.items()}
    from transformers import LogitsProcessorList

    torch.manual_seed(sampling.seed)
    watcher = _StepProgress(loaded, steps, description, progress)
    try:
        with torch.inference_mode():
            audio = loaded.model.generate(
                **inputs, max_new_tokens=steps, do_sample=True, guidance_scale=sampling.guidance_scale,
                temperature=sampling.temperature, top_k=sampling.top_k, logits_processor=LogitsProcessorList([watcher]),
            )
    finally:
        watcher.finish()
    return audio[0].float().cpu().numpy()
