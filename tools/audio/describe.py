"""Analyse an input clip: tempo, key, loudness, brightness and onset density, whole and per segment,
and what musicnn's taggers hear in it (instruments, tempo words, genre and mood, with probabilities).

`describe_audio` is the offline stand-in for a music captioner (LP-MusicCaps in Seed 002): it lets a
user say "like this clip, but for Christmas". `load_audio` (from `load.py`, re-exported here) is the one
checked way every audio tool reads a user's file.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from tunesmith.errors import InputError, UnavailableError
from tunesmith.tools.audio.descriptors import AudioDescriptors, audio_descriptors
from tunesmith.tools.audio.load import MAX_AUDIO_SECONDS, AudioInputError, audio_info, load_audio
from tunesmith.tools.audio.musicnn.tagger import ClipTags
from tunesmith.tools.theory import KeyEstimate

__all__ = [
    "AudioDescription",
    "AudioDescriptors",
    "AudioInputError",
    "AudioSegment",
    "KeyEstimate",
    "MAX_AUDIO_SECONDS",
    "audio_descriptors",
    "describe_audio",
    "load_audio",
]

class AudioSegment(BaseModel):
    """One stretch of the clip with its own measures and a one-line description."""

    start_s: float
    end_s: float
    descriptors: AudioDescriptors
    text: str = Field(description="e.g. '0–10 s: bright, busy, ~128 BPM, A minor?'")


class AudioDescription(BaseModel):
    """What a clip sounds like: measures of the whole clip, per segment, and a caption in words."""

    path: str
    sample_rate: int = Field(description="The file's own sample rate, Hz.")
    channels: int
    duration_s: float
    overall: AudioDescriptors
    segments: list[AudioSegment]
    caption: str = Field(description="In words, usable as a MusicGen prompt seed: the measures, then the tags heard.")
    tags: ClipTags | None = Field(None, description="musicnn tags of the whole clip; None when they could not be had.")
    tags_status: str = Field("", description="The taggers used, or why there are no tags.")


def _segment_bounds(duration: float, segment_seconds: float) -> list[tuple[float, float]]:
    """Consecutive (start, end) seconds; a last piece under half a segment joins the one before."""
    bounds, start = [], 0.0
    while start < duration - 1e-9:
        end = min(duration, start + segment_seconds)
        if bounds and end - start < segment_seconds / 2:
            bounds[-1] = (bounds[-1][0], end)
        else:
            bounds.append((start, end))
        start = end
    return bounds


def _caption(overall: AudioDescriptors) -> str:
    if overall.rms_dbfs < -60:
        return f"A near-silent clip, {overall.duration_s:.0f} s long."
    words = [f"A {overall.brightness}, {overall.activity} clip"]
    if overall.tempo_bpm is not None:
        words.append(f"at about {overall.tempo_bpm:.0f} BPM")
    if overall.key is not None:
        words.append(("in " if overall.key.confident else "probably in ") + overall.key.name)
    return " ".join(words) + f", {overall.loudness_lufs:.0f} LUFS, {overall.duration_s:.0f} s long."


def _tags(path: Path) -> tuple[ClipTags | None, str]:
    """musicnn tags of the clip and a status line, or (None, why not)."""
    from tunesmith.tools.audio.musicnn.tagger import tag_audio

    try:
        tags = tag_audio(path)
    except UnavailableError as error:
        return None, f"no tags: {error.sentence()}"
    except InputError as error:  # too short to tag
        return None, f"no tags: {error}"
    return tags, f"tagged by {', '.join(tags.taggers)} over {tags.patches} three-second patches"


def describe_audio(path: Path, *, segment_seconds: float = 10.0, with_tags: bool = True) -> AudioDescription:
    """Describe a clip as a whole and in `segment_seconds`-long pieces (seconds, 1..600); `with_tags`
    adds musicnn's tags (about a second per minute of audio) to the description and the caption."""
    if not 1.0 <= segment_seconds <= MAX_AUDIO_SECONDS:
        raise ValueError(f"segment_seconds={segment_seconds} is not valid; use 1 to {MAX_AUDIO_SECONDS:.0f} seconds")
    path = Path(path)
    samples, sr = load_audio(path)
    native_sr, channels, _ = audio_info(path)
    overall = audio_descriptors(samples, sr)
    segments = []
    for start, end in _segment_bounds(len(samples) / sr, segment_seconds):
        piece = audio_descriptors(samples[int(start * sr) : int(end * sr)], sr)
        segments.append(
            AudioSegment(start_s=round(start, 3), end_s=round(end, 3), descriptors=piece,
                         text=f"{start:.0f}–{end:.0f} s: {piece.summary()}")
        )
    tags, status = _tags(path) if with_tags and overall.rms_dbfs >= -60 else (None, "no tags: not asked for or silent")
    caption = _caption(overall)
    if tags is not None:
        caption += f" It sounds like: {tags.summary(5)} (musicnn tag probabilities)."
    return AudioDescription(
        path=str(path), sample_rate=native_sr, channels=channels, duration_s=overall.duration_s,
        overall=overall, segments=segments, caption=caption, tags=tags, tags_status=status,
    )
