"""The intent reader: the user's words decide what kind of job a turn is."""

from __future__ import annotations

import pytest

from tunesmith.tools.planning.intent import read_intent


@pytest.mark.parametrize("words", [
    "play this tune", "let me hear it", "play it", "what does it sound like?", "render it please",
])
def test_asking_to_hear_an_attached_tune_is_play_not_an_edit(words: str) -> None:
    assert read_intent(words, attached={"abc"}).intent == "play"


@pytest.mark.parametrize(("words", "field"), [
    ("let me hear it on the flute", "instrument"), ("play it faster", "tempo"), ("play it in G", "key"),
])
def test_playing_it_differently_is_an_edit(words: str, field: str) -> None:
    intent = read_intent(words, attached={"abc"})
    assert intent.intent == "edit"


@pytest.mark.parametrize(("words", "intent", "extra"), [
    ("show me the score", "score", {"formats": ["svg"]}),
    ("show me the sheet music as a PDF", "score", {"formats": ["svg", "pdf"]}),
    ("is this valid?", "check", {}),
    ("what's wrong with bar 7?", "check", {"bar": 7}),
    ("any mistakes in the third bar?", "check", {"bar": 3}),
    ("convert it to MIDI", "convert", {"formats": ["mid"]}),
    ("export as MusicXML", "convert", {"formats": ["musicxml"]}),
    ("what key is this in?", "analyse", {"questions": ["key"]}),
    ("what kind of tune is it?", "analyse", {"questions": ["tune_type"]}),
    ("is this a jig?", "analyse", {}),
    ("continue this tune for 8 bars", "continue", {"bars": 8}),
    ("carry on for sixteen more bars", "continue", {"bars": 16}),
    ("fix it", "repair", {}),
    ("list the tunes in this file", "list", {}),
])
def test_each_kind_of_request_on_the_users_tune_is_read_with_its_details(words: str, intent: str, extra: dict) -> None:
    read = read_intent(words, attached={"abc"})
    assert read.intent == intent, read
    for field, value in extra.items():
        assert getattr(read, field) == value


def test_abc_from_a_midi_file_is_a_conversion_to_abc() -> None:
    read = read_intent("ABC from this MIDI please", attached={"midi"})
    assert (read.intent, read.formats) == ("convert", ["abc"])


def test_missing_bars_of_a_midi_are_a_repair_with_the_gap_named() -> None:
    read = read_intent("bars 9-12 are missing, fill them in", attached={"midi"})
    assert (read.intent, read.gap) == ("repair", (9, 12))


@pytest.mark.parametrize(("words", "choice"), [
    ("play the second one", {"position": 2}),
    ("play tune 3", {"position": 3}),
    ("X:3", {"x": "3"}),
    ("play the last one", {"position": -1}),
    ('play "The Kesh"', {"title": "The Kesh"}),
    ("show me the one called Drowsy Maggie", {"title": "Drowsy Maggie"}),
    ("check all of them", {"every": True}),
])
def test_a_tune_of_a_book_is_picked_by_number_x_title_or_all(words: str, choice: dict) -> None:
    read = read_intent(words, attached={"abc"})
    assert read.tune is not None
    assert read.tune.model_dump(exclude_defaults=True) == choice


def test_a_bar_number_is_not_read_as_a_tune_number() -> None:
    assert read_intent("what's wrong with the 7th bar?", attached={"abc"}).tune is None


@pytest.mark.parametrize("words", [
    "now make it slower, in minor", "put it in G", "play it on the flute instead", "a bit faster please",
    "take it up a fourth", "and in minor", "much slower", "for violin", "make it shorter",
    "can it end on a happy note?", "an octave higher", "at 60 bpm", "drop the B part", "write it out in 4/4",
    "change it to E minor", "now as a waltz, and sadder", "make the B part an octave higher",
])
def test_changes_to_the_previous_tune_are_edits(words: str) -> None:
    assert read_intent(words, tune_at_hand=True).intent == "edit"


@pytest.mark.parametrize("words", ["a reel in A dorian", "a slow air in E minor, 16 bars", "now a polka in D",
                                   "write me another jig"])
def test_a_new_tune_asked_for_with_a_tune_at_hand_is_composed(words: str) -> None:
    assert read_intent(words, tune_at_hand=True).intent == "compose"


@pytest.mark.parametrize("words", ["thanks!", "hello", "great, thank you", "what is a slip jig?"])
def test_remarks_and_questions_are_chat_and_never_an_edit(words: str) -> None:
    assert read_intent(words, tune_at_hand=True).intent == "chat"
    assert read_intent(words).intent in ("chat", "compose")


@pytest.mark.parametrize("words", ["thanks!", "hello there", "who are you?"])
def test_remarks_without_a_tune_do_not_compose(words: str) -> None:
    assert read_intent(words).intent == "chat"


@pytest.mark.parametrize("words", [
    "a cheerful jig in D major", "in the key of C# minor, for piano", "something peaceful for flute",
    "thirty-two bars in AABA form, in F major, for guitar", "allegro, in A major, for violin",
])
def test_requests_for_music_without_a_tune_compose(words: str) -> None:
    assert read_intent(words).intent == "compose"


def test_unclear_words_with_an_attached_tune_play_it_and_with_only_a_previous_tune_change_nothing() -> None:
    assert read_intent("hmm, here you go", attached={"abc"}).intent == "play"
    assert read_intent("hmm, here you go", tune_at_hand=True).intent == "chat"


def test_a_picture_asks_for_a_new_tune_and_a_clip_s_melody_is_the_tune_the_words_act_on() -> None:
    assert read_intent("music for this picture", attached={"image"}).intent == "compose"
    assert read_intent("something in the style of this clip", attached={"audio"}).intent == "compose"
    assert read_intent("like this clip, but slower", attached={"audio"}).intent == "edit"
    assert read_intent("continue this clip", attached={"audio"}).intent == "continue"
    transcribe = read_intent("transcribe this clip", attached={"audio"})
    assert (transcribe.intent, transcribe.formats) == ("convert", ["abc"])


def test_playing_an_earlier_tune_without_one_at_hand_is_play() -> None:
    assert read_intent("play the waltz I made yesterday").intent == "play"


def test_the_words_that_decided_are_kept_as_evidence() -> None:
    assert "valid" in read_intent("is this valid?", attached={"abc"}).evidence


def test_turning_a_tune_into_a_jig_is_an_edit_and_into_a_midi_file_a_conversion() -> None:
    assert read_intent("turn it into a jig", tune_at_hand=True).intent == "edit"
    assert read_intent("turn it into a MIDI file", tune_at_hand=True).intent == "convert"


def test_a_key_named_without_its_mode_leaves_neither_open_to_the_model() -> None:
    from tunesmith.tools.planning.intent import open_plan_fields

    assert open_plan_fields("a reel in D for flute", ["key", "mode", "instrument"]) == []
    assert "key" in open_plan_fields("a cheerful tune", ["key", "mode"])
