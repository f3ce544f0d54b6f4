"""Synthetic and real pictures for the vision, captioner and bridge tests (uint8 RGB arrays)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 192


def flat(rgb: tuple[int, int, int], size: int = SIZE) -> np.ndarray:
    """A single colour, with faint noise like a real photo of a plain surface."""
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 1.5, (size, size, 3))
    return np.clip(np.array(rgb, dtype=float) + noise, 0, 255).astype(np.uint8)


def dark_cool() -> np.ndarray:
    """A night-blue picture: dark navy fading to slate."""
    rows = np.linspace(0, 1, SIZE)[:, None, None]
    top, bottom = np.array([15, 22, 60]), np.array([40, 55, 95])
    return np.repeat((top + (bottom - top) * rows), SIZE, axis=1).astype(np.uint8)


def bright_warm() -> np.ndarray:
    """A sunny picture: gold fading to warm orange."""
    rows = np.linspace(0, 1, SIZE)[:, None, None]
    top, bottom = np.array([252, 220, 120]), np.array([245, 160, 70])
    return np.repeat((top + (bottom - top) * rows), SIZE, axis=1).astype(np.uint8)


def busy_contrast() -> np.ndarray:
    """Small tiles of random saturated colours and black/white: high contrast, many edges."""
    rng = np.random.default_rng(7)
    palette = np.array([[230, 30, 30], [20, 20, 20], [250, 250, 250], [30, 80, 230], [250, 210, 20], [30, 170, 60]])
    tiles = palette[rng.integers(len(palette), size=(SIZE // 6, SIZE // 6))]
    return np.kron(tiles, np.ones((6, 6, 1))).astype(np.uint8)


def flat_calm() -> np.ndarray:
    """A soft pale-blue to white wash: low contrast, no edges."""
    rows = np.linspace(0, 1, SIZE)[:, None, None]
    top, bottom = np.array([190, 210, 235]), np.array([235, 240, 245])
    return np.repeat((top + (bottom - top) * rows), SIZE, axis=1).astype(np.uint8)


def sky_over_field() -> np.ndarray:
    """Top 40% sky blue, bottom 60% grass green."""
    image = np.empty((SIZE, SIZE, 3), dtype=np.uint8)
    cut = int(0.4 * SIZE)
    image[:cut] = (110, 170, 235)
    image[cut:] = (50, 130, 50)
    return image


def save(array: np.ndarray, folder: Path, name: str, **save_options) -> Path:
    """Write the array as an image file (format from the suffix) and return its path."""
    path = Path(folder) / name
    Image.fromarray(array).save(path, **save_options)
    return path


def real_photo(name: str, folder: Path) -> Path:
    """A real photo shipped with scikit-image (astronaut, coffee, chelsea, rocket, …) saved as PNG."""
    import skimage.data

    array = getattr(skimage.data, name)()
    return save(array, folder, f"{name}.png")
