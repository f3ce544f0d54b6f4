"""How much a chat model may write in one answer, for every backend that takes a limit.

A small model left free can write until its context is full (minutes on a CPU): a plan or a reply
is a few lines, so the agent asks for at most that many tokens.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable

#: Class names of our backends whose calls take `max_tokens` (the embedded model and OpenAI-compatible servers).
_MAX_TOKENS_MODELS = ("ChatLlamaCppEmbedded", "ChatOpenAI")


def takes_max_tokens(chat_model: BaseChatModel) -> bool:
    """Whether the model's calls accept `max_tokens` (Ollama's take `num_predict` at construction instead)."""
    return any(cls.__name__ in _MAX_TOKENS_MODELS for cls in type(chat_model).__mro__)


def at_most(chat_model: BaseChatModel | Runnable, tokens: int, *, base: BaseChatModel | None = None) -> BaseChatModel | Runnable:
    """`chat_model` held to `tokens` generated tokens where its backend allows it; a binding (tools bound)
    names the chat model it binds as `base`."""
    return chat_model.bind(max_tokens=tokens) if takes_max_tokens(base or chat_model) else chat_model
