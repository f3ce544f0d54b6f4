"""Any words at all: the request and edit readers give targets or one RequestError sentence naming what is
valid, never another exception; tempo, bars, meter and key out of range are refused the same way everywhere."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunesmith.tools.edits import parse_edit
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.planning import RequestError, parse_request, plan_from_request

CURRENT = MusicPlan(bars=16, tempo_bpm=100)
VOCABULARY = ["a", "jig", "reel", "waltz", "in", "key of", "D", "G", "H#", "Bb", "major", "minor", "dorian", "bars",
              "bar", "per part", "bpm", "tempo", "at", "seconds", "minutes", "for", "violin", "slower", "faster",
              "6/8", "0/4", "time", "up", "a fifth", "octave", "add", "remove", "shorter", "longer", "slow", "fast"]
numbers = st.one_of(st.integers(-5, 300).map(str), st.text(alphabet=string.digits, min_size=1, max_size=450),
                    st.decimals(0, 10**6, places=2, allow_nan=False).map(str))
words = st.lists(st.one_of(st.sampled_from(VOCABULARY), numbers, st.text(max_size=6)), max_size=14).map(" ".join)


def reads_or_refuses(read, text: str) -> None:
    try:
        read(text)
    except RequestError as error:
        message = str(error)
        assert message and "\n" not in message and len(message) < 400


@settings(max_examples=300, deadline=None)
@given(words)
def test_any_request_gives_targets_and_a_plan_or_one_sentence(text: str) -> None:
    reads_or_refuses(parse_request, text)
    reads_or_refuses(plan_from_request, text)


@settings(max_examples=300, deadline=None)
@given(words)
def test_any_edit_gives_operations_or_one_sentence(text: str) -> None:
    reads_or_refuses(parse_edit, text)
    reads_or_refuses(lambda t: parse_edit(t, CURRENT), text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=string.digits, min_size=1, max_size=500))
def test_a_number_of_bars_of_any_size_is_read_or_refused_with_the_range(digits: str) -> None:
    value = int(digits)
    try:
        targets = parse_request(f"a reel in G, {digits} bars")
    except RequestError as error:
        assert "a tune here has 2 to 128 bars" in str(error) and not 2 <= value <= 128
    else:
        assert targets.bars == value and 2 <= value <= 128
    parse_edit(f"make it {digits} bars long", CURRENT)  # an out-of-range length becomes a skipped edit, no crash


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(["{} bpm", "tempo {}", "a waltz at {} BPM", "metronome {}"]))
def test_a_tempo_number_is_kept_in_range_or_refused_the_same_way_in_requests_and_edits(bpm: int, form: str) -> None:
    text = form.format(bpm)
    for read in (parse_request, lambda t: parse_edit(t, CURRENT)):
        try:
            read(text)
        except RequestError as error:
            assert "the tempo must be 30 to 260 BPM" in str(error) and not 30 <= bpm <= 260
        else:
            assert 30 <= bpm <= 260


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 99), st.integers(0, 99))
def test_a_meter_after_in_is_a_meter_or_refused(top: int, bottom: int) -> None:
    valid = 1 <= top <= 16 and bottom in (2, 4, 8, 16)
    for read in (parse_request, lambda t: parse_edit(t, CURRENT)):
        try:
            read(f"now in {top}/{bottom}")
        except RequestError as error:
            assert "is not a meter" in str(error) and not valid
        else:
            assert valid


@pytest.mark.parametrize("letter", list("ABCDEFG"))
def test_note_letters_name_keys(letter: str) -> None:
    assert parse_request(f"a tune in {letter} minor").key == letter


@pytest.mark.parametrize("letter", list("HJKQXZ"))
def test_other_capital_letters_before_a_mode_are_refused_as_keys(letter: str) -> None:
    for read in (parse_request, parse_edit):
        with pytest.raises(RequestError, match="is not a key: a key's tonic is a note name A to G"):
            read(f"put it in {letter}# major")


@pytest.mark.parametrize(("text", "expected"), [
    ("tempo 2000 BPM", "the tempo must be 30 to 260 BPM"),
    ("a jig at 282.24 BPM", "the tempo must be 30 to 260 BPM"),
    ("a march in 0/4", "is not a meter"),
    ("in H# major", "is not a key"),
    ("a reel, 10000 bars", "2 to 128 bars"),
])
def test_values_out_of_range_are_refused_not_silently_replaced(text: str, expected: str) -> None:
    with pytest.raises(RequestError, match=expected):
        parse_request(text)


def test_words_that_only_look_like_numbers_set_nothing() -> None:
    assert parse_request("meet me at 10 o'clock for a jig").tempo_bpm is None
    assert parse_request("I really like major keys").key is None
