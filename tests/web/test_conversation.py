"""What the page shows of a turn comes from the turn folder's files alone, and shows nothing unsafe."""

from __future__ import annotations

import json
from pathlib import Path

from tunesmith.memory.sessions import SessionStore
from tunesmith.settings import load_settings
from tunesmith.web.conversation import explanation_html, palette, turn_view

JIG = "X:1\nT:Morning Jig\nM:6/8\nL:1/8\nQ:3/8=116\nK:D\nDFA dfa|gfe dcB|AFD DFA|d3 d3|]\n"


def _turn(files: dict[str, str | bytes], trace: dict | None = None):
    session = SessionStore(load_settings().output_dir).create("view test")
    folder = session.new_turn_folder()
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    if trace is not None:
        (folder / "trace.json").write_text(json.dumps(trace))
    return session, folder


def test_a_turn_shows_its_tune_summary_and_only_the_files_it_has() -> None:
    session, folder = _turn({"tune.abc": JIG, "tune.wav": b"RIFF", "explanation.md": "# Morning Jig\n"})
    view = turn_view(session, folder)
    assert set(view["files"]) == {"abc", "wav"}
    assert view["files"]["wav"] == f"/files/{session.id}/turn-001/tune.wav"
    assert view["summary"] == {"title": "Morning Jig", "key": "D", "mode": "major", "meter": "6/8", "tempo_bpm": 116, "bars": 4}
    assert view["musicxml_on_demand"] == f"/api/sessions/{session.id}/turns/turn-001/musicxml"


def test_musicgen_audio_the_trace_lists_is_offered_beside_the_tune() -> None:
    trace = {"artifacts": {"abc": "tune.abc", "musicgen 1": "musicgen-1.wav", "musicgen 2": "missing.wav"}}
    session, folder = _turn({"tune.abc": JIG, "musicgen-1.wav": b"RIFF"}, trace)
    assert turn_view(session, folder)["musicgen"] == [f"/files/{session.id}/turn-001/musicgen-1.wav"]


def test_critic_rounds_and_the_pictures_evidence_come_from_the_trace() -> None:
    trace = {
        "critic_rounds": [{"round": 0, "overall": 0.61, "scores": {}, "feedback": [], "change": "first draft"},
                          {"round": 1, "overall": 0.74, "scores": {}, "feedback": [], "change": "smoother", "kept": True}],
        "inputs": {"image": "/somewhere/else/photo.png"},
        "evidence": {"image": {"caption": "none (no weights)", "colours": "navy (42%), grey (20%) and ochre (12%)",
                               "valence": 0.3, "energy": 0.2, "colourfulness": "31 (muted)"}},
    }
    session, folder = _turn({"tune.abc": JIG}, trace)
    view = turn_view(session, folder)
    assert [(r["round"], r["overall"], r["kept"]) for r in view["critic_rounds"]] == [(0, 0.61, None), (1, 0.74, True)]
    image = view["image"]
    assert image["url"] is None  # a picture outside the session folder is described, never served
    assert [c["name"] for c in image["palette"]] == ["navy", "grey", "ochre"]
    assert image["measures"] == {"valence": 0.3, "energy": 0.2}


def test_a_turn_folder_outside_the_session_is_not_served(tmp_path: Path) -> None:
    session, _ = _turn({"tune.abc": JIG})
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    (elsewhere / "tune.abc").write_text(JIG)
    assert turn_view(session, elsewhere) == {"turn": "out", "files": {}}


def test_html_in_the_explanation_is_shown_as_text_not_run() -> None:
    html = explanation_html("> <script>alert(1)</script> a jig\n\n| Choice | Value |\n|---|---|\n| Key | D |\n\n[x](javascript:alert(1))")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<table>" in html and 'href="javascript' not in html


def test_palette_words_become_swatches_with_their_colours() -> None:
    assert palette("dark brown (80%) and sky blue (20%)") == [
        {"name": "dark brown", "share": 0.8, "hex": "#3d2616"}, {"name": "sky blue", "share": 0.2, "hex": "#7ec0ee"},
    ]
    assert palette("") == []
