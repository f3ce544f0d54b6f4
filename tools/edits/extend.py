"""New bars in the tune's own style: the one place edits get new material ("longer", "add a B part").

Today the bars come from `tools.repair.continue_abc` (the gap-repair machinery: harmony and rhythm
from the tune's own last bars, walking to a cadence on the tonic). The melody model being trained
on the corpus (tools/melody_model, branch `melody`) is meant to replace it here: point
`continue_in_style` at it and every edit and the `continue_tune` tool use it.
"""

from __future__ import annotations

from tunesmith.tools.abc import AbcError


def continue_in_style(abc: str, bars: int, *, seed: int = 0) -> str:
    """`abc` with `bars` new bars after its last bar (a final `|]` moves to the new end); AbcError says why not."""
    from tunesmith.tools.repair import RepairInputError, continue_abc

    try:
        return continue_abc(abc, bars, seed=seed)
    except RepairInputError as error:
        raise AbcError(str(error)) from None
