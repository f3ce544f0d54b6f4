"""The bridge: a picture's palette, content cues and words → a music plan with reasons, and a MusicGen prompt."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import cover_samples
from support import image_samples as samples

from tunesmith.tools.musicgen.prompt import musicgen_prompt_for_plan
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.theory.instruments import GM_PROGRAMS, MELODY_RANGES
from tunesmith.tools.theory.tune_types import TUNE_TYPES
from tunesmith.tools.vision.bridge import plan_from_image
from tunesmith.tools.vision.choices import TIMBRES, TYPE_PLACES
from tunesmith.tools.vision.cues import PictureCues, SceneCue
from tunesmith.tools.vision.describe import ImageAnalysis, describe_image
from tunesmith.tools.vision.faces import Face
from tunesmith.tools.vision.ocr import TextLine

MINOR_LIKE = {"minor", "dorian", "phrygian", "locrian"}
SKIMAGE = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "coins", "immunohistochemistry", "retina",
           "camera", "colorwheel", "logo")


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ImageAnalysis]:
    folder = tmp_path_factory.mktemp("pictures")
    made = {"dark_cool": samples.dark_cool(), "bright_warm": samples.bright_warm(),
            "busy": samples.busy_contrast(), "calm": samples.flat_calm()}
    found = {name: describe_image(samples.save(array, folder, f"{name}.png"), caption=False) for name, array in made.items()}
    for name in (*SKIMAGE, "moon"):
        found[name] = describe_image(samples.real_photo(name, folder), caption=False)
    covers = {"requiem": [("REQUIEM", 90), ("for the fallen", 30)], "christmas": [("CHRISTMAS EVE", 80)],
              "summer": [("SUMMER NIGHTS", 80), ("Live at the Harbour", 34)]}
    for name, lines in covers.items():
        found[name] = describe_image(samples.save(cover_samples.cover(lines), folder, f"{name}.png"), caption=False)
    return found


def _with(analysis: ImageAnalysis, *, faces: list[Face] = (), scene: list[SceneCue] = (),
          text: list[TextLine] = ()) -> ImageAnalysis:
    cues = PictureCues(text=list(text), text_status="test", faces=list(faces), face_status="test", scene=list(scene))
    return analysis.model_copy(update={"cues": cues})


def _face(expression: str, area: float = 0.06) -> Face:
    return Face(box=(0.3, 0.2, 0.5, 0.5), area=area, detection_confidence=0.95, expression=expression,
                expression_confidence=0.95, expressions={expression: 0.95, "neutral": 0.05})


def test_every_tune_type_and_timbre_of_the_bridge_is_one_the_product_knows() -> None:
    assert set(TYPE_PLACES) == set(TUNE_TYPES)
    assert all(name in GM_PROGRAMS and name in MELODY_RANGES for name in TIMBRES)


def test_a_cover_title_decides_what_the_same_words_decide_in_a_request(pictures) -> None:
    requiem = plan_from_image(pictures["requiem"]).plan
    assert (requiem.tune_type, requiem.instrument) == ("chorale", "choir") and requiem.mode in MINOR_LIKE
    assert "REQUIEM" in requiem.reasons["tune_type"] and requiem.title == "Requiem"
    christmas = plan_from_image(pictures["christmas"]).plan
    assert (christmas.tune_type, christmas.instrument) == ("hymn", "glockenspiel")
    summer = plan_from_image(pictures["summer"])
    assert "warm, sunlit" in summer.musicgen_prompt and "nocturnal" in summer.musicgen_prompt
    assert summer.picture_words.startswith("SUMMER NIGHTS")


def test_the_users_words_outrank_the_pictures_words(pictures) -> None:
    plan = plan_from_image(pictures["requiem"], "a jig for fiddle please").plan
    assert (plan.tune_type, plan.instrument, plan.meter) == ("jig", "fiddle", "6/8")
    assert plan.reasons["tune_type"] == "jig: you asked for it"


def test_a_smiling_face_brightens_and_a_frown_darkens_the_same_picture(pictures) -> None:
    base = pictures["coffee"]
    smile = plan_from_image(_with(base, faces=[_face("happy")]))
    frown = plan_from_image(_with(base, faces=[_face("sad")]))
    assert smile.evidence["moved_valence"] > base.valence > frown.evidence["moved_valence"]
    assert "happy 0.95" in smile.plan.reasons["mood"]


def test_a_crowd_plays_faster_and_denser_than_a_lone_figure_in_an_empty_frame(pictures) -> None:
    base = pictures["coffee"]
    crowd = plan_from_image(_with(base, faces=[_face("happy", 0.004)] * 9,
                                  scene=[SceneCue(name="crowd", strength=0.75, confidence=0.9, evidence="9 faces")])).plan
    alone = plan_from_image(_with(base, faces=[_face("neutral", 0.004)],
                                  scene=[SceneCue(name="lone figure", strength=0.1, confidence=0.9, evidence="1 face"),
                                         SceneCue(name="empty", strength=0.8, confidence=0.9, evidence="80% flat")])).plan
    beat = lambda plan: plan.tempo_bpm * (1.5 if plan.compound else 1)  # noqa: E731 — quarter notes a minute
    assert beat(crowd) > beat(alone) + 40
    assert (crowd.density, alone.density) == ("dense", "sparse")
    assert alone.high_pitch - alone.low_pitch < crowd.high_pitch - crowd.low_pitch


def test_a_vast_picture_gets_a_wide_slow_ascending_plan(pictures) -> None:
    plan = plan_from_image(pictures["hubble_deep_field"]).plan
    assert plan.high_pitch - plan.low_pitch >= 24 and plan.density == "sparse" and plan.contour == "ascending"
    assert plan.tempo_bpm <= 90 and "vast" in plan.reasons["low_pitch"]


def test_the_scikit_image_photos_get_audibly_different_plans(pictures) -> None:
    plans = [plan_from_image(pictures[name]).plan for name in SKIMAGE]
    assert len({plan.tune_type for plan in plans}) >= 7
    assert len({plan.instrument for plan in plans}) >= 7
    assert len({plan.low_pitch // 6 for plan in plans}) >= 4  # registers spread, not all mid-range
    assert max(plan.tempo_bpm for plan in plans) - min(plan.tempo_bpm for plan in plans) >= 60


@pytest.mark.parametrize("name", ["dark_cool", "bright_warm", "busy", "calm", "rocket", "astronaut", "requiem"])
def test_a_picture_leaves_no_plan_field_open_and_every_field_has_its_reason(pictures, name: str) -> None:
    plan = plan_from_image(pictures[name], seed=5).plan
    defaults = MusicPlan()
    changed = {field for field in MusicPlan.model_fields if getattr(plan, field) != getattr(defaults, field)}
    assert changed - {"reasons", "seed"} <= set(plan.reasons)
    for field in ("key", "mode", "meter", "tempo_bpm", "bars", "instrument", "tune_type", "form", "low_pitch"):
        assert plan.reasons.get(field), field
    assert any(ch.isdigit() for ch in plan.reasons["tempo_bpm"]) and plan.seed == 5


MODE_ORDER = ["phrygian", "minor", "dorian", "mixolydian", "major", "lydian"]
unit = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=40, deadline=None)
@given(low=unit, high=unit, energy=unit, calm=unit, warmth=unit, brightness=unit)
def test_more_valence_never_darkens_the_mode_and_more_energy_never_slows_the_pace(
    pictures, low: float, high: float, energy: float, calm: float, warmth: float, brightness: float
) -> None:
    base = pictures["chelsea"].model_copy(update={"energy": energy, "calm": calm, "warmth": warmth,
                                                  "brightness": brightness, "cues": None})
    low, high = sorted((low, high))
    sad = plan_from_image(base.model_copy(update={"valence": low})).plan
    glad = plan_from_image(base.model_copy(update={"valence": high})).plan
    if sad.tune_type == glad.tune_type and not TUNE_TYPES[sad.tune_type].mode:
        assert MODE_ORDER.index(sad.mode) <= MODE_ORDER.index(glad.mode)
    slow = plan_from_image(base.model_copy(update={"valence": low, "energy": min(energy, high)})).plan
    fast = plan_from_image(base.model_copy(update={"valence": low, "energy": max(energy, high)})).plan
    if slow.tune_type == fast.tune_type:
        assert slow.tempo_bpm <= fast.tempo_bpm
    assert 21 <= fast.low_pitch < fast.high_pitch <= 108


def test_prompts_describe_the_music_and_the_literal_palette(pictures) -> None:
    result = plan_from_image(pictures["rocket"])
    plan = result.plan
    assert plan.instrument in result.musicgen_prompt
    assert f"{plan.tempo_bpm} bpm" in result.musicgen_prompt
    assert result.raw_caption_prompt == f"an image of {pictures['rocket'].palette_words()}"
    assert result.evidence["valence"] == pictures["rocket"].valence


def test_a_caption_is_read_like_the_pictures_printed_words(pictures) -> None:
    captioned = pictures["bright_warm"].model_copy(update={"caption": "waves breaking on a sandy beach"})
    result = plan_from_image(captioned)
    assert result.plan.instrument == "steel guitar"
    assert "waves breaking on a sandy beach" in result.plan.reasons["instrument"]
    assert "seaside" in result.musicgen_prompt
    assert result.plan.title == "Waves Breaking On A Sandy Beach"


def test_a_scene_word_in_the_request_sets_the_atmosphere(pictures) -> None:
    result = plan_from_image(pictures["calm"], "music for this snowy morning")
    assert result.plan.instrument == "celesta"
    assert "your request" in result.plan.reasons["instrument"]
    assert "wintry" in result.musicgen_prompt


def test_musicgen_prompt_for_a_text_plan_names_pace_genre_instrument_and_atmosphere() -> None:
    plan = MusicPlan(key="G", mode="major", meter="6/8", tempo_bpm=116, tune_type="jig", instrument="tin whistle",
                     density="dense", mood="joyful")
    prompt = musicgen_prompt_for_plan(plan, ["festive", "pub session"])
    assert prompt.startswith("fast lilting Celtic folk jig in G major")
    for words in ("energetic tin whistle", "joyful", "busy, driving texture", "festive, pub session atmosphere",
                  "6/8 time, 116 bpm"):
        assert words in prompt


def test_bridge_plans_from_real_photos_are_realised_by_the_composer(pictures) -> None:
    from tunesmith.tools.compose.composer import compose_abc

    for name in ("rocket", "coffee", "requiem"):
        plan = plan_from_image(pictures[name]).plan
        abc = compose_abc(plan).abc
        assert f"M:{plan.meter}" in abc and f"T:{plan.title}" in abc, name
