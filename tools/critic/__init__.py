"""The critic: adherence to the plan and quality as a melody, with feedback a composer can act on."""

from tunesmith.tools.critic.critique import critique_abc
from tunesmith.tools.critic.results import Critique, Dimension

__all__ = ["Critique", "Dimension", "critique_abc"]
