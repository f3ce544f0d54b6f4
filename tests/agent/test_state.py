"""The conversation state: facts measured from each version's ABC, references back, undo and redo."""

from __future__ import annotations

import pytest

from tunesmith.agent.state import ConversationState, TuneFacts, VersionNotFound
from tunesmith.tools.edits import read_edit

REEL = "X:1\nT:R\nR:reel\nM:4/4\nL:1/8\nQ:1/4=220\nK:G\n%%MIDI program 110\n|:GABc dBGB|cBcd efge:|\n|:dBGB cAFA|GABc d4:|\n"


def facts(**changes) -> TuneFacts:
    base = dict(key="G", mode="major", meter="4/4", tempo_bpm=220, instrument="fiddle", bars=32, form="AABB")
    return TuneFacts(**{**base, **changes})


def conversation() -> ConversationState:
    """1 new reel; 2 slower + minor; 3 flute + up to A; 4 twice as long."""
    state = ConversationState()
    state.add(turn=1, folder="t1", request="a reel", facts=facts(), based_on=None, edit_kinds=[])
    state.add(turn=2, folder="t2", request="slower, minor", facts=facts(tempo_bpm=176, mode="minor"), based_on=1,
              edit_kinds=["tempo", "mode"])
    state.add(turn=3, folder="t3", request="flute, up to A", facts=facts(tempo_bpm=176, mode="minor", key="A",
              instrument="flute"), based_on=2, edit_kinds=["instrument", "key"])
    state.add(turn=4, folder="t4", request="twice as long", facts=facts(tempo_bpm=176, mode="minor", key="A",
              instrument="flute", bars=64), based_on=3, edit_kinds=["bars"])
    return state


def test_facts_are_measured_from_the_abc_with_the_plan_naming_the_instrument() -> None:
    measured = TuneFacts.from_abc(REEL, {"instrument": "fiddle", "tune_type": "reel"})
    assert (measured.key, measured.mode, measured.meter, measured.tempo_bpm, measured.bars) == ("G", "major", "4/4", 220, 4)
    assert measured.instrument == "fiddle" and measured.form == "AB"
    assert TuneFacts.from_abc(REEL, {"instrument": "flute"}).instrument == "fiddle"  # the ABC wins over a stale plan


def test_each_version_records_what_changed_from_the_one_it_came_from() -> None:
    state = conversation()
    assert state.version(2).changed == ["mode", "tempo_bpm"]
    assert state.version(3).changed == ["key", "instrument"]
    assert state.current == 4


@pytest.mark.parametrize(("words", "number"), [
    ("go back to the version before the flute", 2), ("the first tune", 1), ("version 3", 3),
    ("the previous version", 3), ("go back to before the key change", 2), ("the version before the minor", 1),
    ("undo that", 3),
])
def test_words_pointing_back_pick_the_right_version(words: str, number: int) -> None:
    assert conversation().resolve(read_edit(words).reference).number == number


def test_a_version_that_does_not_exist_is_one_sentence_naming_the_ones_there_are() -> None:
    with pytest.raises(VersionNotFound, match="versions 1-4"):
        conversation().resolve(read_edit("version 9").reference)
    with pytest.raises(VersionNotFound, match="no version .* came right before"):
        conversation().resolve(read_edit("the version before the waltz").reference)


def test_undo_goes_back_to_the_version_it_came_from_and_redo_brings_it_back() -> None:
    state = conversation()
    assert state.undo().number == 4 and state.current == 3
    assert state.undo().number == 3 and state.current == 2
    assert state.redo().number == 3 and state.current == 3
    state.add(turn=5, folder="t5", request="in 6/8", facts=facts(meter="6/8"), based_on=3, edit_kinds=["meter"])
    assert state.redo() is None and state.current == 5  # a new version ends the redo trail


def test_the_state_lines_show_the_current_tune_and_every_version() -> None:
    lines = conversation().lines()
    assert lines[0] == "Current tune: version 4 of 4: A minor, 4/4, 176 BPM, flute, 64 bars, form AABB"
    assert len(lines) == 5 and lines[-1].startswith("→ 4.")
