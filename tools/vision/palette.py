"""Colour maths for images: sRGB ↔ CIELAB, human colour names, and a deterministic k-means palette.

Colours are compared in CIELAB (D65), where Euclidean distance (ΔE*ab, 1976) roughly follows
perceived difference, so "nearest named colour" and k-means clusters match what a person sees.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

# Reference colours for naming (sRGB hex). Names are everyday words a listener would use.
NAMED_COLOURS: dict[str, str] = {
    "black": "#000000", "charcoal": "#36454f", "dark grey": "#5a5a5a", "grey": "#8c8c8c",
    "silver": "#c0c0c0", "white": "#f8f8f8", "cream": "#f3ead3", "beige": "#d9c7a7", "tan": "#c19a6b",
    "brown": "#7b4a2a", "dark brown": "#3d2616", "maroon": "#7a1f2b", "red": "#d0202a",
    "coral": "#f2735f", "pink": "#f2a5b8", "peach": "#f7c59f", "orange": "#f07d17", "ochre": "#c7922b",
    "gold": "#e3b52c", "yellow": "#f5e13b", "olive": "#7d7a2e", "khaki": "#b7ad7a", "lime": "#9acd32",
    "green": "#2f9e44", "forest green": "#1f4d2b", "sage": "#9caf88", "teal": "#138086",
    "turquoise": "#40c8c0", "sky blue": "#7ec0ee", "blue": "#2f5fd0", "navy": "#1b2a5a",
    "slate blue": "#5a6e8c", "indigo": "#3f2a7a", "purple": "#7b3fa0", "violet": "#a77bd6",
    "lavender": "#c8b8e8", "magenta": "#c8308f", "plum": "#5e2750",
}

# Hue (degrees, HSV) of the warm and cool poles: orange is the warmest hue and azure the coolest
# on the warm–cool scale of Ou et al. (2004), "A study of colour emotion and colour preference".
WARM_POLE_DEG = 30.0


class PaletteColour(BaseModel):
    """One dominant colour: its everyday name, sRGB hex, share of the image (0..1) and HSV values."""

    name: str
    hex: str
    share: float = Field(ge=0.0, le=1.0, description="Fraction of the image's pixels in this colour.")
    hue_deg: float = Field(description="HSV hue in degrees, 0 = red, 120 = green, 240 = blue.")
    saturation: float = Field(description="HSV saturation, 0..1.")
    lightness: float = Field(description="CIELAB L*/100, 0 = black, 1 = white.")

    def __str__(self) -> str:
        return f"{self.name} {round(self.share * 100)}%"


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """Undo the sRGB transfer curve; `rgb` in 0..1."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (…, 3) in 0..1 → CIELAB (…, 3) under D65: L* in 0..100, a*, b* about −128..127."""
    linear = srgb_to_linear(np.asarray(rgb, dtype=np.float64))
    matrix = np.array([[0.4124564, 0.3575761, 0.1804375],
                       [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]])
    xyz = linear @ matrix.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    """sRGB (…, 3) in 0..1 → HSV (…, 3): hue in degrees 0..360, saturation and value in 0..1."""
    rgb = np.asarray(rgb, dtype=np.float64)
    value = rgb.max(axis=-1)
    chroma = value - rgb.min(axis=-1)
    saturation = np.where(value > 0, chroma / np.where(value > 0, value, 1), 0.0)
    safe = np.where(chroma > 0, chroma, 1)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    hue = np.select(
        [chroma == 0, value == r, value == g],
        [0.0, ((g - b) / safe) % 6, (b - r) / safe + 2],
        default=(r - g) / safe + 4,
    )
    return np.stack([hue * 60.0, saturation, value], axis=-1)


def _hex_to_rgb(code: str) -> np.ndarray:
    return np.array([int(code[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64) / 255.0


_NAMES = list(NAMED_COLOURS)
_NAMED_LAB = rgb_to_lab(np.stack([_hex_to_rgb(NAMED_COLOURS[n]) for n in _NAMES]))


def colour_name(rgb: np.ndarray) -> str:
    """The everyday name of an sRGB colour (0..1), by the nearest reference colour in CIELAB."""
    distances = np.linalg.norm(_NAMED_LAB - rgb_to_lab(np.asarray(rgb))[None, :], axis=1)
    return _NAMES[int(np.argmin(distances))]


def _squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(N, K) squared Euclidean distances, via |p|² − 2 p·c + |c|² (one matrix product)."""
    return np.maximum((points**2).sum(1)[:, None] - 2 * points @ centres.T + (centres**2).sum(1)[None, :], 0.0)


def _kmeans(points: np.ndarray, k: int, seed: int, rounds: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means with k-means++ seeding from a fixed seed; returns (centres, labels)."""
    rng = np.random.default_rng(seed)
    centres = points[[rng.integers(len(points))]]
    for _ in range(1, k):
        nearest = _squared_distances(points, centres).min(axis=1)
        if nearest.sum() == 0:  # fewer distinct colours than k
            break
        centres = np.vstack([centres, points[rng.choice(len(points), p=nearest / nearest.sum())]])
    labels = np.zeros(len(points), dtype=int)
    for _ in range(rounds):
        labels = _squared_distances(points, centres).argmin(axis=1)
        counts = np.bincount(labels, minlength=len(centres))[:, None]
        sums = np.stack([np.bincount(labels, weights=points[:, d], minlength=len(centres)) for d in range(3)], axis=1)
        moved = np.where(counts > 0, sums / np.maximum(counts, 1), centres)  # an empty cluster stays put
        if np.allclose(moved, centres, atol=1e-3):
            break
        centres = moved
    return centres, labels


def dominant_colours(rgb: np.ndarray, k: int = 6, seed: int = 0, max_samples: int = 6000) -> list[PaletteColour]:
    """The image's dominant colours, largest share first; clusters with the same name are merged.

    `rgb` is an (H, W, 3) or (N, 3) array in 0..1. Pixels are clustered in CIELAB; at most
    `max_samples` pixels, drawn with a fixed `seed`, so the result is deterministic.
    """
    pixels = np.asarray(rgb, dtype=np.float64).reshape(-1, 3)
    if len(pixels) > max_samples:  # a seeded random sample: unbiased, unlike a stride that can alias stripes
        pixels = pixels[np.sort(np.random.default_rng(seed).choice(len(pixels), max_samples, replace=False))]
    _, labels = _kmeans(rgb_to_lab(pixels), k, seed)
    merged: dict[str, list[np.ndarray]] = {}
    for cluster in np.unique(labels):
        members = pixels[labels == cluster]
        merged.setdefault(colour_name(members.mean(0)), []).append(members)
    palette = []
    for name, groups in merged.items():
        members = np.concatenate(groups)
        mean = members.mean(0)
        hue, saturation, _ = rgb_to_hsv(mean)
        palette.append(PaletteColour(
            name=name,
            hex="#" + "".join(f"{round(c * 255):02x}" for c in mean),
            share=round(len(members) / len(pixels), 4),
            hue_deg=round(float(hue), 1),
            saturation=round(float(saturation), 3),
            lightness=round(float(rgb_to_lab(mean)[0]) / 100, 3),
        ))
    return sorted(palette, key=lambda colour: (-colour.share, colour.name))


def describe_palette(palette: list[PaletteColour], limit: int = 3) -> str:
    """Plain words for the largest colours, e.g. "navy (42%), grey (20%) and ochre (12%)"."""
    shown = [c for c in palette if c.share >= 0.01][:limit] or palette[:1]
    words = [f"{c.name} ({round(c.share * 100)}%)" for c in shown]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
