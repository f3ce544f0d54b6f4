"""A reference clip → a base MusicPlan with reasons: what was measured, heard and transcribed.

Tempo and key come from the clip's descriptors (librosa), the instrument and mood words from its
musicnn tags, and — when its melody was transcribed — key, mode, meter, tempo and length from the
clip's own tune. Every field set here carries the reason the explanation quotes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tunesmith.tools.plan import MusicPlan

if TYPE_CHECKING:
    from tunesmith.tools.audio.describe import AudioDescription
    from tunesmith.tools.audio.musicnn.tagger import ClipTags
    from tunesmith.tools.audio.transcribe import Transcription

# musicnn tag -> General MIDI instrument name (tools.plan.GM_PROGRAMS)
INSTRUMENT_TAGS = {"piano": "piano", "violin": "violin", "flute": "flute", "harpsichord": "harpsichord",
                   "guitar": "guitar", "strings": "strings", "cello": "cello", "harp": "harp", "sitar": "sitar",
                   "choir": "choir", "choral": "choir", "synth": "synth lead"}
# musicnn tags that describe character (MagnaTagATune and Million Song Dataset vocabularies)
MOOD_TAGS = ("soft", "quiet", "loud", "ambient", "classical", "folk", "sad", "happy", "Mellow", "chill",
             "beautiful", "party", "catchy", "easy listening", "chillout", "new age", "weird", "experimental")
INSTRUMENT_MIN_PROBABILITY = 0.3  # below this a tagger's instrument guess is not trusted
MOOD_MIN_PROBABILITY = 0.2
TEMPO_WORD_MIN_PROBABILITY = 0.3


def clip_instrument(tags: ClipTags | None) -> tuple[str | None, str | None]:
    """(instrument, reason) from the most likely instrument tag, or (None, None) when none is likely."""
    if tags is None:
        return None, None
    heard = max(((tags.probability(tag), tag) for tag in INSTRUMENT_TAGS), default=(0.0, ""))
    if heard[0] < INSTRUMENT_MIN_PROBABILITY:
        return None, None
    return INSTRUMENT_TAGS[heard[1]], f"musicnn hears {heard[1]} in the clip (probability {heard[0]:.2f})"


def clip_mood(tags: ClipTags | None) -> tuple[str | None, str | None]:
    """(mood words, reason) from the likely character tags, or (None, None)."""
    if tags is None:
        return None, None
    heard = sorted(((tags.probability(tag), tag) for tag in MOOD_TAGS), reverse=True)
    chosen = [(p, tag) for p, tag in heard if p >= MOOD_MIN_PROBABILITY][:3]
    if not chosen:
        return None, None
    words = ", ".join(tag.lower() for _, tag in chosen)
    return words, "musicnn tags of the clip: " + ", ".join(f"{tag} {p:.2f}" for p, tag in chosen)


def clip_tempo(tempo_bpm: float | None, tags: ClipTags | None) -> tuple[int | None, str | None]:
    """(BPM, reason): the measured tempo, halved or doubled when the tags hear it as slow or fast
    (beat trackers often lock onto half or double the beat a listener taps)."""
    if tempo_bpm is None:
        return None, None
    bpm, why = float(tempo_bpm), f"the reference clip moves at about {tempo_bpm:.0f} BPM"
    if tags is not None:
        slow, fast = tags.probability("slow"), tags.probability("fast")
        if slow >= TEMPO_WORD_MIN_PROBABILITY and slow > fast and bpm > 140:
            bpm, why = bpm / 2, f"{why}; musicnn hears it as slow ({slow:.2f}), so half that"
        elif fast >= TEMPO_WORD_MIN_PROBABILITY and fast > slow and bpm < 70:
            bpm, why = bpm * 2, f"{why}; musicnn hears it as fast ({fast:.2f}), so twice that"
        elif max(slow, fast) >= TEMPO_WORD_MIN_PROBABILITY:
            word = "slow" if slow > fast else "fast"
            why = f"{why} (musicnn: {word} {max(slow, fast):.2f})"
    return int(min(max(round(bpm), 40), 220)), why


def plan_from_clip(description: AudioDescription, *, tags: ClipTags | None = None,
                   transcription: Transcription | None = None, keep_length: bool = False, seed: int = 0) -> MusicPlan:
    """A base plan for "like this clip": the clip's tempo, key, instrument and mood, and its own tune's
    key, meter and tempo when transcribed (its bar count too with `keep_length`, for edits of that tune)."""
    update: dict[str, Any] = {"seed": seed, "reasons": {}}
    reasons = update["reasons"]
    tempo, why = clip_tempo(description.overall.tempo_bpm, tags)
    if tempo is not None:
        update["tempo_bpm"], reasons["tempo_bpm"] = tempo, why
    key = description.overall.key
    if key is not None:
        why = f"the clip sounds in {key.tonic} {key.mode} (key-profile correlation {key.correlation:.2f})"
        update.update(key=key.tonic, mode=key.mode)
        reasons.update(key=why, mode=why)
    if transcription is not None:
        why = f"the clip's melody, {transcription.sentence()}"
        update.update(key=transcription.key, mode=transcription.mode, meter=transcription.meter,
                      tempo_bpm=transcription.tempo_bpm)
        reasons.update(key=why, mode=why, meter=why, tempo_bpm=why)
        if keep_length:
            update["bars"], reasons["bars"] = max(2, min(128, transcription.bars)), why
    instrument, why = clip_instrument(tags)
    if instrument is not None:
        update["instrument"], reasons["instrument"] = instrument, why
    mood, why = clip_mood(tags)
    if mood is not None:
        update["mood"], reasons["mood"] = mood, why
    return MusicPlan.model_validate(update)
