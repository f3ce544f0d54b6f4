"""The embedded chat model against LangChain's standard chat-model test suites (langchain-tests).

The unit suite needs no model. The integration suite drives the real packaged 1.5B model on the CPU
(image, audio and PDF tests skip themselves: this model reads text only); replies are capped at
64 tokens so the run stays within a few minutes on two idle cores.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

needs_llama_cpp = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed"
)


def _local_params(params: dict[str, Any]) -> dict[str, Any]:
    """Standard params minus the ones a local, in-process model has no use for (no key, nothing to retry)."""
    return {key: value for key, value in params.items() if key not in ("api_key", "max_retries")}


class TestChatLlamaCppEmbeddedUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatLlamaCppEmbedded]:
        return ChatLlamaCppEmbedded

    @property
    def standard_chat_model_params(self) -> dict[str, Any]:
        return _local_params(super().standard_chat_model_params)

    @property
    def has_tool_choice(self) -> bool:
        return True


@pytest.mark.slow
@pytest.mark.asyncio  # the suite's async tests (ainvoke, astream, ...) need pytest-asyncio; the project does not use auto mode
@needs_llama_cpp
class TestChatLlamaCppEmbeddedIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatLlamaCppEmbedded]:
        return ChatLlamaCppEmbedded

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"max_tokens": 64, "temperature": 0.0}

    @property
    def standard_chat_model_params(self) -> dict[str, Any]:
        return _local_params(super().standard_chat_model_params)

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        return False  # one GGUF per instance; a per-call `model` is refused with a clear error

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[str, list]:
        return {"invoke": [], "stream": []}
