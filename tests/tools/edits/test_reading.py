"""What an edit request's words say: changes, refusals of impossible values, open asks, references, new tunes."""

from __future__ import annotations

import pytest

from tunesmith.tools.edits import EditError, asks_for_music, asks_for_new_tune, parse_edit, read_edit


def kinds(words: str) -> list[tuple[str, object]]:
    return [(op.kind, op.value) for op in read_edit(words).ops]


def test_the_issue_s_turns_read_as_every_change_they_ask_for_in_order() -> None:
    assert kinds("make it slower and put it in minor") == [("tempo", 0.8), ("mode", "minor")]
    reading = read_edit("now play it on the flute, and move it up to A")
    assert [(op.kind, op.value, op.direction) for op in reading.ops] == [("instrument", "flute", None), ("key", "A", "up")]
    assert kinds("make it twice as long") == [("bars", 2.0)]


@pytest.mark.parametrize(("words", "expected"), [
    ("a fourth higher", [("transpose", 5)]), ("down a tone", [("transpose", -2)]),
    ("an octave lower", [("transpose", -12)]), ("in dorian", [("mode", "dorian")]),
    ("back to major", [("mode", "major")]), ("as a waltz", [("tune_type", "waltz")]),
    ("turn it into a jig", [("tune_type", "jig")]), ("in 6/8", [("meter", "6/8")]),
    ("a bit faster", [("tempo", 1.1)]), ("much slower", [("tempo", 0.65)]), ("at 90 bpm", [("tempo", 90)]),
    ("only 8 bars", [("bars", 8)]), ("make it longer", [("bars", "+part")]), ("add a B part", [("section", "add B")]),
    ("give it another part", [("section", "add")]), ("end on a high note", [("ending", "high")]),
    ("end it on a low note", [("ending", "low")]), ("more lively", [("density", "more")]),
    ("simpler please", [("density", "less")]), ("slower, in A minor and for flute",
                                                [("tempo", 0.8), ("key", "A"), ("mode", "minor"), ("instrument", "flute")]),
])
def test_everyday_edit_words_become_operations(words: str, expected: list) -> None:
    assert kinds(words) == expected


@pytest.mark.parametrize(("words", "sentence"), [
    ("in 0/4", "'0/4' is not a meter"), ("put it in 7/3 time", "'7/3 time' is not a meter"),
    ("move it up to H", "'H' is not a note name"), ("in the key of X", "'X' is not a note name"),
    ("at 500 bpm", "the tempo must be 30 to 260 BPM"), ("only 500 bars", "a tune here has 2 to 128 bars"),
    ("play it on the theremin", "'theremin' is not an instrument"),
])
def test_impossible_values_are_refused_in_one_sentence_naming_what_is_valid(words: str, sentence: str) -> None:
    reading = read_edit(words)
    assert reading.ops == [] and len(reading.refused) == 1 and sentence in reading.refused[0]
    with pytest.raises(EditError, match=sentence.split(":")[0][:12]):
        parse_edit(words)


def test_a_refused_value_does_not_stop_the_other_changes() -> None:
    reading = read_edit("slower and up to H")
    assert [op.kind for op in reading.ops] == ["tempo"] and len(reading.refused) == 1


def test_a_kind_asked_for_without_a_value_is_open_for_the_model_to_fill() -> None:
    assert read_edit("change the key").open_kinds == ["key"]
    assert read_edit("try a different instrument").open_kinds == ["instrument"]


@pytest.mark.parametrize(("words", "kind", "number"), [
    ("go back to the first tune", "number", 1), ("the original, please", "number", 1), ("version 2", "number", 2),
    ("go back to the second version", "number", 2), ("the previous version", "previous", None),
    ("undo that", "previous", None), ("go back", "previous", None),
])
def test_words_pointing_back_at_a_version_are_read_as_a_reference(words: str, kind: str, number: int | None) -> None:
    reading = read_edit(words)
    assert reading.reference is not None and (reading.reference.kind, reading.reference.number) == (kind, number)
    assert reading.ops == []


def test_the_version_before_a_change_names_the_change_and_is_not_read_as_one() -> None:
    reading = read_edit("go back to the version before the flute")
    assert reading.ops == [] and reading.reference.kind == "before"
    assert (reading.reference.change.kind, reading.reference.change.value) == ("instrument", "flute")
    assert read_edit("go back to before the key change").reference.change_kind == "key"


def test_a_reference_and_a_change_together() -> None:
    reading = read_edit("the first tune, but in 6/8")
    assert reading.reference.number == 1 and kinds("the first tune, but in 6/8") == [("meter", "6/8")]


@pytest.mark.parametrize("words", ["now a polka in D for accordion", "write me a jig", "another tune please",
                                   "something completely different", "how about a waltz in G"])
def test_words_asking_for_a_new_tune_are_told_apart_from_edits(words: str) -> None:
    assert asks_for_new_tune(words)


@pytest.mark.parametrize("words", ["make it a waltz", "slower", "in minor", "turn it into a jig", "thanks!"])
def test_edits_and_thanks_do_not_ask_for_a_new_tune(words: str) -> None:
    assert not asks_for_new_tune(words)


def test_thanks_and_hello_ask_for_no_music_at_all() -> None:
    assert not asks_for_music("thanks!") and not asks_for_music("hello!")
    assert asks_for_music("a slow air please") and asks_for_music("something in D minor")
