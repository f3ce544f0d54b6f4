"""Edit requests ("now make it slower, in minor") → edit operations → a new tune through the ABC core."""

from tunesmith.tools.edits.apply import apply_edits, tune_parts
from tunesmith.tools.edits.extend import continue_in_style
from tunesmith.tools.edits.intent import asks_for_music, asks_for_new_tune
from tunesmith.tools.edits.operations import EditError, EditKind, EditOp, EditReading, EditResult, VersionReference
from tunesmith.tools.edits.parse import parse_edit, read_edit

__all__ = [
    "EditError", "EditKind", "EditOp", "EditReading", "EditResult", "VersionReference", "apply_edits", "asks_for_music",
    "asks_for_new_tune", "continue_in_style", "parse_edit", "read_edit", "tune_parts",
]
