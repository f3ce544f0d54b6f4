"""describe_image: what a picture looks like and feels like, offline and deterministic (+ a BLIP caption if weights exist).

The affect scores (valence, energy, calm; each 0..1) are linear blends of measured features. The
inner weights come from the colour–emotion literature; the blend weights are ours, chosen so that
plain colour fields and the real photos in `skimage.data` spread over the scale in a sensible order.

* **valence** (pleasure) = 0.75 · (0.69·B + 0.22·S) / 0.91 + 0.25 · W
  Valdez & Mehrabian (1994), "Effects of color on emotions", J. Exp. Psych. General 123(4):
  pleasure = 0.69 brightness + 0.22 saturation (standardised regression weights). The warmth term W
  is our addition, after the warm–cool factor of the colour-emotion scales of Ou et al. (2004).
* **energy** (arousal) = 0.35 · (0.60·S + 0.31·(1 − B)) / 0.91 + 0.30 · Ê + 0.20 · Ĉ + 0.15 · M̂
  Valdez & Mehrabian: arousal = −0.31 brightness + 0.60 saturation. Visual complexity (edges,
  contrast) raises arousal (Berlyne 1971; used as arousal features by Machajdik & Hanbury 2010,
  "Affective image classification using features inspired by psychology and art theory"); we
  assume colourfulness (measured after Hasler & Süsstrunk 2003) does too.
* **calm** = 0.60 · (1 − energy) + 0.25 · (1 − W) + 0.15 · (1 − Ĉ)
  Low arousal, cool hues (blue/green relax: Kaya & Epps 2004, Wilms & Oberfeld 2018) and soft contrast.

B = brightness, S = saturation, W = warmth (all 0..1); Ê = min(1, edge density / 0.25),
Ĉ = min(1, RMS contrast / 0.30), M̂ = min(1, colourfulness / 109) — the divisors are the values at
which a photo already looks maximally busy, contrasty or colourful.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.tools.vision.cues import PictureCues
from tunesmith.tools.vision.decode import ImageInputError, load_rgb
from tunesmith.tools.vision.features import VisualFeatures, measure
from tunesmith.tools.vision.palette import PaletteColour, describe_palette, dominant_colours

__all__ = ["ImageAnalysis", "ImageInputError", "affect_scores", "describe_image"]

# Features are measured with the longer side at most this many pixels, whatever the file's size;
# 384 is also BLIP's input resolution. The file is decoded once, at CUE_SIDE (text and faces need the
# detail), and shrunk for the features.
ANALYSIS_SIDE = 384
CUE_SIDE = 640


class AffectScores(BaseModel):
    """Valence, energy and calm in 0..1 (formulas in the module docstring)."""

    valence: float = Field(ge=0.0, le=1.0)
    energy: float = Field(ge=0.0, le=1.0)
    calm: float = Field(ge=0.0, le=1.0)


class ImageAnalysis(VisualFeatures, AffectScores):
    """Everything `describe_image` found: features, palette, affect scores and the caption (if any)."""

    path: str
    width: int = Field(description="Image width in pixels, after EXIF rotation.")
    height: int = Field(description="Image height in pixels, after EXIF rotation.")
    palette: list[PaletteColour] = Field(description="Dominant colours, largest share first.")
    caption: str | None = None
    caption_status: str = Field(description="Who wrote the caption, or why there is none.")
    cues: PictureCues | None = Field(None, description="Words, faces and scene cues; None when not looked for.")

    def palette_words(self, limit: int = 3) -> str:
        """The main colours in words, e.g. "navy (42%), grey (20%) and ochre (12%)"."""
        return describe_palette(self.palette, limit)

    def evidence(self) -> dict[str, float | str]:
        """The facts a trace or explanation quotes: caption (or why none), colours, light, and the scores."""
        return {
            "caption": self.caption or f"none ({self.caption_status})",
            "colours": self.palette_words(),
            "brightness": self.brightness,
            "warmth": self.warmth,
            "saturation": self.saturation,
            "contrast": self.contrast,
            "colourfulness": f"{self.colourfulness:.0f} ({self.colourfulness_label})",
            "edge_density": self.edge_density,
            "valence": self.valence,
            "energy": self.energy,
            "calm": self.calm,
            "content cues": self.cues.summary() if self.cues is not None else "not looked for",
        }

    def summary(self) -> str:
        """One paragraph for a person or an LLM: what the picture shows and how it feels, with numbers."""
        light = "bright" if self.brightness >= 0.6 else ("dark" if self.brightness < 0.35 else "mid-toned")
        temperature = "warm" if self.warmth >= 0.6 else ("cool" if self.warmth <= 0.4 else "neutral")
        caption = f'Caption: "{self.caption}". ' if self.caption else ""
        cues = f" In it: {self.cues.summary()}." if self.cues is not None else ""
        return (f"{caption}A {light}, {temperature}, {self.colourfulness_label} picture ({self.width}×{self.height} px): "
                f"{self.palette_words()}. Brightness {self.brightness:.2f}, warmth {self.warmth:.2f}, "
                f"contrast {self.contrast:.2f}, edge density {self.edge_density:.2f}. "
                f"Valence {self.valence:.2f}, energy {self.energy:.2f}, calm {self.calm:.2f} (0..1).{cues}")


def _clip01(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def affect_scores(features: VisualFeatures) -> AffectScores:
    """Valence, energy and calm from measured features (formulas and sources: module docstring)."""
    b, s, w = features.brightness, features.saturation, features.warmth
    edges = min(1.0, features.edge_density / 0.25)
    contrast = min(1.0, features.contrast / 0.30)
    colourful = min(1.0, features.colourfulness / 109.0)
    valence = 0.75 * (0.69 * b + 0.22 * s) / 0.91 + 0.25 * w
    energy = 0.35 * (0.60 * s + 0.31 * (1 - b)) / 0.91 + 0.30 * edges + 0.20 * contrast + 0.15 * colourful
    calm = 0.60 * (1 - energy) + 0.25 * (1 - w) + 0.15 * (1 - contrast)
    return AffectScores(valence=round(_clip01(valence), 3), energy=round(_clip01(energy), 3), calm=round(_clip01(calm), 3))


def _shrink(pixels: np.ndarray, side: int) -> np.ndarray:
    """The (H, W, 3) 0..1 array with its longer side at most `side`, box-averaged as `load_rgb` does."""
    if max(pixels.shape[:2]) <= side:
        return pixels
    from PIL import Image

    image = Image.fromarray(np.round(pixels * 255).astype(np.uint8))
    image.thumbnail((side, side), Image.Resampling.BOX)
    return np.asarray(image, dtype=np.float64) / 255.0


def describe_image(path: str | Path, *, caption: bool = True, cues: bool = True) -> ImageAnalysis:
    """Analyse the image file at `path`; raises ImageInputError for anything that is not a usable image.

    With `caption=True` a BLIP caption is added when the captioner's weights are on this machine
    (`settings.captioner_model`); otherwise `caption` is None and `caption_status` says why. With
    `cues=True` the picture's words, faces (and, unless `settings.face_expressions` is off, their
    expressions) and scene cues are read (`tools.vision.cues`).
    """
    large, (width, height) = load_rgb(path, max_side=CUE_SIDE if cues else ANALYSIS_SIDE)
    pixels = _shrink(large, ANALYSIS_SIDE)
    features = measure(pixels)
    palette = dominant_colours(pixels)
    text, status = None, "captioning was not requested"
    if caption:
        from tunesmith.tools.vision.captioner import caption_pixels

        text, status = caption_pixels(pixels)
    found = None
    if cues:
        from tunesmith.settings import get_settings
        from tunesmith.tools.vision.cues import read_cues

        found = read_cues(np.round(large * 255).astype(np.uint8), features, palette,
                          expressions=get_settings().face_expressions)
    return ImageAnalysis(
        path=str(path),
        width=width,
        height=height,
        palette=palette,
        caption=text,
        caption_status=status,
        cues=found,
        **features.model_dump(),
        **affect_scores(features).model_dump(),
    )

