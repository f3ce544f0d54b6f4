"""Clip in: decode safely, audio descriptors, a description with segments and musicnn tags, the melody
transcribed as ABC (`transcribe`), and how well audio fits a text."""

from tunesmith.tools.audio.describe import AudioDescription, AudioInputError, describe_audio, load_audio
from tunesmith.tools.audio.descriptors import AudioDescriptors, audio_descriptors
from tunesmith.tools.audio.text_score import AudioScore, clap_checks, rank_clips, score_audio

__all__ = ["AudioDescription", "AudioDescriptors", "AudioInputError", "AudioScore", "audio_descriptors", "clap_checks", "describe_audio", "load_audio", "rank_clips", "score_audio"]
