"""Orchestration: scripted tool calls (a fake chat model) through the real agent loop and real tools."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support.real_tunes import KESH, render_clip
from support.scripted_model import call, scripted

from tunesmith.agent.session import ChatSession
from tunesmith.settings import load_settings
from tunesmith.tools.abc import analyse_abc, tune_notes, validate_abc

TURN_FILES = ("tune.abc", "tune.mid", "tune.wav", "score.svg", "trace.json", "explanation.md", "plan.json")


def _session(model, **overrides):
    return ChatSession.start(model, load_settings(**overrides))


def _trace(folder: Path) -> dict:
    return json.loads((folder / "trace.json").read_text())


@pytest.fixture(scope="module")
def astronaut_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from PIL import Image
    from skimage import data

    path = tmp_path_factory.mktemp("images") / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    return path


def test_jig_request_yields_a_rendered_6_8_tune_in_d_major_with_trace_and_explanation() -> None:
    model = scripted([call("plan_music", tune_type="jig"), call("compose_abc"), call("render")])
    outcome = _session(model).ask("a cheerful jig in D major")
    for name in TURN_FILES:
        assert (outcome.folder / name).is_file(), name
    abc = (outcome.folder / "tune.abc").read_text()
    assert validate_abc(abc).valid
    analysis = analyse_abc(abc)
    assert (analysis.meter, analysis.key, analysis.mode) == ("6/8", "D", "major")
    trace = _trace(outcome.folder)
    assert [c["name"] for c in trace["tool_calls"]] == ["plan_music", "compose_abc", "render"]
    assert trace["critic_rounds"] and trace["critic_rounds"][0]["round"] == 0
    assert trace["status"] == "done"
    explanation = (outcome.folder / "explanation.md").read_text()
    assert "6/8" in explanation and "jig" in explanation.lower()
    assert trace["llm_steps"] == [], "the words decide every choice: no model call at all"
    assert outcome.reply.startswith("Made ") and "Now: D major, 6/8" in outcome.reply  # facts from the trace


def test_image_request_cites_the_picture_features_in_the_explanation(astronaut_png: Path) -> None:
    model = scripted([call("plan_music"), call("compose_abc"), call("render")])
    outcome = _session(model).ask("music for this photo", user_files={"image": astronaut_png})
    trace = _trace(outcome.folder)
    assert "image" in trace["evidence"]
    first = trace["tool_calls"][0]
    assert (first["name"], first["by"], first["error"]) == ("describe_image", "agent", None), \
        "a photo the model forgot to look at is looked at first"
    explanation = (outcome.folder / "explanation.md").read_text()
    assert "picture" in explanation and "valence" in explanation.lower()
    assert validate_abc((outcome.folder / "tune.abc").read_text()).valid
    cues = trace["evidence"]["picture_cues"]  # the page's picture panel reads this
    assert [face["expression"] for face in cues["faces"]] == ["happy"] and cues["effects"]["moved"]["valence"]
    assert "## What is in the picture" in explanation and "happy (1.00)" in explanation


def test_audio_reference_sets_tempo_from_the_clip(tmp_path: Path) -> None:
    import soundfile

    sample_rate, bpm = 22050, 100
    clicks = np.zeros(sample_rate * 12, dtype=np.float32)
    for beat in range(int(12 * bpm / 60)):
        start = int(beat * 60 / bpm * sample_rate)
        clicks[start : start + 800] = np.sin(np.linspace(0, 200 * np.pi, 800)) * 0.8
    clip = tmp_path / "clip.wav"
    soundfile.write(clip, clicks, sample_rate)
    model = scripted([call("describe_audio", path="clip.wav"), call("plan_music"), call("compose_abc"), call("render")])
    outcome = _session(model).ask("like this clip", user_files={"audio": clip})
    plan = json.loads((outcome.folder / "plan.json").read_text())
    assert abs(plan["tempo_bpm"] - bpm) <= 12 or abs(plan["tempo_bpm"] - 2 * bpm) <= 24
    assert "clip" in plan["reasons"]["tempo_bpm"]


def test_edit_turn_makes_the_tune_slower_and_minor_and_keeps_the_rest() -> None:
    first = scripted([call("plan_music"), call("compose_abc"), call("render")])
    session = _session(first)
    before = session.ask("a waltz in G major, 16 bars")
    session.chat_model = scripted([call("edit_abc", instruction="slower, in minor"), call("render")])
    after = session.ask("now make it slower, in minor")
    old, new = analyse_abc(before.abc), analyse_abc(after.abc)
    assert new.tempo_bpm < old.tempo_bpm
    assert (new.key, new.mode, new.meter, new.bars) == (old.key, "minor", old.meter, old.bars)
    old_rhythm = [(n.bar, n.onset, n.duration) for n in tune_notes(before.abc)]
    assert [(n.bar, n.onset, n.duration) for n in tune_notes(after.abc)] == old_rhythm
    assert after.folder != before.folder and (before.folder / "tune.abc").read_text().strip() == before.abc.strip()


def test_refinement_keeps_every_round_and_zero_rounds_means_one_draft() -> None:
    plan = [call("plan_music"), call("compose_abc"), call("render")]
    refined = _session(scripted(plan), refine_rounds=3).ask("a reel in A dorian")
    rounds = _trace(refined.folder)["critic_rounds"]
    assert 1 <= len(rounds) <= 4 and sum(r["kept"] for r in rounds) == 1
    kept = next(r for r in rounds if r["kept"])
    assert kept["overall"] == max(r["overall"] for r in rounds)
    single = _session(scripted(plan), refine_rounds=0).ask("a reel in A dorian")
    assert len(_trace(single.folder)["critic_rounds"]) == 1


def test_a_plan_step_that_fails_is_replanned_once_and_steps_outside_the_job_are_left_out() -> None:
    model = scripted(
        [call("plan_music", bars="many"), call("play_beatles_song", title="Yesterday"),
         call("describe_image", path="/etc/passwd"), call("compose_abc"), call("render")],
        [call("plan_music", bars=16), call("compose_abc"), call("render")],
    )
    outcome = _session(model).ask("a tune for my nephew's birthday")  # key, instrument, ... left open
    trace = _trace(outcome.folder)
    calls = trace["tool_calls"]
    assert calls[0]["name"] == "plan_music" and "wrong arguments for plan_music" in calls[0]["error"]
    assert [c["name"] for c in calls[1:]] == ["plan_music", "compose_abc", "render"]
    assert all(c["error"] is None for c in calls[1:])
    assert len(trace["llm_steps"]) == 2
    assert any("play_beatles_song was left out" in note for note in trace["notes"])
    assert any("describe_image was left out" in note for note in trace["notes"]), "no picture: no file is read"
    assert outcome.status == "done" and (outcome.folder / "tune.wav").is_file()


def test_wrong_arguments_and_unknown_tools_are_fed_back_and_the_turn_recovers_in_the_loop(astronaut_png: Path) -> None:
    model = scripted(
        call("plan_music", request="a march", bars="many"),
        call("play_beatles_song", title="Yesterday"),
        call("describe_image", path="/etc/passwd"),
        call("plan_music", request="a march", bars=16),
        call("compose_abc"),
        call("render"),
        "A march.",
    )
    outcome = _session(model, agent_mode="loop").ask("a march", user_files={"image": astronaut_png})
    calls = _trace(outcome.folder)["tool_calls"]
    assert "wrong arguments for plan_music" in calls[0]["error"] and "bars" in calls[0]["error"]
    assert "no tool named 'play_beatles_song'" in calls[1]["error"]
    assert calls[2]["error"] and "passwd" in calls[2]["error"]
    assert outcome.status == "done" and (outcome.folder / "tune.wav").is_file()


@pytest.mark.parametrize("mode", ["plan", "loop"])
def test_model_that_calls_no_tool_still_gets_a_tune_and_the_trace_says_the_agent_did_it(mode: str) -> None:
    outcome = _session(scripted("Sure, here you go!", "Here it is."), agent_mode=mode).ask("a lullaby in F major")
    trace = _trace(outcome.folder)
    assert [c["name"] for c in trace["tool_calls"]] == ["plan_music", "compose_abc", "render"]
    assert {c["by"] for c in trace["tool_calls"]} == {"agent"}
    assert any("the agent ran" in note for note in trace["notes"])
    assert analyse_abc(outcome.abc).key == "F" and outcome.status == "done"


def test_a_looping_model_is_stopped_by_the_step_budget() -> None:
    loop = [call("critique_abc")] * 30
    outcome = _session(scripted(call("plan_music", request="a polka"), call("compose_abc"), *loop), max_agent_steps=6,
                       agent_mode="loop").ask("a polka")
    trace = _trace(outcome.folder)
    assert len(trace["llm_steps"]) == 6
    assert any("already called twice" in (c["error"] or "") for c in trace["tool_calls"])
    assert (outcome.folder / "tune.wav").is_file()


def test_interrupted_turn_leaves_a_consistent_resumable_session(monkeypatch: pytest.MonkeyPatch) -> None:
    from tunesmith.tools import render as render_module

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    session = _session(scripted([call("plan_music"), call("compose_abc"), call("render")]))
    monkeypatch.setattr(render_module, "render_all", interrupt)
    with pytest.raises(KeyboardInterrupt):
        session.ask("a slow air in A minor")
    monkeypatch.undo()
    trace = _trace(session.stored.turns[-1])
    assert trace["status"] == "interrupted"
    resumed = ChatSession.resume(session.id, scripted([call("plan_music"), call("compose_abc"), call("render")]),
                                 session.settings)
    assert "interrupted" in resumed.history_lines()[0]
    outcome = resumed.ask("a slow air in A minor")
    assert outcome.status == "done" and resumed.last_tune()[0] is not None


def test_undo_sets_the_last_turn_aside_so_edits_act_on_the_tune_before() -> None:
    session = _session(scripted([call("plan_music"), call("compose_abc"), call("render")]))
    first = session.ask("a jig in D")
    session.chat_model = scripted([call("edit_abc", instruction="in G"), call("render")])
    session.ask("now in G")
    assert analyse_abc(session.last_tune()[0]).key == "G"
    session.undo()
    assert session.last_tune()[0].strip() == first.abc.strip()


def test_a_tune_from_an_earlier_session_can_be_recalled_by_meaning_and_edited_next() -> None:
    plan = [call("plan_music"), call("compose_abc"), call("render")]
    _session(scripted(plan)).ask("a gentle waltz in G major for flute")
    _session(scripted(plan)).ask("a fast reel in A dorian")
    later = _session(scripted())  # playing an earlier tune leaves the model nothing to choose: no call
    recalled = later.ask("play the waltz I made yesterday")
    assert analyse_abc(recalled.abc).meter == "3/4"
    later.chat_model = scripted([call("edit_abc", instruction="faster"), call("render")])
    faster = later.ask("now faster")
    assert analyse_abc(faster.abc).tempo_bpm > analyse_abc(recalled.abc).tempo_bpm


def test_thanks_after_a_tune_is_answered_and_changes_nothing() -> None:
    session = _session(scripted([call("plan_music"), call("compose_abc"), call("render")]))
    first = session.ask("a jig in D")
    session.chat_model = scripted("You're welcome!")
    outcome = session.ask("thanks!")
    trace = _trace(outcome.folder)
    assert (outcome.intent, outcome.status) == ("chat", "done") and outcome.reply.startswith("You're welcome!")
    assert "Nothing changed: the tune is still version 1: D major, 6/8" in outcome.reply
    assert trace["tool_calls"] == [] and not (outcome.folder / "tune.abc").exists()
    assert session.last_tune()[0].strip() == first.abc.strip()


def test_an_edit_that_names_no_change_fails_with_its_reason_and_renders_nothing() -> None:
    session = _session(scripted([call("plan_music"), call("compose_abc"), call("render")]))
    session.ask("a jig in D")
    session.chat_model = scripted([call("edit_abc", instruction="make it better")],
                                  [call("edit_abc", instruction="better")])
    outcome = session.ask("make it better")
    trace = _trace(outcome.folder)
    assert outcome.status == "failed" and trace["status"] == "failed"
    assert outcome.reply.startswith("Nothing changed: I found no change to make in “make it better”")
    assert "The tune is still version 1" in outcome.reply
    assert not (outcome.folder / "tune.wav").exists() and not (outcome.folder / "tune.abc").exists()
    assert [c["name"] for c in trace["tool_calls"]] == ["edit_abc", "edit_abc"]


def test_a_picture_that_cannot_be_read_is_refused_before_the_turn_instead_of_composing_from_the_words(
        tmp_path: Path) -> None:
    from tunesmith.errors import InputError

    fake = tmp_path / "photo.png"
    fake.write_text("not a picture at all")
    model = scripted([call("describe_image", path="photo.png"), call("plan_music"), call("compose_abc"), call("render")])
    session = _session(model)
    with pytest.raises(InputError, match="photo.png is not an image"):
        session.ask("music for this photo", user_files={"image": fake})
    assert session.last_tune() == (None, None) and session.messages() == []


def test_with_llm_reply_the_model_words_the_reply_from_the_facts_in_one_more_call() -> None:
    model = scripted("A bright jig for you, in D.")
    outcome = _session(model, llm_reply=True).ask("a cheerful jig in D major")
    trace = _trace(outcome.folder)
    assert outcome.reply == "A bright jig for you, in D." and len(trace["llm_steps"]) == 1  # the reply only


@pytest.fixture(scope="module")
def jig_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A render of eight bars of a real jig: the user's clip."""
    return render_clip(tmp_path_factory.mktemp("clips"), KESH, "clip")


def _directions(abc: str) -> list[int]:
    pitches = [n.midi for n in tune_notes(abc) if n.midi is not None]
    return [(b > a) - (b < a) for a, b in zip(pitches, pitches[1:])]


def test_like_this_clip_but_in_minor_edits_the_clips_own_transcribed_melody(jig_clip: Path) -> None:
    model = scripted(call("transcribe_audio", path="clip.wav"), call("edit_abc", instruction="but in minor"),
                     call("render"), "Here is your clip's tune in minor.")
    outcome = _session(model).ask("like this clip, but in minor", user_files={"audio": jig_clip})
    analysis = analyse_abc(outcome.abc)
    assert (analysis.key, analysis.mode, analysis.meter) == ("G", "minor", "6/8")
    assert [(n.onset, n.duration) for n in tune_notes(outcome.abc)] == [(n.onset, n.duration) for n in tune_notes(KESH)]
    assert _directions(outcome.abc) == _directions(KESH)  # the tune's contour survives the change of mode
    explanation = (outcome.folder / "explanation.md").read_text()
    assert "transcribed from your clip:" in explanation and "Tags heard (musicnn" in explanation
    assert "you asked: 'like this clip, but in minor'" in explanation  # the user's words, not the model's


def test_a_model_that_calls_no_tool_gets_the_clip_transcribed_edited_and_rendered(jig_clip: Path) -> None:
    outcome = _session(scripted("Sure!")).ask("like this clip, but in a minor key", user_files={"audio": jig_clip})
    calls = _trace(outcome.folder)["tool_calls"]
    assert [(c["name"], c["by"], c["error"]) for c in calls] == [
        ("transcribe_audio", "agent", None), ("edit_abc", "agent", None), ("render", "agent", None)]
    assert analyse_abc(outcome.abc).mode == "minor"
    assert (outcome.folder / "tune.wav").is_file()


def test_continue_this_clip_keeps_the_clips_bars_and_adds_eight(jig_clip: Path) -> None:
    outcome = _session(scripted("ok")).ask("continue this clip", user_files={"audio": jig_clip})
    assert [c["name"] for c in _trace(outcome.folder)["tool_calls"]] == ["transcribe_audio", "continue_tune", "render"]
    written = [(n.midi, n.duration) for n in tune_notes(outcome.abc)]
    assert written[: len(tune_notes(KESH))] == [(n.midi, n.duration) for n in tune_notes(KESH)]
    assert analyse_abc(outcome.abc).bars == 16


def test_something_in_the_style_of_the_clip_is_a_new_tune_composed_from_its_melody(jig_clip: Path) -> None:
    outcome = _session(scripted("ok")).ask("something in the style of this clip", user_files={"audio": jig_clip})
    trace = _trace(outcome.folder)
    assert [c["name"] for c in trace["tool_calls"]] == ["transcribe_audio", "plan_music", "compose_abc", "render"]
    assert "in the style of the clip's transcribed melody" in trace["evidence"]["tune_origin"]
    analysis = analyse_abc(outcome.abc)
    assert (analysis.meter, analysis.key) == ("6/8", "G")
    assert outcome.abc.strip() != KESH.strip()
