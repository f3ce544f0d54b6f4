"""How well audio fits a text: CLAP where its weights are here, else musicnn tags; descriptors always.

CLAP (transformers `ClapModel` + `ClapProcessor`, `settings.clap_model`) embeds text and audio in one
space; the cosine similarity of the two (-1..1) says how well they match. Without CLAP weights the
learned score is musicnn's: the clip's tag profile against the text's words (`musicnn/text_match.py`,
a calibrated probability 0..1). Descriptors measured from the clip are always scored against targets
read from the text's words (slow/fast, bright/dark, calm/busy, loud/quiet, major/minor, "D minor", "120 BPM").
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
    tag_match: float | None = Field(None, description="musicnn tag profile vs the words, calibrated 0..1; None without musicnn.")
    tag_evidence: list[str] = Field(default_factory=list, description="Tags the words ask for and what the clip offers.")
    descriptor_match: float | None = Field(description="Mean of the target scores, 0..1; None when no word set a target.")
    targets: list[DescriptorTarget]

    @property
    def learned(self) -> float | None:
        """The learned score this text has: CLAP similarity where CLAP ran, else the musicnn tag match."""
        return self.clap_similarity if self.clap_similarity is not None else self.tag_match


class AudioScore(BaseModel):
    """A clip scored against one or more texts."""

    path: str
    clap_available: bool
    clap_status: str = Field(description="The CLAP model used, or why CLAP was not used.")
    tags_status: str = Field("", description="The musicnn taggers used, or why there are no tags.")
    top_tags: str = Field("", description="The clip's most likely musicnn tags, e.g. 'piano 0.81, slow 0.40'.")
    descriptors: AudioDescriptors
    scores: list[TextScore]

    @property
    def best_text(self) -> str:
        """The text that fits best: by CLAP, else by musicnn tag match, else by descriptor match."""
        return max(self.scores, key=lambda s: (s.learned or 0.0, s.descriptor_match or 0.0)).text

    @property
    def summary(self) -> str:
        """One line per text for the agent's model: the learned score, the descriptor match, the tags heard."""
        parts = []
        for score in self.scores:
            learned = (f"CLAP {score.clap_similarity:.2f}" if score.clap_similarity is not None
                       else f"tag match {score.tag_match:.2f}" if score.tag_match is not None else "no learned score")
            words = "no descriptor targets" if score.descriptor_match is None else f"descriptors {score.descriptor_match:.2f}"
            parts.append(f"“{score.text[:60]}”: {learned}, {words}")
        heard = f"; heard: {self.top_tags}" if self.top_tags else ""
        return "; ".join(parts) + heard


class RankedClip(BaseModel):
    """One clip's place in a ranking against a text; `score` is what it was ranked by."""

    path: str
    score: float
    clap_similarity: float | None
    tag_match: float | None = None
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
        return None, f"CLAP unavailable: {status.reason} Scored with musicnn tags and audio descriptors."
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


def _tag_matches(audio_path: str | Path, texts: list[str]) -> tuple[list, str, str]:
    """(TagMatch or None per text, status, top tags) from musicnn; Nones with the reason when it cannot run."""
    from tunesmith.errors import InputError, UnavailableError
    from tunesmith.tools.audio.musicnn.tagger import tag_audio
    from tunesmith.tools.audio.musicnn.text_match import tag_match

    try:
        tags = tag_audio(audio_path)
        matches = tag_match(tags, texts)
    except UnavailableError as error:
        return [None] * len(texts), f"no tag match: {error.sentence()}", ""
    except InputError as error:  # too short to tag
        return [None] * len(texts), f"no tag match: {error}", ""
    return matches, f"musicnn {', '.join(tags.taggers)} over {tags.patches} patches", tags.summary(5)


def score_audio(audio_path: str | Path, texts: list[str], *, model: str | None = None) -> AudioScore:
    """Score a clip against each text: CLAP similarity if available, else the musicnn tag match;
    descriptor targets always.

    Raises AudioInputError for a file that is not readable audio.
    """
    texts = _check_texts(texts)
    samples, sr = load_audio(audio_path)
    descriptors = audio_descriptors(samples, sr)
    clap, status = _load_clap(model)
    similarities: list[float | None] = [None] * len(texts)
    matches, tags_status, top_tags = [None] * len(texts), "not needed: CLAP scored the texts", ""
    if clap is not None:
        clap_samples, _ = load_audio(audio_path, sample_rate=clap.sample_rate)
        similarities = _clap_similarities(clap, clap_samples, texts)
    else:
        matches, tags_status, top_tags = _tag_matches(audio_path, texts)
    scores = []
    for text, similarity, match in zip(texts, similarities, matches):
        targets = targets_for_text(text, descriptors)
        scores.append(TextScore(text=text, clap_similarity=similarity, tag_match=match.score if match else None,
                                tag_evidence=match.evidence if match else [],
                                descriptor_match=descriptor_match(targets), targets=targets))
    return AudioScore(path=str(audio_path), clap_available=clap is not None, clap_status=status,
                      tags_status=tags_status, top_tags=top_tags, descriptors=descriptors, scores=scores)


def rank_clips(paths: list[str | Path], text: str, *, model: str | None = None) -> list[RankedClip]:
    """Clips ordered best first for `text`: by CLAP similarity, else musicnn tag match, else descriptor match."""
    if not paths:
        raise ValueError("paths is empty; give one or more audio files to rank")
    ranked = []
    for path in paths:
        result = score_audio(path, [text], model=model)
        score = result.scores[0]
        value = score.learned if score.learned is not None else (score.descriptor_match or 0.0)
        ranked.append(RankedClip(path=str(path), score=value, clap_similarity=score.clap_similarity,
                                 tag_match=score.tag_match, descriptor_match=score.descriptor_match))
    return sorted(ranked, key=lambda clip: clip.score, reverse=True)


def clap_checks() -> list[BackendStatus]:
    """Doctor row for the CLAP weights; without them, scoring uses audio descriptors."""
    from tunesmith.settings import get_settings
    from tunesmith.tools.weights import find_weights, weights_status_row

    status = find_weights(get_settings().clap_model, allow_downloads=False)
    return [weights_status_row("CLAP", status, "audio is scored by musicnn tags and librosa descriptors against the request's words")]
