"""`tunesmith doctor`: one row per backend and model — available or not, why, and the fix.

Each module reports its own rows (it knows its dependencies best); this module only gathers them.
A check that itself breaks is shown as a failed row, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from settings import Settings
from tools.weights import BackendStatus

# (module, function, takes settings?) in the order the table shows them
CHECKS: list[tuple[str, str, bool]] = [
    ("agent.llm", "llm_checks", True),
    ("tools.render", "render_checks", False),
    ("memory.embedder", "embedder_checks", False),
    ("memory.store", "store_checks", False),
    ("tools.captioner", "captioner_checks", False),
    ("tools.musicgen", "musicgen_checks", False),
    ("tools.clap", "clap_checks", False),
]


def _run(module: str, function: str, with_settings: bool, settings: Settings) -> list[BackendStatus]:
    try:
        check: Callable[..., list[BackendStatus]] = getattr(import_module(module), function)
        return list(check(settings) if with_settings else check())
    except Exception as exc:  # a broken check must not hide the other rows
        return [BackendStatus(f"{module}", False, f"the check itself failed: {type(exc).__name__}: {exc}")]


def collect_checks(settings: Settings) -> list[BackendStatus]:
    """Every doctor row, in display order."""
    rows: list[BackendStatus] = []
    for module, function, with_settings in CHECKS:
        rows.extend(_run(module, function, with_settings, settings))
    return rows
