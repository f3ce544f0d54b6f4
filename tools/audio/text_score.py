"""How well audio fits a text: CLAP similarity when its weights are here, librosa descriptors always.

CLAP (transformers `ClapModel` + `ClapProcessor`, `settings.clap_model`) embeds text and audio in one
space; the cosine similarity of the two (-1..1) says how well they match. Without weights the score
rests on descriptors measured from the clip against targets read from the text's words
(slow/fast, bright/dark, calm/busy, loud/quiet, major/minor, "D minor", "120 BPM").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.tools.audio.describe import AudioDescriptors, audio_descriptors, load_audio
from tunesmith.tools.audio.targets import DescriptorTarget, descriptor_match, targets_for_text
from tunesmith.tools.weights import BackendStatus

CLAP_WINDOW_SECONDS = 10.0  # CLAP's HTSAT audio encoder sees 10 s at a time
MAX_CLAP_WINDOWS = 6  # a long clip is judged on at most this many evenly spaced 10 s windows
_loaded: dict[tuple[str, str], _Clap] = {}


class TextScore(BaseModel):
    """One text's fit to the clip."""

    text: str
    clap_similarity: float | None = Field(description="Cosine similarity of CLAP embeddings, -1..1; None without CLAP.")
    descriptor_match: float | None = Field(description="Mean of the target scores, 0..1; None when no word set a target.")
    targets: list[DescriptorTarget]


class AudioScore(BaseModel):
    """A clip scored against one or more texts."""

    path: str
    clap_available: bool
    clap_status: str = Field(description="The CLAP model used, or why CLAP was not used.")
    descriptors: AudioDescriptors
    scores: list[TextScore]

    @property
    def best_text(self) -> str:
        """The text that fits best: by CLAP when available, else by descriptor match."""
        return max(self.scores, key=lambda s: (s.clap_similarity or 0.0, s.descriptor_match or 0.0)).text


class RankedClip(BaseModel):
    """One clip's place in a ranking against a text; `score` is what it was ranked by."""

    path: str
    score: float
    clap_similarity: float | None
    descriptor_match: float | None


@dataclass
class _Clap:
    model: Any
    processor: Any
    sample_rate: int  # Hz the audio encoder expects (48 kHz for LAION CLAP)


def _check_texts(texts: list[str]) -> list[str]:
    if isinstance(texts, str) or not texts or any(not isinstance(t, str) or not t.strip() for t in texts):
        raise ValueError(f"texts={texts!r} is not valid; give a list of one or more non-empty texts")
    return [t.strip() for t in texts]


def _load_clap(model: str | None) -> tuple[_Clap | None, str]:
    """The CLAP model and a status line, or (None, why not)."""
    from tunesmith.settings import get_settings
    from tunesmith.tools.weights import find_weights

    settings = get_settings()
    name = model or settings.clap_model
    status = find_weights(name, allow_downloads=settings.allow_downloads)
    if not status.available:
        return None, f"CLAP unavailable: {status.reason} Scored with audio descriptors only."
    key = (str(status.path), "cpu")
    if key not in _loaded:
        from transformers import ClapModel, ClapProcessor

        processor = ClapProcessor.from_pretrained(status.path)
        _loaded.clear()
        _loaded[key] = _Clap(ClapModel.from_pretrained(status.path).eval(), processor,
                             int(processor.feature_extractor.sampling_rate))
    return _loaded[key], f"CLAP {name} ({status.path})"


def _windows(samples: np.ndarray, sr: int) -> list[np.ndarray]:
    """Evenly spaced 10 s windows covering the clip (all of it when short), so no crop is random."""
    size = int(CLAP_WINDOW_SECONDS * sr)
    if len(samples) <= size:
        return [samples]
    count = min(MAX_CLAP_WINDOWS, int(np.ceil(len(samples) / size)))
    starts = np.linspace(0, len(samples) - size, count).astype(int)
    return [samples[s : s + size] for s in starts]


def _clap_similarities(clap: _Clap, samples: np.ndarray, texts: list[str]) -> list[float]:
    """Cosine similarity of each text's embedding with the clip's (mean over its windows)."""
    import torch

    def embedding(output: Any) -> torch.Tensor:
        features = getattr(output, "pooler_output", output)  # transformers 5 wraps the projected embedding
        return torch.nn.functional.normalize(features, dim=-1)

    with torch.inference_mode():
        audio_inputs = clap.processor(audio=_windows(samples, clap.sample_rate), sampling_rate=clap.sample_rate,
                                      return_tensors="pt")
        audio = embedding(clap.model.get_audio_features(**audio_inputs)).mean(dim=0)
        text_inputs = clap.processor(text=texts, padding=True, return_tensors="pt")
        text = embedding(clap.model.get_text_features(**text_inputs))
        similarities = text @ torch.nn.functional.normalize(audio, dim=-1)
    return [round(float(s), 4) for s in similarities]


def score_audio(audio_path: str | Path, texts: list[str], *, model: str | None = None) -> AudioScore:
    """Score a clip against each text: CLAP similarity if available, descriptor targets always.

    Raises AudioInputError for a file that is not readable audio.
    """
    texts = _check_texts(texts)
    samples, sr = load_audio(audio_path)
    descriptors = audio_descriptors(samples, sr)
    clap, status = _load_clap(model)
    similarities: list[float | None] = [None] * len(texts)
    if clap is not None:
        clap_samples, _ = load_audio(audio_path, sample_rate=clap.sample_rate)
        similarities = _clap_similarities(clap, clap_samples, texts)
    scores = []
    for text, similarity in zip(texts, similarities):
        targets = targets_for_text(text, descriptors)
        scores.append(TextScore(text=text, clap_similarity=similarity, descriptor_match=descriptor_match(targets),
                                targets=targets))
    return AudioScore(path=str(audio_path), clap_available=clap is not None, clap_status=status,
                      descriptors=descriptors, scores=scores)


def rank_clips(paths: list[str | Path], text: str, *, model: str | None = None) -> list[RankedClip]:
    """Clips ordered best first for `text`: by CLAP similarity when available, else by descriptor match."""
    if not paths:
        raise ValueError("paths is empty; give one or more audio files to rank")
    ranked = []
    for path in paths:
        result = score_audio(path, [text], model=model)
        score = result.scores[0]
        value = score.clap_similarity if score.clap_similarity is not None else (score.descriptor_match or 0.0)
        ranked.append(RankedClip(path=str(path), score=value, clap_similarity=score.clap_similarity,
                                 descriptor_match=score.descriptor_match))
    return sorted(ranked, key=lambda clip: clip.score, reverse=True)


def clap_checks() -> list[BackendStatus]:
    """Doctor row for the CLAP weights; without them, scoring uses audio descriptors."""
    from tunesmith.settings import get_settings
    from tunesmith.tools.weights import find_weights, weights_status_row

    status = find_weights(get_settings().clap_model, allow_downloads=False)
    return [weights_status_row("CLAP", status, "audio is scored with librosa descriptors against words in the request")]
