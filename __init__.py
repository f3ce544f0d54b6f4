"""Tunesmith: a local-first music agent. Describe music (or show a picture or a clip) and get a tune.

    import tunesmith
    tune = tunesmith.compose_tune("a cheerful jig in D major", seed=1)   # no LLM: words → plan → ABC
    print(tune.abc, tune.plan.reasons["meter"], tune.critique.overall)
    tune.render("out/")                                                  # ABC, MIDI, WAV, SVG, MusicXML

    session = tunesmith.start_session()                                  # the LLM agent, turn by turn
    session.ask("a slow air in A minor"); session.ask("now make it slower, in dorian")

Importing the package is cheap: every name below loads its module (and any model) on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.2.0"

# public name -> the module that defines it
_EXPORTS = {
    "Tune": "tunesmith.api",
    "compose_tune": "tunesmith.api",
    "start_session": "tunesmith.api",
    "ChatSession": "tunesmith.agent.session",
    "TurnOutcome": "tunesmith.agent.turn",
    "run_turn": "tunesmith.agent.turn",
    "make_chat_model": "tunesmith.agent.llm.factory",
    "MusicPlan": "tunesmith.tools.plan",
    "Settings": "tunesmith.settings",
    "load_settings": "tunesmith.settings",
    "TunesmithError": "tunesmith.errors",
    "InputError": "tunesmith.errors",
    "UnavailableError": "tunesmith.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tunesmith' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
