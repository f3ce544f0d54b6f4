"""Each musical fact has one home, and every path that uses it agrees: words, pictures, the library."""

from __future__ import annotations

import pytest
from support import image_samples as samples

from tunesmith.tools.planning.request import plan_from_request
from tunesmith.tools.theory.instruments import GM_PROGRAMS, MELODY_RANGES, fit_register, melody_range
from tunesmith.tools.theory.keys import estimate_key, key_name, key_signature, mode_from_word
from tunesmith.tools.theory.meter import MeterError, beats_per_bar, is_compound, parse_meter
from tunesmith.tools.theory.pitch import normalise_tonic, note_name, pitch_class
from tunesmith.tools.theory.tune_types import TUNE_TYPES, library_label, tune_type_in
from tunesmith.tools.vision.bridge import plan_from_image
from tunesmith.tools.vision.describe import describe_image


def test_a_march_is_in_two_four_whether_named_in_words_or_suggested_by_a_picture(tmp_path) -> None:
    assert plan_from_request("a march in D").meter == "2/4"
    path = samples.save(samples.flat_calm(), tmp_path, "parade.png")
    picture = plan_from_image(describe_image(path, caption=False), "a march for this picture")
    assert (picture.plan.tune_type, picture.plan.meter) == ("march", "2/4")


def test_a_slow_air_suggested_by_a_picture_has_the_meter_of_a_slow_air_named_in_words(tmp_path) -> None:
    path = samples.save(samples.dark_cool(), tmp_path, "dusk.png")
    plan = plan_from_image(describe_image(path, caption=False)).plan
    if plan.tune_type == "slow air":
        assert plan.meter == plan_from_request("a slow air").meter == TUNE_TYPES["slow air"].meter


def test_every_named_instrument_has_one_melody_range() -> None:
    assert set(MELODY_RANGES) == set(GM_PROGRAMS)
    assert melody_range("celesta") == (60, 103) and melody_range("bass") == (28, 55)
    assert melody_range("harmonica") == (60, 84)


@pytest.mark.parametrize("instrument", ["cello", "tin whistle", "harmonica", "celesta", "contrabass"])
def test_picture_plans_and_word_plans_keep_the_melody_inside_the_same_instrument_range(tmp_path, instrument) -> None:
    floor, ceiling = melody_range(instrument)
    path = samples.save(samples.bright_warm(), tmp_path, "photo.png")
    picture = plan_from_image(describe_image(path, caption=False), f"for {instrument}").plan
    words = plan_from_request(f"a tune for {instrument}")
    for plan in (picture, words):
        assert plan.instrument == instrument
        assert floor <= plan.low_pitch <= plan.high_pitch <= ceiling


def test_fitting_a_register_keeps_its_width_where_the_range_allows() -> None:
    assert fit_register(40, 59, "flute") == (60, 79)
    assert fit_register(90, 109, "flute") == (77, 96)
    assert fit_register(40, 80, "bagpipe") == (67, 81)


@pytest.mark.parametrize(("pc", "mode", "name"), [
    (1, "major", "Db"), (1, "minor", "C#"), (6, "major", "F#"), (3, "minor", "Eb"), (8, "minor", "G#"),
    (8, "major", "Ab"), (10, "minor", "Bb"), (11, "major", "B"), (2, "dorian", "D"),
])
def test_a_key_is_spelled_with_the_fewest_accidentals_its_signature_needs(pc: int, mode: str, name: str) -> None:
    assert key_name(pc, mode) == name


def test_key_signatures_follow_the_circle_of_fifths() -> None:
    assert key_signature("D", "major") == {"F": 1, "C": 1}
    assert key_signature("A", "dorian") == {"F": 1}
    assert key_signature("C", "minor") == {"B": -1, "E": -1, "A": -1}


def test_one_key_finder_reads_a_scale_weighted_to_its_tonic() -> None:
    a_minor = [0.0] * 12
    for pc, weight in ((9, 4), (0, 2), (4, 3), (11, 1), (2, 1), (5, 1), (7, 1)):
        a_minor[pc] = weight
    found = estimate_key(a_minor)
    assert (found.tonic, found.mode) == ("A", "minor") and found.correlation > 0.6
    assert estimate_key([1.0] * 12) is None
    with pytest.raises(ValueError, match="12 bins"):
        estimate_key([1.0] * 7)


@pytest.mark.parametrize(("text", "compound", "beats"), [
    ("6/8", True, 2), ("9/8", True, 3), ("12/8", True, 4), ("6/16", True, 2), ("3/8", False, 1.5),
    ("4/4", False, 4), ("C|", False, 4), ("2/2", False, 4), ("3/4", False, 3), ("6/4", False, 6),
])
def test_compound_meters_count_dotted_beats(text: str, compound: bool, beats: float) -> None:
    assert is_compound(text) is compound
    assert beats_per_bar(text) == beats


@pytest.mark.parametrize("text", ["0/4", "1000000/4", "4/3", "fast", "4/0"])
def test_impossible_meters_are_refused_with_examples(text: str) -> None:
    with pytest.raises(MeterError, match="e.g.|1 to 64"):
        parse_meter(text)


def test_pitch_names_and_numbers_agree() -> None:
    assert pitch_class("F#") == pitch_class("Gb") == 6 and pitch_class("B♭") == 10 and pitch_class("Cb") == 11
    assert note_name(60) == "C4" and note_name(70) == "Bb4"
    assert normalise_tonic("e#") == "F" and normalise_tonic("f♯") == "F#"
    with pytest.raises(ValueError, match="not a tonic"):
        normalise_tonic("H")


def test_mode_words_and_abc_abbreviations_name_the_same_modes() -> None:
    assert [mode_from_word(w) for w in ("Dorian", "dor", "aeolian", "m", "min", "Ionian", "mix")] == [
        "dorian", "dorian", "minor", "minor", "minor", "major", "mixolydian"]
    assert mode_from_word("happy") is None


def test_the_library_labels_tune_types_with_the_words_requests_use() -> None:
    assert tune_type_in("Double Jig") == "jig" and tune_type_in("slip-jig") == "slip jig"
    assert tune_type_in("Lament for the Dead") == "lament" and library_label("lament") == "air"
    assert tune_type_in("a slow air") == "slow air" and library_label("slow air") == "air"
    assert tune_type_in("Clog") == "clog" and tune_type_in("Clog", categories=False) is None
