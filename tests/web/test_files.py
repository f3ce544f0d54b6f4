"""Only a session's own files are served: no session id or file name reaches outside its folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support.web import LOCAL, TurnScripts

from tunesmith.memory.sessions import SessionStore
from tunesmith.settings import load_settings
from tunesmith.web.app import create_app


@pytest.fixture
def client():
    with TestClient(create_app(load_settings(), chat_model_factory=TurnScripts().factory), base_url=LOCAL) as test_client:
        yield test_client


@pytest.fixture
def session(client: TestClient):
    stored = SessionStore(load_settings().output_dir).create("files test")
    turn = stored.new_turn_folder()
    (turn / "tune.abc").write_text("X:1\nK:C\nCDEF|]\n")
    (turn / "score.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return stored


def test_a_turns_file_is_served_with_its_type_and_as_a_download_when_asked(client: TestClient, session) -> None:
    response = client.get(f"/files/{session.id}/turn-001/tune.abc")
    assert response.status_code == 200 and response.text.startswith("X:1")
    assert response.headers["content-type"].startswith("text/plain")
    download = client.get(f"/files/{session.id}/turn-001/tune.abc?download=1")
    assert download.headers["content-disposition"].startswith("attachment")


def test_a_served_score_cannot_run_scripts_in_the_apps_origin(client: TestClient, session) -> None:
    response = client.get(f"/files/{session.id}/turn-001/score.svg")
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "turn-001/../session.json",
    "turn-001/%2e%2e/session.json",
    "..%2F..%2Fetc/passwd",
    "%2Fetc%2Fpasswd",
    "turn-001/.hidden.abc",
    "session.json",
    "turn-001/tune.abc/extra",
    "turn-001/run.sh",
])
def test_names_that_lead_elsewhere_are_refused(client: TestClient, session, path: str) -> None:
    response = client.get(f"/files/{session.id}/{path}")
    assert response.status_code in (403, 404)
    assert "X:1" not in response.text and "messages" not in response.text


@pytest.mark.parametrize("session_id", ["..", "%2E%2E", "..%2F..%2Fetc", "20261125-013012-zzzzzz", "not-a-session"])
def test_session_ids_that_are_not_sessions_are_refused(client: TestClient, session, session_id: str) -> None:
    response = client.get(f"/files/{session_id}/turn-001/tune.abc")
    assert response.status_code in (403, 404)
    assert "X:1" not in response.text


def test_a_link_out_of_the_session_folder_is_not_followed(client: TestClient, session, tmp_path: Path) -> None:
    secret = tmp_path / "secret.abc"
    secret.write_text("X:1\nT:secret\nK:C\nC|]\n")
    (session.folder / "turn-001" / "leak.abc").symlink_to(secret)
    outside_turn = tmp_path / "elsewhere"
    outside_turn.mkdir()
    (outside_turn / "tune.abc").write_text("X:1\nT:secret\nK:C\nC|]\n")
    (session.folder / "turn-002").symlink_to(outside_turn, target_is_directory=True)
    for path in ("turn-001/leak.abc", "turn-002/tune.abc"):
        response = client.get(f"/files/{session.id}/{path}")
        assert response.status_code == 403, path
        assert "secret" not in response.text


def test_nothing_outside_the_apps_pages_and_session_files_is_served(client: TestClient) -> None:
    for path in ("/static/../web/app.py", "/static/%2e%2e/app.py", "/etc/passwd", "/files", "/static/missing.js"):
        response = client.get(path)
        assert response.status_code == 404, path
    assert client.get("/static/app.js").status_code == 200
