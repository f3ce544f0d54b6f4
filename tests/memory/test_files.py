"""Atomic writes: readers see the old file or the whole new one, and new files get the usual permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tunesmith.memory.files import atomic_write_json, atomic_write_text


def test_written_files_are_readable_by_others_as_the_umask_allows(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    for path in (atomic_write_text(tmp_path / "tune.abc", "X:1\n"), atomic_write_json(tmp_path / "plan.json", {})):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # 0644 under the usual umask, never 0600


def test_a_rewrite_leaves_no_temp_file_behind(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "tune.abc", "first")
    atomic_write_text(tmp_path / "tune.abc", "second")
    assert [p.name for p in tmp_path.iterdir()] == ["tune.abc"]
    assert (tmp_path / "tune.abc").read_text() == "second"
