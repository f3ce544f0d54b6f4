"""Measurable visual features of an sRGB pixel array: light, colour, texture and composition.

Every feature is a plain number with a stated range, computed from the image at a fixed analysis
size so results do not depend on the file's resolution. `tools/vision.py` turns them into affect
scores (valence, energy, calm).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.tools.vision.palette import WARM_POLE_DEG, rgb_to_hsv, rgb_to_lab

# Hasler & Süsstrunk (2003), "Measuring colourfulness in natural images", Table 2: metric value → words.
COLOURFULNESS_SCALE = ((15, "not colourful"), (33, "slightly colourful"), (45, "moderately colourful"),
                       (59, "averagely colourful"), (82, "quite colourful"), (109, "highly colourful"))
EDGE_STEP = 0.08  # a lightness step of 8 L* units between neighbours counts as an edge
FLAT_BLOCK, FLAT_STD = 8, 0.012  # an 8×8 block with L* varying by about 1 unit is empty (sky, wall, backdrop)


class VisualFeatures(BaseModel):
    """Measured features; all in 0..1 unless stated."""

    brightness: float = Field(description="Mean CIELAB lightness L*/100.")
    saturation: float = Field(description="Mean HSV saturation.")
    warmth: float = Field(description="Warm/cool balance of the coloured pixels: 0 cool (azure), 0.5 neutral, 1 warm (orange).")
    contrast: float = Field(description="RMS contrast: standard deviation of L*/100 (0 flat; about 0.3 is very high).")
    colourfulness: float = Field(description="Hasler–Süsstrunk M on 0..255 RGB (0 grey; >109 extremely colourful).")
    colourfulness_label: str
    edge_density: float = Field(description=f"Share of pixels on an edge (lightness gradient over {EDGE_STEP}).")
    texture: float = Field(description="Mean lightness gradient per pixel (busy images are higher).")
    horizon_position: float | None = Field(
        description="Height of the strongest horizontal boundary, 0 top .. 1 bottom; None if there is none.")
    sky_share: float = Field(description="Share of the top third that is sky-like (blue, or bright and colourless).")
    centre_weight: float = Field(description="Share of edge strength in the central quarter of the frame (0.25 = evenly spread).")
    symmetry: float = Field(description="Left–right mirror similarity of lightness (1 = mirror-symmetric).")
    emptiness: float = Field(0.0, description=f"Share of {FLAT_BLOCK}×{FLAT_BLOCK}-pixel blocks that are flat "
                                              f"(lightness standard deviation under {FLAT_STD}).")
    dark_share: float = Field(0.0, description="Share of pixels darker than L* 20 (night, deep shadow, space).")
    white_share: float = Field(0.0, description="Share of paper-white pixels (HSV value > 0.92, saturation < 0.06).")
    lights_in_dark: float = Field(0.0, description="Small bright points on a dark ground (stars, lamps) per 10,000 pixels.")


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Süsstrunk (2003) colourfulness M = σ_rgyb + 0.3 μ_rgyb on 0..255 sRGB values."""
    r, g, b = (rgb[..., i] * 255.0 for i in range(3))
    rg = r - g
    yb = 0.5 * (r + g) - b
    sigma = np.sqrt(rg.std() ** 2 + yb.std() ** 2)
    mu = np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
    return float(sigma + 0.3 * mu)


def colourfulness_label(value: float) -> str:
    """Hasler & Süsstrunk's words for a colourfulness value."""
    for limit, label in COLOURFULNESS_SCALE:
        if value < limit:
            return label
    return "extremely colourful"


def warmth(hsv: np.ndarray) -> float:
    """Saturation-weighted cosine of each pixel's hue to the warm pole (orange, 30°), mapped to 0..1.

    Near-grey images are pulled to 0.5: the weights are divided by at least 5% of the pixel count,
    so a few tinted pixels cannot make a grey picture "warm".
    """
    hue, sat = np.radians(hsv[..., 0]), hsv[..., 1]
    pull = np.cos(hue - np.radians(WARM_POLE_DEG))
    balance = (sat * pull).sum() / max(sat.sum(), 0.05 * sat.size)
    return float(0.5 + 0.5 * balance)


def _sobel_magnitude(lightness: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude, scaled so a step of height h gives h (units of L*/100)."""
    padded = np.pad(lightness, 1, mode="edge")
    gx = (padded[:-2, 2:] + 2 * padded[1:-1, 2:] + padded[2:, 2:]
          - padded[:-2, :-2] - 2 * padded[1:-1, :-2] - padded[2:, :-2])
    gy = (padded[2:, :-2] + 2 * padded[2:, 1:-1] + padded[2:, 2:]
          - padded[:-2, :-2] - 2 * padded[:-2, 1:-1] - padded[:-2, 2:])
    return np.hypot(gx, gy) / 4.0


def _horizon(lab: np.ndarray) -> float | None:
    """Row (0 top .. 1 bottom) where the colour above and below differ most, if the step is clear."""
    rows = lab.mean(axis=1)
    height = len(rows)
    band = max(2, height // 10)
    first, last = max(band, int(0.15 * height)), min(height - band, int(0.85 * height))
    if last < first:
        return None
    sums = np.vstack([np.zeros((1, 3)), np.cumsum(rows, axis=0)])
    candidates = np.arange(first, last + 1)
    above = (sums[candidates] - sums[candidates - band]) / band
    below = (sums[candidates + band] - sums[candidates]) / band
    steps = np.linalg.norm(above - below, axis=1)
    best = int(np.argmax(steps))
    # 12 ΔE between the bands is a clearly visible boundary
    return round(int(candidates[best]) / height, 3) if steps[best] >= 12.0 else None


def _emptiness(lightness: np.ndarray) -> float:
    """Share of FLAT_BLOCK-pixel blocks whose lightness barely varies."""
    rows, columns = (n // FLAT_BLOCK * FLAT_BLOCK for n in lightness.shape)
    if rows == 0 or columns == 0:
        return 1.0
    blocks = lightness[:rows, :columns].reshape(rows // FLAT_BLOCK, FLAT_BLOCK, columns // FLAT_BLOCK, FLAT_BLOCK)
    return float((blocks.std(axis=(1, 3)) < FLAT_STD).mean())


def _lights_in_dark(lightness: np.ndarray) -> float:
    """Local lightness peaks 0.12 above a dark (< 0.2) 9-pixel neighbourhood, per 10,000 pixels."""
    from scipy import ndimage

    surround = ndimage.uniform_filter(lightness, 9)
    peaks = (lightness == ndimage.maximum_filter(lightness, 5)) & (lightness - surround > 0.12) & (surround < 0.2)
    return float(peaks.sum() / lightness.size * 1e4)


def measure(rgb: np.ndarray) -> VisualFeatures:
    """All features of an (H, W, 3) sRGB array in 0..1."""
    lab = rgb_to_lab(rgb)
    hsv = rgb_to_hsv(rgb)
    lightness = lab[..., 0] / 100.0
    gradient = _sobel_magnitude(lightness)
    height, width = lightness.shape
    top = hsv[: max(1, height // 3)]
    sky = ((top[..., 0] >= 180) & (top[..., 0] <= 260) & (top[..., 1] > 0.12) & (top[..., 2] > 0.35)) | (
        (top[..., 1] < 0.12) & (top[..., 2] > 0.8))
    edges = np.where(gradient > EDGE_STEP, gradient, 0.0)  # ignore sensor noise and soft shading
    centre = edges[height // 4: height - height // 4, width // 4: width - width // 4]
    total_edges = edges.sum()
    mirror_gap = np.abs(lightness - lightness[:, ::-1]).mean()
    m = colourfulness(rgb)
    return VisualFeatures(
        brightness=round(float(lightness.mean()), 4),
        saturation=round(float(hsv[..., 1].mean()), 4),
        warmth=round(warmth(hsv), 4),
        contrast=round(float(lightness.std()), 4),
        colourfulness=round(m, 2),
        colourfulness_label=colourfulness_label(m),
        edge_density=round(float((edges > 0).mean()), 4),
        texture=round(float(gradient.mean()), 4),
        horizon_position=_horizon(lab),
        sky_share=round(float(sky.mean()), 4),
        centre_weight=round(float(centre.sum() / total_edges) if total_edges > 0 else 0.25, 4),
        symmetry=round(float(np.clip(1.0 - 2.0 * mirror_gap, 0.0, 1.0)), 4),
        emptiness=round(_emptiness(lightness), 4),
        dark_share=round(float((lightness < 0.2).mean()), 4),
        white_share=round(float(((hsv[..., 2] > 0.92) & (hsv[..., 1] < 0.06)).mean()), 4),
        lights_in_dark=round(_lights_in_dark(lightness), 2),
    )
