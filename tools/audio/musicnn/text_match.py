"""How well a clip's musicnn tags fit a text: the learned text–audio score used while CLAP is absent.

The 100 tags of the two taggers (MagnaTagATune, Million Song Dataset) are embedded as "<tag> music"
with the product's sentence embedder (all-MiniLM-L6-v2, `tunesmith.memory.embedder`), and so is the
text. What the text asks for is a softmax over its cosine similarity to each tag (temperature T);
what the clip offers is each tag's logit as a z-score against the same tag over reference renders.
raw = Σ_tag asked(tag) · offered(tag); the score is a logistic curve of raw, fitted on matching vs
mismatched request/render pairs, so it reads as the probability that text and clip belong together.
The statistics, T and the curve live in calibration.json, written by
`benchmarks/text_score_bench.py --calibrate` (which says what it was fitted on).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.errors import UnavailableError
from tunesmith.tools.audio.musicnn.tagger import DEFAULT_TAGGERS, ClipTags, tag_names

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
EVIDENCE_TAGS = 3


class TagMatch(BaseModel):
    """A text scored against a clip's tags."""

    score: float = Field(description="Calibrated probability that the text describes the clip, 0..1.")
    raw: float = Field(description="Σ asked(tag) · offered(tag), in reference standard deviations.")
    evidence: list[str] = Field(description="The tags the text asks for most, with what the clip offers.")


def tag_order() -> list[tuple[str, str]]:
    """(tagger, tag) for every tag of the default taggers, in the order vectors use."""
    return [(tagger, tag) for tagger in DEFAULT_TAGGERS for tag in tag_names(tagger)]


def tag_logits(tags: ClipTags) -> np.ndarray:
    """The clip's logit for every tag in `tag_order()` (probabilities clipped to 1e-4..1-1e-4)."""
    by_key = {(t.tagger, t.tag): t.probability for t in tags.tags}
    missing = [key for key in tag_order() if key not in by_key]
    if missing:
        raise ValueError(f"the tags lack {missing[0][1]!r} of {missing[0][0]}; tag the clip with {', '.join(DEFAULT_TAGGERS)}")
    p = np.clip(np.array([by_key[key] for key in tag_order()]), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


@lru_cache(maxsize=1)
def tag_vectors() -> np.ndarray:
    """Sentence embeddings of "<tag> music" for every tag, (100, 384), unit length."""
    from tunesmith.memory.embedder import encode

    return encode([f"{tag.lower()} music" for _, tag in tag_order()])


def asked(texts: list[str], temperature: float) -> np.ndarray:
    """(texts, tags) weights: what each text asks of the tags, a softmax of cosine similarity / T."""
    from tunesmith.memory.embedder import encode

    similarity = encode(texts) @ tag_vectors().T
    weights = np.exp((similarity - similarity.max(axis=1, keepdims=True)) / temperature)
    return weights / weights.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def calibration() -> dict:
    """The fitted constants (tag means and spreads, temperature, logistic slope and intercept)."""
    if not CALIBRATION_FILE.is_file():
        raise UnavailableError(f"the tag-score calibration {CALIBRATION_FILE} is missing",
                               fix="run benchmarks/text_score_bench.py --calibrate, or reinstall Tunesmith")
    return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))


def offered(logits: np.ndarray, constants: dict) -> np.ndarray:
    """Each tag's logit as a z-score against the reference renders."""
    return (logits - np.array(constants["mean"])) / np.array(constants["std"])


def tag_match(tags: ClipTags, texts: list[str]) -> list[TagMatch]:
    """Score each text against a clip's tags (see the module docstring)."""
    constants = calibration()
    weights = asked(texts, constants["temperature"])
    evidence_of_clip = offered(tag_logits(tags), constants)
    probability = {(t.tagger, t.tag): t.probability for t in tags.tags}
    order = tag_order()
    results = []
    for row in weights:
        raw = float(row @ evidence_of_clip)
        score = 1.0 / (1.0 + math.exp(-(constants["slope"] * raw + constants["intercept"])))
        top = np.argsort(-row)[:EVIDENCE_TAGS]
        evidence = [f"{order[k][1]}: asked {row[k]:.2f}, heard {probability[order[k]]:.2f} ({evidence_of_clip[k]:+.1f} sd)"
                    for k in top]
        results.append(TagMatch(score=round(score, 4), raw=round(raw, 4), evidence=evidence))
    return results
