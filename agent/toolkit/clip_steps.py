"""The tool calls a request with an attached clip needs when the model skipped them.

A small model may stop before the clip's tune is made (no tool called, or only `describe_audio`).
The agent then transcribes the clip and does what the words ask of its melody: continue it
("continue this clip"), edit it (words `tools.edits` reads: "in minor", "as a waltz", "slower"),
keep it as it is ("transcribe this clip"), or compose a new tune in its style (anything else,
e.g. "something in the style of this clip").
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from tunesmith.agent.toolkit.context import TurnContext

CONTINUE_WORDS = re.compile(r"\b(?:continue|continuation|carry on|keep going|go on with)\b", re.IGNORECASE)
TRANSCRIBE_WORDS = re.compile(r"\b(?:transcribe|transcription|notate|write (?:it|this|the melody) down|"
                              r"what(?:'s| is) the (?:melody|tune))\b", re.IGNORECASE)
TUNE_MAKERS = ("edit_abc", "continue_tune", "compose_abc", "write_abc", "recall_tune")


def clip_steps(ctx: TurnContext, called: Collection[str]) -> list[tuple[str, dict[str, Any], str]]:
    """(tool, arguments, why) still needed for this turn's clip, given the tools already called."""
    from tunesmith.tools.edits.parse import parse_edit

    if "audio" not in ctx.user_files or any(name in called for name in TUNE_MAKERS):
        return []
    steps: list[tuple[str, dict[str, Any], str]] = []
    if "transcribe_audio" not in called:
        steps.append(("transcribe_audio", {"path": ctx.user_files["audio"].name},
                      "The model did not transcribe your clip, so the agent wrote down its melody."))
    if CONTINUE_WORDS.search(ctx.request):
        steps.append(("continue_tune", {}, "You asked to continue the clip, so the agent continued its melody."))
    elif TRANSCRIBE_WORDS.search(ctx.request):
        pass  # the transcription is the answer
    elif parse_edit(ctx.request, ctx.plan):
        steps.append(("edit_abc", {"instruction": ctx.request},
                      "Your words ask for changes, so the agent applied them to the clip's melody."))
    else:
        steps += [("plan_music", {"request": ctx.request}, "The agent planned a new tune from your words and the clip."),
                  ("compose_abc", {}, "The agent composed a new tune in the style of the clip's melody.")]
    return steps
