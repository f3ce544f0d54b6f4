"""The picture's words go through the reader of the user's words, one line at a time, title first."""

from __future__ import annotations

from tunesmith.tools.vision.picture_words import read_picture_words


def test_a_title_names_what_the_same_words_name_in_a_request() -> None:
    words = read_picture_words(["Requiem in D minor", "for choir and strings"])
    assert (words.targets.key, words.targets.mode) == ("D", "minor")
    assert [scene.atmosphere for scene in words.scenes] == ["mournful, sacred"]
    assert {"solemn", "melancholic"} <= set(words.moods)
    assert words.named("key") == "Requiem in D minor"
    assert words.targets.instrument == "choir" and words.named("instrument") == "for choir and strings"


def test_the_first_line_naming_a_field_wins_and_lines_never_combine() -> None:
    words = read_picture_words(["The Blue Danube Waltz", "a jig and a reel"])
    assert words.targets.tune_type == "waltz" and words.named("tune_type") == "The Blue Danube Waltz"
    assert read_picture_words(["Slow Air Mail"]).targets.tune_type == "slow air"
    assert read_picture_words(["Slow", "Air Mail"]).targets.tune_type is None  # two lines are not one phrase


def test_a_line_the_reader_refuses_is_skipped_with_its_reason_and_the_rest_still_read() -> None:
    words = read_picture_words(["Recorded live, 900 minutes long", "Summer Nights"])
    assert len(words.skipped) == 1 and "900 minutes" in words.skipped[0]
    assert [scene.atmosphere for scene in words.scenes] == ["warm, sunlit", "nocturnal, starlit"]
