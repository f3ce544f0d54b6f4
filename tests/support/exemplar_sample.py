"""One sample exemplar library per test run, shared by the test modules that only read it."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest

SAMPLE_TUNES = 400  # ~75 from each larger music21 collection, taken across all its files


@cache
def sample_library(limit: int = SAMPLE_TUNES) -> Path:
    """Index the first `limit` music21 tunes into a temporary store once; returns its folder."""
    from support.tiny_models import one_torch_thread

    from tunesmith.settings import get_settings
    from tunesmith.tools.corpus.reader import build_index

    home = Path(tempfile.mkdtemp(prefix="tunesmith-sample-library-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    with pytest.MonkeyPatch.context() as patch, one_torch_thread():
        patch.setenv("TUNESMITH_CHROMA_PATH", str(home / "chroma"))
        get_settings.cache_clear()
        build_index(limit=limit, progress=False)
    get_settings.cache_clear()
    return home / "chroma"


def use_sample_library(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the settings of the running test at the sample library."""
    from tunesmith.settings import get_settings

    path = sample_library()
    monkeypatch.setenv("TUNESMITH_CHROMA_PATH", str(path))
    get_settings.cache_clear()
    return path
