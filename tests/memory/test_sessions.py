"""Sessions on disk: folders, turns, atomic saves, and broken files that name themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tunesmith.memory.sessions import SessionCorrupt, SessionNotFound, SessionStore


def _chat(session, user: str, ai: str) -> None:
    session.messages.append({"type": "human", "data": {"content": user}})
    session.messages.append({"type": "ai", "data": {"content": ai}})


def test_new_session_lives_in_the_configured_output_folder() -> None:
    from tunesmith.settings import get_settings

    session = SessionStore().create("Jigs for Saturday")
    assert session.folder.parent == get_settings().output_dir
    assert (session.folder / "session.json").is_file()
    assert session.title == "Jigs for Saturday"


def test_conversation_and_turns_survive_a_restart(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("Waltzes")
    _chat(session, "a slow waltz in G", "Here is a waltz in G major, 3/4.")
    first = session.new_turn_folder()
    (first / "tune.abc").write_text("X:1\nK:G\nGAB|\n")
    second = session.new_turn_folder()
    session.save()

    reopened = SessionStore(tmp_path).load(session.id)
    assert reopened.messages == session.messages
    assert [p.name for p in reopened.turns] == ["turn-001", "turn-002"]
    assert second.name == "turn-002"
    assert (reopened.turns[0] / "tune.abc").read_text().startswith("X:1")


def test_langchain_messages_round_trip_through_session_json(tmp_path: Path) -> None:
    from langchain_core.messages import AIMessage, HumanMessage, messages_from_dict, messages_to_dict

    store = SessionStore(tmp_path)
    session = store.create("tool calls")
    messages = [
        HumanMessage("a reel in D"),
        AIMessage("", tool_calls=[{"name": "compose", "args": {"key": "D", "meter": "4/4"}, "id": "call-1"}]),
    ]
    session.messages = messages_to_dict(messages)
    session.save()
    restored = messages_from_dict(store.load(session.id).messages)
    assert restored[1].tool_calls[0]["args"] == {"key": "D", "meter": "4/4"}


def test_list_shows_newest_first_with_turn_and_message_counts(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    older = store.create("older")
    newer = store.create("newer")
    _chat(newer, "a hornpipe", "ok")
    newer.new_turn_folder()
    newer.updated = "x"  # save() restamps it
    newer.save()
    older.updated = "2000-01-01T00:00:00+00:00"
    (older.folder / "session.json").write_text(
        json.dumps({"title": "older", "created": older.created, "updated": older.updated, "messages": []})
    )
    listed = store.list()
    assert [s.title for s in listed] == ["newer", "older"]
    assert (listed[0].turns, listed[0].messages) == (1, 2)


def test_hand_broken_session_json_names_the_file_and_others_still_list(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    good = store.create("good")
    broken = store.create("broken")
    (broken.folder / "session.json").write_text('{"title": "broken", "messages": [')

    with pytest.raises(SessionCorrupt, match=r"session\.json is not valid JSON"):
        store.load(broken.id)
    listed = {s.id: s for s in store.list()}
    assert not listed[good.id].corrupt
    assert listed[broken.id].corrupt and str(broken.folder / "session.json") in listed[broken.id].problem


def test_session_json_with_wrong_shape_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("shape")
    (session.folder / "session.json").write_text('{"title": "shape", "created": "", "updated": "", "messages": "hi"}')
    with pytest.raises(SessionCorrupt, match="messages"):
        store.load(session.id)


def test_unknown_or_path_like_ids_are_refused_with_the_known_ids(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("only one")
    with pytest.raises(SessionNotFound, match=session.id):
        store.load("20200101-000000-abcdef")
    with pytest.raises(SessionNotFound, match="not a session id"):
        store.load("../../etc")


def test_delete_removes_the_folder_and_its_artifacts(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("temporary")
    (session.new_turn_folder() / "tune.mid").write_bytes(b"MThd")
    store.delete(session.id)
    assert not session.folder.exists()
    assert store.list() == []


def test_save_leaves_no_temp_files_behind(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("tidy")
    for n in range(5):
        _chat(session, f"request {n}", "answer")
        session.save()
    assert sorted(p.name for p in session.folder.iterdir()) == ["session.json"]
    assert len(store.load(session.id).messages) == 10


def test_a_long_request_makes_a_short_one_line_title(tmp_path: Path) -> None:
    session = SessionStore(tmp_path).create("a slow air\nin A minor " * 300)
    assert len(session.title) <= 80 and "\n" not in session.title and session.title.endswith("…")
    assert SessionStore(tmp_path).load(session.id).title == session.title


def test_the_conversation_state_is_saved_with_the_session_and_read_back(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("state")
    session.state = {"versions": [{"number": 1, "folder": "turn-001"}], "current": 1}
    session.save()
    assert store.load(session.id).state == session.state
    assert [p.name for p in session.folder.iterdir()] == ["session.json"]  # written atomically, no temp files left


def test_a_session_saved_before_states_existed_loads_with_an_empty_state(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("old")
    data = json.loads((session.folder / "session.json").read_text())
    del data["state"]
    (session.folder / "session.json").write_text(json.dumps(data))
    assert store.load(session.id).state == {}


def test_a_state_that_is_not_an_object_is_corrupt_naming_the_field(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.create("bad state")
    data = json.loads((session.folder / "session.json").read_text())
    (session.folder / "session.json").write_text(json.dumps({**data, "state": [1, 2]}))
    with pytest.raises(SessionCorrupt, match="'state'"):
        store.load(session.id)
