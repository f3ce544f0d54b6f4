"""The layout keeps its promises: layers import downward only, no import cycles, and the code passes its linter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.paths import REPO


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold_layers_no_cycles_and_the_abc_core_entry_point() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = _run(str(lint_imports), "--no-cache", str(REPO / "pyproject.toml"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-1000:]
    assert "0 broken" in run.stdout


def test_ruff_finds_nothing_to_fix() -> None:
    run = _run(sys.executable, "-m", "ruff", "check", "--no-cache", str(REPO))
    assert run.returncode == 0, run.stdout[-3000:]
