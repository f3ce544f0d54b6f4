"""MusicGen text-to-audio: from a text prompt, shaped by a melody, or continuing a clip.

Backends: Hugging Face transformers (`MusicgenForConditionalGeneration`,
`MusicgenMelodyForConditionalGeneration`; the default) and Meta's audiocraft (only when importable:
it pins torch 2.1 and must live in its own environment; see `tools/musicgen_audiocraft.py`).
Weights are resolved with `tools.weights.find_weights` from `settings.musicgen_model` /
`settings.musicgen_melody_model`; without them every mode raises `WeightsUnavailable` and the agent
falls back to the symbolic render. The WAV is written atomically at the end, so a cancelled run
(Ctrl-C) leaves no partial file.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.memory.files import atomic_write_bytes, confined_path
from tunesmith.tools.musicgen.backend import LoadedMusicgen, Sampling, generate_window, load_musicgen, melody_chroma
from tunesmith.tools.musicgen.continuation import extend_audio
from tunesmith.tools.weights import BackendStatus, WeightsUnavailable

__all__ = ["GeneratedAudio", "MAX_SECONDS", "Sampling", "WeightsUnavailable", "continue_audio",
           "generate_from_text", "generate_with_melody", "musicgen_checks"]

MAX_SECONDS = 300.0  # five minutes: longer runs take hours on a CPU
LONG_TEXT_OVERLAP_SECONDS = 10.0  # context carried from window to window when text alone asks for > 30 s
Backend = Literal["transformers", "audiocraft"]


class GeneratedAudio(BaseModel):
    """A WAV made by MusicGen and how it was made (goes into the trace)."""

    path: str
    mode: Literal["text", "melody", "continuation"]
    backend: Backend
    model: str
    device: str
    prompts: list[str]
    source_audio: str | None = Field(None, description="The melody or seed WAV it was conditioned on.")
    seconds: float = Field(description="Duration of the written audio, seconds.")
    generated_seconds: float = Field(description="Seconds of it the model made (continuation: without the seed).")
    sample_rate: int = Field(description="Hz.")
    channels: int
    blocks: int = Field(description="generate calls made (windows).")
    sampling: Sampling
    compute_seconds: float = Field(description="Wall time spent generating, seconds.")
    realtime_factor: float = Field(description="Compute seconds per generated second (below 1: faster than real time).")


def _check_seconds(name: str, value: float, *, low: float = 0.0, high: float = MAX_SECONDS) -> float:
    if not isinstance(value, (int, float)) or not low < value <= high:
        raise ValueError(f"{name}={value!r} is not valid; use more than {low:g} and at most {high:g} seconds")
    return float(value)


def _check_prompts(prompt_or_prompts: str | list[str]) -> list[str]:
    prompts = [prompt_or_prompts] if isinstance(prompt_or_prompts, str) else list(prompt_or_prompts)
    if not prompts or any(not isinstance(p, str) or not p.strip() or len(p) > 2000 for p in prompts):
        shown = repr(prompt_or_prompts)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise ValueError(f"prompt {shown} is not valid; give one or more non-empty texts of up to 2000 characters")
    return [p.strip() for p in prompts]


def _sampling(backend: str, **values: float) -> Sampling:
    """Checked sampling settings; a bad value raises ValueError naming it and the valid range."""
    from pydantic import ValidationError

    if backend not in ("transformers", "audiocraft"):
        raise ValueError(f"backend {backend!r} is not valid; use 'transformers' (default) or 'audiocraft'")
    try:
        return Sampling(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ValueError(f"{error['loc'][0]}={error['input']!r} is not valid: {error['msg'].lower()}") from None


def _output_path(out_path: str | Path) -> Path:
    """Absolute paths are used as given; relative ones land inside the configured output folder."""
    from tunesmith.settings import get_settings

    path = Path(out_path)
    if path.suffix.lower() != ".wav":
        raise ValueError(f"out_path {out_path} is not valid; MusicGen writes WAV files, so it must end in .wav")
    return path if path.is_absolute() else confined_path(get_settings().output_dir, path)


def _model_name(model: str | None, *, melody: bool) -> str:
    """The model asked for, else the configured MusicGen (or MusicGen-melody) model."""
    from tunesmith.settings import get_settings

    settings = get_settings()
    return model or (settings.musicgen_melody_model if melody else settings.musicgen_model)


def _model(model: str | None, *, melody: bool, device: str | None) -> LoadedMusicgen:
    from tunesmith.settings import get_settings

    return load_musicgen(_model_name(model, melody=melody), melody=melody, device=device,
                         allow_downloads=get_settings().allow_downloads)


def _write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(audio.T, -1.0, 1.0), sample_rate, format="WAV", subtype="PCM_16")
    atomic_write_bytes(path, buffer.getvalue())


def _finish(path: Path, audio: np.ndarray, *, sample_rate: int, started: float, given_seconds: float = 0.0,
            **trace) -> GeneratedAudio:
    """Write the WAV atomically and describe the run; `given_seconds` of the audio came from the user."""
    _write_wav(path, audio, sample_rate)
    compute = time.perf_counter() - started
    seconds = audio.shape[1] / sample_rate
    generated = max(seconds - given_seconds, 1.0 / sample_rate)
    return GeneratedAudio(path=str(path), seconds=round(seconds, 4), generated_seconds=round(generated, 4),
                          sample_rate=sample_rate, channels=audio.shape[0], compute_seconds=round(compute, 3),
                          realtime_factor=round(compute / generated, 4), **trace)


def _trace(loaded: LoadedMusicgen) -> dict:
    return {"backend": "transformers", "model": loaded.name, "device": loaded.device, "sample_rate": loaded.sample_rate}


def _with_audiocraft(mode: str, path: Path, prompts: list[str], *, seconds: float | None, sampling: Sampling,
                     model: str | None, melody: bool, device: str | None, source: str | Path | None = None) -> GeneratedAudio:
    from tunesmith.tools.musicgen.audiocraft import audiocraft_generate

    name = _model_name(model, melody=melody)
    started = time.perf_counter()
    audio, sample_rate, used_device = audiocraft_generate(
        mode, prompts, seconds=seconds, sampling=sampling, model=name, device=device,
        source=None if source is None else Path(source))
    return _finish(path, audio, sample_rate=sample_rate, started=started, mode=mode, backend="audiocraft", model=name,
                   device=used_device, prompts=prompts, source_audio=None if source is None else str(source),
                   blocks=1, sampling=sampling)


def _load_user_audio(path: str | Path, loaded: LoadedMusicgen, max_seconds: float) -> np.ndarray:
    from tunesmith.tools.audio import load_audio

    samples, _ = load_audio(path, sample_rate=loaded.sample_rate, max_seconds=max_seconds)
    return samples[None, :]


def generate_from_text(
    prompt: str, out_path: str | Path, *, seconds: float, guidance_scale: float = 3.0, temperature: float = 1.0,
    top_k: int = 250, seed: int = 0, model: str | None = None, device: str | None = None,
    backend: Backend = "transformers", progress: bool = True,
) -> GeneratedAudio:
    """Generate `seconds` (≤ 300) of audio from text. Past one window (~30 s) it extends block by block."""
    prompts, seconds = _check_prompts(prompt), _check_seconds("seconds", seconds)
    sampling = _sampling(backend, guidance_scale=guidance_scale, temperature=temperature, top_k=top_k, seed=seed)
    path = _output_path(out_path)
    if backend == "audiocraft":
        return _with_audiocraft("text", path, prompts, seconds=seconds, sampling=sampling, model=model,
                                melody=False, device=device)
    loaded, started = _model(model, melody=False, device=device), time.perf_counter()
    if seconds <= loaded.window_seconds:
        audio = generate_window(loaded, prompts[0], seconds=seconds, sampling=sampling, progress=progress)
        audio, blocks = audio[:, : round(seconds * loaded.sample_rate)], 1
    else:
        audio, blocks = extend_audio(loaded, prompts, None, total_seconds=seconds, block_seconds=loaded.window_seconds,
                                     overlap_seconds=min(LONG_TEXT_OVERLAP_SECONDS, loaded.window_seconds / 3),
                                     sampling=sampling, progress=progress)
    return _finish(path, audio, started=started, mode="text", prompts=prompts, blocks=blocks, sampling=sampling,
                   **_trace(loaded))


def generate_with_melody(
    prompt: str, melody_wav: str | Path, out_path: str | Path, *, seconds: float | None = None,
    guidance_scale: float = 3.0, temperature: float = 1.0, top_k: int = 250, seed: int = 0,
    model: str | None = None, device: str | None = None, backend: Backend = "transformers", progress: bool = True,
) -> GeneratedAudio:
    """Generate audio whose pitch contour follows `melody_wav` (a user's clip or our own rendered ABC).

    The melody's chroma (strongest pitch class per frame) conditions the model. `seconds` defaults to the
    melody's length and is at most one window (~30 s); a melody that is not audio raises AudioInputError.
    """
    prompts = _check_prompts(prompt)
    sampling = _sampling(backend, guidance_scale=guidance_scale, temperature=temperature, top_k=top_k, seed=seed)
    path = _output_path(out_path)
    if backend == "audiocraft":
        return _with_audiocraft("melody", path, prompts, seconds=seconds, sampling=sampling, model=model,
                                melody=True, device=device, source=melody_wav)
    loaded = _model(model, melody=True, device=device)
    melody = _load_user_audio(melody_wav, loaded, max_seconds=MAX_SECONDS)
    window = loaded.window_seconds
    seconds = _check_seconds("seconds", min(melody.shape[1] / loaded.sample_rate, window) if seconds is None else seconds,
                             high=window)
    started = time.perf_counter()
    audio = generate_window(loaded, prompts[0], seconds=seconds, sampling=sampling,
                            chroma=melody_chroma(loaded, melody[0]).to(loaded.device), progress=progress)
    return _finish(path, audio[:, : round(seconds * loaded.sample_rate)], started=started, mode="melody",
                   prompts=prompts, source_audio=str(melody_wav), blocks=1, sampling=sampling, **_trace(loaded))


def continue_audio(
    prompt_or_prompts: str | list[str], seed_wav: str | Path, out_path: str | Path, *, total_seconds: float,
    block_seconds: float = 10.0, overlap_seconds: float = 5.0, guidance_scale: float = 3.0,
    temperature: float = 1.0, top_k: int = 250, seed: int = 0, model: str | None = None,
    device: str | None = None, backend: Backend = "transformers", progress: bool = True,
) -> GeneratedAudio:
    """Continue `seed_wav` to `total_seconds` (seed included, ≤ 300 s), `block_seconds` per generate call.

    Each block is prompted with the last `overlap_seconds` of audio and adds block − overlap seconds;
    with a list of prompts, block i uses prompt i (the last one repeats).
    """
    prompts, total_seconds = _check_prompts(prompt_or_prompts), _check_seconds("total_seconds", total_seconds)
    sampling = _sampling(backend, guidance_scale=guidance_scale, temperature=temperature, top_k=top_k, seed=seed)
    path = _output_path(out_path)
    if backend == "audiocraft":
        return _with_audiocraft("continuation", path, prompts, seconds=total_seconds, sampling=sampling, model=model,
                                melody=False, device=device, source=seed_wav)
    loaded = _model(model, melody=False, device=device)
    block_seconds = _check_seconds("block_seconds", block_seconds, low=0.5, high=loaded.window_seconds)
    overlap_seconds = _check_seconds("overlap_seconds", overlap_seconds, high=block_seconds - 0.25)
    start = _load_user_audio(seed_wav, loaded, max_seconds=MAX_SECONDS)
    start_seconds = start.shape[1] / loaded.sample_rate
    if start_seconds >= total_seconds:
        raise ValueError(f"total_seconds={total_seconds:g} is not valid: the seed clip already lasts "
                         f"{start_seconds:.1f} s; ask for more than that (at most {MAX_SECONDS:g} s)")
    if start_seconds < 0.1:
        raise ValueError(f"seed clip {seed_wav} is too short ({start_seconds * 1000:.0f} ms) to continue; give at least 0.1 s")
    started = time.perf_counter()
    audio, blocks = extend_audio(loaded, prompts, start, total_seconds=total_seconds, block_seconds=block_seconds,
                                 overlap_seconds=overlap_seconds, sampling=sampling, progress=progress)
    return _finish(path, audio, started=started, given_seconds=start_seconds, mode="continuation", prompts=prompts,
                   source_audio=str(seed_wav), blocks=blocks, sampling=sampling, **_trace(loaded))


def musicgen_checks() -> list[BackendStatus]:
    """Doctor rows: MusicGen and MusicGen-melody weights, and whether audiocraft is importable."""
    from tunesmith.settings import get_settings
    from tunesmith.tools.musicgen.audiocraft import audiocraft_status
    from tunesmith.tools.weights import find_weights, weights_status_row

    settings = get_settings()
    rows = []
    for label, name in (("MusicGen", settings.musicgen_model), ("MusicGen-melody", settings.musicgen_melody_model)):
        status = find_weights(name, allow_downloads=False)
        rows.append(weights_status_row(label, status, "audio is rendered from the symbolic tune (FluidSynth)"))
    rows.append(audiocraft_status())
    return rows
