"""`tunesmith doctor` names every cue model with its source and licence, and says what is off or missing."""

from __future__ import annotations

import pytest

from tunesmith.settings import get_settings
from tunesmith.tools.vision import cue_models


def test_doctor_lists_each_cue_model_with_its_source_and_licence() -> None:
    rows = {row.name: row for row in cue_models.cue_checks()}
    assert set(rows) == {"picture text (OCR)", "faces (OpenCV cascade)", "face expressions"}
    assert all(row.available for row in rows.values())
    assert "Apache-2.0" in rows["picture text (OCR)"].detail and "PaddleOCR" in rows["picture text (OCR)"].detail
    assert "BSD" in rows["faces (OpenCV cascade)"].detail
    expressions = rows["face expressions"].detail
    assert "MIT" in expressions and "FER2013" in expressions and "face_expressions = false" in expressions


def test_with_expressions_switched_off_doctor_says_so_and_how_to_turn_them_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNESMITH_FACE_EXPRESSIONS", "false")
    get_settings.cache_clear()
    row = {row.name: row for row in cue_models.cue_checks()}["face expressions"]
    assert not row.available and "switched off" in row.detail and "face_expressions = true" in row.fix


def test_a_missing_ocr_package_is_one_row_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cue_models, "ocr_available", lambda: False)
    row = {row.name: row for row in cue_models.cue_checks()}["picture text (OCR)"]
    assert not row.available and "not installed" in row.detail
    assert row.fix.startswith("pip install --no-deps rapidocr-onnxruntime==1.4.4")
