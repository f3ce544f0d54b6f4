"""The chat-model factory: one LangChain `BaseChatModel` with tool calling, whichever backend is configured.

- `embedded`: the packaged Qwen2.5-Coder-1.5B GGUF run in-process by llama.cpp (no server, offline);
  `llm_model` may also name another chat GGUF file.
- `ollama`: a model served by `ollama serve` (checked to be running and pulled before use).
- `openai`: any OpenAI-compatible server (llama-server, vLLM, LM Studio, …) at `openai_base_url`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunesmith.agent.llm.gguf_cache import (
    EMBEDDED_MODEL_NAME,
    ModelUnavailable,
    embedded_model_status,
    ensure_embedded_model,
)
from tunesmith.errors import UnavailableError
from tunesmith.tools.weights import BackendStatus

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from tunesmith.settings import Settings

PROBE_TIMEOUT_SECONDS = 2.0
LLAMA_CPP_INSTALL = "pip install llama-cpp-python==0.3.36"


class LlmUnavailable(UnavailableError):
    """The configured chat model cannot be used; the message says why and `fix` how to put it right."""


def make_chat_model(settings: Settings | None = None) -> BaseChatModel:
    """The configured chat model, checked to be usable now; raises LlmUnavailable saying why and how to fix."""
    if settings is None:
        from tunesmith.settings import get_settings

        settings = get_settings()
    if settings.llm_backend == "ollama":
        return _ollama_model(settings)
    if settings.llm_backend == "openai":
        return _openai_model(settings)
    return _embedded_model(settings)


def _embedded_model(settings: Settings) -> BaseChatModel:
    if importlib.util.find_spec("llama_cpp") is None:
        raise LlmUnavailable("The embedded backend needs llama-cpp-python.", fix=f"run `{LLAMA_CPP_INSTALL}`.")
    from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

    if settings.llm_model == EMBEDDED_MODEL_NAME:
        try:
            model_path = ensure_embedded_model(settings.cache_dir)
        except ModelUnavailable as exc:
            raise LlmUnavailable(str(exc), fix=exc.fix) from None
    else:
        model_path = Path(settings.llm_model).expanduser()
        if model_path.suffix != ".gguf" or not model_path.is_file():
            raise LlmUnavailable(
                f"llm_model {settings.llm_model!r} is not valid for the embedded backend.",
                fix=f"use {EMBEDDED_MODEL_NAME!r} (the packaged model) or the path of a chat GGUF file.",
            )
    _load_or_repair(model_path, settings)
    return ChatLlamaCppEmbedded(
        model=model_path.stem if settings.llm_model != EMBEDDED_MODEL_NAME else EMBEDDED_MODEL_NAME,
        model_path=str(model_path),
        n_ctx=settings.llm_context_tokens,
        n_threads=settings.llm_threads,
        temperature=settings.llm_temperature,
        seed=settings.seed,
    )


def _load_or_repair(model_path: Path, settings: Settings) -> None:
    """Load the GGUF now (once per process), so a bad file fails here with its reason, not mid-conversation.

    The packaged model is trusted by size, date and header; when llama.cpp still cannot load it, it is
    hashed again and re-assembled if it was changed in place, then loaded once more.
    """
    from tunesmith.agent.llm.gguf_cache import recheck_embedded_model
    from tunesmith.agent.llm.llama_runtime import load_model

    try:
        load_model(model_path, settings.llm_context_tokens, settings.llm_threads)
        return
    except (ValueError, ImportError) as exc:
        failure = exc
    if settings.llm_model == EMBEDDED_MODEL_NAME and recheck_embedded_model(settings.cache_dir):
        try:
            load_model(model_path, settings.llm_context_tokens, settings.llm_threads)
            return
        except (ValueError, ImportError) as exc:
            failure = exc
    raise LlmUnavailable(f"The embedded model {model_path} could not be loaded: {failure}.",
                         fix=f"delete {model_path} so `tunesmith prepare` assembles it again, or point llm_model "
                             "at another chat GGUF.")


def _get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    """GET a JSON document with the probe timeout; connection errors propagate as httpx errors."""
    import httpx

    response = httpx.get(url, headers=headers, timeout=PROBE_TIMEOUT_SECONDS)
    response.raise_for_status()
    return response.json()


def pulled_ollama_models(host: str) -> list[str]:
    """Names of the models pulled into the Ollama server at `host`; raises LlmUnavailable when it is down."""
    import httpx

    try:
        tags = _get_json(f"{host.rstrip('/')}/api/tags")
    except (httpx.HTTPError, ValueError):
        raise LlmUnavailable(f"Ollama is not running at {host}.", fix="start it with `ollama serve`.") from None
    return [model["name"] for model in tags.get("models", [])]


def _is_pulled(wanted: str, pulled: list[str]) -> bool:
    """Ollama names without a tag mean ':latest'."""
    full = wanted if ":" in wanted else f"{wanted}:latest"
    return full in pulled or wanted in pulled


def _ollama_model(settings: Settings) -> BaseChatModel:
    pulled = pulled_ollama_models(settings.ollama_host)
    if not _is_pulled(settings.llm_model, pulled):
        raise LlmUnavailable(
            f"model {settings.llm_model} is not pulled into Ollama at {settings.ollama_host}.",
            fix=f"run `ollama pull {settings.llm_model}`.",
        )
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.ollama_host,
        temperature=settings.llm_temperature,
        seed=settings.seed,
        num_ctx=settings.llm_context_tokens,
    )


def served_openai_models(base_url: str, api_key: str) -> list[str]:
    """Model ids an OpenAI-compatible server lists at `/models`; raises LlmUnavailable when it does not answer."""
    import httpx

    url = base_url.rstrip("/")
    try:
        listing = _get_json(f"{url}/models", headers={"Authorization": f"Bearer {api_key}"})
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code in (401, 403):
            raise LlmUnavailable(f"The OpenAI-compatible server at {url} rejected the API key.",
                                 fix="set TUNESMITH_OPENAI_API_KEY.") from None
        raise LlmUnavailable(f"The OpenAI-compatible server at {url} answered {exc.response.status_code} for /models.",
                             fix="check TUNESMITH_OPENAI_BASE_URL (it usually ends in /v1).") from None
    except (httpx.HTTPError, ValueError):
        raise LlmUnavailable(
            f"No OpenAI-compatible server answers at {url}.",
            fix="start one (e.g. `llama-server -m model.gguf --port 8080`) or set TUNESMITH_OPENAI_BASE_URL.",
        ) from None
    return [entry.get("id", "") for entry in listing.get("data", [])]


def _openai_model(settings: Settings) -> BaseChatModel:
    served = served_openai_models(settings.openai_base_url, settings.openai_api_key)
    # Single-model servers (llama-server) answer under any name; only refuse when the list says otherwise.
    if len(served) > 1 and settings.llm_model not in served:
        raise LlmUnavailable(
            f"model {settings.llm_model} is not served at {settings.openai_base_url}.",
            fix=f"set TUNESMITH_LLM_MODEL to one of {', '.join(served)}.",
        )
    from tunesmith.agent.llm.openai_chat import REQUEST_TIMEOUT_S, ServerChatModel

    return ServerChatModel(
        model=settings.llm_model,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        temperature=settings.llm_temperature,
        seed=settings.seed,
        timeout=REQUEST_TIMEOUT_S,
        max_retries=1,
    )


def llm_checks(settings: Settings) -> list[BackendStatus]:
    """`tunesmith doctor` rows for the chat model: runtime, embedded weights, Ollama, OpenAI-compatible server."""
    embedded = settings.llm_backend == "embedded"
    rows = [_llama_cpp_row(settings), embedded_model_status(settings.cache_dir, required=embedded), _ollama_row(settings)]
    if settings.llm_backend == "openai":
        rows.append(_openai_row(settings))
    return rows


def _llama_cpp_row(settings: Settings) -> BackendStatus:
    name, required = "llama.cpp runtime (llama-cpp-python)", settings.llm_backend == "embedded"
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None:
        return BackendStatus(name, False, "not installed; the embedded chat model cannot run", LLAMA_CPP_INSTALL, required)
    from importlib.metadata import version

    return BackendStatus(name, True, f"llama-cpp-python {version('llama-cpp-python')}", required=required)


def _ollama_row(settings: Settings) -> BackendStatus:
    name, required = f"Ollama at {settings.ollama_host}", settings.llm_backend == "ollama"
    try:
        pulled = pulled_ollama_models(settings.ollama_host)
    except LlmUnavailable as exc:
        return BackendStatus(name, False, str(exc), "ollama serve", required)
    tool_models = [model for model in pulled if _has_tools_capability(settings.ollama_host, model)]
    detail = f"running; tool-capable models pulled: {', '.join(tool_models) or 'none'}"
    if required and not _is_pulled(settings.llm_model, pulled):
        return BackendStatus(name, False, f"{detail}; {settings.llm_model} is not pulled",
                             f"ollama pull {settings.llm_model}", required)
    return BackendStatus(name, True, detail, required=required)


def _has_tools_capability(host: str, model: str) -> bool:
    """Ask Ollama (`/api/show`) whether the model's template supports tool calls."""
    import httpx

    try:
        response = httpx.post(f"{host.rstrip('/')}/api/show", json={"model": model}, timeout=PROBE_TIMEOUT_SECONDS)
        return "tools" in response.json().get("capabilities", [])
    except (httpx.HTTPError, ValueError):
        return False


def _openai_row(settings: Settings) -> BackendStatus:
    name = f"OpenAI-compatible server at {settings.openai_base_url}"
    try:
        served = served_openai_models(settings.openai_base_url, settings.openai_api_key)
    except LlmUnavailable as exc:
        return BackendStatus(name, False, str(exc), "start the server or set TUNESMITH_OPENAI_BASE_URL", True)
    return BackendStatus(name, True, f"serving: {', '.join(served) or 'models not listed'}", required=True)
