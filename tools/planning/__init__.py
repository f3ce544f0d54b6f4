"""The user's words (and an image or clip analysis) → a MusicPlan with a reason for every field.

`tools.planning.request` is the one reader of what the words name; edits, retrieval and the image bridge use it.
`tools.planning.intent` reads which job the words ask for (compose, edit, play, check, ...); the agent's plan obeys it.
"""

from tunesmith.tools.planning.intent import RequestIntent, TuneChoice, read_intent, read_tune_choice
from tunesmith.tools.planning.request import parse_request, plan_from_request
from tunesmith.tools.planning.targets import RequestError, RequestTargets

__all__ = ["RequestError", "RequestIntent", "RequestTargets", "TuneChoice", "parse_request", "plan_from_request",
           "read_intent", "read_tune_choice"]
