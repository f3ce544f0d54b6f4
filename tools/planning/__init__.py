"""The user's words (and an image or clip analysis) → a MusicPlan with a reason for every field.

`tools.planning.request` is the one reader of what the words name; edits, retrieval and the image bridge use it.
"""

from tunesmith.tools.planning.request import parse_request, plan_from_request
from tunesmith.tools.planning.targets import RequestError, RequestTargets

__all__ = ["RequestError", "RequestTargets", "parse_request", "plan_from_request"]
