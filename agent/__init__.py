"""The brain: chat models, the tool-calling loop, self-refinement, explanations, sessions."""
