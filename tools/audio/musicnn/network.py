"""musicnn and its VGG baseline (Pons & Serra 2019) as torch modules, loaded from the packaged TF1 weights.

The layers follow `musicnn/models.py` of musicnn 0.1.0 exactly, in inference mode (batch norm with
its moving statistics, TF's epsilon 0.001; no dropout). Input: log-mel patches, shape
(batch, frames, 96 mel bands), 16 kHz audio with a 256-sample hop (~62.5 frames a second).
TF stores conv kernels as (height, width, in, out) and tensors as NHWC; the weights are permuted
to torch's (out, in, height, width) and NCHW here, and flattening follows TF's NHWC order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

MEL_BANDS = 96
TF_BATCH_NORM_EPSILON = 1e-3


class MusicnnOutput(NamedTuple):
    """Per patch: tag logits (50), the 200-d penultimate layer, and mean/max pooled mid-end features (753)."""

    logits: torch.Tensor
    penultimate: torch.Tensor
    mean_pool: torch.Tensor
    max_pool: torch.Tensor


class _Weights:
    """Takes TF variables by layer name, converting layouts, and checks that every one was used."""

    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        self.tensors = {k: v for k, v in tensors.items() if "Adam" not in k and "power" not in k}
        self.used: set[str] = set()

    def take(self, name: str) -> torch.Tensor:
        if name not in self.tensors:
            raise KeyError(f"the checkpoint has no variable {name!r}; it is not a musicnn checkpoint of this kind")
        self.used.add(name)
        return torch.from_numpy(np.ascontiguousarray(self.tensors[name]))

    def conv(self, layer: nn.Conv2d, name: str) -> None:
        kernel = self.take(f"{name}/kernel").permute(3, 2, 0, 1)  # (h, w, in, out) -> (out, in, h, w)
        if tuple(kernel.shape) != tuple(layer.weight.shape):
            raise ValueError(f"{name}: checkpoint kernel {tuple(kernel.shape)} does not fit {tuple(layer.weight.shape)}")
        layer.weight.data.copy_(kernel)
        layer.bias.data.copy_(self.take(f"{name}/bias"))

    def dense(self, layer: nn.Linear, name: str) -> None:
        layer.weight.data.copy_(self.take(f"{name}/kernel").T)
        layer.bias.data.copy_(self.take(f"{name}/bias"))

    def norm(self, layer: nn.BatchNorm1d | nn.BatchNorm2d, name: str) -> None:
        layer.weight.data.copy_(self.take(f"{name}/gamma"))
        layer.bias.data.copy_(self.take(f"{name}/beta"))
        layer.running_mean.data.copy_(self.take(f"{name}/moving_mean"))
        layer.running_var.data.copy_(self.take(f"{name}/moving_variance"))

    def check_all_used(self) -> None:
        unused = sorted(set(self.tensors) - self.used)
        if unused:
            raise ValueError(f"checkpoint variables not used by the network: {', '.join(unused[:5])}")


def _same_time_padding(kernel: int) -> tuple[int, int]:
    """TF 'same' padding along time for an odd or even kernel: the extra frame goes after."""
    return (kernel - 1) // 2, kernel - 1 - (kernel - 1) // 2


class Musicnn(nn.Module):
    """The musically motivated CNN: timbral (7x38, 7x67) and temporal (128, 64, 32 frames) front-end
    filters, a three-layer dense-residual mid-end, and a max+mean pooled dense back-end."""

    def __init__(self, tags: int = 50, midend_filters: int = 64, backend_units: int = 200) -> None:
        super().__init__()
        timbral_filters, temporal_filters = int(1.6 * 128), int(1.6 * 32)
        self.input_norm = nn.BatchNorm2d(1, eps=TF_BATCH_NORM_EPSILON)
        self.timbral = nn.ModuleList(nn.Conv2d(1, timbral_filters, (7, int(share * MEL_BANDS))) for share in (0.4, 0.7))
        self.timbral_norm = nn.ModuleList(nn.BatchNorm2d(timbral_filters, eps=TF_BATCH_NORM_EPSILON) for _ in range(2))
        self.temporal_kernels = (128, 64, 32)
        self.temporal = nn.ModuleList(nn.Conv2d(1, temporal_filters, (k, 1)) for k in self.temporal_kernels)
        self.temporal_norm = nn.ModuleList(nn.BatchNorm2d(temporal_filters, eps=TF_BATCH_NORM_EPSILON) for _ in range(3))
        frontend_width = 2 * timbral_filters + 3 * temporal_filters
        widths = (frontend_width, midend_filters, midend_filters)
        self.midend = nn.ModuleList(nn.Conv2d(1, midend_filters, (7, width)) for width in widths)
        self.midend_norm = nn.ModuleList(nn.BatchNorm2d(midend_filters, eps=TF_BATCH_NORM_EPSILON) for _ in range(3))
        pooled = 2 * (frontend_width + 3 * midend_filters)
        self.pool_norm = nn.BatchNorm1d(pooled, eps=TF_BATCH_NORM_EPSILON)
        self.dense = nn.Linear(pooled, backend_units)
        self.dense_norm = nn.BatchNorm1d(backend_units, eps=TF_BATCH_NORM_EPSILON)
        self.output = nn.Linear(backend_units, tags)

    def load_tf(self, tensors: dict[str, np.ndarray]) -> Musicnn:
        """Copy the TF variables in; TF numbered the layers in the order models.py created them."""
        weights = _Weights(tensors)
        weights.norm(self.input_norm, "batch_normalization")
        convs = [*self.timbral, *self.temporal, *self.midend]
        norms = [*self.timbral_norm, *self.temporal_norm, *self.midend_norm]
        for number, (conv, norm) in enumerate(zip(convs, norms)):
            weights.conv(conv, "conv2d" if number == 0 else f"conv2d_{number}")
            weights.norm(norm, f"batch_normalization_{number + 1}")
        weights.norm(self.pool_norm, "batch_normalization_9")
        weights.dense(self.dense, "dense")
        weights.norm(self.dense_norm, "batch_normalization_10")
        weights.dense(self.output, "dense_1")
        weights.check_all_used()
        return self.eval()

    def forward(self, patches: torch.Tensor) -> MusicnnOutput:
        """patches: (batch, frames, 96) log-mel -> per-patch logits and embeddings."""
        x = self.input_norm(patches.unsqueeze(1))  # (B, 1, T, 96)
        features = []
        for conv, norm in zip(self.timbral, self.timbral_norm):
            y = norm(F.relu(conv(F.pad(x, (0, 0, 3, 3)))))
            features.append(y.amax(dim=3))  # max over frequency -> (B, C, T)
        for kernel, conv, norm in zip(self.temporal_kernels, self.temporal, self.temporal_norm):
            y = norm(F.relu(conv(F.pad(x, (0, 0, *_same_time_padding(kernel))))))
            features.append(y.amax(dim=3))
        frontend = torch.cat(features, dim=1)  # (B, 561, T)
        layers = [frontend]
        current = frontend
        for index, (conv, norm) in enumerate(zip(self.midend, self.midend_norm)):
            # TF convolves the features as a (T, width) image with one channel, 'valid' over the width.
            image = current.transpose(1, 2).unsqueeze(1)  # (B, 1, T, C)
            y = norm(F.relu(conv(F.pad(image, (0, 0, 3, 3))))).squeeze(3)  # (B, 64, T)
            current = y if index == 0 else y + current
            layers.append(current)
        midend = torch.cat(layers, dim=1)  # (B, 753, T)
        max_pool, mean_pool = midend.amax(dim=2), midend.mean(dim=2)
        pooled = torch.stack([max_pool, mean_pool], dim=2).flatten(1)  # TF order: max, mean per feature
        penultimate = self.dense_norm(F.relu(self.dense(self.pool_norm(pooled))))
        return MusicnnOutput(self.output(penultimate), penultimate, mean_pool, max_pool)


class MusicnnVgg(nn.Module):
    """The VGG-like baseline: five 3x3 conv + max-pool blocks on 187-frame patches, then one dense layer."""

    PATCH_FRAMES = 187

    def __init__(self, tags: int = 50, filters: int = 128) -> None:
        super().__init__()
        self.input_norm = nn.BatchNorm2d(1, eps=TF_BATCH_NORM_EPSILON)
        self.convs = nn.ModuleList(nn.Conv2d(1 if i == 0 else filters, filters, 3, padding=1) for i in range(5))
        self.norms = nn.ModuleList(nn.BatchNorm2d(filters, eps=TF_BATCH_NORM_EPSILON) for _ in range(5))
        self.pools = ((4, 1, 2, 2), (2, 2, 2, 2), (2, 2, 2, 2), (2, 2, 2, 2), (4, 4, 4, 4))  # kernel h, w, stride h, w
        self.output = nn.Linear(2 * 1 * filters, tags)

    def load_tf(self, tensors: dict[str, np.ndarray]) -> MusicnnVgg:
        weights = _Weights(tensors)
        weights.norm(self.input_norm, "batch_normalization")
        for number, (conv, norm) in enumerate(zip(self.convs, self.norms), start=1):
            weights.conv(conv, f"{number}CNN")
            weights.norm(norm, f"batch_normalization_{number}")
        weights.dense(self.output, "dense")
        weights.check_all_used()
        return self.eval()

    def forward(self, patches: torch.Tensor) -> MusicnnOutput:
        """patches: (batch, 187, 96) -> logits; the flattened last pooling (256) stands in for the embeddings."""
        if patches.shape[1] != self.PATCH_FRAMES:
            raise ValueError(f"the VGG tagger takes {self.PATCH_FRAMES}-frame patches (3 s), not {patches.shape[1]}")
        x = self.input_norm(patches.unsqueeze(1))
        for conv, norm, (kh, kw, sh, sw) in zip(self.convs, self.norms, self.pools):
            x = F.max_pool2d(norm(F.relu(conv(x))), (kh, kw), (sh, sw))
        flat = x.permute(0, 2, 3, 1).flatten(1)  # TF flattens NHWC
        return MusicnnOutput(self.output(flat), flat, flat, flat)
