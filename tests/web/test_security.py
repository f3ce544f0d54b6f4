"""Safe by default: this machine only unless told otherwise, no forged requests, no foreign scripts."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from support.web import CHANGE, LOCAL, TurnScripts

from tunesmith.settings import load_settings
from tunesmith.web.app import create_app
from tunesmith.web.security import host_name
from tunesmith.web.server import exposure_warning


def _client(host: str = "127.0.0.1", base_url: str = LOCAL) -> TestClient:
    return TestClient(create_app(load_settings(), chat_model_factory=TurnScripts().factory, host=host), base_url=base_url)


def test_a_page_on_another_site_cannot_start_a_turn_or_make_a_session() -> None:
    with _client() as client:
        assert client.post("/api/sessions").status_code == 403  # a plain cross-site form POST carries no header
        forged = client.post("/api/sessions", headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403 and "Tunesmith's page" in forged.json()["error"]
        assert client.post("/api/sessions", headers=CHANGE).status_code == 201


@pytest.mark.parametrize("base_url", ["http://localhost", "http://127.0.0.1:8765", "http://[::1]:8765"])
def test_a_local_server_answers_to_its_own_names(base_url: str) -> None:
    with _client(base_url=base_url) as client:
        assert client.get("/api/config").status_code == 200


def test_a_local_server_refuses_other_host_names_against_dns_rebinding() -> None:
    with _client(base_url="http://attacker.example") as client:
        response = client.get("/api/sessions")
        assert response.status_code == 400
        assert "only to the address it was started on" in response.json()["error"]


def test_a_server_bound_to_all_interfaces_answers_any_name_and_warns() -> None:
    with _client(host="0.0.0.0", base_url="http://studio.lan:8765") as client:
        assert client.get("/api/config").status_code == 200
    assert "all interfaces" in exposure_warning("0.0.0.0") and "--host 127.0.0.1" in exposure_warning("0.0.0.0")
    assert "other machines" in exposure_warning("192.168.1.20")
    assert exposure_warning("127.0.0.1") is None and exposure_warning("::1") is None


def test_the_page_runs_only_its_own_scripts() -> None:
    with _client() as client:
        page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", "")  # no CDN: everything is local


def test_host_names_are_read_without_their_port() -> None:
    assert [host_name(h) for h in ("localhost:8765", "[::1]:8765", "127.0.0.1", "::1")] == ["localhost", "::1", "127.0.0.1", "::1"]
