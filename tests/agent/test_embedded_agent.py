"""End to end with the real embedded model (Qwen2.5-Coder-1.5B through llama.cpp): text, image, edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tunesmith.agent.session import ChatSession
from tunesmith.settings import load_settings
from tunesmith.tools.abc import analyse_abc, tune_notes, validate_abc

pytestmark = pytest.mark.slow
TURN_FILES = ("tune.abc", "tune.mid", "tune.wav", "score.svg", "trace.json", "explanation.md")


@pytest.fixture(scope="module")
def embedded_model():
    from tunesmith.agent.llm.factory import make_chat_model

    return make_chat_model(load_settings())


def _llm_calls(folder: Path) -> list[str]:
    trace = json.loads((folder / "trace.json").read_text())
    return [call["name"] for call in trace["tool_calls"] if call["by"] == "llm" and not call["error"]]


def _one_planning_call(folder: Path) -> None:
    """The turn took a single model call (its whole plan) with a prompt within the 1,500-token budget."""
    steps = json.loads((folder / "trace.json").read_text())["llm_steps"]
    assert len(steps) == 1 and steps[0]["input_tokens"] <= 1500, steps


def _assert_complete_turn(folder: Path) -> str:
    for name in TURN_FILES:
        assert (folder / name).is_file() and (folder / name).stat().st_size > 0, name
    abc = (folder / "tune.abc").read_text()
    assert validate_abc(abc, check_abc2midi=True).valid
    return abc


def test_real_model_composes_a_jig_then_edits_it_slower_and_minor(embedded_model) -> None:
    session = ChatSession.start(embedded_model, load_settings(refine_rounds=1))
    first = session.ask("a cheerful jig for fiddle, 16 bars")  # the key is left to the model
    abc = _assert_complete_turn(first.folder)
    analysis = analyse_abc(abc)
    assert (analysis.mode, analysis.meter, analysis.bars) == ("major", "6/8", 16)
    assert "compose_abc" in _llm_calls(first.folder) or "plan_music" in _llm_calls(first.folder)
    _one_planning_call(first.folder)

    second = session.ask("now make it slower, in minor")
    edited = _assert_complete_turn(second.folder)
    after = analyse_abc(edited)
    assert after.tempo_bpm < analysis.tempo_bpm
    assert (after.key, after.mode, after.meter, after.bars) == (analysis.key, "minor", "6/8", 16)
    assert [(n.onset, n.duration) for n in tune_notes(edited)] == [(n.onset, n.duration) for n in tune_notes(abc)]
    assert json.loads((second.folder / "trace.json").read_text())["llm_steps"] == [], "the words name the whole edit"


def test_real_model_turns_a_photo_into_a_tune_with_the_picture_in_the_explanation(embedded_model, tmp_path: Path) -> None:
    from PIL import Image
    from skimage import data

    photo = tmp_path / "chelsea.png"
    Image.fromarray(data.chelsea()).save(photo)
    outcome = ChatSession.start(embedded_model, load_settings(refine_rounds=1)).ask(
        "write music for this photo", user_files={"image": photo}
    )
    _assert_complete_turn(outcome.folder)
    trace = json.loads((outcome.folder / "trace.json").read_text())
    assert "image" in trace["evidence"], "the photo was never analysed"
    assert "picture" in (outcome.folder / "explanation.md").read_text()
