"""Safe file writes: atomic (temp file, fsync, rename) and confined to one folder.

Written files get the permissions any new file gets (0644 under the usual umask 022), not the
owner-only 0600 of the temp file they are written through.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tunesmith.errors import NotAllowedError


def _umask() -> int:
    """The process umask (read once: setting it back at once is the only portable way to read it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_umask()


class OutsideFolderError(NotAllowedError):
    """A path points outside the folder a tool may touch."""


def confined_path(root: Path, path: str | Path) -> Path:
    """Resolve `path` (relative to `root` or absolute) and refuse it unless it lies inside `root`."""
    root = Path(root).resolve()
    candidate = Path(path)
    resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if resolved != root and root not in resolved.parents:
        raise OutsideFolderError(f"{path} is outside the output folder {root}; only files inside it may be written")
    return resolved


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` so a reader sees the old file or the whole new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _NEW_FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Atomically write UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, value: Any) -> Path:
    """Atomically write `value` as indented JSON (pydantic models are dumped first)."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    return atomic_write_text(path, json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def atomic_copy(source: Path, destination: Path) -> Path:
    """Atomically copy a file (e.g. a freshly rendered temp file) to its final place."""
    return atomic_write_bytes(destination, Path(source).read_bytes())
