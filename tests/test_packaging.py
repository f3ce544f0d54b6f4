"""The package as a user installs it: one name, `tunesmith`, cheap to import, with every sub-package in the wheel."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from support.paths import REPO

HEAVY = ("torch", "transformers", "chromadb", "llama_cpp")


def _python(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, **env})


def _package_folders() -> set[str]:
    found = set()
    for init in REPO.rglob("__init__.py"):
        relative = init.parent.relative_to(REPO)
        if relative.parts and relative.parts[0] in ("tests", "build", ".venv", "benchmarks", "scripts", ".git"):
            continue
        found.add(".".join(("tunesmith", *relative.parts)))
    return found


def test_the_explicit_package_list_names_every_folder_with_an_init_file() -> None:
    listed = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert set(listed) == _package_folders()


def test_importing_tunesmith_loads_no_model_library(tmp_path: Path) -> None:
    run = _python(f"import sys, tunesmith; print([m for m in {HEAVY!r} if m in sys.modules])", tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize("bare", ["tools", "agent", "memory", "prompts", "settings", "cli"])
def test_no_generic_top_level_name_is_installed(tmp_path: Path, bare: str) -> None:
    run = _python(f"import {bare}", tmp_path)
    assert run.returncode != 0 and "ModuleNotFoundError" in run.stderr


def test_the_public_api_names_resolve_lazily(tmp_path: Path) -> None:
    run = _python("import tunesmith; print(sorted(n for n in tunesmith.__all__ if getattr(tunesmith, n) is None))", tmp_path)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stderr


def test_a_built_wheel_holds_every_package_and_prompt_and_runs_from_outside_the_checkout(tmp_path: Path) -> None:
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(tmp_path / "dist"), str(REPO)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = (tmp_path / "dist").glob("tunesmith-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for package in _package_folders():
        assert f"{package.replace('.', '/')}/__init__.py" in names, package
    assert "tunesmith/prompts/agent_system.txt" in names and "tunesmith/cli.py" in names
    assert not any(name.startswith(("tunesmith/tests/", "tunesmith/benchmarks/")) for name in names)
    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    run = _python("import tunesmith, tunesmith.cli; print(tunesmith.__file__)", tmp_path, PYTHONPATH=str(target))
    assert run.returncode == 0 and run.stdout.strip() == str(target / "tunesmith" / "__init__.py"), run.stderr
