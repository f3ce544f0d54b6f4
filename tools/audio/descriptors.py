"""Audio descriptors of one mono signal: tempo, key, loudness, brightness, onset density.

These are the measures every audio tool shares (describe_audio, clap.py, the eval): plain numbers
with units, computed with librosa and scipy, no model weights. `audio_descriptors` is the one entry point.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, Field

from tunesmith.tools.theory import KeyEstimate, estimate_key

# Floor for the level of silence, so results stay finite (JSON has no -inf).
SILENCE_DB = -120.0


class AudioDescriptors(BaseModel):
    """What a listener would say about a stretch of audio, as numbers with units."""

    duration_s: float = Field(description="Length in seconds.")
    tempo_bpm: float | None = Field(description="Beats per minute; None when there are too few onsets to tell.")
    key: KeyEstimate | None = Field(description="Estimated key; None for silence or unpitched sound.")
    rms_dbfs: float = Field(description="RMS level in dB relative to full scale (a full-scale sine is -3 dBFS).")
    loudness_lufs: float = Field(description="Integrated loudness estimate (ITU-R BS.1770 K-weighting and gating), LUFS.")
    centroid_mean_hz: float = Field(description="Mean spectral centroid of the audible frames, Hz (brightness).")
    centroid_spread_hz: float = Field(description="Standard deviation of the spectral centroid, Hz.")
    onset_density_per_s: float = Field(description="Note or drum onsets per second (busyness).")

    @property
    def brightness(self) -> str:
        """'dark', 'warm' or 'bright' from the spectral centroid."""
        if self.centroid_mean_hz < 900:
            return "dark"
        return "warm" if self.centroid_mean_hz < 2000 else "bright"

    @property
    def activity(self) -> str:
        """'sparse', 'steady' or 'busy' from the onset density."""
        if self.onset_density_per_s < 1.5:
            return "sparse"
        return "steady" if self.onset_density_per_s < 4.0 else "busy"

    def summary(self) -> str:
        """A short phrase, e.g. 'bright, busy, ~128 BPM, A minor?'."""
        if self.rms_dbfs < -60:
            return "silence"
        parts = [self.brightness, self.activity]
        if self.tempo_bpm is not None:
            parts.append(f"~{self.tempo_bpm:.0f} BPM")
        if self.key is not None:
            parts.append(self.key.name + ("" if self.key.confident else "?"))
        return ", ".join(parts)


def _to_db(power: float) -> float:
    return SILENCE_DB if power <= 10 ** (SILENCE_DB / 10) else 10 * math.log10(power)


def _k_weighting(samples: np.ndarray, sr: int) -> np.ndarray:
    """BS.1770 K-weighting (high shelf +4 dB at 1.5 kHz, then high-pass at 38 Hz) designed for `sr` Hz."""
    from scipy.signal import lfilter

    def biquad(kind: str, fc: float, q: float, gain_db: float) -> tuple[np.ndarray, np.ndarray]:
        a_gain = 10 ** (gain_db / 40)
        w0 = 2 * math.pi * fc / sr
        alpha, cos_w0 = math.sin(w0) / (2 * q), math.cos(w0)
        if kind == "high_shelf":
            root = 2 * math.sqrt(a_gain) * alpha
            b = [a_gain * ((a_gain + 1) + (a_gain - 1) * cos_w0 + root),
                 -2 * a_gain * ((a_gain - 1) + (a_gain + 1) * cos_w0),
                 a_gain * ((a_gain + 1) + (a_gain - 1) * cos_w0 - root)]
            a = [(a_gain + 1) - (a_gain - 1) * cos_w0 + root,
                 2 * ((a_gain - 1) - (a_gain + 1) * cos_w0),
                 (a_gain + 1) - (a_gain - 1) * cos_w0 - root]
        else:
            b = [(1 + cos_w0) / 2, -(1 + cos_w0), (1 + cos_w0) / 2]
            a = [1 + alpha, -2 * cos_w0, 1 - alpha]
        return np.array(b) / a[0], np.array(a) / a[0]

    shelved = lfilter(*biquad("high_shelf", 1500.0, 1 / math.sqrt(2), 4.0), samples)
    return lfilter(*biquad("high_pass", 38.0, 0.5, 0.0), shelved)


def integrated_loudness(samples: np.ndarray, sr: int) -> float:
    """Integrated loudness in LUFS of a mono signal: 400 ms blocks, 75 % overlap, -70 LUFS and -10 LU gates."""
    weighted = _k_weighting(np.asarray(samples, dtype=np.float64), sr)
    block, hop = int(0.4 * sr), int(0.1 * sr)
    if len(weighted) <= block:
        powers = np.array([np.mean(weighted**2)])
    else:
        starts = range(0, len(weighted) - block + 1, hop)
        powers = np.array([np.mean(weighted[s : s + block] ** 2) for s in starts])
    levels = np.array([-0.691 + _to_db(p) for p in powers])
    gated = powers[levels > -70.0]
    if gated.size == 0:
        return SILENCE_DB
    relative_gate = -0.691 + _to_db(float(gated.mean())) - 10.0
    kept = powers[(levels > -70.0) & (levels > relative_gate)]
    return max(SILENCE_DB, -0.691 + _to_db(float(kept.mean())))


def audio_descriptors(samples: np.ndarray, sr: int) -> AudioDescriptors:
    """Measure a mono signal (float samples in -1..1 at `sr` Hz): tempo, key, loudness, brightness, onsets."""
    import librosa

    y = np.asarray(samples, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(f"audio_descriptors needs mono samples (1-D), got shape {y.shape}; mix channels first")
    if sr <= 0:
        raise ValueError(f"sample rate {sr} Hz is not valid; it must be a positive number of Hz")
    duration = len(y) / sr
    rms_dbfs = _to_db(float(np.mean(y.astype(np.float64) ** 2))) if len(y) else SILENCE_DB
    loudness = integrated_loudness(y, sr) if len(y) else SILENCE_DB
    if len(y) < 2048 or rms_dbfs < -60:
        # Too short or too quiet to say anything about rhythm, pitch or timbre.
        return AudioDescriptors(duration_s=duration, tempo_bpm=None, key=None, rms_dbfs=rms_dbfs,
                                loudness_lufs=loudness, centroid_mean_hz=0.0, centroid_spread_hz=0.0,
                                onset_density_per_s=0.0)

    # One magnitude spectrogram (2048-point frames, hop 512) feeds every measure below.
    spectrum = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
    power = spectrum**2
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr))
    onset_envelope = librosa.onset.onset_strength(S=mel_db, sr=sr)
    onsets = librosa.onset.onset_detect(onset_envelope=onset_envelope, sr=sr, units="time")
    tempo = None
    if len(onsets) >= 4:
        tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset_envelope, sr=sr))[0])

    frame_rms = librosa.feature.rms(S=spectrum)[0]
    audible = frame_rms > frame_rms.max() * 10 ** (-40 / 20)  # frames within 40 dB of the loudest
    centroid = librosa.feature.spectral_centroid(S=spectrum, sr=sr)[0][audible]
    chroma = librosa.feature.chroma_stft(S=power, sr=sr)
    key = estimate_key(chroma[:, audible].sum(axis=1))
    return AudioDescriptors(
        duration_s=round(duration, 4),
        tempo_bpm=None if tempo is None else round(tempo, 2),
        key=key,
        rms_dbfs=round(rms_dbfs, 2),
        loudness_lufs=round(loudness, 2),
        centroid_mean_hz=round(float(centroid.mean()), 1) if centroid.size else 0.0,
        centroid_spread_hz=round(float(centroid.std()), 1) if centroid.size else 0.0,
        onset_density_per_s=round(len(onsets) / duration, 3),
    )
