"""Tag a clip and embed it with musicnn's packaged taggers (MagnaTagATune / Million Song Dataset), in torch.

The weights are the TF1 checkpoints inside the `musicnn==0.1.0` wheel, read without TensorFlow
(`checkpoint.py`) into the torch port (`network.py`). The input is computed here, not by musicnn's
code: 16 kHz mono, 512-point FFT, hop 256, 96 mel bands, log10(1 + 10000 * power) in float32
(upstream casts the mel power to float16 first; under numpy >= 2 `10000 * power` then stays float16 and
overflows to inf on ordinarily loud audio). Checked once against musicnn's own TensorFlow code
(`benchmarks/musicnn_port_check.py`, 7 clips, all four taggers): tag probabilities within 1.5e-6, the same
top-5 tags, embeddings correlated at r = 1.0000.
The clip is cut into 3 s patches (187 frames, no overlap, as musicnn's `top_tags` does); tag
probabilities are the mean over patches; a clip between 1 and 3 s is repeat-padded to one patch
(how the models were trained on short clips).
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.errors import InputError, UnavailableError
from tunesmith.settings import BackendStatus

SAMPLE_RATE = 16000  # Hz
FFT_SIZE = 512
HOP = 256  # samples: 16 ms
PATCH_FRAMES = 187  # 3 s: the length the taggers were trained on
MIN_SECONDS = 1.0  # shorter clips carry too little to tag
PATCHES_PER_BATCH = 16  # ~4 MB of input per forward pass, whatever the clip's length
TAGGERS = ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg")
DEFAULT_TAGGERS = ("MTT_musicnn", "MSD_musicnn")  # instruments/tempo/loudness words, then genres and moods
EMBEDDING_TAGGER = "MTT_musicnn"  # its 200-d penultimate layer is the clip embedding
INSTALL_FIX = "pip install --no-deps musicnn==0.1.0 (scripts/setup.sh does this; it needs no TensorFlow here)"
_lock = threading.Lock()


class TaggingError(InputError):
    """A clip cannot be tagged as given (too short, silent); the message says what would work."""


class TagProbability(BaseModel):
    """One tag and how likely the tagger finds it, 0..1 (mean over the clip's 3 s patches)."""

    tag: str
    probability: float
    tagger: str = Field(description="Which tagger said it: MTT_musicnn, MSD_musicnn, ...")


class ClipTags(BaseModel):
    """Every tag of the taggers used, most likely first, and how much of the clip they heard."""

    taggers: list[str]
    seconds: float = Field(description="Length of audio tagged, seconds.")
    patches: int = Field(description="3 s patches the probabilities are averaged over.")
    tags: list[TagProbability]

    def top(self, count: int = 5) -> list[TagProbability]:
        """The `count` most likely tags, each tag name once (the higher tagger's value)."""
        seen: set[str] = set()
        best = []
        for tag in self.tags:
            if tag.tag.lower() not in seen:
                seen.add(tag.tag.lower())
                best.append(tag)
        return best[:count]

    def probability(self, tag: str) -> float:
        """Highest probability any tagger gives `tag` (case-insensitive); 0 when no tagger has it."""
        return max((t.probability for t in self.tags if t.tag.lower() == tag.lower()), default=0.0)

    def summary(self, count: int = 5) -> str:
        """e.g. 'piano 0.81, classical 0.62, slow 0.40'."""
        return ", ".join(f"{t.tag} {t.probability:.2f}" for t in self.top(count))


def musicnn_folder() -> Path:
    """The installed musicnn package folder (found without importing musicnn, whose code needs TensorFlow)."""
    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        raise UnavailableError("the musicnn tagger weights are not installed", fix=INSTALL_FIX)
    return Path(next(iter(spec.submodule_search_locations)))


def tag_names(tagger: str) -> list[str]:
    """The 50 tag names of a tagger, from the musicnn package's own configuration module."""
    from musicnn import configuration  # plain lists; this module imports nothing heavy

    return list(configuration.MTT_LABELS if tagger.startswith("MTT") else configuration.MSD_LABELS)


@lru_cache(maxsize=len(TAGGERS))
def load_tagger(tagger: str):  # -> Musicnn | MusicnnVgg
    """The torch network of `tagger` with its packaged weights, in inference mode (cached)."""
    from tunesmith.tools.audio.musicnn.checkpoint import load_checkpoint
    from tunesmith.tools.audio.musicnn.network import Musicnn, MusicnnVgg

    if tagger not in TAGGERS:
        raise InputError(f"{tagger!r} is not a musicnn tagger; use one of {', '.join(TAGGERS)}")
    folder = musicnn_folder() / tagger
    if not (folder / ".index").is_file():
        raise UnavailableError(f"the musicnn package has no {tagger} checkpoint at {folder}", fix=INSTALL_FIX)
    network = MusicnnVgg() if tagger.endswith("vgg") else Musicnn()
    return network.load_tf(load_checkpoint(folder))


def log_mel(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """musicnn's input for mono float samples: (frames, 96) log-compressed mel power, float32."""
    import librosa

    audio = np.asarray(samples, dtype=np.float32)
    if sample_rate != SAMPLE_RATE:
        audio = librosa.resample(audio, orig_sr=sample_rate, target_sr=SAMPLE_RATE)
    mel = librosa.feature.melspectrogram(y=audio, sr=SAMPLE_RATE, hop_length=HOP, n_fft=FFT_SIZE, n_mels=96)
    return np.log10(10000.0 * mel.T.astype(np.float32) + 1.0)


def patches(spectrogram: np.ndarray) -> np.ndarray:
    """(patches, 187, 96) non-overlapping 3 s patches; a 1–3 s spectrogram is repeat-padded to one patch."""
    frames = spectrogram.shape[0]
    if frames < PATCH_FRAMES:
        spectrogram = np.tile(spectrogram, (int(np.ceil(PATCH_FRAMES / max(frames, 1))), 1))[:PATCH_FRAMES]
        frames = PATCH_FRAMES
    count = frames // PATCH_FRAMES
    return spectrogram[: count * PATCH_FRAMES].reshape(count, PATCH_FRAMES, spectrogram.shape[1])


def _check_clip(samples: np.ndarray, sample_rate: int) -> None:
    seconds = len(samples) / sample_rate
    if seconds < MIN_SECONDS:
        raise TaggingError(f"the clip lasts {seconds:.2f} s; tagging needs at least {MIN_SECONDS:g} s of music")


def _run(tagger: str, batch: np.ndarray):
    import torch

    with _lock, torch.inference_mode():
        return load_tagger(tagger)(torch.from_numpy(batch))


def tag_samples(
    samples: np.ndarray, sample_rate: int, *, taggers: Sequence[str] = DEFAULT_TAGGERS,
    progress: Callable[[float], None] | None = None,
) -> ClipTags:
    """Tag mono float samples; `progress` gets the share done (0..1) after every batch of patches."""
    import torch

    _check_clip(samples, sample_rate)
    batches = patches(log_mel(samples, sample_rate))
    steps = len(taggers) * int(np.ceil(len(batches) / PATCHES_PER_BATCH))
    done = 0
    tags: list[TagProbability] = []
    for tagger in taggers:
        sums = np.zeros(50, dtype=np.float64)
        for start in range(0, len(batches), PATCHES_PER_BATCH):
            logits = _run(tagger, batches[start : start + PATCHES_PER_BATCH]).logits
            sums += torch.sigmoid(logits).sum(dim=0).numpy()
            done += 1
            if progress:
                progress(done / steps)
        means = sums / len(batches)
        tags += [TagProbability(tag=name, probability=round(float(p), 4), tagger=tagger)
                 for name, p in zip(tag_names(tagger), means)]
    tags.sort(key=lambda t: t.probability, reverse=True)
    return ClipTags(taggers=list(taggers), seconds=round(len(samples) / sample_rate, 3), patches=len(batches), tags=tags)


def tag_audio(path: str | Path, *, taggers: Sequence[str] = DEFAULT_TAGGERS,
              progress: Callable[[float], None] | None = None) -> ClipTags:
    """Tag an audio file (read through `load_audio`'s checks); raises AudioInputError or TaggingError."""
    from tunesmith.tools.audio.load import load_audio

    samples, sample_rate = load_audio(path, sample_rate=SAMPLE_RATE)
    return tag_samples(samples, sample_rate, taggers=taggers, progress=progress)


def embed_samples(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """(patches, 200) musicnn embeddings (MTT_musicnn's penultimate layer), one per 3 s patch."""
    _check_clip(samples, sample_rate)
    batches = patches(log_mel(samples, sample_rate))
    parts = [_run(EMBEDDING_TAGGER, batches[s : s + PATCHES_PER_BATCH]).penultimate.numpy()
             for s in range(0, len(batches), PATCHES_PER_BATCH)]
    return np.concatenate(parts).astype(np.float64)


def musicnn_checks() -> list[BackendStatus]:
    """Doctor row: are the musicnn checkpoints installed, and do they load into the torch port."""
    label = "musicnn tagger"
    fallback = "clips are described by librosa measures only and score_audio uses descriptor targets"
    try:
        folder = musicnn_folder()
        for tagger in DEFAULT_TAGGERS:
            load_tagger(tagger)
    except (UnavailableError, ValueError, KeyError, OSError) as exc:
        fix = getattr(exc, "fix", None) or INSTALL_FIX
        return [BackendStatus(label, False, f"{exc}. Without it: {fallback}", fix)]
    return [BackendStatus(label, True, f"{', '.join(DEFAULT_TAGGERS)} from {folder} (torch port, 50 tags each, CPU)")]
