"""BLIP image captions via transformers, from weights already on this machine (never downloaded unasked).

The model folder comes from `settings.captioner_model` (a local folder or a Hugging Face id looked
up in the local cache) through `tools.weights.find_weights`. It is loaded once, on first use, and
kept for the life of the process. Without weights, captions are simply absent and the reason is
one sentence that says how to get them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tunesmith.tools.weights import BackendStatus, WeightsStatus, find_weights, weights_status_row

MAX_CAPTION_TOKENS = 30  # BLIP captions are one short sentence
FALLBACK = "images are described by colour, light, texture and composition only (no caption)."


def captioner_weights() -> WeightsStatus:
    """Where the configured BLIP weights are, or why they are not available."""
    from tunesmith.settings import get_settings

    settings = get_settings()
    return find_weights(settings.captioner_model, allow_downloads=settings.allow_downloads)


@lru_cache(maxsize=2)
def load_captioner(folder: Path) -> tuple[Any, Any]:
    """(BlipProcessor, BlipForConditionalGeneration) from a local folder, in eval mode; cached."""
    from transformers import BlipForConditionalGeneration, BlipProcessor

    processor = BlipProcessor.from_pretrained(folder, local_files_only=True)
    model = BlipForConditionalGeneration.from_pretrained(folder, local_files_only=True)
    model.eval()
    return processor, model


def caption_pixels(pixels: np.ndarray, max_new_tokens: int = MAX_CAPTION_TOKENS) -> tuple[str | None, str]:
    """A caption for an (H, W, 3) sRGB array in 0..1, and a status sentence.

    Returns (None, why) when the weights are missing or the model fails; never raises for those.
    Decoding is greedy, so the same image always gets the same caption.
    """
    status = captioner_weights()
    if not status.available:
        return None, f"no caption: {status.reason} {status.fix}".strip()
    try:
        import torch
        from PIL import Image

        processor, model = load_captioner(status.path)
        image = Image.fromarray(np.clip(np.round(pixels * 255), 0, 255).astype(np.uint8), mode="RGB")
        inputs = processor(images=image, return_tensors="pt")
        with torch.inference_mode():
            tokens = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1)
        text = processor.decode(tokens[0], skip_special_tokens=True).strip()
    except Exception as exc:  # a broken or incompatible model folder must not stop the image analysis
        return None, f"no caption: the captioner at {status.path} failed ({type(exc).__name__}: {exc})"
    if not text:
        return None, f"no caption: the captioner at {status.path} produced no words"
    return text, f"captioned by BLIP from {status.path}"


def captioner_checks() -> list[BackendStatus]:
    """Rows for `tunesmith doctor`: whether image captions are available and how to enable them."""
    return [weights_status_row("image captioner (BLIP)", captioner_weights(), FALLBACK)]
