"""A clip's plan: tempo and key measured, instrument and mood from its tags, its own tune when transcribed."""

from __future__ import annotations

from tunesmith.tools.audio.clip_plan import plan_from_clip
from tunesmith.tools.audio.describe import AudioDescription
from tunesmith.tools.audio.descriptors import AudioDescriptors, KeyEstimate
from tunesmith.tools.audio.musicnn.tagger import ClipTags, TagProbability
from tunesmith.tools.audio.transcribe import Transcription


def description(tempo: float | None = 120.0) -> AudioDescription:
    overall = AudioDescriptors(duration_s=20, tempo_bpm=tempo, rms_dbfs=-20, loudness_lufs=-20, centroid_mean_hz=1500,
                               centroid_spread_hz=200, onset_density_per_s=3,
                               key=KeyEstimate(tonic="A", mode="minor", correlation=0.8, margin=0.1, runner_up="C major"))
    return AudioDescription(path="clip.wav", sample_rate=22050, channels=1, duration_s=20, overall=overall,
                            segments=[], caption="A clip.")


def tags(**probabilities: float) -> ClipTags:
    return ClipTags(taggers=["MTT_musicnn"], seconds=20, patches=6, tags=[
        TagProbability(tag=name.replace("_", " "), probability=p, tagger="MTT_musicnn")
        for name, p in sorted(probabilities.items(), key=lambda item: -item[1])])


def test_the_clip_sets_tempo_and_key_with_reasons() -> None:
    plan = plan_from_clip(description())
    assert (plan.tempo_bpm, plan.key, plan.mode) == (120, "A", "minor")
    assert "120 BPM" in plan.reasons["tempo_bpm"] and "A minor" in plan.reasons["key"]


def test_a_violin_heard_in_the_clip_becomes_the_instrument_and_soft_sad_the_mood() -> None:
    plan = plan_from_clip(description(), tags=tags(violin=0.7, piano=0.1, soft=0.45, sad=0.3))
    assert plan.instrument == "violin" and "violin in the clip (probability 0.70)" in plan.reasons["instrument"]
    assert plan.mood == "soft, sad" and "soft 0.45" in plan.reasons["mood"]


def test_an_unsure_instrument_tag_is_not_trusted() -> None:
    assert plan_from_clip(description(), tags=tags(violin=0.2)).instrument == "piano"


def test_a_clip_heard_as_slow_at_a_tracked_160_bpm_is_planned_at_80() -> None:
    plan = plan_from_clip(description(tempo=160), tags=tags(slow=0.6, fast=0.1))
    assert plan.tempo_bpm == 80 and "slow (0.60), so half that" in plan.reasons["tempo_bpm"]


def test_the_transcribed_tune_sets_meter_key_tempo_and_length() -> None:
    tune = Transcription(abc="X:1\nK:G\nG", source="clip.wav", notes=32, bars=8, meter="6/8", tempo_bpm=100, key="G",
                         mode="major", key_correlation=0.8, grid_fit=0.9, notes_heard=40, seconds=20, melody=[])
    plan = plan_from_clip(description(), transcription=tune, keep_length=True)
    assert (plan.meter, plan.key, plan.mode, plan.tempo_bpm, plan.bars) == ("6/8", "G", "major", 100, 8)
    assert "transcribed from your clip: 32 notes, 8 bars" in plan.reasons["meter"]
