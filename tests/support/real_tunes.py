"""Short real tunes for audio tests, and their renders through the product's renderer."""

from __future__ import annotations

from pathlib import Path

# Eight bars of a real jig (The Kesh, as commonly played), melody only.
KESH = """X:1
T:The Kesh
M:6/8
L:1/8
Q:3/8=100
K:G
%%MIDI program 0
G3 GAB | A3 ABd | edd gdd | edB dBA | G3 GAB | A3 ABd | edd gdB | AGF G3 |]
"""


def render_clip(folder: Path, abc: str = KESH, name: str = "clip") -> Path:
    """`<folder>/<name>.wav`: the tune rendered by abc2midi and FluidSynth."""
    from tunesmith.tools.render import render_all

    return render_all(abc, folder, name, formats=["wav"]).wav
