"""Pictures with printed words for the OCR and picture-words tests: album covers and posters (uint8 RGB)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def cover(lines: list[tuple[str, int]], background: tuple[int, int, int] = (18, 28, 70),
          ink: tuple[int, int, int] = (250, 225, 130), size: tuple[int, int] = (800, 800)) -> np.ndarray:
    """A plain cover with each (text, pixel height) line drawn left-aligned, top to bottom.

    Uses Pillow's own scalable font (no system fonts needed)."""
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    top = size[1] // 5
    for text, height in lines:
        font = ImageFont.load_default(size=height)
        draw.text((size[0] // 12, top), text, font=font, fill=ink)
        top += int(height * 1.6)
    return np.asarray(image)
