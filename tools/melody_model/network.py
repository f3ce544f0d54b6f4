"""The melody model's network: a small decoder-only transformer (pre-norm, causal self-attention,
learned positions, output tied to the token embedding), in PyTorch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class NetworkConfig:
    """Sizes of the network; `context` is the most tokens it reads at once."""

    vocab_size: int
    context: int = 256
    layers: int = 4
    width: int = 256
    heads: int = 4
    dropout: float = 0.1

    def as_dict(self) -> dict:
        return asdict(self)


class _Block(nn.Module):
    def __init__(self, config: NetworkConfig):
        super().__init__()
        self.heads = config.heads
        self.norm1 = nn.LayerNorm(config.width)
        self.qkv = nn.Linear(config.width, 3 * config.width)
        self.out = nn.Linear(config.width, config.width)
        self.norm2 = nn.LayerNorm(config.width)
        self.mlp = nn.Sequential(nn.Linear(config.width, 4 * config.width), nn.GELU(),
                                 nn.Linear(4 * config.width, config.width))
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, cache: list | None = None) -> torch.Tensor:
        batch, length, width = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(width, dim=2)
        q, k, v = (t.view(batch, length, self.heads, width // self.heads).transpose(1, 2) for t in (q, k, v))
        if cache is not None:
            if cache:  # keys and values of the tokens already read
                k = torch.cat([cache[0], k], dim=2)
                v = torch.cat([cache[1], v], dim=2)
            cache[:] = [k, v]
        dropout = self.dropout if self.training else 0.0
        if mask is not None:
            attended = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout)
        elif k.shape[2] == length:
            attended = F.scaled_dot_product_attention(q, k, v, is_causal=length > 1, dropout_p=dropout)
        else:  # new tokens after cached ones: each sees the cache and the new tokens up to itself
            causal = torch.ones(length, k.shape[2], dtype=torch.bool).tril(k.shape[2] - length)
            attended = F.scaled_dot_product_attention(q, k, v, attn_mask=causal)
        attended = attended.transpose(1, 2).contiguous().view(batch, length, width)
        x = x + F.dropout(self.out(attended), self.dropout, self.training)
        return x + F.dropout(self.mlp(self.norm2(x)), self.dropout, self.training)


class MelodyNetwork(nn.Module):
    """Next-token logits for token ids (batch, length) -> (batch, length, vocab)."""

    def __init__(self, config: NetworkConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.width)
        self.position = nn.Embedding(config.context, config.width)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.layers))
        self.norm = nn.LayerNorm(config.width)
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor, *, positions: torch.Tensor | None = None, mask: torch.Tensor | None = None,
                caches: list[list] | None = None, start: int = 0) -> torch.Tensor:
        """Logits for `ids` (batch, length).

        Training packs several examples in a row: `positions` (batch, length) restart at each example and
        `mask` (batch, 1, length, length; True = may attend) keeps examples apart. Sampling passes
        `caches` (one list per layer) to keep keys and values between calls; `start` is the position of
        ids[:, 0] then.
        """
        if positions is None:
            positions = torch.arange(start, start + ids.shape[1], device=ids.device).unsqueeze(0)
        x = F.dropout(self.embed(ids) + self.position(positions), self.config.dropout, self.training)
        for index, block in enumerate(self.blocks):
            x = block(x, mask, None if caches is None else caches[index])
        return self.norm(x) @ self.embed.weight.T

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())
