"""Shared test setup: offline, isolated folders, and fixtures for real inputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own output folder and Chroma store; the model cache stays shared."""
    home = tmp_path_factory.mktemp("tunesmith")
    monkeypatch.setenv("TUNESMITH_OUTPUT_DIR", str(home / "sessions"))
    monkeypatch.setenv("TUNESMITH_CHROMA_PATH", str(home / "chroma"))
    monkeypatch.chdir(home)
    from tunesmith.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty output folder a tool may write into."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder
