"""The reply to a turn states what the trace shows: what changed, what did not and why, and the tune now."""

from __future__ import annotations

from tunesmith.agent.reply import reply_for_turn
from tunesmith.agent.state import ConversationState, TuneFacts
from tunesmith.agent.trace import ToolCallRecord, TurnTrace


def facts(**changes) -> TuneFacts:
    base = dict(title="Cheerful Reel", key="G", mode="major", meter="4/4", tempo_bpm=220, instrument="fiddle", bars=32,
                form="AABB")
    return TuneFacts(**{**base, **changes})


def state_with_reel(reference: str | None = None) -> ConversationState:
    state = ConversationState()
    state.add(turn=1, folder="t1", request="a cheerful reel in G major for fiddle", facts=facts(), based_on=None,
              edit_kinds=[])
    return state.for_turn(state.version(1), reference)


def trace(request: str, tune: TuneFacts | None, edit: dict | None = None, calls: list[str] = ()) -> TurnTrace:
    evidence = {"tune_facts": tune.model_dump()} if tune else {}
    if edit is not None:
        evidence["edit"] = {"refused": [], "skipped": [], "already": [], "open": [], "unmeasured": [], **edit}
    return TurnTrace(request=request, backend="scripted", model="scripted", evidence=evidence,
                     tool_calls=[ToolCallRecord(index=i, name=name, arguments={}) for i, name in enumerate(calls)])


def test_an_edit_reply_names_each_change_with_before_and_after_and_the_tune_now() -> None:
    reply = reply_for_turn(trace("make it slower and put it in minor", facts(tempo_bpm=176, mode="minor"), {}),
                           state_with_reel())
    assert "the mode (G major → G minor)" in reply and "the tempo (220 BPM → 176 BPM)" in reply
    assert "Kept the key, meter, instrument and length." in reply
    assert reply.endswith("Now: G minor, 4/4, 176 BPM, fiddle, 32 bars, form AABB (version 2).")
    assert "cheerful reel in G major" not in reply  # nothing about an earlier turn


def test_what_was_not_done_is_said_with_its_reason() -> None:
    edit = {"skipped": ["'two octaves higher' was not done: it would leave the fiddle's range"],
            "refused": ["'H' is not a note name: a key is a letter A to G"]}
    reply = reply_for_turn(trace("two octaves higher, in H", None, edit), state_with_reel())
    assert reply.startswith("Nothing changed.") and "'two octaves higher' was not done" in reply
    assert "'H' is not a note name" in reply
    assert "The tune is still version 1: G major, 4/4, 220 BPM, fiddle, 32 bars, form AABB." in reply


def test_thanks_changes_nothing_and_says_so_with_a_hint() -> None:
    reply = reply_for_turn(trace("thanks!", None, {}), state_with_reel())
    assert reply.startswith("Nothing changed: I found no change to make in “thanks!”") and "“slower”" in reply


def test_a_first_tune_is_described_by_its_measured_facts() -> None:
    reply = reply_for_turn(trace("a cheerful reel", facts(), calls=["plan_music", "compose_abc", "render"]),
                           ConversationState().for_turn(None, None))
    assert reply == "Made “Cheerful Reel”. Now: G major, 4/4, 220 BPM, fiddle, 32 bars, form AABB (version 1)."


def test_going_back_to_an_earlier_version_says_which_one() -> None:
    reply = reply_for_turn(trace("go back to the first tune", facts(), {}), state_with_reel("the first tune"))
    assert "Started from version 1 (“a cheerful reel in G major for fiddle”)" in reply and "This is that version again." in reply


def test_changes_the_facts_do_not_show_are_named_from_the_edit() -> None:
    edit = {"unmeasured": ["rhythm livelier: long notes split, with passing notes (50 -> 76 notes)"]}
    reply = reply_for_turn(trace("more lively", facts(), edit), state_with_reel())
    assert "Rhythm livelier" in reply and "Nothing changed" not in reply


def test_a_failed_turn_says_what_failed() -> None:
    failed = trace("a jig", None)
    failed.tool_calls = [ToolCallRecord(index=1, name="compose_abc", arguments={}, error="Error from compose_abc: no library")]
    assert reply_for_turn(failed, None) == "No tune was made this time: compose_abc failed: no library."


def test_a_version_that_does_not_exist_is_named_and_nothing_changes() -> None:
    state = ConversationState()
    state.add(turn=1, folder="t1", request="a reel", facts=facts(), based_on=None, edit_kinds=[])
    turn = state.for_turn(state.version(1), "version 9", problem="there is no version 9; this conversation has versions 1-1")
    reply = reply_for_turn(trace("go back to version 9", None, {}), turn)
    assert reply.startswith("I could not go back as asked (version 9): there is no version 9")
    assert "Nothing changed." in reply and "The tune is still version 1" in reply
