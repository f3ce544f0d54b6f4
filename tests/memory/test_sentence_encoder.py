"""The numpy sentence encoder: the same vectors as sentence-transformers, without importing torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tunesmith.memory import embedder
from tunesmith.memory.sentence_encoder import SentenceEncoder, supports

TEXTS = [
    "a cheerful jig in D major",
    "A lively jig in D major, 6/8 compound time, Irish dance tune from O'Neill's Music of Ireland, 32 bars: The Kesh",
    "x",
    "Ein sehr langes Lied über den Frühling und die Liebe, " * 20,  # longer than the model reads: truncated alike
]


@pytest.fixture(scope="module")
def folder() -> Path:
    return embedder.embedder_path()


def test_numpy_vectors_equal_sentence_transformers_vectors(folder: Path) -> None:
    from sentence_transformers import SentenceTransformer

    ours = SentenceEncoder(folder).encode(TEXTS, batch_size=2)  # padded batches of unequal texts
    reference = SentenceTransformer(str(folder), device="cpu").encode(TEXTS, normalize_embeddings=True)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert (ours * reference).sum(axis=1).min() > 0.99999
    assert np.abs(ours - reference).max() < 1e-5


def test_the_packaged_minilm_is_read_by_numpy_and_other_folders_are_not(folder: Path, tmp_path: Path) -> None:
    assert supports(folder)
    (tmp_path / "config.json").write_text('{"model_type": "mpnet"}')
    assert not supports(tmp_path)


def test_a_query_is_embedded_and_a_collection_opened_in_a_new_process_without_importing_torch() -> None:
    code = ("import sys; from tunesmith.memory.embedder import encode; v = encode(['a slow air']); "
            "from tunesmith.memory.generations import search_generations; search_generations('a waltz'); "
            "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.stdout.strip() == "(1, 384) False False", run.stderr[-2000:]


def test_a_query_asked_again_is_not_embedded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = embedder.encode(["a reel for the session on Thursday"])

    def no_model(folder: str):
        raise AssertionError("the query was embedded twice")

    monkeypatch.setattr(embedder, "_load_model", no_model)
    assert np.array_equal(embedder.encode(["a reel for the session on Thursday"]), first)
