"""describe_audio on synthesised clips of known tempo, key and timbre, and on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from support.synth_clips import A_MINOR, D_MAJOR, SR, chord_loop, write

from tunesmith.tools.audio.describe import AudioInputError, describe_audio, load_audio
from tunesmith.tools.audio.descriptors import audio_descriptors
from tunesmith.tools.theory.keys import estimate_key


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_a_minor_loop_at_100_bpm_is_heard_as_a_minor_near_100_bpm(tmp_path: Path) -> None:
    description = describe_audio(write(tmp_path / "clip.wav", chord_loop(100, A_MINOR, 20)))
    overall = description.overall
    assert overall.key is not None and overall.key.name == "A minor"
    assert overall.key.confident
    assert overall.tempo_bpm == pytest.approx(100, rel=0.04)
    assert overall.duration_s == pytest.approx(20.0, abs=0.01)
    assert f"about {overall.tempo_bpm:.0f} BPM in A minor" in description.caption


def test_d_major_loop_at_140_bpm_is_heard_as_d_major_near_140_bpm(tmp_path: Path) -> None:
    overall = describe_audio(write(tmp_path / "clip.flac", chord_loop(140, D_MAJOR, 15))).overall
    assert overall.key is not None and overall.key.name == "D major"
    assert overall.tempo_bpm == pytest.approx(140, rel=0.04)


def test_many_harmonics_sound_brighter_than_few() -> None:
    dark = audio_descriptors(chord_loop(100, A_MINOR, 8, harmonics=2), SR)
    bright = audio_descriptors(chord_loop(100, A_MINOR, 8, harmonics=12), SR)
    assert bright.centroid_mean_hz > 1.5 * dark.centroid_mean_hz
    assert dark.brightness == "dark"
    assert bright.brightness in {"warm", "bright"}


def test_eighth_notes_are_busier_than_half_bar_chords() -> None:
    sparse = audio_descriptors(chord_loop(60, A_MINOR, 10), SR)
    busy = audio_descriptors(chord_loop(150, A_MINOR, 10, hits_per_beat=2), SR)
    assert busy.onset_density_per_s > 3 * sparse.onset_density_per_s
    assert (sparse.activity, busy.activity) == ("sparse", "busy")


def test_full_scale_997_hz_sine_reads_minus_3_dbfs_and_minus_3_lufs(tmp_path: Path) -> None:
    t = np.arange(48000 * 5) / 48000
    overall = describe_audio(write(tmp_path / "sine.wav", np.sin(2 * np.pi * 997 * t), 48000)).overall
    assert overall.rms_dbfs == pytest.approx(-3.01, abs=0.05)
    assert overall.loudness_lufs == pytest.approx(-3.01, abs=0.3)  # the BS.1770 calibration point
    assert overall.centroid_mean_hz == pytest.approx(997, rel=0.05)


def test_halving_the_amplitude_lowers_loudness_by_6_db() -> None:
    loop = chord_loop(100, A_MINOR, 6)
    full, half = audio_descriptors(loop, SR), audio_descriptors(loop / 2, SR)
    assert full.loudness_lufs - half.loudness_lufs == pytest.approx(6.02, abs=0.1)


def test_segments_follow_a_tempo_change_and_cover_the_clip(tmp_path: Path) -> None:
    clip = np.concatenate([chord_loop(90, A_MINOR, 12), chord_loop(150, A_MINOR, 12)])
    description = describe_audio(write(tmp_path / "change.wav", clip), segment_seconds=12)
    first, second = description.segments
    assert (first.start_s, first.end_s, second.end_s) == (0.0, 12.0, 24.0)
    assert first.descriptors.tempo_bpm == pytest.approx(90, rel=0.05)
    assert second.descriptors.tempo_bpm == pytest.approx(150, rel=0.05)
    assert first.text.startswith("0–12 s: ") and "A minor" in first.text


def test_a_short_last_piece_joins_the_segment_before(tmp_path: Path) -> None:
    description = describe_audio(write(tmp_path / "c.wav", chord_loop(100, A_MINOR, 24)), segment_seconds=10)
    assert [(s.start_s, s.end_s) for s in description.segments] == [(0.0, 10.0), (10.0, 24.0)]


def test_silence_has_no_key_no_tempo_and_says_so(tmp_path: Path) -> None:
    description = describe_audio(write(tmp_path / "quiet.wav", np.zeros(SR * 3, dtype=np.float32)))
    assert description.overall.key is None and description.overall.tempo_bpm is None
    assert description.segments[0].text == "0–3 s: silence"
    assert "near-silent" in description.caption


def test_stereo_file_reports_its_own_rate_and_channels(tmp_path: Path) -> None:
    loop = chord_loop(100, A_MINOR, 4)
    description = describe_audio(write(tmp_path / "stereo.wav", np.stack([loop, loop], axis=1), SR))
    assert (description.sample_rate, description.channels) == (SR, 2)


def test_audio_is_recognised_by_content_not_by_name(tmp_path: Path) -> None:
    wav_named_dat = tmp_path / "clip.dat"
    soundfile.write(str(wav_named_dat), chord_loop(100, A_MINOR, 3), SR, format="WAV")
    assert describe_audio(wav_named_dat).duration_s == pytest.approx(3.0, abs=0.01)
    text_named_wav = tmp_path / "notes.wav"
    text_named_wav.write_text("X:1\nK:D\nABcd|\n")
    with pytest.raises(AudioInputError, match="not an audio file"):
        describe_audio(text_named_wav)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda folder: folder / "missing.wav", "does not exist"),
        (lambda folder: folder, "is a folder"),
        (lambda folder: empty_file(folder / "empty.wav"), "empty"),
    ],
)
def test_missing_folder_and_empty_inputs_get_clear_errors(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(AudioInputError, match=message):
        describe_audio(make(tmp_path))


def test_truncated_wav_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    whole = write(tmp_path / "whole.wav", chord_loop(100, A_MINOR, 2))
    header_only = tmp_path / "header_only.wav"
    header_only.write_bytes(whole.read_bytes()[:44])
    cut_header = tmp_path / "cut_header.wav"
    cut_header.write_bytes(whole.read_bytes()[:20])
    for broken in (header_only, cut_header):
        with pytest.raises(AudioInputError, match=str(broken.name)):
            describe_audio(broken)


def test_clips_over_ten_minutes_are_refused_before_decoding(tmp_path: Path) -> None:
    long_clip = write(tmp_path / "long.wav", np.zeros(1000 * 601, dtype=np.int16), 1000)
    with pytest.raises(AudioInputError, match="lasts 601 s; clips up to 600 s"):
        describe_audio(long_clip)
    with pytest.raises(AudioInputError, match="up to 30 s"):
        load_audio(long_clip, max_seconds=30)


def test_segment_length_out_of_range_names_the_value(tmp_path: Path) -> None:
    clip = write(tmp_path / "c.wav", chord_loop(100, A_MINOR, 2))
    with pytest.raises(ValueError, match="segment_seconds=0.2 is not valid; use 1 to 600"):
        describe_audio(clip, segment_seconds=0.2)


def test_key_profile_of_a_c_major_scale_is_c_major_and_a_flat_profile_has_no_key() -> None:
    c_major_scale = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], dtype=float)
    c_major_scale[[0, 4, 7]] += 1  # tonic triad weighs more, as in real music
    key = estimate_key(c_major_scale)
    assert key is not None and key.name == "C major"
    assert key.margin > 0 and key.runner_up != "C major"
    assert estimate_key(np.ones(12)) is None


def test_the_caption_says_what_musicnn_hears_with_probabilities(tmp_path: Path) -> None:
    description = describe_audio(write(tmp_path / "clip.wav", chord_loop(100, A_MINOR, 8)))
    assert description.tags is not None and len(description.tags.tags) == 100
    assert "It sounds like: " in description.caption and "(musicnn tag probabilities)" in description.caption
    assert description.tags.top(1)[0].tag in description.caption
