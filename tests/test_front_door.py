"""The front door as a user meets it: every refusal exits 2 with one sentence and leaves nothing behind
(no model loaded, no session made); a turn that made no tune exits 1; a made tune exits 0 with normal files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support.scripted_model import call, scripted
from typer.testing import CliRunner

from tunesmith.cli import _split_attachments, app

runner = CliRunner()
TUNE = "X:1\nT:Reel\nM:4/4\nL:1/8\nK:G\nGABc dBGA|B2ge dB2z|]\n"


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a chat model fails the test: a refusal must come before it."""

    def loaded(settings):
        raise AssertionError("the chat model was loaded before the input was checked")

    monkeypatch.setattr("tunesmith.cli.chat_model_for", loaded)


def sessions_folder() -> Path:
    from tunesmith.settings import get_settings

    return get_settings().output_dir


def refused(*args: str) -> str:
    result = runner.invoke(app, ["compose", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.count("error:") == 1
    assert not sessions_folder().exists() or not any(sessions_folder().iterdir()), "a refusal left a session"
    return result.output


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("milk, eggs, a new violin string\n")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "empty.abc").write_text("")
    (tmp_path / "garbage.abc").write_bytes(bytes(range(1, 256)) * 20)
    (tmp_path / "big.abc").write_text("X:1\nT:Big\nM:4/4\nL:1/8\nK:G\n" + "GABc dBGA|\n" * 110_000)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "tune.abc").write_text(TUNE)
    return tmp_path


@pytest.mark.parametrize(("request_text", "expected"), [
    ("", "the request is empty"),
    ("a reel in G, 10000 bars", "2 to 128 bars"),
    ("a reel, " + "9" * 400 + " bars", "2 to 128 bars"),
    ("a waltz, tempo 2000 BPM", "30 to 260 BPM"),
    ("a march in 0/4", "is not a meter"),
    ("a jig in H# major", "is not a key"),
    ("a slow air " * 1700, "at most 4,000 are read"),
])
def test_bad_words_exit_2_before_the_model_loads(no_model: None, request_text: str, expected: str) -> None:
    assert expected in refused(request_text)


@pytest.mark.parametrize(("option", "name", "expected"), [
    ("--image", "notes.txt", "not an image (it contains text)"),
    ("--image", "empty.png", "is empty (0 bytes)"),
    ("--image", ".", "is a folder, not an image file"),
    ("--image", "missing.png", "does not exist"),
    ("--audio", "notes.txt", "not an audio file"),
    ("--midi", "notes.txt", "not a readable MIDI file"),
    ("--abc", "empty.abc", "is empty (0 bytes)"),
    ("--abc", "garbage.abc", "holds no ABC tune with notes"),
    ("--abc", "notes.txt", "holds no ABC tune with notes"),
    ("--abc", "big.abc", "a tune may have at most 100,000"),
    ("--out", "notes.txt", "is a file"),
    ("--out", "full", "already holds files (tune.abc)"),
])
def test_bad_files_exit_2_before_the_model_loads(no_model: None, files: Path, option: str, name: str,
                                                 expected: str) -> None:
    assert expected in refused("a jig", option, str(files / name))


def _make(model, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tunesmith.cli.chat_model_for", lambda settings: model)


def test_a_made_tune_exits_0_with_normal_file_permissions_and_a_short_session_title(monkeypatch, tmp_path) -> None:
    _make(scripted(call("plan_music", request="a jig"), call("compose_abc"), call("render"), "A jig."), monkeypatch)
    request = "a cheerful jig in D major for the summer fair on the green, with fiddles and pipes and dancing all day"
    out = tmp_path / "jig"
    result = runner.invoke(app, ["compose", request, "--out", str(out), "--refine-rounds", "0"])
    assert result.exit_code == 0, result.output
    umask = os.umask(0o022)
    os.umask(umask)
    for path in (out / "tune.abc", out / "tune.mid", out / "trace.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    assert not (out / ".tunesmith-writing").exists()
    from tunesmith.memory.sessions import SessionStore

    (summary,) = SessionStore(sessions_folder()).list()
    assert len(summary.title) <= 80 and summary.title.startswith("a cheerful jig in D major")
    again = runner.invoke(app, ["compose", "a reel", "--out", str(out)])
    assert again.exit_code == 2 and "already holds files" in again.output  # never overwrites the first tune


def test_a_turn_that_made_no_tune_exits_1_with_its_sentence(monkeypatch) -> None:
    from tunesmith.agent.session import ChatSession
    from tunesmith.agent.turn import TurnOutcome

    def failed_turn(self, request, **kwargs):
        folder = self.stored.new_turn_folder()
        return TurnOutcome(folder=folder, reply="The tune could not be made: abc2midi refused it.", status="failed")

    _make(None, monkeypatch)
    monkeypatch.setattr(ChatSession, "ask", failed_turn)
    result = runner.invoke(app, ["compose", "a jig"])
    assert result.exit_code == 1
    assert "The tune could not be made: abc2midi refused it." in result.output and "trace.json" in result.output


def test_a_turn_that_says_done_but_wrote_no_music_still_exits_1(monkeypatch) -> None:
    from tunesmith.agent.session import ChatSession
    from tunesmith.agent.turn import TurnOutcome

    def empty_turn(self, request, **kwargs):
        folder = self.stored.new_turn_folder()
        (folder / "trace.json").write_text(json.dumps({"notes": ["edit_abc failed: no edit found in 'play this tune'"]}))
        (folder / "explanation.md").write_text("nothing")
        return TurnOutcome(folder=folder, reply="Here is your tune.", status="done")

    _make(None, monkeypatch)
    monkeypatch.setattr(ChatSession, "ask", empty_turn)
    result = runner.invoke(app, ["compose", "play this tune"])
    assert result.exit_code == 1 and "Here is your tune" not in result.output
    assert "the turn ended without a tune: edit_abc failed: no edit found in 'play this tune'" in result.output


def test_a_broken_session_is_reported_in_its_row_and_the_others_still_list(tmp_path: Path) -> None:
    from tunesmith.memory.sessions import SessionStore

    store = SessionStore(sessions_folder())
    good = store.create("a good session")
    folder_for_file = store.create("json is a folder")
    (folder_for_file.folder / "session.json").unlink()
    (folder_for_file.folder / "session.json").mkdir()
    bad_messages = store.create("bad messages")
    bad_messages.messages = [{"data": {"content": "hi"}}]
    bad_messages.save()
    outside = tmp_path / "elsewhere" / "20200101-000000-abcdef"
    outside.mkdir(parents=True)
    (outside / "session.json").write_text(json.dumps({"title": "t", "created": "", "updated": "", "messages": []}))
    (sessions_folder() / "20200101-000000-abcdef").symlink_to(outside, target_is_directory=True)

    result = runner.invoke(app, ["sessions", "list"])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    rows = {summary.id: summary for summary in store.list()}
    assert rows[good.id].title == "a good session" and not rows[good.id].corrupt
    assert "not a plain file" in rows[folder_for_file.id].problem
    assert "message 1 without a 'type'" in rows[bad_messages.id].problem
    assert "symbolic link" in rows["20200101-000000-abcdef"].problem

    shown = runner.invoke(app, ["sessions", "show", bad_messages.id])
    assert shown.exit_code == 1 and "message 1 without a 'type'" in shown.output and "Traceback" not in shown.output
    resumed = runner.invoke(app, ["chat", "--session", bad_messages.id])  # before any model loads
    assert resumed.exit_code == 1 and "message 1" in resumed.output
    followed = runner.invoke(app, ["sessions", "show", "20200101-000000-abcdef"])
    assert followed.exit_code == 1 and "symbolic link" in followed.output
    deleted = runner.invoke(app, ["sessions", "delete", "20200101-000000-abcdef", "--yes"])
    assert deleted.exit_code == 0 and (outside / "session.json").is_file()  # the link went, not its target


def test_chat_attachments_may_be_quoted_paths_with_spaces() -> None:
    words, files = _split_attachments('music for my dad\'s photo --image "/tmp/my photos/dad 1.png" --audio clip.wav')
    assert words == "music for my dad's photo"
    assert files == {"image": Path("/tmp/my photos/dad 1.png"), "audio": Path("clip.wav")}


def test_a_real_process_refusing_input_exits_2_with_one_line_on_stderr(files: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TUNESMITH_OUTPUT_DIR": str(tmp_path / "sessions")}
    for args in (["compose", ""], ["compose", "a jig", "--image", str(files / "notes.txt")]):
        done = subprocess.run([sys.executable, "-m", "tunesmith.cli", *args], capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ") and done.stdout == ""
    assert not (tmp_path / "sessions").exists()
