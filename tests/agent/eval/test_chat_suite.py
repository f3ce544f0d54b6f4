"""The multi-turn chat suite: its shape, the turn checks read from the files, the reply consistency check,
and a run through the real agent with a model that calls no tool (the agent applies the user's words)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.paths import EVAL_SUITES
from support.scripted_model import scripted

from tunesmith.agent.eval.conversation import reply_problems, turn_misses
from tunesmith.agent.eval.run import run_eval
from tunesmith.agent.eval.suite import Expectation, SuiteError, load_suite
from tunesmith.settings import load_settings
from tunesmith.tools.edits import read_edit

REEL = "X:1\nT:Reel\nM:4/4\nL:1/8\nQ:1/4=220\nK:G\n%%MIDI program 110\nGABc dBGB|cBcd efge|dBGB cAFA|GABc d4|]\n"
SLOWER_MINOR = REEL.replace("Q:1/4=220", "Q:1/4=176").replace("K:G", "K:Gm")


def test_the_chat_suite_has_twenty_conversations_and_eighty_turns_of_every_kind() -> None:
    suite = load_suite(EVAL_SUITES / "chat_sessions.yaml")
    conversations = {case.conversation for case in suite.cases}
    assert len(conversations) >= 20 and len(suite.cases) >= 80
    edits = [case for case in suite.cases if case.turn > 1]
    assert all(case.edit_of == f"{case.conversation}-{case.turn - 1}" for case in edits)
    several = [c for c in suite.cases if len(read_edit(c.request).ops) >= 2]
    nothing = [c for c in suite.cases if c.expect.unchanged]
    back = [c for c in suite.cases if c.expect.same_as or read_edit(c.request).reference]
    assert len(several) >= 6 and len(nothing) >= 10 and len(back) >= 8


def test_turns_expected_to_change_nothing_ask_for_nothing_or_for_something_impossible() -> None:
    for case in load_suite(EVAL_SUITES / "chat_sessions.yaml").cases:
        if case.expect.unchanged:
            reading = read_edit(case.request)
            assert not reading.ops or reading.refused, case.id


def test_a_same_as_that_is_not_an_earlier_turn_names_the_conversation_and_turn(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nconversations:\n  - id: c\n    turns:\n      - request: a jig\n"
                   "        expect: {same_as: 1}\n")
    with pytest.raises(SuiteError, match="id 'c'.*turn 1.*same_as"):
        load_suite(bad)


def _turn(tmp_path: Path, abc: str | None, edit: dict | None = None) -> Path:
    folder = tmp_path / "turn"
    folder.mkdir(exist_ok=True)
    if abc is not None:
        (folder / "tune.abc").write_text(abc)
    (folder / "trace.json").write_text(json.dumps({"plan": {"instrument": "fiddle"}, "evidence": {"edit": edit or {}}}))
    return folder


def test_the_reply_check_accepts_a_reply_that_states_what_the_files_hold(tmp_path: Path) -> None:
    folder = _turn(tmp_path, SLOWER_MINOR)
    reply = ("Changed the mode (G major → G minor) and the tempo (220 BPM → 176 BPM). "
             "Now: G minor, 4/4, 176 BPM, fiddle, 4 bars, form A (version 2).")
    assert reply_problems(reply, folder, REEL, json.loads((folder / "trace.json").read_text())) == []


def test_the_reply_check_catches_a_stale_reply_about_an_earlier_turn(tmp_path: Path) -> None:
    folder = _turn(tmp_path, SLOWER_MINOR)
    trace = json.loads((folder / "trace.json").read_text())
    assert reply_problems("I made a cheerful reel in G major for fiddle.", folder, REEL, trace)  # no facts stated
    stale = "Now: G major, 4/4, 220 BPM, fiddle, 4 bars, form A (version 2)."
    assert any("mode" in p for p in reply_problems(stale, folder, REEL, trace))


def test_the_reply_check_wants_no_summary_from_a_question_that_left_the_tune_as_it_was(tmp_path: Path) -> None:
    folder = _turn(tmp_path, REEL)
    trace = json.loads((folder / "trace.json").read_text())
    assert reply_problems("It is in G major.", folder, REEL, trace) == []
    assert reply_problems("It is in G major.", _turn(tmp_path, SLOWER_MINOR), REEL, trace)  # a change unstated


def test_the_reply_check_wants_every_change_not_done_named(tmp_path: Path) -> None:
    folder = _turn(tmp_path, None, {"refused": ["'H' is not a note name: a key is a letter A to G"]})
    trace = json.loads((folder / "trace.json").read_text())
    assert reply_problems("Nothing changed.", folder, REEL, trace) == ["the trace says 'H' was not done, the reply does not say so"]
    assert reply_problems("Changed the key. Now: A major", folder, REEL, trace)[0].startswith("the turn wrote no tune")


def test_turn_checks_compare_with_the_tune_before_and_with_earlier_turns(tmp_path: Path) -> None:
    folder = _turn(tmp_path, SLOWER_MINOR)
    assert turn_misses(Expectation(relative={"tempo": "lower"}), folder, REEL, {}) == []
    assert turn_misses(Expectation(relative={"tempo": "higher"}), folder, REEL, {}) == \
        ["tempo: expected higher than before, got lower"]
    assert turn_misses(Expectation(unchanged=True), folder, REEL, {})  # it did write a new version
    earlier = tmp_path / "first"
    earlier.mkdir()
    (earlier / "tune.abc").write_text(REEL)
    assert turn_misses(Expectation(same_as=1), folder, REEL, {1: earlier}) == ["same_as: the notes differ from turn 1's tune"]
    assert turn_misses(Expectation(same_as=1), _turn(tmp_path, REEL), SLOWER_MINOR, {1: earlier}) == []


@pytest.mark.slow
def test_two_conversations_run_through_the_agent_with_turn_level_numbers_in_the_report(tmp_path: Path) -> None:
    suite = tmp_path / "chat.yaml"
    suite.write_text("""\
name: chat_mini
conversations:
  - id: reel
    turns:
      - request: "a reel in G major for fiddle"
        expect: {key: G, mode: major, meter: 4/4, instrument: fiddle}
      - request: "make it slower and put it in minor"
        expect: {key: G, mode: minor, relative: {tempo: lower}}
      - request: "thanks!"
        expect: {unchanged: true}
      - request: "go back to the first tune"
        expect: {same_as: 1, mode: major}
  - id: hello
    turns:
      - request: "hello!"
        expect: {unchanged: true}
      - request: "put it in 0/4"
        expect: {unchanged: true}
""")
    report = run_eval([suite], tmp_path / "out", settings=load_settings(refine_rounds=0), ablations=False,
                      progress=False, model_factory=lambda settings, case: scripted("ok"), with_audio=False)
    cases = report.backends["embedded"].cases
    assert [c.all_met for c in cases.values()] == [True] * 6, {k: c.unmet for k, c in cases.items()}
    assert all(c.reply_problems == [] for c in cases.values()), {k: c.reply_problems for k, c in cases.items()}
    summary = report.summary("embedded")
    assert summary.all_met_rate == 1.0 and summary.reply_consistent_rate == 1.0
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "## Conversations: turn by turn" in markdown and "| embedded | 6 | 6 | 100% | 100% |" in markdown
