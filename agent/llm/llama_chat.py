"""`ChatLlamaCppEmbedded`: the packaged GGUF run in-process by llama.cpp, as a LangChain chat model.

Tool calls are made reliable for a 1.5B model by constraining decoding: with tools bound, the reply
must match the JSON schema from `agent.tool_grammar` (one branch per tool plus an answer branch), and
replies are parsed with the fenced-JSON fallbacks there. The system prompt only lists tool names, one
line of description and argument names; the schemas live in the grammar, which keeps prompts short.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field

from tunesmith.agent.llm.chat_render import Generation, render_messages
from tunesmith.agent.llm.gguf_cache import EMBEDDED_MODEL_NAME
from tunesmith.agent.llm.structured import structured_output_runnable
from tunesmith.agent.llm.tool_grammar import (
    AnswerStreamer,
    ParsedReply,
    forced_tool_names,
    parse_reply,
    reply_schema,
    tool_names,
)


class ChatLlamaCppEmbedded(BaseChatModel):
    """A GGUF chat model run in this process by llama.cpp (default: the packaged Qwen2.5-Coder-1.5B).

    The model file is assembled from its part packages on first use (`agent.gguf_cache`) unless
    `model_path` names a GGUF; it is loaded once per process and shared by every instance.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    model_name: str = Field(EMBEDDED_MODEL_NAME, alias="model", description="Name reported in traces.")
    model_path: str | None = Field(None, description="A GGUF file; default: the packaged model, assembled in the cache.")
    n_ctx: int | None = Field(None, description="Context window in tokens; default: settings.llm_context_tokens.")
    n_threads: int | None = Field(None, description="CPU threads; default: settings.llm_threads.")
    temperature: float = 0.2
    max_tokens: int | None = Field(512, description="Most tokens generated per reply (None: up to the context).")
    stop: list[str] | None = None
    seed: int | None = Field(0, description="Sampling seed, so runs repeat; None: random.")
    timeout: float | None = Field(None, description="Most seconds one generation may take; it is cut off after.")
    streaming: bool = False

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-embedded"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "temperature": self.temperature, "max_tokens": self.max_tokens}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="llamacpp",
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
            ls_temperature=kwargs.get("temperature", self.temperature),
        )
        if (max_tokens := kwargs.get("max_tokens", self.max_tokens)) is not None:
            params["ls_max_tokens"] = max_tokens
        if stop := stop or self.stop:
            params["ls_stop"] = stop
        return params

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Any],
        *,
        tool_choice: str | bool | dict | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (LangChain tools, functions, pydantic models or OpenAI dicts) for grammar-constrained calls.

        `tool_choice`: None/'auto' (call a tool or answer), 'any'/'required'/True (must call one),
        'none' (must answer), or a tool name (must call that tool).
        """
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        forced_tool_names(formatted, tool_choice)  # fail now, with the valid names, not mid-conversation
        return super().bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def with_structured_output(
        self,
        schema: dict | type,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] = "json_schema",
        include_raw: bool = False,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict | Any]:
        """Replies parsed into `schema`; 'json_schema' (default) constrains decoding to the schema itself."""
        kwargs.pop("strict", None)
        if kwargs:
            raise ValueError(f"unsupported arguments {sorted(kwargs)}; valid: method, include_raw, strict")
        return structured_output_runnable(self, schema, method=method, include_raw=include_raw)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        generation = self._prepare(messages, stop, **kwargs)
        with generation.model.lock:
            result = generation.model.llama.create_completion(prompt=generation.prompt_tokens, **generation.options)
        choice = result["choices"][0]
        text = choice["text"]
        message = self._reply_message(generation, text, choice["finish_reason"], result["usage"]["completion_tokens"])
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Plain replies and tool-bound answers stream as generated; tool calls and JSON replies arrive whole."""
        generation = self._prepare(messages, stop, **kwargs)
        answer = AnswerStreamer() if generation.known_tools else None
        pieces, finish_reason, streamed = [], "stop", False
        with generation.model.lock:
            for chunk in generation.model.llama.create_completion(
                prompt=generation.prompt_tokens, stream=True, **generation.options
            ):
                choice = chunk["choices"][0]
                finish_reason = choice.get("finish_reason") or finish_reason
                pieces.append(choice["text"])
                if generation.grammar_schema is None:
                    delta = choice["text"]
                else:
                    delta = answer.delta("".join(pieces)) if answer else ""
                if delta:
                    streamed = True
                    if run_manager:
                        run_manager.on_llm_new_token(delta)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=delta))
        text = "".join(pieces)
        final = self._reply_message(generation, text, finish_reason, generation.model.count_tokens(text))
        if streamed:  # the text went out already; close with the metadata only
            final = final.model_copy(update={"content": ""})
        yield ChatGenerationChunk(message=_as_last_chunk(final))

    def _prepare(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs: Any) -> Generation:
        """Render the prompt and choose grammar and sampling options for one call."""
        from llama_cpp import StoppingCriteriaList

        from tunesmith.agent.llm.llama_runtime import GenerationDeadline, grammar_for, load_model

        tools: list[dict] = kwargs.pop("tools", None) or []
        tool_choice = kwargs.pop("tool_choice", None)
        response_schema: dict | None = kwargs.pop("response_schema", None)
        requested = kwargs.pop("model", self.model_name)
        if requested != self.model_name:
            raise ValueError(
                f"model {requested!r} cannot be chosen per call: the embedded backend runs {self.model_name!r}; "
                "create another ChatLlamaCppEmbedded with model_path set instead"
            )
        unknown = set(kwargs) - {"temperature", "max_tokens", "seed", "timeout"}
        if unknown:
            raise ValueError(f"unsupported call options {sorted(unknown)}; valid: tools, tool_choice, "
                             "response_schema, temperature, max_tokens, seed, timeout, stop")
        model = load_model(*self._model_location())
        grammar_schema = reply_schema(tools, tool_choice) if tools else response_schema
        template_messages = render_messages(messages, tools, tool_choice, response_schema)
        prompt_tokens = model.tokenize(model.render(template_messages))
        context = model.llama.n_ctx()
        if len(prompt_tokens) >= context:
            raise ValueError(
                f"the conversation is {len(prompt_tokens)} tokens, more than the model's context of {context}: "
                "start a new session or raise llm_context_tokens"
            )
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        room = context - len(prompt_tokens)  # llama.cpp refuses a request that would overflow the context
        deadline = GenerationDeadline(kwargs.get("timeout", self.timeout))
        options: dict[str, Any] = {
            "max_tokens": room if max_tokens is None else min(max_tokens, room),
            "temperature": kwargs.get("temperature", self.temperature),
            "seed": kwargs.get("seed", self.seed),
            "stop": list(stop or self.stop or []),
            "grammar": grammar_for(grammar_schema) if grammar_schema is not None else None,
            "stopping_criteria": StoppingCriteriaList([deadline]),
        }
        return Generation(model, prompt_tokens, options, grammar_schema, tool_names(tools), deadline)

    def _model_location(self) -> tuple[str, int, int]:
        from tunesmith.settings import get_settings

        settings = get_settings()
        path = self.model_path
        if path is None:
            from tunesmith.agent.llm.gguf_cache import ensure_embedded_model

            path = str(ensure_embedded_model(settings.cache_dir))
        return path, self.n_ctx or settings.llm_context_tokens, self.n_threads or settings.llm_threads

    def _reply_message(self, generation: Generation, text: str, finish_reason: str, output_tokens: int) -> AIMessage:
        """The AIMessage for a finished generation: answer text and/or tool calls, with token usage."""
        input_tokens = len(generation.prompt_tokens)
        metadata = {
            "model_name": self.model_name,
            "finish_reason": "timeout" if generation.deadline.expired else finish_reason,
            "model_provider": "llamacpp",
        }
        usage = {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}
        if not generation.known_tools:
            if generation.grammar_schema is not None:  # a structured reply: hand back the JSON without its fence
                text = text.strip().removeprefix("```json").removesuffix("```").strip()
            return AIMessage(content=text, usage_metadata=usage, response_metadata=metadata)
        reply: ParsedReply = parse_reply(text, generation.known_tools)
        call_ids = [_call_id(generation.prompt_tokens, index) for index in range(len(reply.calls))]
        valid = [
            tool_call(name=call.name, args=call.arguments, id=call_id)
            for call, call_id in zip(reply.calls, call_ids)
            if call.error is None
        ]
        invalid = [
            invalid_tool_call(name=call.name, args=call.raw_arguments, id=call_id, error=call.error)
            for call, call_id in zip(reply.calls, call_ids)
            if call.error is not None
        ]
        return AIMessage(
            content=reply.answer, tool_calls=valid, invalid_tool_calls=invalid,
            usage_metadata=usage, response_metadata=metadata,
        )


def _call_id(prompt_tokens: list[int], index: int) -> str:
    """A tool-call id that repeats for the same conversation and differs between turns (the prompt grows)."""
    digest = hashlib.sha256(json.dumps(prompt_tokens).encode() + b"#" + str(index).encode()).hexdigest()
    return f"call_{digest[:24]}"


def _as_last_chunk(message: AIMessage) -> AIMessageChunk:
    """One closing stream chunk carrying the reply; tool calls go as chunks LangChain re-assembles.

    Invalid calls travel as call chunks too, because a chunk re-derives its calls from them: LangChain
    reads cut-off arguments leniently, so the tool itself refuses the incomplete call and the agent
    passes that error back to the model. (With the grammar, only a reply cut off by max_tokens or the
    timeout can be invalid.)
    """
    calls = [(call["name"], json.dumps(call["args"], ensure_ascii=False), call["id"]) for call in message.tool_calls]
    calls += [(call["name"], call["args"], call["id"]) for call in message.invalid_tool_calls]
    return AIMessageChunk(
        content=message.content,
        tool_call_chunks=[
            tool_call_chunk(name=name, args=args, id=call_id, index=index)
            for index, (name, args, call_id) in enumerate(calls)
        ],
        usage_metadata=message.usage_metadata,
        response_metadata=message.response_metadata,
        chunk_position="last",
    )
