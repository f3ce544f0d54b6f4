"""Each edit musicians ask for, done musically, on a composed tune and on real tunes from music21's corpus."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.corpus_tunes import corpus_tunes

from tunesmith.tools.abc import AbcError, analyse_abc, parse_headers, parsed_tune, tune_notes, validate_abc
from tunesmith.tools.edits import apply_edits, read_edit
from tunesmith.tools.edits.apply import tune_parts
from tunesmith.tools.theory import melody_range


@cache
def reel() -> str:
    """The tune of issue 17: a cheerful reel in G major for fiddle, as the composer writes it."""
    from tunesmith.tools.compose.composer import compose_abc
    from tunesmith.tools.planning import plan_from_request

    return compose_abc(plan_from_request("a cheerful reel in G major for fiddle")).abc


def edit(abc: str, words: str, instrument: str | None = None):
    return apply_edits(abc, read_edit(words).ops, instrument=instrument)


def pitches(abc: str) -> list[int]:
    return [n.midi for n in tune_notes(abc) if n.midi is not None]


def rhythm(abc: str) -> list[tuple[int, float, float]]:
    return [(n.bar, n.onset, n.duration) for n in tune_notes(abc)]


# --- transposition -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "key", "shift"), [
    ("move it up to A", "A", 2), ("a fourth higher", "C", 5), ("down a tone", "F", -2), ("an octave lower", "G", -12),
    ("down to E", "E", -3),
])
def test_a_transposed_reel_moves_every_note_by_the_interval_and_keeps_its_rhythm(words: str, key: str, shift: int) -> None:
    result = edit(reel(), words, "fiddle")
    assert analyse_abc(result.abc).key == key
    assert pitches(result.abc) == [p + shift for p in pitches(reel())]
    assert rhythm(result.abc) == rhythm(reel()) and validate_abc(result.abc).valid


def test_a_transposition_out_of_the_instruments_range_is_not_done_and_says_the_range() -> None:
    result = edit(reel(), "two octaves higher", "fiddle")
    assert result.abc == reel() and "fiddle plays well (G3-C7)" in result.skipped[0]


def test_a_new_key_takes_the_octave_that_fits_the_instrument() -> None:
    low, high = melody_range("tin whistle")
    whistle = edit(reel(), "for tin whistle").abc  # moved up an octave into the whistle's range
    assert low <= min(pitches(whistle)) and max(pitches(whistle)) <= high
    in_e = edit(whistle, "in E", "tin whistle").abc
    assert analyse_abc(in_e).key == "E" and low <= min(pitches(in_e)) and max(pitches(in_e)) <= high


def test_real_tunes_move_up_to_a_named_key_and_stay_valid() -> None:
    for name, abc in corpus_tunes(10):
        result = edit(abc, "put it up to B flat")
        if result.skipped:  # the piano's range is wide: only an extreme tune may not fit
            assert "plays well" in result.skipped[0], name
            continue
        assert analyse_abc(result.abc).key == "Bb" and validate_abc(result.abc, check_abc2midi=False).valid, name
        moved = {b - a for a, b in zip(pitches(abc), pitches(result.abc), strict=True)}
        assert len(moved) == 1 and 0 < moved.pop() <= 12, name


# --- mode -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "mode"), [("in minor", "minor"), ("make it dorian", "dorian"), ("sadder", "minor")])
def test_a_mode_change_moves_melody_and_chords_and_keeps_the_tonic(words: str, mode: str) -> None:
    result = edit(reel(), words)
    after = analyse_abc(result.abc)
    assert (after.key, after.mode) == ("G", mode) and rhythm(result.abc) == rhythm(reel())
    symbols = [result.abc[a:b] for a, b in parsed_tune(result.abc).chord_symbols]
    assert symbols[0] == '"Gm"' and '"Em"' not in symbols  # the tonic chord is minor; vi moved too
    assert "in G " + mode in parse_headers(result.abc)["T"]  # the title no longer says G major


def test_back_to_major_undoes_a_minor_turn_note_for_note() -> None:
    minor = edit(reel(), "in minor").abc
    major = edit(minor, "back to major").abc
    assert pitches(major) == pitches(reel())


def test_real_tunes_change_mode_into_valid_tunes_on_the_same_tonic() -> None:
    for name, abc in corpus_tunes(10):
        before = analyse_abc(abc)
        target = "dorian" if before.mode != "dorian" else "major"
        after = analyse_abc(edit(abc, f"in {target}").abc)
        assert (after.key, after.mode) == (before.key, target), name


# --- meter ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "meter", "tune_type"), [("in 6/8", "6/8", "reel"), ("as a waltz", "3/4", "waltz"),
                                                             ("in 2/4", "2/4", "reel")])
def test_a_reel_in_another_meter_is_re_rhythmed_with_full_bars(words: str, meter: str, tune_type: str) -> None:
    result = edit(reel(), words)
    after = analyse_abc(result.abc)
    assert (after.meter, after.tune_type) == (meter, tune_type) and validate_abc(result.abc).valid
    assert after.bars == (64 if meter == "2/4" else 32)  # 2/4 splits each 4/4 bar; others keep the phrases
    assert all(b.duration == b.meter.bar_length for b in parsed_tune(result.abc).bars)


def test_as_a_waltz_brings_the_tempo_into_a_waltz_s_range() -> None:
    result = edit(reel(), "as a waltz")
    assert 84 <= analyse_abc(result.abc).tempo_bpm <= 180 and parse_headers(result.abc)["R"] == "waltz"


def _melody(abc: str) -> list[int]:
    """The pitches in order, a held (tied or repeated) note counted once."""
    notes = pitches(abc)
    return [p for i, p in enumerate(notes) if i == 0 or p != notes[i - 1]]


def test_real_jigs_become_reels_with_the_same_melody() -> None:
    for name, abc in corpus_tunes(6, meter="6/8"):
        result = edit(abc, "in 4/4")
        assert analyse_abc(result.abc).meter == "4/4" and validate_abc(result.abc, check_abc2midi=False).valid, name
        assert _melody(result.abc) == _melody(abc), name  # a jig's notes all fit a reel's bars


# --- tempo, instrument ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "bpm"), [("slower", 176), ("a bit faster", 242), ("much slower", 143),
                                            ("at 90 bpm", 90), ("twice as fast", 260)])
def test_tempo_words_set_q_and_nothing_else(words: str, bpm: int) -> None:
    result = edit(reel(), words)
    assert analyse_abc(result.abc).tempo_bpm == bpm and tune_notes(result.abc) == tune_notes(reel())


def test_an_instrument_with_a_lower_range_takes_the_tune_down_by_octaves() -> None:
    result = edit(reel(), "play it on the tuba")
    low, high = melody_range("tuba")
    assert analyse_abc(result.abc).instrument_program == 58
    assert low <= min(pitches(result.abc)) and max(pitches(result.abc)) <= high
    assert {b - a for a, b in zip(pitches(reel()), pitches(result.abc), strict=True)} == {-36}


# --- length ---------------------------------------------------------------------------------------------

def test_twice_as_long_continues_the_tune_with_new_bars_in_its_key() -> None:
    result = edit(reel(), "make it twice as long")
    assert analyse_abc(result.abc).bars == 64 and validate_abc(result.abc).valid
    new = pitches(result.abc)[len(pitches(reel())):]
    assert new and new != pitches(reel())[: len(new)]  # new material, not the tune played again
    scale = {7, 9, 11, 0, 2, 4, 6}
    assert sum(p % 12 in scale for p in new) / len(new) > 0.9


def test_only_8_bars_keeps_the_first_part() -> None:
    result = edit(reel(), "only 8 bars")
    assert analyse_abc(result.abc).bars == 8 and pitches(result.abc) == pitches(reel())[: len(pitches(result.abc))]


def test_adding_a_c_part_writes_a_new_repeated_part_after_a_double_bar() -> None:
    result = edit(reel(), "add a C part")
    parts = "".join(letter for letter, _, _ in tune_parts(result.abc))
    assert parts.startswith("AABB") and "C" in parts and analyse_abc(result.abc).bars == 40
    assert validate_abc(result.abc).valid and "|:" in result.abc.splitlines()[-1]


def test_adding_a_part_the_tune_has_is_refused_naming_the_next_letter() -> None:
    result = edit(reel(), "add a B part")
    assert result.abc == reel() and "ask for 'a C part'" in result.skipped[0]


# --- ending and liveliness --------------------------------------------------------------------------------

def test_end_on_a_high_note_moves_only_the_last_note_up_to_the_tonic() -> None:
    result = edit(reel(), "end on a high note", "fiddle")
    before, after = pitches(reel()), pitches(result.abc)
    assert after[:-1] == before[:-1] and after[-1] > before[-1] and after[-1] % 12 == 7


def test_more_lively_adds_notes_in_the_same_bars() -> None:
    from tunesmith.tools.compose.composer import compose_abc
    from tunesmith.tools.planning import plan_from_request

    air = compose_abc(plan_from_request("a slow air in D major for flute, 16 bars")).abc
    result = edit(air, "more lively")
    assert len(pitches(result.abc)) > len(pitches(air)) and analyse_abc(result.abc).bars == 16
    assert validate_abc(result.abc).valid and "rhythm livelier" in result.applied[0]


# --- several at once, and nothing -------------------------------------------------------------------------

def test_three_changes_in_one_sentence_are_all_made() -> None:
    result = edit(reel(), "slower, in A minor and for flute")
    after = analyse_abc(result.abc)
    assert (after.key, after.mode, after.tempo_bpm, after.instrument_program) == ("A", "minor", 176, 73)
    assert result.outcomes == ["applied", "applied", "applied", "applied"] and not result.skipped


def test_words_with_no_change_change_nothing() -> None:
    reading = read_edit("thanks!")
    assert reading.empty and apply_edits(reel(), reading.ops).abc == reel()


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 19), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(list("abcAB|:[]()2/<>^_=,z{}-\" \n"))),
                                    min_size=1, max_size=4),
       st.sampled_from(["as a waltz", "in 6/8, slower", "add a C part", "twice as long", "up to A", "more lively",
                        "end on a high note", "in dorian", "for tuba", "only 8 bars"]))
def test_edits_of_a_damaged_real_tune_give_a_tune_or_a_sentence_never_a_crash(index: int, damage: list, words: str) -> None:
    abc = corpus_tunes(20)[index][1]
    body = abc.index("K:")
    for where, char in damage:  # overwrite characters of the music
        position = body + int(where * (len(abc) - body - 1))
        abc = abc[:position] + char + abc[position + 1:]
    try:
        result = apply_edits(abc, read_edit(words).ops)
    except AbcError:
        return  # the damaged text is not a tune at all: said in one sentence
    assert len(result.outcomes) == len(read_edit(words).ops)
