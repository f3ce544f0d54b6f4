"""The chat model for OpenAI-compatible servers (llama.cpp server, vLLM, LM Studio), with one-sentence failures.

A server that stops answering, answers too slowly or refuses a request mid-turn becomes an
`UnavailableError` naming the server and the fix, never a stack of HTTP errors; every request has a
time limit, so a stuck server cannot hang a turn.
"""

from __future__ import annotations

from typing import Any

import openai
from langchain_openai import ChatOpenAI

from tunesmith.errors import UnavailableError

# Seconds one chat request may take: a CPU-only server needs tens of seconds for a long prompt.
REQUEST_TIMEOUT_S = 300.0


class ServerChatModel(ChatOpenAI):
    """`ChatOpenAI` whose transport failures are one sentence each (timeout, connection lost, HTTP status)."""

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        server = self.openai_api_base
        fix = "check that the server is running (its log says why) or set TUNESMITH_OPENAI_BASE_URL"
        try:
            return super()._generate(*args, **kwargs)
        except openai.APITimeoutError:
            raise UnavailableError(f"The OpenAI-compatible server at {server} did not answer within "
                                   f"{self.request_timeout:g} s.", fix=fix) from None
        except openai.APIConnectionError:
            raise UnavailableError(f"The OpenAI-compatible server at {server} stopped answering.", fix=fix) from None
        except openai.APIStatusError as exc:
            detail = " ".join(str(exc.message).split())[:160]
            raise UnavailableError(f"The OpenAI-compatible server at {server} refused the request "
                                   f"({exc.status_code}: {detail}).", fix=fix) from None
