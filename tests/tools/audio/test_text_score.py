"""Scoring audio against text: descriptor targets offline, and the real CLAP path on a tiny random model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.real_tunes import KESH, render_clip
from support.synth_clips import A_MINOR, D_MAJOR, chord_loop, write
from support.tiny_models import build_tiny_clap, one_torch_thread

from tunesmith.tools.audio.describe import AudioInputError
from tunesmith.tools.audio.text_score import clap_checks, rank_clips, score_audio


@pytest.fixture(scope="module")
def tiny_clap(tmp_path_factory: pytest.TempPathFactory) -> str:
    with one_torch_thread():
        return str(build_tiny_clap(tmp_path_factory.mktemp("models") / "clap"))


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        "slow_dark": write(folder / "slow_dark.wav", chord_loop(60, A_MINOR, 12, harmonics=2)),
        "fast_bright": write(folder / "fast_bright.wav", chord_loop(150, D_MAJOR, 12, harmonics=14, hits_per_beat=2)),
    }


def test_without_clap_weights_the_score_rests_on_descriptors_and_says_why(clips) -> None:
    result = score_audio(clips["slow_dark"], ["a slow, dark, calm lullaby", "a fast, bright, busy reel"])
    assert not result.clap_available
    assert "not in the Hugging Face cache" in result.clap_status and "descriptors" in result.clap_status
    lullaby, reel = result.scores
    assert lullaby.clap_similarity is None and reel.clap_similarity is None
    assert lullaby.descriptor_match == 1.0 and reel.descriptor_match < 0.3
    assert result.best_text == "a slow, dark, calm lullaby"
    assert {t.descriptor for t in lullaby.targets} == {"tempo_bpm", "centroid_mean_hz", "onset_density_per_s"}


def test_a_fast_bright_request_ranks_the_fast_bright_clip_first(clips) -> None:
    ranking = rank_clips([clips["slow_dark"], clips["fast_bright"]], "something fast and bright")
    assert [Path(clip.path).name for clip in ranking] == ["fast_bright.wav", "slow_dark.wav"]
    assert ranking[0].score > ranking[1].score


def test_named_key_and_tempo_are_checked_against_the_clip(clips) -> None:
    result = score_audio(clips["slow_dark"], ["a tune in A minor at 60 BPM", "a tune in D major", "a happy tune"])
    right, wrong_key, happy = result.scores
    assert [(t.descriptor, t.wanted, t.score) for t in right.targets] == [("tempo_bpm", "≈ 60", 1.0),
                                                                         ("key", "A minor", 1.0)]
    assert wrong_key.targets[0].measured == "A minor" and wrong_key.descriptor_match == 0.0
    assert (happy.targets[0].wanted, happy.descriptor_match) == ("major", 0.0)


def test_text_with_no_descriptive_word_sets_no_target(clips) -> None:
    score = score_audio(clips["slow_dark"], ["a tune"]).scores[0]
    assert score.targets == [] and score.descriptor_match is None


def test_tiny_clap_model_gives_repeatable_cosine_similarities(clips, tiny_clap) -> None:
    texts = ["a slow dark lullaby", "a fast bright reel", "a slow dark lullaby"]
    with one_torch_thread():
        first = score_audio(clips["fast_bright"], texts, model=tiny_clap)
        again = score_audio(clips["fast_bright"], texts, model=tiny_clap)
    assert first.clap_available and tiny_clap in first.clap_status
    similarities = [s.clap_similarity for s in first.scores]
    assert all(-1.0 <= s <= 1.0 for s in similarities)
    assert similarities == [s.clap_similarity for s in again.scores]
    assert similarities[0] == similarities[2] != similarities[1]
    # The descriptor targets are reported alongside CLAP, so the trace says both.
    assert [t.word for t in first.scores[1].targets] == ["fast", "bright"]


def test_with_clap_the_ranking_follows_clap_similarity(clips, tiny_clap, tmp_path: Path) -> None:
    long_clip = write(tmp_path / "long.wav", chord_loop(100, A_MINOR, 25))  # judged on several 10 s windows
    with one_torch_thread():
        ranking = rank_clips([clips["slow_dark"], clips["fast_bright"], long_clip], "a gentle waltz", model=tiny_clap)
    assert len(ranking) == 3
    assert [clip.score for clip in ranking] == sorted((clip.clap_similarity for clip in ranking), reverse=True)


def test_clap_settings_point_scoring_and_doctor_at_the_model(clips, tiny_clap, monkeypatch) -> None:
    monkeypatch.setenv("TUNESMITH_CLAP_MODEL", tiny_clap)
    from tunesmith.settings import get_settings

    get_settings.cache_clear()
    (row,) = clap_checks()
    assert row.name == "CLAP" and row.available and tiny_clap in row.detail
    with one_torch_thread():
        assert score_audio(clips["slow_dark"], ["calm"]).clap_available


def test_doctor_row_without_clap_names_the_fallback() -> None:
    (row,) = clap_checks()
    assert not row.available and "librosa descriptors" in row.detail and row.fix


@pytest.mark.parametrize("texts", [[], [""], "a jig"], ids=["no-texts", "empty-text", "bare-string"])
def test_bad_texts_are_refused_with_the_value(clips, texts) -> None:
    with pytest.raises(ValueError, match="is not valid; give a list of one or more non-empty texts"):
        score_audio(clips["slow_dark"], texts)


def test_non_audio_files_and_empty_lists_are_refused(tmp_path: Path) -> None:
    fake = tmp_path / "clip.wav"
    fake.write_bytes(np.arange(100, dtype=np.uint8).tobytes())
    with pytest.raises(AudioInputError, match="not an audio file"):
        score_audio(fake, ["calm"])
    with pytest.raises(ValueError, match="paths is empty"):
        rank_clips([], "calm")


def test_without_clap_musicnn_tags_match_a_flute_text_to_a_flute_render_over_a_piano_text(tmp_path: Path) -> None:
    flute = render_clip(tmp_path, KESH.replace("%%MIDI program 0", "%%MIDI program 73"), "flute")
    result = score_audio(flute, ["a jig played on the flute", "a jig played on the piano"])
    on_flute, on_piano = result.scores
    assert on_flute.tag_match is not None and on_flute.tag_match > on_piano.tag_match
    assert 0.0 <= on_piano.tag_match <= 1.0
    assert any(line.startswith("flute:") for line in on_flute.tag_evidence)
    assert "musicnn MTT_musicnn, MSD_musicnn" in result.tags_status and "flute" in result.top_tags
    assert result.best_text == "a jig played on the flute"
    assert "tag match" in result.summary
