"""The bridge: image analysis → music plan with reasons, and a MusicGen prompt."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import image_samples as samples

from tunesmith.tools.musicgen.prompt import musicgen_prompt_for_plan
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.vision.bridge import plan_from_image
from tunesmith.tools.vision.describe import ImageAnalysis, describe_image

MINOR_LIKE = {"minor", "dorian", "phrygian", "locrian"}


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ImageAnalysis]:
    folder = tmp_path_factory.mktemp("pictures")
    made = {"dark_cool": samples.dark_cool(), "bright_warm": samples.bright_warm(),
            "busy": samples.busy_contrast(), "calm": samples.flat_calm()}
    found = {name: describe_image(samples.save(array, folder, f"{name}.png"), caption=False) for name, array in made.items()}
    for name in ("rocket", "coffee", "moon", "astronaut"):
        found[name] = describe_image(samples.real_photo(name, folder), caption=False)
    return found


def test_dark_cool_picture_gives_a_minor_mode_and_darker_register_than_bright_warm(pictures) -> None:
    dark = plan_from_image(pictures["dark_cool"]).plan
    bright = plan_from_image(pictures["bright_warm"]).plan
    assert dark.mode in MINOR_LIKE and bright.mode in {"major", "lydian", "mixolydian"}
    assert dark.low_pitch < bright.low_pitch
    assert f"valence {pictures['dark_cool'].valence:.2f}" in dark.reasons["mode"]


def test_busy_picture_is_faster_and_denser_than_a_calm_wash(pictures) -> None:
    busy = plan_from_image(pictures["busy"]).plan
    calm = plan_from_image(pictures["calm"]).plan
    assert busy.tempo_bpm * (1.5 if busy.compound else 1) > calm.tempo_bpm * (1.5 if calm.compound else 1) + 30
    assert (busy.density, calm.density) == ("dense", "sparse")
    assert busy.tune_type in {"reel", "jig"} and calm.tune_type in {"lullaby", "air", "waltz"}


MODE_ORDER = ["phrygian", "minor", "dorian", "mixolydian", "major", "lydian"]
unit = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=60, deadline=None)
@given(low=unit, high=unit, energy=unit, calm=unit, warmth=unit, brightness=unit)
def test_more_valence_never_darkens_the_mode_and_more_energy_never_slows_the_pace(
    pictures, low: float, high: float, energy: float, calm: float, warmth: float, brightness: float
) -> None:
    base = pictures["busy"].model_copy(update={"energy": energy, "calm": calm, "warmth": warmth, "brightness": brightness})
    low, high = sorted((low, high))
    sad = plan_from_image(base.model_copy(update={"valence": low})).plan
    glad = plan_from_image(base.model_copy(update={"valence": high})).plan
    assert MODE_ORDER.index(sad.mode) <= MODE_ORDER.index(glad.mode)
    slow = plan_from_image(base.model_copy(update={"valence": low, "energy": min(energy, high)})).plan
    fast = plan_from_image(base.model_copy(update={"valence": low, "energy": max(energy, high)})).plan
    assert slow.tempo_bpm * (1.5 if slow.compound else 1) <= fast.tempo_bpm * (1.5 if fast.compound else 1) + 1
    assert 21 <= fast.low_pitch < fast.high_pitch <= 108


def test_real_photos_night_rocket_is_minor_and_coffee_is_major(pictures) -> None:
    assert plan_from_image(pictures["rocket"]).plan.mode in MINOR_LIKE
    assert plan_from_image(pictures["coffee"]).plan.mode == "major"
    moon, astronaut = plan_from_image(pictures["moon"]).plan, plan_from_image(pictures["astronaut"]).plan
    assert moon.tempo_bpm < astronaut.tempo_bpm and moon.density == "sparse"


@pytest.mark.parametrize("name", ["dark_cool", "bright_warm", "busy", "calm", "rocket", "coffee"])
def test_every_field_the_bridge_sets_has_a_reason_citing_a_number(pictures, name: str) -> None:
    plan = plan_from_image(pictures[name], seed=5).plan
    defaults = MusicPlan()
    changed = {field for field in MusicPlan.model_fields if getattr(plan, field) != getattr(defaults, field)}
    assert changed - {"reasons", "seed"} <= set(plan.reasons)
    for field in ("mode", "tempo_bpm", "instrument", "density", "low_pitch", "mood"):
        assert any(ch.isdigit() for ch in plan.reasons[field]), (field, plan.reasons[field])
    assert plan.seed == 5


def test_prompts_describe_the_music_and_the_literal_palette(pictures) -> None:
    result = plan_from_image(pictures["rocket"])
    plan = result.plan
    assert plan.instrument in result.musicgen_prompt
    assert f"{plan.tempo_bpm} bpm" in result.musicgen_prompt
    assert plan.tune_type.split()[-1] in result.musicgen_prompt
    assert result.raw_caption_prompt == f"an image of {pictures['rocket'].palette_words()}"
    assert "navy" in result.raw_caption_prompt
    assert result.evidence["valence"] == pictures["rocket"].valence


def test_beach_caption_brings_seaside_atmosphere_and_steel_guitar(pictures) -> None:
    captioned = pictures["bright_warm"].model_copy(update={"caption": "waves breaking on a sandy beach"})
    result = plan_from_image(captioned)
    assert result.plan.instrument == "steel guitar"
    assert "the caption" in result.plan.reasons["instrument"]
    assert "seaside" in result.musicgen_prompt
    assert result.raw_caption_prompt == "waves breaking on a sandy beach"
    assert result.plan.title == "Waves Breaking On A Sandy Beach"


def test_request_naming_instrument_and_tune_type_wins_over_the_picture(pictures) -> None:
    plan = plan_from_image(pictures["busy"], "a slow waltz for the harp please").plan
    assert (plan.instrument, plan.tune_type, plan.meter) == ("harp", "waltz", "3/4")
    assert plan.reasons["instrument"] == "harp: you asked for it"


def test_request_scene_word_without_caption_sets_the_atmosphere(pictures) -> None:
    result = plan_from_image(pictures["calm"], "music for this snowy morning")
    assert result.plan.instrument == "celesta"
    assert "your request" in result.plan.reasons["instrument"]
    assert "wintry" in result.musicgen_prompt


def test_musicgen_prompt_for_a_text_plan_names_pace_genre_instrument_and_atmosphere() -> None:
    plan = MusicPlan(key="G", mode="major", meter="6/8", tempo_bpm=116, tune_type="jig", instrument="tin whistle",
                     density="dense", mood="joyful")
    prompt = musicgen_prompt_for_plan(plan, ["festive", "pub session"])
    assert prompt.startswith("fast lilting Celtic folk jig in G major")
    expected = ("energetic tin whistle", "joyful", "busy, driving texture", "festive, pub session atmosphere",
                "6/8 time, 116 bpm")
    for words in expected:
        assert words in prompt
    slow = musicgen_prompt_for_plan(MusicPlan(mode="minor", tempo_bpm=58, density="sparse", high_pitch=70, low_pitch=50))
    assert slow.startswith("very slow instrumental in D minor, soft piano in a low register, dark")


def test_bridge_plans_from_real_photos_are_realised_by_the_composer(pictures) -> None:
    from tunesmith.tools.compose.composer import compose_abc

    for name in ("rocket", "coffee", "moon"):
        plan = plan_from_image(pictures[name]).plan
        abc = compose_abc(plan).abc
        assert f"M:{plan.meter}" in abc and f"T:{plan.title}" in abc, name

