"""The eval suites load, are well-formed, and their word-derived expectations follow from the words."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import EVAL_SUITES

from tunesmith.agent.eval.suite import Expectation, SuiteError, load_suite
from tunesmith.tools.abc import validate_abc
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.planning.request import parse_request, plan_from_request
from tunesmith.tools.theory.moods import mood_profile
from tunesmith.tools.theory.tune_types import TUNE_TYPES

EVAL = EVAL_SUITES
# A base plan unlike any request, standing in for what a picture or clip proposes: the words must win.
STRANGER = MusicPlan(key="Ab", mode="locrian", meter="5/4", tempo_bpm=200, bars=40, form="ABCDE",
                     instrument="sitar", tune_type=None, reasons={"key": "the picture"})


@pytest.mark.parametrize("name", ["text_requests", "edit_requests", "image_requests", "audio_requests"])
def test_each_suite_loads(name: str) -> None:
    suite = load_suite(EVAL / f"{name}.yaml")
    assert suite.name == name and suite.cases


def test_text_suite_is_broad() -> None:
    suite = load_suite(EVAL / "text_requests.yaml")
    assert len(suite.cases) >= 40
    assert len({c.expect.tune_type for c in suite.cases if c.expect.tune_type}) >= 15
    assert len({c.expect.meter for c in suite.cases if c.expect.meter}) >= 7
    assert len({c.expect.instrument for c in suite.cases if c.expect.instrument}) >= 15


def test_text_expectations_agree_with_what_parse_request_reads() -> None:
    """Where the words state a field, the suite expects exactly that value."""
    for case in load_suite(EVAL / "text_requests.yaml").cases:
        targets, expect = parse_request(case.request), case.expect
        for field in ("key", "mode", "meter", "bars", "instrument", "tune_type"):
            stated, expected = getattr(targets, field), getattr(expect, field)
            if stated is not None and expected is not None:
                assert stated == expected, f"{case.id}: {field} read {stated!r}, suite expects {expected!r}"
        if targets.tempo_bpm is not None and (expect.tempo_min or expect.tempo_max):
            assert (expect.tempo_min or 0) <= targets.tempo_bpm <= (expect.tempo_max or 999), case.id


def test_text_requests_yield_plans_meeting_every_expectation() -> None:
    misses = {c.id: c.expect.unmet(plan_from_request(c.request).model_dump())
              for c in load_suite(EVAL / "text_requests.yaml").cases}
    assert {case: miss for case, miss in misses.items() if miss} == {}


@pytest.mark.parametrize("name", ["image_requests", "audio_requests"])
def test_what_the_words_say_wins_over_a_picture_or_clip(name: str) -> None:
    """Every expectation the request's words state holds whatever base plan the picture or clip gave."""
    for case in load_suite(EVAL / f"{name}.yaml").cases:
        if case.edit_of:
            continue
        targets = parse_request(case.request)
        plan = plan_from_request(case.request, STRANGER).model_dump()
        decided = {f for f in ("key", "mode", "meter", "bars", "instrument", "tune_type") if getattr(targets, f)}
        if targets.tune_type:
            decided |= {"meter", "tune_type", "tempo_min", "tempo_max"}
            decided |= {"mode"} if TUNE_TYPES[targets.tune_type].mode else set()
        if targets.tempo_bpm:
            decided |= {"tempo_min", "tempo_max"}
        profile = mood_profile(targets.mood_words)
        decided |= {"mode"} if profile and profile.mode else set()
        expect = case.expect.model_copy(update={f: None for f in Expectation.model_fields if f not in decided})
        assert expect.unmet(plan) == [], case.id


def test_audio_clips_given_as_abc_are_valid_tunes() -> None:
    for case in load_suite(EVAL / "audio_requests.yaml").cases:
        if case.audio and case.audio.abc:
            assert validate_abc(case.audio.abc).valid, case.id


def test_conversation_walks_back_to_the_first_request() -> None:
    suite = load_suite(EVAL / "edit_requests.yaml")
    assert [c.id for c in suite.conversation("jig-d-flute")] == ["jig-d", "jig-d-slower-minor", "jig-d-in-g", "jig-d-flute"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("entry", "message"), [
    ("  - {id: ok, request: a jig}\n  - {id: bad-meter, request: x, expect: {meter: 7/3}}",
     r"case 1 \(id 'bad-meter'\): field 'expect.meter'"),
    ("  - {id: x, request: a jig, expect: {tempo_min: 150, tempo_max: 90}}", r"case 0 \(id 'x'\): field 'expect'.*above"),
    ("  - {id: x, request: a jig, expect: {instrument: kazoo}}", r"field 'expect.instrument'.*kazoo"),
    ("  - {id: x, request: a jig, expect: {colour: red}}", r"field 'expect.colour'"),
    ("  - {id: x, request: a jig}\n  - {id: x, request: a reel}", r"case 1 \(id 'x'\): field 'id'.*twice"),
    ("  - {id: y, request: slower, edit_of: nothing}", r"field 'edit_of'.*'nothing'"),
    ("  - {id: y, request: for this, image: not_a_photo}", r"field 'image'.*not_a_photo"),
    ("  - {id: y, request: like this, audio: {}}", r"field 'audio'.*exactly one"),
    ("  - {id: Bad Id, request: a jig}", r"case 0 \(id 'Bad Id'\): field 'id'"),
    ("  - just a string", r"case 0: expected a mapping"),
])
def test_malformed_entries_are_refused_naming_entry_and_field(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(SuiteError, match=message):
        load_suite(_write(tmp_path, f"name: t\ncases:\n{entry}\n"))


def test_unreadable_suites_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="no such suite file"):
        load_suite(tmp_path / "missing.yaml")
    with pytest.raises(SuiteError, match="not readable YAML"):
        load_suite(_write(tmp_path, "cases: [unclosed"))
    with pytest.raises(SuiteError, match="a list 'cases'"):
        load_suite(_write(tmp_path, "name: only a name\n"))


def test_an_image_path_next_to_the_suite_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    suite = load_suite(_write(tmp_path, "name: t\ncases:\n  - {id: p, request: for this, image: photo.png}\n"))
    assert suite.image_source(suite.cases[0]) == (tmp_path / "photo.png").resolve()


def test_inputs_are_made_offline_into_the_given_folder(out_dir: Path) -> None:
    """A bundled photo becomes a PNG, a clip plan becomes a WAV as long as the plan says."""
    import soundfile
    from PIL import Image

    from tunesmith.agent.eval.inputs import prepare_inputs

    images, clips = load_suite(EVAL / "image_requests.yaml"), load_suite(EVAL / "audio_requests.yaml")
    photo = prepare_inputs(images, images.case("astronaut"), out_dir).image
    assert photo == out_dir / "astronaut.png" and Image.open(photo).size == (512, 512)
    clip = prepare_inputs(clips, clips.case("clip-slower"), out_dir)
    info = soundfile.info(str(clip.audio))
    assert clip.audio.parent == out_dir and abs(info.duration - 8 * 4 * 60 / 120) < 2.5
    assert sorted(p.name for p in out_dir.iterdir() if p.suffix in (".png", ".wav")) == ["astronaut.png", "clip-slower-clip.wav"]
