"""The command line as a user meets it: help that teaches, clear one-line errors, no tracebacks."""

from __future__ import annotations

from typer.testing import CliRunner

from tunesmith.cli import app

runner = CliRunner()


def test_help_lists_every_command_with_an_example() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("compose", "chat", "serve", "doctor", "config", "prepare", "index", "sessions", "eval"):
        assert command in result.output
    assert "cheerful jig" in result.output


def test_config_shows_each_setting_and_where_it_came_from(monkeypatch) -> None:
    monkeypatch.setenv("TUNESMITH_REFINE_ROUNDS", "2")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0
    assert "refine_rounds" in result.output and "environment" in result.output


def test_bad_setting_is_one_sentence_naming_the_key(monkeypatch) -> None:
    monkeypatch.setenv("TUNESMITH_LLM_BACKEND", "nonsense")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2
    assert "llm_backend" in result.output and "Traceback" not in result.output


def test_ollama_not_running_is_one_sentence_with_the_fix(monkeypatch) -> None:
    monkeypatch.setenv("TUNESMITH_OLLAMA_HOST", "http://127.0.0.1:9")
    result = runner.invoke(app, ["compose", "a jig", "--backend", "ollama", "--model", "qwen2.5:7b"])
    assert result.exit_code == 1
    assert "ollama serve" in result.output and "Traceback" not in result.output


def test_missing_image_file_is_bad_input_and_leaves_no_session(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TUNESMITH_LLM_BACKEND", "ollama")
    monkeypatch.setattr("tunesmith.cli.chat_model_for", lambda settings: None)
    result = runner.invoke(app, ["compose", "music for this", "--image", str(tmp_path / "nope.png")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    listed = runner.invoke(app, ["sessions", "list"])
    assert listed.exit_code == 0 and "music for this" not in listed.output


def test_unknown_session_id_lists_what_exists() -> None:
    result = runner.invoke(app, ["sessions", "show", "20200101-000000-abcdef"])
    assert result.exit_code == 1
    assert "no session" in result.output


def test_doctor_prints_a_row_for_every_backend_and_model() -> None:
    result = runner.invoke(app, ["doctor"])
    for name in ("embedded", "Ollama", "abc2midi", "FluidSynth", "abcm2ps", "MusicGen", "CLAP", "BLIP", "basic-pitch",
                 "musicnn tagger"):
        assert name.lower() in result.output.lower(), name
    assert "Traceback" not in result.output


def test_serve_on_a_taken_port_is_one_sentence_naming_another_port() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "choose another --port" in result.output
    assert "Traceback" not in result.output


def test_serve_on_all_interfaces_warns_before_it_starts() -> None:
    import socket

    with socket.socket() as taken:  # taken, so the command stops right after the warning
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(taken.getsockname()[1])])
    assert "warning:" in result.output and "all interfaces" in result.output


def test_chat_session_command_shows_the_current_tune_and_redo_brings_back_an_undone_one(monkeypatch) -> None:
    from support.scripted_model import call, scripted

    steps = [call("plan_music", request="a jig in D"), call("compose_abc"), call("render"), "ok",
             call("edit_abc", instruction="slower"), call("render"), "ok"]
    monkeypatch.setattr("tunesmith.cli.chat_model_for", lambda settings: scripted(*steps))
    typed = "a jig in D for fiddle\nmake it slower\n/undo\n/session\n/redo\n/session\n/quit\n"
    result = runner.invoke(app, ["chat", "--refine-rounds", "0"], input=typed)
    assert result.exit_code == 0, result.output
    assert "Undid version 2" in result.output and "Redid version 2" in result.output
    assert "Current tune: version 1 of 2: D major, 6/8" in result.output
    assert "Current tune: version 2 of 2: D major, 6/8" in result.output
