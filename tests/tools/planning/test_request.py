"""What the user says in words is found, and wins: request parsing and plans with reasons."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.planning.request import RequestError, parse_request, plan_from_request
from tunesmith.tools.theory.instruments import GM_PROGRAMS
from tunesmith.tools.theory.moods import MOODS, mood_profile
from tunesmith.tools.theory.tune_types import TUNE_TYPES


def test_jig_request_yields_6_8_meter_in_d_major() -> None:
    plan = plan_from_request("a jig in D major")
    assert (plan.meter, plan.key, plan.mode, plan.tune_type) == ("6/8", "D", "major", "jig")
    assert "jig" in plan.reasons["meter"] and "6/8" in plan.reasons["meter"]
    assert plan.reasons["key"] == "you asked for 'in D major'"


@pytest.mark.parametrize(("text", "key", "mode"), [
    ("a reel in D minor", "D", "minor"),
    ("something in Dm", "D", "minor"),
    ("a tune in F sharp major", "F#", "major"),
    ("waltz in F#", "F#", None),
    ("a hornpipe in B flat", "Bb", None),
    ("a march in Bb", "Bb", None),
    ("a polka in E♭ major", "Eb", "major"),
    ("an air in C♯ minor", "C#", "minor"),
    ("a jig in E dorian", "E", "dorian"),
    ("G mixolydian reel", "G", "mixolydian"),
    ("play it in the key of A", "A", None),
    ("write it in e minor", "E", "minor"),
    ("A aeolian slow air", "A", "minor"),
])
def test_key_spellings_are_read(text: str, key: str, mode: str | None) -> None:
    targets = parse_request(text)
    assert (targets.key, targets.mode) == (key, mode)
    assert targets.evidence["key"] in text.replace("♯", "#").replace("♭", "b")


@pytest.mark.parametrize("text", ["in minor please", "a waltz in a minor key", "A minor waltz for piano"])
def test_minor_without_a_tonic_sets_only_the_mode(text: str) -> None:
    targets = parse_request(text)
    assert targets.mode == "minor"
    assert targets.key is None


def test_article_a_and_am_are_not_keys() -> None:
    assert parse_request("Am I able to get a reel?").key is None
    assert parse_request("a major triumph of a march").key is None


@pytest.mark.parametrize(("text", "meter"), [
    ("something in 3/4", "3/4"), ("a tune in 6/8 time", "6/8"), ("in waltz time", "3/4"),
    ("common time please", "4/4"), ("cut time", "2/2"), ("a slip jig", "9/8"), ("a slide", "12/8"),
    ("in six-eight", "6/8"),
])
def test_meters_are_read_from_numbers_names_and_tune_types(text: str, meter: str) -> None:
    assert plan_from_request(text).meter == meter


def test_waltz_time_sets_the_meter_but_not_the_tune_type() -> None:
    targets = parse_request("a song in waltz time")
    assert targets.meter == "3/4" and targets.tune_type is None


def test_impossible_meter_is_refused_naming_it() -> None:
    with pytest.raises(RequestError, match=r"7/3.*2, 4, 8, 16"):
        parse_request("a tune in 7/3 time")


@pytest.mark.parametrize(("text", "bpm"), [
    ("a tune at 120 bpm", 120), ("tempo 96", 96), ("a waltz at 90", 90), ("♩=72", 72),
    ("an andante melody", 92), ("allegro", 138), ("something presto", 184),
])
def test_tempo_from_numbers_and_italian_terms(text: str, bpm: int) -> None:
    assert parse_request(text).tempo_bpm == bpm


def test_italian_term_clamps_the_tune_types_tempo_into_its_range() -> None:
    assert parse_request("an adagio jig").tempo_bpm == 76          # jig 116 clamped into 66-76
    assert parse_request("an allegro waltz").tempo_bpm == 138      # waltz 138 already inside 120-156


def test_slow_is_relative_to_the_tune_type() -> None:
    slow_reel, reel = plan_from_request("a slow reel"), plan_from_request("a reel")
    assert slow_reel.tempo_bpm < reel.tempo_bpm
    assert slow_reel.tempo_bpm == round(TUNE_TYPES["reel"].tempo_bpm * 0.75)
    assert plan_from_request("a fast tune").tempo_bpm > plan_from_request("a slow tune").tempo_bpm


def test_slow_air_is_a_tune_type_not_a_tempo_word() -> None:
    targets = parse_request("a slow air for tin whistle")
    assert targets.tune_type == "slow air" and targets.tempo_bpm is None and targets.instrument == "tin whistle"


def test_tempo_out_of_range_is_refused_with_the_valid_range() -> None:
    with pytest.raises(RequestError, match=r"500 bpm.*30 to 260"):
        parse_request("a reel at 500 bpm")


@pytest.mark.parametrize(("text", "bars"), [
    ("16 bars", 16), ("sixteen bars", 16), ("a 32-bar reel", 32), ("thirty-two bars", 32), ("8 measures", 8),
])
def test_bars_in_digits_and_words(text: str, bars: int) -> None:
    assert parse_request(text).bars == bars


def test_too_many_bars_is_refused() -> None:
    with pytest.raises(RequestError, match="500 bars"):
        parse_request("a jig of 500 bars")


def test_length_in_seconds_sets_bars_from_tempo_and_meter() -> None:
    plan = plan_from_request("a waltz at 120 bpm, 30 seconds long")
    # 30 s at 120 quarter notes a minute = 60 beats = 20 bars of 3/4, 5 per AABB section -> 4-bar phrases: 16 or 24
    assert parse_request("a waltz at 120 bpm, 30 seconds long").length_seconds == 30.0
    assert plan.bars % 4 == 0 and abs(plan.bars * 3 * 60 / plan.tempo_bpm - 30) <= 8
    assert "30 seconds" in plan.reasons["bars"]


@pytest.mark.parametrize(("text", "seconds"), [
    ("a minute of music", 60.0), ("a minute and a half", 90.0), ("two minutes", 120.0), ("a 45-second jingle", 45.0),
])
def test_lengths_in_words(text: str, seconds: float) -> None:
    assert parse_request(text).length_seconds == seconds


def test_bars_and_length_together_set_the_tempo() -> None:
    plan = plan_from_request("16 bars of 4/4 lasting 32 seconds")
    assert plan.bars == 16 and plan.tempo_bpm == 120


@pytest.mark.parametrize(("text", "instrument"), [
    ("a jig for violin", "violin"), ("on piano", "piano"), ("for fiddle", "fiddle"), ("a flute melody", "flute"),
    ("for strings", "strings"), ("on the bagpipes", "bagpipe"), ("for string quartet", "strings"),
    ("on a grand piano", "piano"), ("penny whistle tune", "tin whistle"),
])
def test_instruments_map_to_general_midi_names(text: str, instrument: str) -> None:
    found = parse_request(text).instrument
    assert found == instrument and found in GM_PROGRAMS


def test_hornpipe_is_not_a_horn_and_a_bright_piece_is_not_a_bright_piano() -> None:
    assert parse_request("a hornpipe").instrument is None
    assert parse_request("a bright piano piece").instrument == "piano"


def test_first_of_several_instruments_wins_and_the_others_are_noted() -> None:
    targets = parse_request("a duet for violin and cello")
    assert targets.instrument == "violin" and "cello" in targets.evidence["instrument"]


@pytest.mark.parametrize(("text", "form"), [("AABB", "AABB"), ("in AABA form", "AABA"), ("ternary form", "ABA")])
def test_forms(text: str, form: str) -> None:
    assert parse_request(text).form == form


def test_capitalised_words_are_not_forms() -> None:
    assert parse_request("ADD some BAD notes").form is None


def test_words_it_does_not_know_set_nothing() -> None:
    targets = parse_request("make me something nice about my grandmother's garden in the 1920s")
    assert targets.model_dump(exclude={"evidence"}) == parse_request("").model_dump(exclude={"evidence"})
    assert targets.evidence == {}


def test_negated_mood_is_not_read() -> None:
    assert parse_request("not sad, a happy polka").mood_words == ["happy"]


def test_melancholic_request_gets_minor_slower_and_lower_with_reasons() -> None:
    sad = plan_from_request("a melancholic waltz")
    happy = plan_from_request("a cheerful waltz")
    assert (sad.mode, happy.mode) == ("minor", "major")
    assert sad.tempo_bpm < happy.tempo_bpm
    assert sad.high_pitch < happy.high_pitch
    assert "melancholic" in sad.reasons["mode"] and "melancholic" in sad.reasons["tempo_bpm"]


def test_explicit_words_beat_mood_and_tune_type() -> None:
    plan = plan_from_request("a sad waltz in C major in 4/4 at 150 bpm for flute")
    assert (plan.key, plan.mode, plan.meter, plan.tempo_bpm, plan.instrument) == ("C", "major", "4/4", 150, "flute")
    assert "the usual meter of a waltz is 3/4" in plan.reasons["meter"]


def test_users_words_override_the_image_bridge_plan_and_keep_its_other_choices() -> None:
    base = MusicPlan(key="E", mode="minor", meter="4/4", tempo_bpm=70, instrument="cello",
                     reasons={"key": "image: cool palette", "instrument": "image: dark blues"})
    plan = plan_from_request("a jig for flute", base, seed=7)
    assert (plan.meter, plan.instrument, plan.seed) == ("6/8", "flute", 7)
    assert (plan.key, plan.mode) == ("E", "minor")
    assert plan.reasons["key"] == "image: cool palette"
    assert plan.reasons["instrument"].startswith("you asked for 'flute'")


def test_blues_gets_the_twelve_bar_pattern() -> None:
    plan = plan_from_request("a 12-bar blues in E")
    assert plan.bars == 12 and plan.chords[:5] == ["I", "I", "I", "I", "IV"] and len(plan.chords) == 12


def test_every_tune_type_gives_a_valid_plan_whose_tempo_is_in_its_range() -> None:
    for name, tune_type in TUNE_TYPES.items():
        plan = plan_from_request(f"a {name}")
        assert plan.tune_type == name and plan.meter == tune_type.meter, name
        low, high = tune_type.tempo_range
        assert low <= plan.tempo_bpm <= high and plan.bars % len(plan.form) == 0, name


def test_every_mood_word_gives_known_instruments_and_a_playable_register() -> None:
    for word in MOODS:
        profile = mood_profile([word])
        assert profile is not None and all(i in GM_PROGRAMS for i in profile.instruments), word
        assert 21 <= profile.low_pitch < profile.high_pitch <= 108


def test_bad_input_gives_a_clear_error() -> None:
    with pytest.raises(RequestError, match="must be text"):
        parse_request(None)  # type: ignore[arg-type]
    with pytest.raises(RequestError, match="at most 4000"):
        parse_request("jig " * 2000)


def test_register_moves_inside_the_instruments_range() -> None:
    tuba, piccolo = plan_from_request("a sad tune for tuba"), plan_from_request("a happy tune for piccolo")
    assert tuba.high_pitch <= 58 and piccolo.low_pitch >= 74
    assert "tuba's range" in tuba.reasons["low_pitch"]
    assert plan_from_request("a lament for the bagpipes").low_pitch >= 67


def test_like_this_clip_but_slower_scales_the_clips_tempo() -> None:
    clip = MusicPlan(key="A", mode="minor", tempo_bpm=120, reasons={"tempo_bpm": "the clip moves at about 120 BPM"})
    slower = plan_from_request("like this clip, but slower", clip)
    faster = plan_from_request("like this clip, but much faster and in major", clip)
    assert slower.tempo_bpm == 96 and "'slower'" in slower.reasons["tempo_bpm"]
    assert (faster.tempo_bpm, faster.key, faster.mode) == (180, "A", "major")


def test_same_request_and_seed_give_the_same_plan() -> None:
    text = "a melancholic slow air in E minor for tin whistle, a minute long"
    assert plan_from_request(text, seed=3) == plan_from_request(text, seed=3)
    assert plan_from_request(text, seed=3).seed == 3


_WORDS = ("a in the jig reel A B D F G minor major m b # ♭ sharp flat 3/4 6/8 7/3 99/99 bars 500 0 120 bpm at "
          "seconds a minute for violin on piano slow fast slower not sad eerie AABB ABBA , . - 12-bar blues "
          "thirty-two sixteen adagio presto key of time waltz air").split()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(st.sampled_from(_WORDS), max_size=20).map(" ".join)))
def test_any_text_gives_a_valid_plan_or_a_request_error(text: str) -> None:
    try:
        plan = plan_from_request(text)
    except RequestError as error:
        assert str(error)
        return
    assert MusicPlan.model_validate(plan.model_dump()) == plan


def test_a_text_plan_gives_a_musicgen_prompt_naming_its_instrument_and_tune_type() -> None:
    from tunesmith.tools.musicgen.prompt import musicgen_prompt_for_plan

    prompt = musicgen_prompt_for_plan(plan_from_request("a lively reel in G for fiddle")).lower()
    assert "reel" in prompt and "fiddle" in prompt and "g major" in prompt


def test_base_chords_that_no_longer_fit_the_sections_are_dropped_with_a_reason() -> None:
    base = MusicPlan(bars=16, form="AABB", chords=["I", "IV", "V", "I"])
    assert plan_from_request("calm music", base).chords == ["I", "IV", "V", "I"]
    jig = plan_from_request("a jig", base)
    assert jig.chords == [] and "do not fit 8-bar sections" in jig.reasons["chords"]


def test_a_negated_tempo_word_sets_no_tempo() -> None:
    assert parse_request("a hornpipe that is not too fast").tempo_bpm is None
    assert parse_request("not fast, but a slow waltz").tempo_bpm == round(TUNE_TYPES["waltz"].tempo_bpm * 0.75)


@pytest.mark.parametrize(("text", "bars", "form"), [
    ("a reel in G major for tin whistle, AABB form, 8 bars per part", 32, "AABB"),
    ("a jig with two 8-bar parts", 32, "AABB"),
    ("a hornpipe in AB form, 8 bars each part", 16, "AB"),
    ("a song in AABA form with sections of 8 bars", 32, "AABA"),
    ("a waltz, 16 bars in all", 16, "AABB"),
])
def test_a_length_given_per_part_is_read_per_part_and_a_total_as_the_total(text: str, bars: int, form: str) -> None:
    plan = plan_from_request(text)
    assert (plan.bars, plan.form) == (bars, form)


def test_a_reel_with_eight_bars_per_part_is_composed_as_four_eight_bar_parts() -> None:
    from tunesmith.tools.abc import count_bars
    from tunesmith.tools.compose.composer import compose_abc

    plan = plan_from_request("a reel in G major for tin whistle, AABB form, 8 bars per part")
    assert count_bars(compose_abc(plan).abc) == 32 and "8 bars per part" in plan.reasons["bars"]


def test_too_many_bars_per_part_is_refused_with_the_limit() -> None:
    with pytest.raises(RequestError, match="128"):
        plan_from_request("a reel, 40 bars per part")
