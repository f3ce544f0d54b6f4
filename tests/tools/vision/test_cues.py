"""A picture's content cues: its words with their size and place, its faces and expressions, its scene."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import cover_samples, image_samples

from tunesmith.tools.vision import cues as cue_module
from tunesmith.tools.vision import describe_image
from tunesmith.tools.vision.cues import read_cues, scene_cues
from tunesmith.tools.vision.faces import Face, find_faces
from tunesmith.tools.vision.features import measure


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cues")


def test_a_cover_title_is_told_from_its_subtitle_and_small_print(folder: Path) -> None:
    picture = cover_samples.cover([("SUMMER NIGHTS", 80), ("Live at the Harbour", 34), ("Recorded 1998. All rights reserved", 14)])
    analysis = describe_image(image_samples.save(picture, folder, "cover.png"), caption=False)
    lines = {line.role: line for line in analysis.cues.text}
    assert lines["title"].text == "SUMMER NIGHTS" and lines["title"].confidence > 0.9
    assert lines["heading"].text == "Live at the Harbour"
    assert "rights reserved" in lines["small print"].text
    assert lines["title"].height > 1.5 * lines["heading"].height > 1.5 * lines["small print"].height
    assert analysis.cues.title() == "SUMMER NIGHTS"
    assert [line.text for line in analysis.cues.deciding_text()] == ["SUMMER NIGHTS", "Live at the Harbour"]


def test_a_photo_without_words_reads_no_text_and_a_portrait_one_smiling_face(folder: Path) -> None:
    astronaut = describe_image(image_samples.real_photo("astronaut", folder), caption=False).cues
    assert astronaut.text == []
    [face] = astronaut.confident_faces()
    assert face.expression == "happy" and face.expression_confidence > 0.8
    assert 0.01 < face.area < 0.1 and face.box[0] < 0.5  # her face is left of centre
    assert [cue.name for cue in astronaut.scene if cue.name == "portrait"] == ["portrait"]
    coffee = describe_image(image_samples.real_photo("coffee", folder), caption=False).cues
    assert coffee.confident_faces() == [] and coffee.text == []


def test_with_expressions_off_faces_are_counted_but_not_read(folder: Path) -> None:
    import skimage.data

    faces = find_faces(skimage.data.astronaut(), expressions=False)
    assert len(faces) == 1 and faces[0].expression is None and faces[0].expressions == {}


def test_without_the_ocr_package_the_picture_is_read_without_its_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cue_module, "ocr_available", lambda: False)
    pixels = cover_samples.cover([("REQUIEM", 90)])
    features = measure(pixels / 255.0)
    found = read_cues(pixels, features, [])
    assert found.text == [] and "rapidocr-onnxruntime is not installed" in found.text_status
    assert "pip install --no-deps rapidocr-onnxruntime==1.4.4" in found.text_status


def _face(area: float, expression: str = "neutral") -> Face:
    return Face(box=(0.1, 0.1, 0.2, 0.2), area=area, detection_confidence=0.9, expression=expression,
                expression_confidence=0.9, expressions={expression: 0.9})


def test_people_cues_follow_the_number_and_size_of_faces() -> None:
    features = measure(image_samples.busy_contrast() / 255.0)
    names = lambda faces: [cue.name for cue in scene_cues(features, [], faces)][0]  # noqa: E731
    assert names([_face(0.05)]) == "portrait"
    assert names([_face(0.004)]) == "lone figure"
    assert names([_face(0.01)] * 2) == "couple"
    assert names([_face(0.01)] * 5) == "group"
    assert names([_face(0.002)] * 9) == "crowd"


def test_structure_cues_name_emptiness_vastness_and_a_night_sky() -> None:
    empty = [cue.name for cue in scene_cues(measure(image_samples.flat_calm() / 255.0), [], [])]
    assert "empty" in empty and "vast" in empty  # a pale sky-blue wash: flat, all sky
    stars = np.full((192, 192, 3), 8, dtype=np.uint8)
    rng = np.random.default_rng(3)
    stars[rng.integers(0, 192, 150), rng.integers(0, 192, 150)] = 230
    night = {cue.name: cue for cue in scene_cues(measure(stars / 255.0), [], [])}
    assert {"night sky", "vast"} <= set(night) and night["night sky"].confidence > 0.5
    busy = [cue.name for cue in scene_cues(measure(image_samples.busy_contrast() / 255.0), [], [])]
    assert "busy" in busy and "empty" not in busy
