"""Embedded chat model speed: load time, prompt and generation tokens/s, and LangChain overhead on a tool call.

Run: .venv/bin/python benchmarks/llm_bench.py [--rounds 3]

The tool-calling round-trip is timed twice per round on the same prompt tokens, grammar, sampling
settings and max tokens: once through `ChatLlamaCppEmbedded.bind_tools(...).invoke` and once through
`llama.create_completion` directly; the KV cache is cleared before each so both evaluate the full prompt.
Timings on a shared CPU are noisy: medians over rounds, alternating order.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Annotated

from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from tunesmith.agent.llm.gguf_cache import ensure_embedded_model
from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded
from tunesmith.agent.llm.llama_runtime import load_model
from tunesmith.settings import get_settings

MAX_TOKENS = 96


@tool
def search_exemplars(query: Annotated[str, Field(description="what the tunes are like")], key: str) -> str:
    """Find real folk tunes to learn from."""
    return "[]"


@tool
def compose_tune(key: str, mode: str, meter: Annotated[str, Field(description="e.g. 6/8")], bars: int) -> str:
    """Write a new tune as ABC from a plan."""
    return "X:1"


@tool
def render(format: Annotated[str, Field(description="midi, wav or svg")]) -> str:
    """Render the last tune to a file."""
    return "ok"


TOOLS = [search_exemplars, compose_tune, render]
REQUEST = [SystemMessage("You are Tunesmith, a folk-music assistant."), HumanMessage("Compose a jig in D major, 16 bars.")]


def seconds(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed repetitions per measurement")
    rounds = parser.parse_args().rounds
    settings = get_settings()
    assemble_s, path = seconds(lambda: ensure_embedded_model(settings.cache_dir, progress=False))
    load_s, loaded = seconds(lambda: load_model(path, settings.llm_context_tokens, settings.llm_threads))
    llama = loaded.llama
    print(f"threads={settings.llm_threads} n_ctx={settings.llm_context_tokens} model={path.name}")
    print(f"cache check: {assemble_s:.3f} s   load: {loaded.load_seconds:.2f} s (incl. template setup {load_s:.2f} s)")

    # Prompt processing: a ~300-token prompt, one token generated, cache cleared first.
    long_prompt = loaded.tokenize(loaded.render([{"role": "user", "content": "Describe a reel. " * 70}]))
    prompt_rates = []
    for _ in range(rounds):
        llama.reset()
        elapsed, _ = seconds(lambda: llama.create_completion(long_prompt, max_tokens=1, temperature=0))
        prompt_rates.append(len(long_prompt) / elapsed)
    print(f"prompt processing: {statistics.median(prompt_rates):.1f} tokens/s ({len(long_prompt)}-token prompt)")

    # Generation: stream a long answer; rate after the first token (which carries the prompt cost).
    count_prompt = loaded.tokenize(loaded.render([{"role": "user", "content": "Count from 1 to 200, comma separated."}]))
    generation_rates = []
    for _ in range(rounds):
        llama.reset()
        first, tokens = None, 0
        for _chunk in llama.create_completion(count_prompt, max_tokens=80, temperature=0, stream=True):
            first = first or time.perf_counter()
            tokens += 1
        generation_rates.append((tokens - 1) / (time.perf_counter() - first))
    print(f"generation: {statistics.median(generation_rates):.1f} tokens/s ({tokens} tokens)")

    # One tool-calling round-trip: LangChain vs llama.cpp directly, same prompt tokens and grammar.
    chat = ChatLlamaCppEmbedded(model_path=str(path), temperature=0.0, max_tokens=MAX_TOKENS, seed=0)
    with_tools = chat.bind_tools(TOOLS)
    generation = chat._prepare(REQUEST, None, tools=[convert_to_openai_tool(t) for t in TOOLS])
    options = {**generation.options, "stopping_criteria": None}

    def raw_call():
        return llama.create_completion(prompt=generation.prompt_tokens, **options)["choices"][0]["text"]

    raw_times, chain_times = [], []
    with_tools.invoke(REQUEST)  # warm-up: builds and caches the grammar
    for index in range(rounds):
        order = [("raw", raw_call), ("chain", lambda: with_tools.invoke(REQUEST))]
        for name, action in order if index % 2 == 0 else order[::-1]:
            llama.reset()
            elapsed, result = seconds(action)
            (raw_times if name == "raw" else chain_times).append(elapsed)
    reply = with_tools.invoke(REQUEST)
    raw_median, chain_median = statistics.median(raw_times), statistics.median(chain_times)
    print(f"tool call: {reply.tool_calls[0]['name'] if reply.tool_calls else 'no call'} "
          f"{reply.tool_calls[0]['args'] if reply.tool_calls else reply.content!r}")
    print(f"tool-call round-trip ({len(generation.prompt_tokens)} prompt tokens, max {MAX_TOKENS}): "
          f"llama.cpp direct {raw_median:.2f} s, LangChain {chain_median:.2f} s, "
          f"ratio {chain_median / raw_median:.3f} (target <= 1.15)")

    # KV-cache reuse: the next turn after a tool result, with the cache kept vs cleared.
    history = [*REQUEST, reply, ToolMessage("X:1\nT:Jig\nM:6/8\nK:D\n|:dfa afd|...", tool_call_id=reply.tool_calls[0]["id"])]
    warm, cold = [], []
    for _ in range(rounds):
        llama.reset()
        with_tools.invoke(REQUEST)  # leaves the first turn in the cache
        warm.append(seconds(lambda: with_tools.invoke(history))[0])
        llama.reset()
        cold.append(seconds(lambda: with_tools.invoke(history))[0])
    print(f"second turn: cache kept {statistics.median(warm):.2f} s, cache cleared {statistics.median(cold):.2f} s, "
          f"ratio {statistics.median(warm) / statistics.median(cold):.3f}")


if __name__ == "__main__":
    main()
