"""Conversations that hold: scripted model turns through the real agent loop, tools and session files.

The scripted model behaves like the small embedded model of issue 17: it paraphrases the user's words
in edit_abc, invents changes, repeats stale replies, or calls no tool at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.scripted_model import call, scripted

from tunesmith.agent.session import ChatSession
from tunesmith.settings import load_settings
from tunesmith.tools.abc import analyse_abc, tune_notes

STALE = "I made a cheerful reel in G major for fiddle."


def _trace(folder: Path) -> dict:
    return json.loads((folder / "trace.json").read_text())


@pytest.fixture
def reel_session() -> ChatSession:
    session = ChatSession.start(scripted(call("plan_music", request="a cheerful reel in G major for fiddle"),
                                         call("compose_abc"), call("render"), STALE), load_settings(refine_rounds=0))
    session.ask("a cheerful reel in G major for fiddle")
    return session


def ask(session: ChatSession, words: str, *steps):
    session.chat_model = scripted(*steps)
    return session.ask(words)


def test_the_issue_s_conversation_does_what_each_turn_s_own_words_ask(reel_session: ChatSession) -> None:
    first = analyse_abc(reel_session.last_tune()[0])
    second = ask(reel_session, "make it slower and put it in minor", call("edit_abc", instruction="slower, minor"),
                 call("render"), STALE)
    tune = analyse_abc(second.abc)
    assert (tune.key, tune.mode) == ("G", "minor") and tune.tempo_bpm < first.tempo_bpm
    assert "G major → G minor" in second.reply and STALE not in second.reply
    third = ask(reel_session, "now play it on the flute, and move it up to A",
                call("edit_abc", instruction="tempo 120; mode minor; instrument flute; length 4"), call("render"), STALE)
    tune3 = analyse_abc(third.abc)
    assert (tune3.key, tune3.mode, tune3.instrument_program, tune3.tempo_bpm) == ("A", "minor", 73, tune.tempo_bpm)
    assert tune3.bars == first.bars  # the model's invented "length 4" and "tempo 120" were not applied
    assert "120" not in third.reply
    fourth = ask(reel_session, "make it twice as long", call("edit_abc", instruction="twice as long"), call("render"), "ok")
    assert analyse_abc(fourth.abc).bars == 2 * first.bars and "Now: A minor" in fourth.reply


def test_an_impossible_edit_gets_one_sentence_naming_what_is_valid(reel_session: ChatSession) -> None:
    outcome = ask(reel_session, "put it in 0/4", call("edit_abc", instruction="0/4"), "done")
    assert outcome.abc is None and "'0/4' is not a meter" in outcome.reply and "6/8" in outcome.reply


def test_going_back_to_the_version_before_the_flute_brings_that_tune_back(reel_session: ChatSession) -> None:
    minor = ask(reel_session, "in minor", call("edit_abc", instruction="minor"), call("render"), "ok")
    ask(reel_session, "for flute", call("edit_abc", instruction="flute"), call("render"), "ok")
    back = ask(reel_session, "go back to the version before the flute", call("render"), "ok")
    assert [n.midi for n in tune_notes(back.abc)] == [n.midi for n in tune_notes(minor.abc)]
    assert analyse_abc(back.abc).instrument_program == 110 and "Started from version 2" in back.reply
    faster = ask(reel_session, "faster", call("edit_abc", instruction="faster"), call("render"), "ok")
    assert analyse_abc(faster.abc).mode == "minor" and analyse_abc(faster.abc).instrument_program == 110


def test_words_that_only_point_back_bring_that_version_back(reel_session: ChatSession) -> None:
    first = reel_session.last_tune()[0]
    ask(reel_session, "in minor", call("edit_abc", instruction="minor"), call("render"), "ok")
    back = ask(reel_session, "go back to the first tune", "Sure!")
    assert back.status == "done" and back.intent == "edit"
    assert [n.midi for n in tune_notes(back.abc)] == [n.midi for n in tune_notes(first)]
    assert "Started from version 1" in back.reply


def test_words_only_the_edit_reader_knows_still_change_the_tune(reel_session: ChatSession) -> None:
    first = analyse_abc(reel_session.last_tune()[0])
    shorter = ask(reel_session, "half as long", "Sure!")
    assert shorter.intent == "edit" and analyse_abc(shorter.abc).bars == first.bars // 2


def test_the_first_tune_but_in_6_8_edits_the_first_tune(reel_session: ChatSession) -> None:
    ask(reel_session, "in minor", call("edit_abc", instruction="minor"), call("render"), "ok")
    outcome = ask(reel_session, "the first tune, but in 6/8", call("edit_abc", instruction="6/8"), call("render"), "ok")
    tune = analyse_abc(outcome.abc)
    assert (tune.mode, tune.meter, tune.bars) == ("major", "6/8", 32)


def test_undo_and_redo_move_between_versions_and_survive_a_restart(reel_session: ChatSession) -> None:
    ask(reel_session, "slower", call("edit_abc", instruction="slower"), call("render"), "ok")
    assert "Undid version 2" in reel_session.undo()
    assert analyse_abc(reel_session.last_tune()[0]).tempo_bpm == 220
    resumed = ChatSession.resume(reel_session.id, scripted("ok"), reel_session.settings)
    assert resumed.state_lines()[0].startswith("Current tune: version 1 of 2")
    assert "Redid version 2" in resumed.redo() and analyse_abc(resumed.last_tune()[0]).tempo_bpm == 176
    saved = json.loads((resumed.stored.folder / "session.json").read_text())
    assert saved["state"]["current"] == 2 and len(saved["state"]["versions"]) == 2


def test_a_model_that_composes_over_an_edit_is_kept_to_the_edit_tools(reel_session: ChatSession) -> None:
    outcome = ask(reel_session, "in dorian", call("plan_music", request="a tune in dorian"), call("compose_abc"), "ok")
    trace = _trace(outcome.folder)
    assert [c["name"] for c in trace["tool_calls"]] == ["edit_abc", "render"]
    assert trace["llm_steps"] == [], "the words name the whole edit: the model is not asked"
    tune = analyse_abc(outcome.abc)
    assert (tune.key, tune.mode, tune.bars) == ("G", "dorian", 32)  # the same reel, in dorian: an edit, not a new tune


def test_words_asking_for_a_new_tune_get_one_even_through_edit_abc(reel_session: ChatSession) -> None:
    outcome = ask(reel_session, "now a polka in D for accordion", call("edit_abc", instruction="polka D accordion"),
                  call("render"), "ok")
    tune = analyse_abc(outcome.abc)
    assert (tune.key, tune.meter, tune.instrument_program) == ("D", "2/4", 21)
    assert outcome.reply.startswith("Made a new tune")
    assert reel_session.state.current_version.based_on is None


def test_hello_before_any_tune_composes_nothing_and_a_request_then_does() -> None:
    session = ChatSession.start(scripted("Hi! What shall we play?"), load_settings(refine_rounds=0))
    hello = session.ask("hello!")
    assert hello.abc is None and "There is no tune yet" in hello.reply
    session.chat_model = scripted("Here you go.")  # the model calls no tool: the agent composes from the words
    waltz = session.ask("a waltz in G for accordion")
    assert analyse_abc(waltz.abc).meter == "3/4" and session.state.current == 1
