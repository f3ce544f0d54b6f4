"""Plan → ABC: the rule-based composer, and the critic → revise loop that keeps the best draft."""

from tunesmith.tools.compose.composer import ComposedTune, ComposeError, compose_abc
from tunesmith.tools.compose.refine import CriticRound, Draft, RefineOutcome, refine_drafts, refine_plan

__all__ = ["ComposeError", "ComposedTune", "CriticRound", "Draft", "RefineOutcome", "compose_abc", "refine_drafts", "refine_plan"]
