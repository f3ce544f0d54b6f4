"""Read a user's audio file safely: checked for existence, size, length and decodability, as mono samples.

`load_audio` is the one checked way every audio tool reads a user's file; it lives apart from
`describe.py` so the musicnn taggers can read clips without importing the description they feed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tunesmith.errors import InputError

__all__ = ["ANALYSIS_SAMPLE_RATE", "MAX_AUDIO_SECONDS", "AudioInputError", "audio_info", "load_audio"]

MAX_AUDIO_SECONDS = 600.0  # ten minutes: longer clips take minutes to analyse and are refused
ANALYSIS_SAMPLE_RATE = 22050  # Hz; enough for tempo, key and brightness, and half the work of 44.1 kHz


class AudioInputError(InputError):
    """A file given as audio is missing, empty, unreadable, not audio, or too long."""


def audio_info(path: Path) -> tuple[int, int, float]:
    """(sample rate Hz, channels, duration s) read from the file's content, not its name."""
    import soundfile

    try:
        info = soundfile.info(str(path))
        return int(info.samplerate), int(info.channels), float(info.frames) / info.samplerate
    except Exception:
        pass
    try:
        import audioread

        with audioread.audio_open(str(path)) as handle:
            return int(handle.samplerate), int(handle.channels), float(handle.duration)
    except Exception:
        raise AudioInputError(
            f"{path} is not an audio file this machine can read; give a WAV, FLAC, OGG or MP3 file"
        ) from None


def load_audio(
    path: str | Path, *, sample_rate: int | None = ANALYSIS_SAMPLE_RATE, max_seconds: float = MAX_AUDIO_SECONDS
) -> tuple[np.ndarray, int]:
    """Read an audio file as mono float32 samples in -1..1, resampled to `sample_rate` Hz (None: keep).

    Raises AudioInputError for a missing, empty, non-audio, silent-length or over-long file.
    """
    path = Path(path)
    if not path.exists():
        raise AudioInputError(f"audio file {path} does not exist")
    if not path.is_file():
        raise AudioInputError(f"{path} is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioInputError(f"audio file {path} is empty (0 bytes)")
    _, _, duration = audio_info(path)
    if duration > max_seconds:
        raise AudioInputError(
            f"{path} lasts {duration:.0f} s; clips up to {max_seconds:.0f} s are accepted, cut it shorter first"
        )
    import librosa

    try:
        samples, sr = librosa.load(str(path), sr=sample_rate, mono=True)
    except Exception as exc:
        raise AudioInputError(f"{path} could not be decoded as audio ({type(exc).__name__}: {exc})") from None
    if samples.size == 0:
        raise AudioInputError(f"{path} has no audio samples (truncated or empty audio data)")
    if not np.all(np.isfinite(samples)):
        raise AudioInputError(f"{path} holds non-finite sample values (NaN or infinity); it is not usable audio")
    return samples.astype(np.float32), int(sr)
