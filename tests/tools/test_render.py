"""render: ABC becomes MIDI, audible WAV of the right length, an SVG score and MusicXML; bad input is refused clearly."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tunesmith.tools.abc import tune_notes
from tunesmith.tools.compose.composer import compose_abc
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.render import (
    RenderError,
    render_all,
    render_checks,
    render_midi,
    render_musicxml,
    render_svg,
    render_wav,
)

REEL = MusicPlan(title="Test Reel", key="G", mode="major", meter="4/4", tempo_bpm=120, bars=8, form="AB",
                 tune_type="reel", instrument="violin", seed=1)


@pytest.fixture(scope="module")
def reel_abc() -> str:
    return compose_abc(REEL).abc


def melody_notes(abc: str) -> int:
    return sum(1 for event in tune_notes(abc) if event.midi is not None)


@pytest.fixture
def no_programs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH without abc2midi, fluidsynth and abcm2ps."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_round_trip_gives_audible_audio_as_long_as_the_tune(reel_abc: str, out_dir: Path) -> None:
    result = render_all(reel_abc, out_dir)
    samples, rate = soundfile.read(result.wav, always_2d=True)
    expected_seconds = 8 * 4 * 60 / 120
    assert rate == 44100
    assert abs(len(samples) / rate - expected_seconds) < 1.0
    assert result.duration_seconds == pytest.approx(len(samples) / rate, abs=0.01)
    rms_dbfs = 20 * np.log10(np.sqrt(np.mean(samples**2)))
    assert rms_dbfs > -30  # well above silence
    assert result.peak_dbfs == pytest.approx(-1.0, abs=0.2)


def test_midi_holds_the_melody_on_the_planned_instrument(reel_abc: str, out_dir: Path) -> None:
    import pretty_midi

    midi = pretty_midi.PrettyMIDI(str(render_midi(reel_abc, out_dir)))
    violins = [i for i in midi.instruments if i.program == 40]
    assert violins and len(violins[0].notes) == melody_notes(reel_abc)


def test_svg_score_parses_as_xml_with_an_svg_root(reel_abc: str, out_dir: Path) -> None:
    svg = render_svg(reel_abc, out_dir, name="score")
    assert svg == out_dir / "score.svg"
    assert ElementTree.parse(svg).getroot().tag.endswith("svg")


def test_musicxml_parses_with_music21_and_keeps_the_notes(reel_abc: str, out_dir: Path) -> None:
    from music21 import converter

    score = converter.parse(str(render_musicxml(reel_abc, out_dir)))
    assert len(score.flatten().getElementsByClass("Note")) == melody_notes(reel_abc)
    assert score.flatten().getElementsByClass("TimeSignature")[0].ratioString == "4/4"


def test_render_all_writes_only_the_asked_formats_inside_the_output_folder(reel_abc: str, tmp_path: Path) -> None:
    out = tmp_path / "turn-1"
    result = render_all(reel_abc, out, name="tune", formats=("abc", "svg"))
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["tune.abc", "tune.svg"]
    assert result.midi is None and result.wav is None and result.abc.read_text() == reel_abc


def test_midi_falls_back_to_music21_without_abc2midi(reel_abc: str, out_dir: Path, no_programs: None) -> None:
    import pretty_midi

    midi = pretty_midi.PrettyMIDI(str(render_midi(reel_abc, out_dir)))
    assert sum(len(i.notes) for i in midi.instruments) >= melody_notes(reel_abc)  # melody plus realised chord symbols


def test_missing_fluidsynth_names_the_apt_package(reel_abc: str, out_dir: Path) -> None:
    midi = render_midi(reel_abc, out_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(out_dir))
        with pytest.raises(RenderError, match=r"fluidsynth is not installed.*apt-get install fluidsynth"):
            render_wav(midi, out_dir)


def test_missing_abcm2ps_names_the_apt_package(reel_abc: str, out_dir: Path, no_programs: None) -> None:
    with pytest.raises(RenderError, match=r"abcm2ps is not installed.*apt-get install abcm2ps"):
        render_svg(reel_abc, out_dir)


def test_missing_soundfont_says_how_to_get_one(reel_abc: str, out_dir: Path, tmp_path: Path) -> None:
    midi = render_midi(reel_abc, out_dir)
    with pytest.raises(RenderError, match=r"SoundFont .*nowhere.sf2 not found.*fluid-soundfont-gm"):
        render_wav(midi, out_dir, soundfont=tmp_path / "nowhere.sf2")


def test_impossible_sample_rate_is_refused_with_the_valid_range(reel_abc: str, out_dir: Path) -> None:
    with pytest.raises(RenderError, match=r"sample rate 100 Hz is not valid; use 8000\.\.192000 Hz"):
        render_wav(render_midi(reel_abc, out_dir), out_dir, sample_rate=100)


def test_malformed_abc_is_refused_with_both_converters_reasons(out_dir: Path) -> None:
    with pytest.raises(RenderError, match=r"could not be turned into MIDI: .*abc2midi|could not be turned into MIDI: .*music21"):
        render_midi("this is not a tune at all", out_dir)
    with pytest.raises(RenderError, match="abcm2ps could not engrave the tune"):
        render_svg("this is not a tune at all", out_dir)
    with pytest.raises(RenderError, match="music21 could not read the ABC"):
        render_musicxml("this is not a tune at all", out_dir)
    assert list(out_dir.iterdir()) == []


def test_wav_sample_rate_follows_the_setting(reel_abc: str, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tunesmith.settings import get_settings

    monkeypatch.setenv("TUNESMITH_SAMPLE_RATE", "22050")
    get_settings.cache_clear()
    wav = render_wav(render_midi(reel_abc, out_dir), out_dir)
    assert soundfile.info(wav).samplerate == 22050


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "..", "/etc/passwd", "x" * 81])
def test_bad_file_names_are_refused_and_nothing_is_written(reel_abc: str, out_dir: Path, name: str) -> None:
    with pytest.raises(RenderError, match="not a valid file name"):
        render_all(reel_abc, out_dir, name=name)
    assert list(out_dir.iterdir()) == []


def test_unknown_format_is_named_with_the_valid_ones(reel_abc: str, out_dir: Path) -> None:
    with pytest.raises(RenderError, match=r"unknown format\(s\) 'mp3'; choose from abc, mid, wav, svg, musicxml"):
        render_all(reel_abc, out_dir, formats=("abc", "mp3"))


def test_format_names_a_model_may_use_are_understood(reel_abc: str, out_dir: Path) -> None:
    result = render_all(reel_abc, out_dir, formats=("MIDI", "score"))
    assert result.midi == out_dir / "tune.mid" and result.svg == out_dir / "tune.svg" and result.abc is None


def test_empty_and_oversized_abc_are_refused(out_dir: Path) -> None:
    with pytest.raises(RenderError, match="empty"):
        render_midi("  \n", out_dir)
    with pytest.raises(RenderError, match="at most 100,000"):
        render_svg("X:1\nK:C\n" + "C" * 100_001, out_dir)


def test_doctor_rows_show_each_renderer_and_the_apt_fix_when_missing(no_programs: None) -> None:
    rows = {row.name: row for row in render_checks()}
    assert set(rows) == {"abc2midi", "fluidsynth", "soundfont", "abcm2ps"}
    assert not rows["abc2midi"].available and rows["abc2midi"].fix == "apt-get install abcmidi"
    assert not rows["abc2midi"].required  # music21 can stand in
    assert rows["fluidsynth"].required and rows["fluidsynth"].fix == "apt-get install fluidsynth"
    assert rows["abcm2ps"].fix == "apt-get install abcm2ps"


def test_doctor_rows_are_all_available_on_a_complete_install() -> None:
    assert all(row.available for row in render_checks())


# --- never a crash, never a hang ------------------------------------------------------------------------

@pytest.mark.parametrize("odd", ["\u00a0", "\u201c", "é", "\u2019", "🎵"])
def test_a_non_ascii_character_in_a_music_line_never_crashes_rendering(out_dir: Path, odd: str) -> None:
    abc = f"X:1\nT:Odd\nM:4/4\nL:1/8\nK:G\nGABc d{odd}BGA|B2ge d4|]\n"
    try:
        midi = render_midi(abc, out_dir)
    except RenderError as error:
        assert "could not be turned into MIDI" in str(error)
    else:
        assert midi.stat().st_size > 0


def test_a_tune_music21_would_spin_on_is_refused_in_bounded_time(out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from tunesmith.tools import render

    monkeypatch.setattr(render, "MUSIC21_TIMEOUT_S", 3.0)
    hang = "X:1\nT:H\nM:1000000/4\nL:1/8\nK:G\nGABc dBGA|B2ge dB!|\n"
    started = time.perf_counter()
    with pytest.raises(RenderError, match="M:1000000/4"):
        render_midi(hang, out_dir)  # our validator refuses the meter; music21 is not even asked
    assert not render.music21_reads(hang)  # asked directly, it is stopped at the time limit
    assert time.perf_counter() - started < 30
    assert list(out_dir.iterdir()) == []
