"""New bars in the tune's own style: the one place edits get new material ("longer", "add a B part").

The bars come from `tools.repair.continue_abc`: the melody model (the `composer` setting) continues the
tune with the tune so far as its prompt; when it cannot read the tune (or the setting is `rule_based`),
the gap-repair machinery writes them (harmony and rhythm from the tune's own last bars, walking to a
cadence on the tonic). Every edit and the `continue_tune` tool get their new bars here.
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
