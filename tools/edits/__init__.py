"""Edit requests ("now make it slower, in minor") → edit operations → a new tune through the ABC core."""

from tunesmith.tools.edits.apply import apply_edits, tune_parts
from tunesmith.tools.edits.operations import EditKind, EditOp, EditResult
from tunesmith.tools.edits.parse import parse_edit

__all__ = ["EditKind", "EditOp", "EditResult", "apply_edits", "parse_edit", "tune_parts"]
