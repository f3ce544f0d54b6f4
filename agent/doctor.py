"""`tunesmith doctor`: one row per backend and model — available or not, why, and the fix.

Each module reports its own rows (it knows its dependencies best); this module only gathers them.
A check that itself breaks is shown as a failed row, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from tunesmith.settings import Settings
from tunesmith.tools.weights import BackendStatus

# (module, function, takes settings?) in the order the table shows them
CHECKS: list[tuple[str, str, bool]] = [
    ("tunesmith.agent.llm.factory", "llm_checks", True),
    ("tunesmith.tools.render", "render_checks", False),
    ("tunesmith.tools.melody_model.weights", "melody_checks", False),
    ("tunesmith.memory.embedder", "embedder_checks", False),
    ("tunesmith.memory.exemplars", "library_checks", False),
    ("tunesmith.tools.vision.captioner", "captioner_checks", False),
    ("tunesmith.tools.vision.cue_models", "cue_checks", False),
    ("tunesmith.tools.musicgen.generate", "musicgen_checks", False),
    ("tunesmith.tools.audio.text_score", "clap_checks", False),
    ("tunesmith.tools.audio.notes", "basic_pitch_checks", False),
    ("tunesmith.tools.audio.musicnn.tagger", "musicnn_checks", False),
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
