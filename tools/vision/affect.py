"""How the picture's content moves its mood: faces' expressions, its words' moods, and its scene cues.

The palette gives valence, energy and calm (0..1, `describe.affect_scores`). Content then moves them:

| cue                  | valence            | energy             | calm          |
|----------------------|--------------------|--------------------|---------------|
| faces' expressions   | +0.30·w·v̄          | +0.30·w·ē          |               |
| the words' moods     | +0.35·v            | +0.35·e            |               |
| crowd / group        | +0.05·s            | +0.20·s            | −0.15·s       |
| portrait / lone fig. |                    | −0.12              | +0.05         |
| empty                |                    | −0.25·s            | +0.15·s       |
| vast / night sky     |                    | −0.10              | +0.10         |

v̄, ē: each face's expression probabilities weighted onto the valence and energy (−1..1, Russell's
circumplex) of its mood word (`faces.EXPRESSION_MOODS` into `tools.theory.moods`), averaged over the
confident faces weighted by size; w = min(1, 0.4 + 6 × their area share) × their mean detection
confidence: a face filling a tenth of a portrait moves the mood fully, a few small faces less.
v, e: the mood profile of the words' mood words (`tools.theory.moods.mood_profile`), so a title's
"happy" moves the picture as that word moves a request. s: the cue's strength. Every move is kept as
a sentence for the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tunesmith.tools.theory.moods import MOODS, mood_profile
from tunesmith.tools.vision.cues import PictureCues
from tunesmith.tools.vision.describe import ImageAnalysis
from tunesmith.tools.vision.faces import EXPRESSION_MOODS

__all__ = ["Affect", "picture_affect"]


@dataclass
class Affect:
    """Valence, energy and calm (0..1) after the content cues, and why they moved."""

    valence: float
    energy: float
    calm: float
    moves: list[str] = field(default_factory=list)

    def shift(self, why: str, valence: float = 0.0, energy: float = 0.0, calm: float = 0.0) -> None:
        """Move the scores (clipped to 0..1) and record why, when anything moved."""
        before = (self.valence, self.energy, self.calm)
        self.valence = round(min(1.0, max(0.0, self.valence + valence)), 3)
        self.energy = round(min(1.0, max(0.0, self.energy + energy)), 3)
        self.calm = round(min(1.0, max(0.0, self.calm + calm)), 3)
        changes = [f"{name} {old:.2f}→{new:.2f}" for name, old, new in
                   zip(("valence", "energy", "calm"), before, (self.valence, self.energy, self.calm), strict=True)
                   if abs(new - old) >= 0.005]
        if changes:
            self.moves.append(f"{why}: {', '.join(changes)}")


def _faces(cues: PictureCues, affect: Affect) -> None:
    faces = [face for face in cues.confident_faces() if face.expressions]
    if not faces:
        return
    total = sum(face.area for face in faces)
    valence = energy = 0.0
    for face in faces:
        weight = face.area / total
        for expression, chance in face.expressions.items():
            word = EXPRESSION_MOODS.get(expression)
            if word is not None:
                valence += weight * chance * MOODS[word].valence
                energy += weight * chance * MOODS[word].energy
    strength = min(1.0, 0.4 + 6 * total) * sum(f.detection_confidence for f in faces) / len(faces)
    read = ", ".join(f"{face.expression} {face.expression_confidence:.2f}" for face in faces[:4])
    affect.shift(f"{len(faces)} face{'s' if len(faces) > 1 else ''} ({read}; mood valence {valence:+.2f}, energy "
                 f"{energy:+.2f}, weight {strength:.2f})", 0.30 * strength * valence, 0.30 * strength * energy)


def picture_affect(analysis: ImageAnalysis, moods: list[str], mood_source: str = "") -> Affect:
    """The palette's valence/energy/calm moved by the picture's faces, words' moods and scene cues."""
    affect = Affect(analysis.valence, analysis.energy, analysis.calm)
    cues = analysis.cues
    if cues is not None:
        _faces(cues, affect)
    profile = mood_profile(moods)
    if profile is not None:
        affect.shift(f"the words {mood_source or ', '.join(moods)} ({', '.join(profile.words)}: valence "
                     f"{profile.valence:+.2f}, energy {profile.energy:+.2f})", 0.35 * profile.valence, 0.35 * profile.energy)
    if cues is None:
        return affect
    for cue in cues.scene:
        s = cue.strength
        if cue.name in ("crowd", "group"):
            affect.shift(f"a {cue.name} ({cue.evidence})", 0.05 * s, 0.20 * s, -0.15 * s)
        elif cue.name in ("portrait", "lone figure"):
            affect.shift(f"a {cue.name} ({cue.evidence})", energy=-0.12, calm=0.05)
        elif cue.name == "empty":
            affect.shift(f"an empty frame ({cue.evidence})", energy=-0.25 * s, calm=0.15 * s)
        elif cue.name == "vast":
            affect.shift(f"a vast space ({cue.evidence})", energy=-0.10, calm=0.10)
    return affect
