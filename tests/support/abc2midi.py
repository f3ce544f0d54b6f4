"""Ask abc2midi itself whether it plays a tune: the judge the renderer and the validator share."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tunesmith.tools.abc import abc2midi_errors


def abc2midi_plays(abc: str) -> bool:
    """abc2midi writes MIDI and reports no error that loses notes."""
    with tempfile.TemporaryDirectory(prefix="abc2midi-judge-") as work:
        (Path(work) / "t.abc").write_text(abc + "\n", encoding="utf-8")
        done = subprocess.run([shutil.which("abc2midi") or "abc2midi", "t.abc", "-o", "t.mid"], cwd=work,
                              capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=20)
        midi = Path(work) / "t.mid"
        return done.returncode == 0 and midi.is_file() and midi.stat().st_size > 0 and not abc2midi_errors(
            done.stdout + done.stderr)
