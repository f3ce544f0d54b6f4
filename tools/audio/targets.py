"""Targets for audio descriptors read from the words of a request, and how well a clip meets them.

"a slow, dark lullaby in D minor at 70 BPM" becomes tempo ≤ 95 BPM, centroid ≤ 1200 Hz, key D minor and
tempo ≈ 70 BPM; each target scores 0..1 on a clip's AudioDescriptors. This is the offline stand-in
for CLAP: coarse, but it needs no weights and says exactly why a clip matched.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from tunesmith.tools.audio.descriptors import AudioDescriptors

# word -> (descriptor, lowest, highest) in the descriptor's unit; None = open-ended.
_WORD_TARGETS: dict[str, tuple[str, float | None, float | None]] = {}
for _words, _target in (
    ("slow lullaby adagio largo ballad dirge", ("tempo_bpm", None, 95.0)),
    ("fast quick lively allegro presto upbeat driving", ("tempo_bpm", 120.0, None)),
    ("bright brilliant shimmering sparkling airy crisp", ("centroid_mean_hz", 2000.0, None)),
    ("dark mellow muffled deep gloomy", ("centroid_mean_hz", None, 1200.0)),
    ("warm", ("centroid_mean_hz", 900.0, 2000.0)),
    ("calm gentle peaceful sparse relaxed serene ambient", ("onset_density_per_s", None, 2.0)),
    ("busy energetic dense frantic rhythmic danceable", ("onset_density_per_s", 4.0, None)),
    ("loud powerful intense", ("loudness_lufs", -16.0, None)),
    ("quiet soft hushed", ("loudness_lufs", None, -26.0)),
):
    for _word in _words.split():
        _WORD_TARGETS[_word] = _target
_MODE_WORDS = {"major": "major", "happy": "major", "joyful": "major", "cheerful": "major",
               "minor": "minor", "sad": "minor", "melancholy": "minor", "mournful": "minor"}
_KEY_PATTERN = re.compile(r"\b([A-G])(#|b|♯|♭| sharp| flat)?\s+(major|minor)\b")
_BPM_PATTERN = re.compile(r"\b(\d{2,3})\s*bpm\b", re.IGNORECASE)
_ACCIDENTALS = {"#": "#", "♯": "#", " sharp": "#", "b": "b", "♭": "b", " flat": "b"}
_ENHARMONIC = {"A#": "Bb", "Db": "C#", "D#": "Eb", "Gb": "F#", "G#": "Ab", "Cb": "B", "Fb": "E", "E#": "F", "B#": "C"}


class DescriptorTarget(BaseModel):
    """One wish read from the text and how well the clip meets it (1 = fully, 0 = far off)."""

    word: str = Field(description="The words in the text that set this target.")
    descriptor: str = Field(description="tempo_bpm, centroid_mean_hz, onset_density_per_s, loudness_lufs, mode or key.")
    wanted: str = Field(description="e.g. '≤ 95', '≥ 2000', 'minor', 'D minor'.")
    measured: str
    score: float = Field(ge=0.0, le=1.0)


def _range_score(value: float, low: float | None, high: float | None) -> float:
    """1 inside [low, high]; falls linearly to 0 at 50 % beyond the nearer bound."""
    for bound, outside in ((low, low is not None and value < low), (high, high is not None and value > high)):
        if outside:
            return max(0.0, 1.0 - abs(value - bound) / (0.5 * abs(bound) or 1.0))
    return 1.0


def targets_for_text(text: str, descriptors: AudioDescriptors) -> list[DescriptorTarget]:
    """Every target the text's words set, scored on `descriptors`."""
    targets: list[DescriptorTarget] = []
    # Words of a named key ("D minor") count once, as the key, not again as a mode.
    for word in re.findall(r"[a-z]+", _KEY_PATTERN.sub(" ", text).lower()):
        if word in _WORD_TARGETS:
            name, low, high = _WORD_TARGETS[word]
            value = getattr(descriptors, name)
            if value is None:
                score, measured = 0.0, "unknown"
            else:
                score, measured = _range_score(value, low, high), f"{value:.4g}"
            wanted = f"≥ {low:g}" if high is None else f"≤ {high:g}" if low is None else f"{low:g}–{high:g}"
            targets.append(DescriptorTarget(word=word, descriptor=name, wanted=wanted, measured=measured,
                                            score=round(score, 3)))
        elif word in _MODE_WORDS:
            mode = descriptors.key.mode if descriptors.key else "unknown"
            targets.append(DescriptorTarget(word=word, descriptor="mode", wanted=_MODE_WORDS[word], measured=mode,
                                            score=1.0 if mode == _MODE_WORDS[word] else 0.0))
    for match in _BPM_PATTERN.finditer(text):
        bpm = float(match.group(1))
        tempo = descriptors.tempo_bpm
        score = 0.0 if tempo is None else _range_score(tempo, bpm * 0.92, bpm * 1.08)
        targets.append(DescriptorTarget(word=match.group(0), descriptor="tempo_bpm", wanted=f"≈ {bpm:g}",
                                        measured="unknown" if tempo is None else f"{tempo:.4g}", score=round(score, 3)))
    for match in _KEY_PATTERN.finditer(text):
        tonic = match.group(1) + _ACCIDENTALS.get(match.group(2) or "", "")
        wanted = f"{_ENHARMONIC.get(tonic, tonic)} {match.group(3)}"
        measured = descriptors.key.name if descriptors.key else "unknown"
        targets.append(DescriptorTarget(word=match.group(0), descriptor="key", wanted=wanted, measured=measured,
                                        score=1.0 if measured == wanted else 0.0))
    return targets


def descriptor_match(targets: list[DescriptorTarget]) -> float | None:
    """Mean target score, 0..1; None when the text set no target."""
    return round(sum(t.score for t in targets) / len(targets), 4) if targets else None
