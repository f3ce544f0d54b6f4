"""Text in a picture: PaddleOCR's detector and recogniser (the ONNX models inside `rapidocr-onnxruntime`).

Each line read keeps its size (the height of its ink) and place, so a cover's title is told from its
small print: `role` is "title" for the largest lines (at least 5% of the picture's height), "heading"
for lines at least 2.5% high and 30% of the title's height, and "small print" for the rest (and for a page of more than
three same-size "title" lines: body text). The engine loads once per
process, on first use; without the package the picture is read without its words and the status
says how to get them. Lines read with a confidence under `MIN_CONFIDENCE`, or with fewer than two
letters, are dropped: on photos without text the detector's rare hits are textures, not words.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

__all__ = ["INSTALL_FIX", "TextLine", "ocr_available", "read_text"]

INSTALL_FIX = "pip install --no-deps rapidocr-onnxruntime==1.4.4 (scripts/setup.sh does this)"
OCR_SIDE = 640  # pixels on the longer side the detector sees: a cover's title is tens of pixels high
MAX_LINES = 8  # the largest lines are recognised; the rest are counted (credits, track lists)
MIN_CONFIDENCE = 0.70
TITLE_HEIGHT, HEADING_HEIGHT = 0.05, 0.025  # shares of the picture's height
TextRole = Literal["title", "heading", "small print"]
_lock = threading.Lock()


class TextLine(BaseModel):
    """One line of text in the picture, where it is and how sure the recogniser is."""

    text: str
    confidence: float = Field(ge=0.0, le=1.0, description="The recogniser's mean character probability.")
    box: tuple[float, float, float, float] = Field(description="left, top, right, bottom as shares of width/height.")
    height: float = Field(description="Height of the line's type (its ink) as a share of the picture's height.")
    role: TextRole


def ocr_available() -> bool:
    """Whether the OCR package is installed (it is imported only when a picture is read)."""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@lru_cache(maxsize=1)
def _engine() -> Any:
    """The RapidOCR engine (detector + recogniser; no angle classifier), two ONNX threads; loaded once."""
    from rapidocr_onnxruntime import RapidOCR

    # unclip 2.0 (PaddleOCR's default is 1.6) leaves room around display type, whose words it otherwise runs together
    return RapidOCR(det_limit_type="max", det_limit_side_len=OCR_SIDE, det_unclip_ratio=2.0, global_use_cls=False,
                    det_intra_op_num_threads=2, rec_intra_op_num_threads=2)


def _role(height: float, tallest: float) -> TextRole:
    if height >= TITLE_HEIGHT and height >= 0.7 * tallest:
        return "title"
    if height >= HEADING_HEIGHT and height >= 0.3 * tallest:
        return "heading"
    return "small print"


def _ink(crop: np.ndarray) -> np.ndarray:
    """1 where a line crop (BGR) has ink, by Otsu's threshold; the ink is the minority of pixels."""
    import cv2

    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return 1 - ink if ink.mean() > 0.5 else ink


def _ink_height(crop: np.ndarray) -> int:
    """Rows of a line crop that hold ink: the type's height in pixels (the detector's box has a margin that
    does not grow with the type, so box heights understate how much larger a title is)."""
    rows = np.flatnonzero(_ink(crop).mean(axis=1) > 0.01)
    return int(rows[-1] - rows[0] + 1) if len(rows) else crop.shape[0]


def _line_height(box: np.ndarray) -> float:
    """Height of a detected quadrilateral (points clockwise from top-left), in pixels."""
    return float(min(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2])))


# PP-OCR drops the space between wide capitals ("SUMMERNIGHTS") and between title-case words ("HappyDays").
_RUN_TOGETHER = re.compile(r"[A-Z]{8,}|[a-z][A-Z]")
WORD_GAP = 0.3  # a blank run at least this share of the line's height separates words


def _word_pieces(crop: np.ndarray) -> list[np.ndarray]:
    """A line crop (BGR) cut at blank column runs wider than WORD_GAP × its height (ink found by Otsu)."""
    columns = np.flatnonzero(_ink(crop).sum(axis=0) > 0)
    if len(columns) < 2:
        return [crop]
    gap = max(2, round(WORD_GAP * crop.shape[0]))
    jumps = np.flatnonzero(np.diff(columns) > gap)  # ink column i, then a blank run, then ink column i + 1
    cuts = [0, *((columns[i] + columns[i + 1]) // 2 for i in jumps), crop.shape[1]]
    return [crop[:, left:right] for left, right in zip(cuts, cuts[1:]) if right > left]


def _respace(engine: Any, crop: np.ndarray, text: str) -> str:
    """The line read again word by word where its words ran together; unchanged unless the letters agree."""
    if not _RUN_TOGETHER.search(text):
        return text
    pieces = _word_pieces(crop)
    if len(pieces) < 2:
        return text
    words, _ = engine.text_rec(pieces)
    joined = " ".join(str(word[0]).strip() for word in words if str(word[0]).strip())
    return joined if joined.replace(" ", "") == text.replace(" ", "") else text


def read_text(rgb: np.ndarray) -> tuple[list[TextLine], int]:
    """Lines of text in an (H, W, 3) uint8 sRGB picture, largest first, and how many smaller lines were
    detected but not read. Raises ImportError when the OCR package is missing."""
    engine = _engine()
    height, width = rgb.shape[:2]
    scale = min(1.0, OCR_SIDE / max(height, width))
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    if scale < 1.0:
        import cv2

        bgr = cv2.resize(bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    with _lock:  # one ONNX session serves every thread of the process, one picture at a time
        boxes, _ = engine.text_det(bgr)
        if boxes is None or len(boxes) == 0:
            return [], 0
        boxes = sorted(boxes, key=_line_height, reverse=True)
        kept, skipped = boxes[:MAX_LINES], max(0, len(boxes) - MAX_LINES)
        crops = engine.get_crop_img_list(bgr, np.array(kept))
        recognised, _ = engine.text_rec(crops)
        texts = [_respace(engine, crop, str(result[0])) for crop, result in zip(crops, recognised, strict=True)]
    image_height, image_width = bgr.shape[:2]
    read = []  # (box, text, confidence, ink height as a share of the picture's height)
    for crop, box, result, spaced in zip(crops, kept, recognised, texts, strict=True):
        text, score = " ".join(spaced.split()), float(result[1])
        if score >= MIN_CONFIDENCE and sum(ch.isalpha() for ch in text) >= 2:
            read.append((box, text, score, min(_ink_height(crop), round(_line_height(box))) / image_height))
    tallest = max((share for *_, share in read), default=0.0)
    lines = [TextLine(text=text, confidence=round(score, 3),
                      box=(round(float(box[:, 0].min() / image_width), 3), round(float(box[:, 1].min() / image_height), 3),
                           round(float(box[:, 0].max() / image_width), 3), round(float(box[:, 1].max() / image_height), 3)),
                      height=round(share, 4), role=_role(share, tallest))
             for box, text, score, share in read]
    if sum(line.role == "title" for line in lines) > 3:  # a page of same-size text is body text, not a title
        lines = [line.model_copy(update={"role": "small print"}) if line.role == "title" else line for line in lines]
    return lines, skipped
