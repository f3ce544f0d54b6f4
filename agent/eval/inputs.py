"""Make the files an eval case needs: its photo as a PNG and its reference clip as a WAV.

Photos come from scikit-image's bundled samples (no download) or a path next to the suite; clips
are rendered by the product itself (compose the plan, or take the ABC, then tools.render), so a
suite never depends on files from elsewhere. Everything is written into the given folder only.
"""

from __future__ import annotations

import io
from pathlib import Path

from pydantic import BaseModel

from tunesmith.agent.eval.suite import OFFLINE_SKIMAGE_IMAGES, EvalCase, Suite, SuiteError
from tunesmith.memory.files import atomic_write_bytes


class CaseInputs(BaseModel):
    """Files for one case; None where the case has no image or clip."""

    image: Path | None = None
    audio: Path | None = None
    audio_abc: str | None = None  # the tune the clip was rendered from


def prepare_inputs(suite: Suite, case: EvalCase, out_dir: Path) -> CaseInputs:
    """Write the case's photo (PNG) and clip (WAV) into `out_dir`, named after the case id."""
    out_dir = Path(out_dir)
    inputs = CaseInputs()
    source = suite.image_source(case)
    if isinstance(source, Path):
        inputs.image = source  # the user's own file: read where it is, never copied
    elif source is not None:
        inputs.image = write_sample_photo(source, out_dir / f"{case.id}.png")
    if case.audio is not None:
        from tunesmith.tools.render import render_midi, render_wav

        abc = case.audio.abc
        if abc is None:
            from tunesmith.tools.compose import compose_abc

            abc = compose_abc(case.audio.plan).abc
        midi = render_midi(abc, out_dir, name=f"{case.id}-clip")
        inputs.audio, inputs.audio_abc = render_wav(midi, out_dir, name=f"{case.id}-clip"), abc
    return inputs


def write_sample_photo(name: str, path: Path) -> Path:
    """Save a bundled scikit-image photo (RGB or grey, 8-bit) as PNG."""
    import numpy as np
    import skimage.data
    from PIL import Image

    if name not in OFFLINE_SKIMAGE_IMAGES:
        raise SuiteError(f"{name!r} is not a bundled scikit-image photo; use one of {', '.join(OFFLINE_SKIMAGE_IMAGES)}")
    pixels = np.asarray(getattr(skimage.data, name)())
    if pixels.dtype == bool:
        pixels = pixels.astype(np.uint8) * 255
    elif pixels.dtype != np.uint8:
        pixels = np.clip(pixels * (255 if pixels.max() <= 1 else 1), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return atomic_write_bytes(path, buffer.getvalue())
