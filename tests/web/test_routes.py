"""The web app's turns, end to end through its routes: the same ChatSession, sessions and turn folders as
the CLI, with a scripted chat model and the real tools."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support.image_samples import real_photo
from support.scripted_model import call
from support.web import CHANGE, LOCAL, TurnScripts, ask, events, new_session

from tunesmith.settings import load_settings
from tunesmith.web import uploads
from tunesmith.web.app import create_app


@pytest.fixture
def scripts() -> TurnScripts:
    return TurnScripts()


@pytest.fixture
def client(scripts: TurnScripts):
    app = create_app(load_settings(refine_rounds=1), chat_model_factory=scripts.factory)
    with TestClient(app, base_url=LOCAL) as test_client:
        yield test_client
    scripts.gate.set()


def _turns(client: TestClient, session_id: str) -> list[dict]:
    return client.get(f"/api/sessions/{session_id}").json()["turns"]


def _wait_for(predicate, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_a_request_becomes_a_turn_with_a_playable_tune_and_its_explanation(client: TestClient, scripts: TurnScripts) -> None:
    scripts.add(call("plan_music", request="a cheerful jig in D major"), call("compose_abc"), call("render"), "A jig for you.")
    session_id = new_session(client)
    response = client.post(f"/api/sessions/{session_id}/turns", data={"request": "a cheerful jig in D major"}, headers=CHANGE)
    assert response.status_code == 202 and response.json()["state"] == "waiting"
    seen = events(client, response.json()["id"])
    assert seen[-1]["state"] == "done" and seen[-1]["turn"] == "turn-001"
    steps = [e["step"] for e in seen if e["event"] == "step"]
    assert steps[0] == "loading the model" and "thinking" in steps
    assert [step for step in steps if step in ("planning", "composing", "rendering")] == ["planning", "composing", "rendering"]
    [turn] = _turns(client, session_id)
    view = turn["view"]
    assert (turn["request"], turn["reply"], turn["status"]) == ("a cheerful jig in D major", "A jig for you.", "done")
    assert set(view["files"]) >= {"abc", "midi", "wav", "svg"}
    assert (view["summary"]["key"], view["summary"]["mode"], view["summary"]["meter"]) == ("D", "major", "6/8")
    assert view["critic_rounds"] and view["critic_rounds"][0]["round"] == 0
    assert "<table>" in view["explanation_html"] and "Why it sounds like this" in view["explanation_html"]
    wav = client.get(view["files"]["wav"])
    assert wav.headers["content-type"] == "audio/wav" and wav.content[:4] == b"RIFF"


def test_an_edit_in_the_next_message_acts_on_the_last_tune(client: TestClient) -> None:
    session_id = new_session(client)
    assert ask(client, session_id, "a cheerful jig in D major")["state"] == "done"
    assert ask(client, session_id, "now make it slower")["state"] == "done"
    first, second = (turn["view"]["summary"] for turn in _turns(client, session_id))
    assert second["tempo_bpm"] < first["tempo_bpm"]
    assert (second["key"], second["meter"], second["bars"]) == (first["key"], first["meter"], first["bars"])


def test_undo_sets_the_last_tune_aside_so_edits_act_on_the_one_before(client: TestClient) -> None:
    session_id = new_session(client)
    ask(client, session_id, "a cheerful jig in D major")
    ask(client, session_id, "now make it slower")
    undone = client.post(f"/api/sessions/{session_id}/undo", headers=CHANGE)
    assert undone.json()["message"] == "Undid the turn in turn-002."
    ask(client, session_id, "in D minor")
    first, second, third = _turns(client, session_id)
    assert second["undone"] and not first["undone"] and not third["undone"]
    assert third["view"]["summary"]["tempo_bpm"] == first["view"]["summary"]["tempo_bpm"]
    assert third["view"]["summary"]["mode"] == "minor"


def test_a_restarted_server_shows_every_session_and_its_files(scripts: TurnScripts) -> None:
    settings = load_settings(refine_rounds=1)
    with TestClient(create_app(settings, chat_model_factory=scripts.factory), base_url=LOCAL) as before:
        session_id = new_session(before)
        ask(before, session_id, "a slow air in A minor")
        shown = before.get(f"/api/sessions/{session_id}").json()
    with TestClient(create_app(settings, chat_model_factory=scripts.factory), base_url=LOCAL) as after:
        listed = after.get("/api/sessions").json()
        assert [s["id"] for s in listed] == [session_id] and listed[0]["title"] == "a slow air in A minor"
        again = after.get(f"/api/sessions/{session_id}").json()
        assert again["turns"] == shown["turns"]
        assert after.get(again["turns"][0]["view"]["files"]["abc"]).text.startswith("X:")


def test_a_picture_gives_a_tune_whose_view_shows_the_picture_its_palette_and_measures(
    client: TestClient, scripts: TurnScripts, tmp_path: Path
) -> None:
    photo = real_photo("astronaut", tmp_path)
    scripts.add(call("describe_image", path="astronaut.png"), call("plan_music", request="music for this photo"),
                call("compose_abc"), call("render"), "Here is music for your photo.")
    session_id = new_session(client)
    done = ask(client, session_id, "music for this photo", files={"file": ("astronaut.png", photo.read_bytes(), "image/png")})
    assert done["state"] == "done" and done["attachment"] == "astronaut.png"
    image = _turns(client, session_id)[0]["view"]["image"]
    assert client.get(image["url"]).content == photo.read_bytes()
    assert image["palette"] and all(colour["hex"].startswith("#") for colour in image["palette"])
    assert abs(sum(colour["share"] for colour in image["palette"]) - 1) < 0.5
    assert {"valence", "energy", "calm"} <= set(image["measures"])


def test_a_file_that_is_not_what_it_claims_is_refused_in_one_sentence_and_nothing_is_queued(client: TestClient) -> None:
    session_id = new_session(client)
    response = client.post(f"/api/sessions/{session_id}/turns", data={"request": "music for this photo"},
                           files={"file": ("photo.png", b"<html>not a picture</html>", "image/png")}, headers=CHANGE)
    assert response.status_code == 400
    assert response.json()["error"].startswith("photo.png is not an image (it contains text)")
    assert client.get("/api/queue").json() == []
    assert client.get("/api/config").status_code == 200


def test_an_upload_over_the_cap_is_refused_with_the_cap(client: TestClient, monkeypatch, tmp_path: Path) -> None:
    session_id = new_session(client)
    monkeypatch.setitem(uploads.MAX_BYTES, "image", 4096)
    photo = real_photo("astronaut", tmp_path)
    response = client.post(f"/api/sessions/{session_id}/turns", data={"request": "music for this"},
                           files={"file": ("astronaut.png", photo.read_bytes(), "image/png")}, headers=CHANGE)
    assert (response.status_code, response.json()["error"]) == (400, "astronaut.png is larger than 4 KiB; pictures up to 4 KiB are accepted")
    body = client.post(f"/api/sessions/{session_id}/turns", content=b"x" * (uploads.MAX_REQUEST_BYTES + 1),
                       headers={**CHANGE, "content-type": "multipart/form-data; boundary=x"})
    assert body.status_code in (400, 413)
    assert client.get("/api/queue").json() == []


def test_a_request_while_another_turn_runs_waits_and_either_can_be_cancelled(client: TestClient, scripts: TurnScripts) -> None:
    scripts.gate.clear()  # the first turn's model call waits: the turn stays running
    session_id = new_session(client)

    def send(words: str) -> dict:
        return client.post(f"/api/sessions/{session_id}/turns", data={"request": words}, headers=CHANGE).json()

    first = send("a cheerful jig in D major")
    _wait_for(lambda: client.get("/api/queue").json()[0]["state"] == "running")
    second = send("a slow air in A minor")
    assert (second["state"], second["ahead"]) == ("waiting", 1)
    refused = client.post(f"/api/sessions/{session_id}/undo", headers=CHANGE)
    assert refused.status_code == 403 and "waiting or running" in refused.json()["error"]
    assert client.post(f"/api/jobs/{second['id']}/cancel", headers=CHANGE).json()["state"] == "cancelled"
    client.post(f"/api/jobs/{first['id']}/cancel", headers=CHANGE)
    scripts.gate.set()
    assert events(client, first["id"])[-1]["state"] == "cancelled"
    [turn] = _turns(client, session_id)  # the cancelled running turn is kept as interrupted, like Ctrl-C
    assert turn["status"] == "interrupted"


def test_an_unavailable_llm_fails_the_turn_with_the_fix_and_the_server_keeps_going() -> None:
    settings = load_settings(llm_backend="ollama", llm_model="qwen2.5:7b", ollama_host="http://127.0.0.1:9")
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        session_id = new_session(client)
        failed = ask(client, session_id, "a cheerful jig in D major")
        assert failed["state"] == "failed"
        assert failed["error"].startswith("Ollama is not running at http://127.0.0.1:9")
        assert "start it with `ollama serve`" in failed["error"] and "\n" not in failed["error"]
        shown = client.get(f"/api/sessions/{session_id}").json()
        assert shown["jobs"][0]["error"] == failed["error"]  # a reloaded page still shows why
        assert ask(client, session_id, "a reel")["state"] == "failed"  # tried again, not remembered as broken


def test_musicxml_is_made_on_demand_inside_the_turn_folder(client: TestClient) -> None:
    session_id = new_session(client)
    ask(client, session_id, "a cheerful jig in D major")
    view = _turns(client, session_id)[0]["view"]
    assert "musicxml" not in view["files"]
    response = client.get(view["musicxml_on_demand"])
    assert response.status_code == 200 and b"<score-partwise" in response.content
    assert response.headers["content-disposition"].startswith("attachment")
    assert "musicxml" in _turns(client, session_id)[0]["view"]["files"]


def test_requests_that_cannot_be_turns_are_refused_in_one_sentence(client: TestClient) -> None:
    session_id = new_session(client)
    empty = client.post(f"/api/sessions/{session_id}/turns", data={"request": "  "}, headers=CHANGE)
    assert empty.status_code == 400 and "say what music you want" in empty.json()["error"]
    unknown = client.get("/api/sessions/20200101-000000-abcdef")
    assert unknown.status_code == 404 and session_id not in unknown.json()["error"]
    assert client.get("/api/jobs/0123456789abcdef/events").status_code == 404


def test_the_status_view_shows_what_doctor_reports(client: TestClient) -> None:
    from tunesmith.agent.doctor import collect_checks

    rows = client.get("/api/status").json()
    assert [row["name"] for row in rows] == [row.name for row in collect_checks(load_settings())]
    assert all(set(row) == {"name", "available", "detail", "fix", "required"} for row in rows)


def test_two_uploads_at_once_are_both_kept_and_queued(client: TestClient, scripts: TurnScripts, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    scripts.gate.clear()  # hold the turns: this test is about taking the files in
    photo = real_photo("astronaut", tmp_path).read_bytes()
    session_id = new_session(client)

    def upload(words: str) -> dict:
        return client.post(f"/api/sessions/{session_id}/turns", data={"request": words},
                           files={"file": ("astronaut.png", photo, "image/png")}, headers=CHANGE).json()

    with ThreadPoolExecutor(2) as pool:
        jobs = list(pool.map(upload, ["music for this photo", "a waltz for this photo"]))
    assert sorted(job["attachment"] for job in jobs) == ["astronaut-2.png", "astronaut.png"]
    for job in jobs:
        client.post(f"/api/jobs/{job['id']}/cancel", headers=CHANGE)
    scripts.gate.set()


def test_an_unexpected_failure_is_one_sentence_not_a_traceback(scripts: TurnScripts, monkeypatch) -> None:
    import tunesmith.agent.doctor

    def broken(settings):
        raise TypeError("unsupported operand")

    monkeypatch.setattr(tunesmith.agent.doctor, "collect_checks", broken)
    app = create_app(load_settings(), chat_model_factory=scripts.factory)
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as client:
        response = client.get("/api/status")
    assert response.status_code == 500
    assert response.json() == {"error": "Something failed unexpectedly (TypeError: unsupported operand); the server's log has the details."}
