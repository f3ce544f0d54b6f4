"""A BERT sentence encoder (mean pooling, unit vectors) run with numpy alone, for sentence-transformers
folders such as all-MiniLM-L6-v2.

Importing torch, transformers and sentence-transformers costs a new process seconds of CPU before the
first query is embedded; this encoder reads the same folder (config.json, tokenizer.json,
model.safetensors) and computes the same vectors (cosine ≥ 0.99999 against sentence-transformers,
checked by the tests) after a tenth of a second. Shapes: (batch, tokens, hidden); floats are float32.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

# Abramowitz & Stegun 7.1.26: erf to within 1.5e-7, the precision of float32 (numpy has no erf).
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _erf(x: np.ndarray) -> np.ndarray:
    t = 1.0 / (1.0 + _ERF_P * np.abs(x))
    poly = t * (_ERF_A[0] + t * (_ERF_A[1] + t * (_ERF_A[2] + t * (_ERF_A[3] + t * _ERF_A[4]))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


def supports(folder: Path) -> bool:
    """Whether `folder` is a sentence-transformers BERT model this encoder reproduces: a BERT with
    absolute positions, mean pooling and normalised output."""
    try:
        config = json.loads((folder / "config.json").read_text())
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError):
        return False
    return (
        config.get("model_type") == "bert" and config.get("position_embedding_type", "absolute") == "absolute"
        and config.get("hidden_act") == "gelu" and modules == ["Transformer", "Pooling", "Normalize"]
        and pooling.get("pooling_mode_mean_tokens") is True and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
        and not any(pooling.get(mode) for mode in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                                   "pooling_mode_mean_sqrt_len_tokens"))
    )


class SentenceEncoder:
    """A loaded BERT sentence encoder: `encode(texts)` -> (n, hidden) float32 unit vectors."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text())
        try:
            max_tokens = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        except (OSError, ValueError, KeyError):
            max_tokens = 256
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.weights = {name: np.ascontiguousarray(value, dtype=np.float32)
                        for name, value in load_file(str(folder / "model.safetensors")).items()
                        if not name.endswith("position_ids")}
        self.prefix = "bert." if "bert.embeddings.word_embeddings.weight" in self.weights else ""
        self._layers: dict[int, dict[str, np.ndarray]] = {}
        max_tokens = min(int(max_tokens), int(config.get("max_position_embeddings", 512)))
        self.tokenizer: Tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))  # to the longest in the batch

    def _w(self, name: str) -> np.ndarray:
        return self.weights[self.prefix + name]

    def _layer(self, index: int) -> dict[str, np.ndarray]:
        """One encoder layer's weights laid out for 2-D products: transposed, query/key/value fused."""
        if index not in self._layers:
            name = f"encoder.layer.{index}"
            w = self._w
            self._layers[index] = {
                "qkv": np.ascontiguousarray(np.concatenate([w(f"{name}.attention.self.{p}.weight") for p in ("query", "key", "value")]).T),
                "qkv_bias": np.concatenate([w(f"{name}.attention.self.{p}.bias") for p in ("query", "key", "value")]),
                "out": np.ascontiguousarray(w(f"{name}.attention.output.dense.weight").T),
                "out_bias": w(f"{name}.attention.output.dense.bias"),
                "norm1": (w(f"{name}.attention.output.LayerNorm.weight"), w(f"{name}.attention.output.LayerNorm.bias")),
                "up": np.ascontiguousarray(w(f"{name}.intermediate.dense.weight").T),
                "up_bias": w(f"{name}.intermediate.dense.bias"),
                "down": np.ascontiguousarray(w(f"{name}.output.dense.weight").T),
                "down_bias": w(f"{name}.output.dense.bias"),
                "norm2": (w(f"{name}.output.LayerNorm.weight"), w(f"{name}.output.LayerNorm.bias")),
            }
        return self._layers[index]

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        batch, length = ids.shape
        x = (self._w("embeddings.word_embeddings.weight")[ids]
             + self._w("embeddings.position_embeddings.weight")[:length][None]
             + self._w("embeddings.token_type_embeddings.weight")[types])
        hidden = x.shape[-1]
        size = hidden // self.heads
        # Rows are tokens of the whole batch: every weight product is one large matrix product.
        x = _layer_norm(x.reshape(batch * length, hidden), self._w("embeddings.LayerNorm.weight"),
                        self._w("embeddings.LayerNorm.bias"), self.eps)
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]  # padding is never attended to
        scale = np.float32(1.0 / np.sqrt(size))
        for index in range(self.layers):
            w = self._layer(index)
            qkv = (x @ w["qkv"] + w["qkv_bias"]).reshape(batch, length, 3, self.heads, size).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] * scale) @ qkv[1].transpose(0, 1, 3, 2) + blocked
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            attended = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
            x = _layer_norm(attended @ w["out"] + w["out_bias"] + x, *w["norm1"], self.eps)
            x = _layer_norm(_gelu(x @ w["up"] + w["up_bias"]) @ w["down"] + w["down_bias"] + x, *w["norm2"], self.eps)
        x = x.reshape(batch, length, hidden)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """(n, hidden) unit vectors. Texts are batched by length, so little time goes on padding."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self._w("embeddings.word_embeddings.weight").shape[1]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), self._w("embeddings.word_embeddings.weight").shape[1]), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            vectors[chosen] = self._encode_batch([texts[i] for i in chosen])
        return vectors
