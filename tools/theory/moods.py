"""Mood words and what they imply for a tune: valence and energy, then mode, tempo, density and register.

`MOODS`: mood word -> valence and energy on Russell's circumplex of affect (Russell 1980, "A
circumplex model of affect"), each in -1..1. `mood_profile` turns them into a mode, a tempo factor,
a density, a register and instrument suggestions (mapping in its docstring). Colour words ("blue",
"warm") are not moods here: a request about a picture names colours, and the image bridge reads
colours from the picture itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tunesmith.tools.theory.keys import Mode
from tunesmith.tools.theory.shape import Contour, Density


@dataclass(frozen=True)
class Mood:
    """A mood word on Russell's circumplex: valence (unpleasant -1 .. pleasant 1), energy (-1 .. 1)."""

    word: str
    valence: float
    energy: float
    mode: Mode | None = None  # set only where a mode has a settled association beyond major/minor
    contour: Contour | None = None
    instruments: tuple[str, ...] = ()


def _m(word: str, valence: float, energy: float, instruments: tuple[str, ...] = (), *,
       mode: Mode | None = None, contour: Contour | None = None, also: tuple[str, ...] = ()) -> list[Mood]:
    return [Mood(w, valence, energy, mode, contour, instruments) for w in (word, *also)]


MOODS: dict[str, Mood] = {m.word: m for m in (
    *_m("happy", 0.8, 0.5, ("piano", "flute"), also=("joyful", "joyous", "glad", "merry", "jolly")),
    *_m("cheerful", 0.8, 0.4, ("flute", "clarinet", "accordion"), also=("sunny", "upbeat", "bright")),
    *_m("playful", 0.6, 0.6, ("clarinet", "xylophone", "pizzicato strings"), also=("whimsical", "cheeky", "bouncy")),
    *_m("lively", 0.5, 0.8, ("fiddle", "accordion"), also=("energetic", "spirited", "brisk", "vigorous")),
    *_m("festive", 0.8, 0.7, ("brass", "glockenspiel"), also=("celebratory", "jubilant")),
    *_m("triumphant", 0.7, 0.8, ("trumpet", "brass"), contour="ascending", also=("victorious", "heroic", "majestic")),
    *_m("epic", 0.3, 0.9, ("strings", "brass", "timpani"), contour="ascending", also=("grand", "cinematic")),
    *_m("hopeful", 0.6, 0.2, ("strings", "piano"), contour="ascending", also=("uplifting", "optimistic")),
    *_m("romantic", 0.5, -0.1, ("violin", "cello", "piano"), also=("tender", "loving", "sweet")),
    *_m("calm", 0.4, -0.7, ("flute", "harp", "piano"), also=("peaceful", "serene", "tranquil", "relaxed",
                                                              "gentle", "soothing", "quiet", "restful")),
    *_m("dreamy", 0.3, -0.5, ("harp", "celesta", "warm pad"), mode="lydian", also=("ethereal", "floating")),
    *_m("nostalgic", 0.0, -0.4, ("piano", "accordion", "oboe"), also=("wistful", "bittersweet", "longing")),
    *_m("melancholic", -0.6, -0.5, ("cello", "oboe", "piano"), contour="descending",
        also=("melancholy", "sad", "sorrowful", "mournful", "lonely", "gloomy", "somber", "sombre")),
    *_m("solemn", -0.2, -0.5, ("church organ", "strings", "french horn"), also=("stately", "reverent")),
    *_m("dark", -0.6, 0.1, ("cello", "bassoon", "strings"), also=("brooding", "ominous", "sinister")),
    *_m("mysterious", -0.3, -0.2, ("celesta", "harp", "strings"), also=("enigmatic", "haunting", "mystical")),
    *_m("eerie", -0.6, -0.2, ("celesta", "tremolo strings", "vibraphone"), mode="phrygian",
        also=("spooky", "creepy", "ghostly", "uncanny")),
    *_m("tense", -0.6, 0.6, ("tremolo strings", "timpani"), also=("anxious", "suspenseful", "nervous", "urgent")),
    *_m("angry", -0.8, 0.9, ("electric guitar", "brass"), also=("aggressive", "furious", "fierce")),
)}


@dataclass(frozen=True)
class MoodProfile:
    """What mood words imply for a tune; fields are None where the words imply nothing."""

    words: tuple[str, ...]
    valence: float
    energy: float
    mode: Mode | None
    tempo_factor: float
    density: Density | None
    contour: Contour | None
    low_pitch: int
    high_pitch: int
    instruments: tuple[str, ...]


def mood_profile(words: Iterable[str]) -> MoodProfile | None:
    """Combine mood words (averaging valence and energy) into musical defaults; None if no known word.

    Mapping (Gabrielsson & Lindström 2010, "The role of structure in the musical expression of
    emotions", review the evidence for each cue):
      mode:    valence >= 0.2 -> major, <= -0.2 -> minor (Hevner 1935), unless a word has its own
               mode (dreamy -> lydian, eerie -> phrygian); in between: no mode is implied.
      tempo:   factor 1 + 0.25 x energy applied to the tune type's tempo (high arousal = faster).
      density: energy <= -0.3 -> sparse, >= 0.5 -> dense, else medium.
      register (MIDI numbers): centre 69 (A4) shifted by 4 x valence + 3 x energy semitones,
               spanning 19 semitones (higher pitch reads as brighter/happier, lower as sadder).
    """
    moods = [MOODS[w] for w in (w.lower() for w in words) if w in MOODS]
    if not moods:
        return None
    valence = sum(m.valence for m in moods) / len(moods)
    energy = sum(m.energy for m in moods) / len(moods)
    own_mode = next((m.mode for m in moods if m.mode), None)
    mode: Mode | None = own_mode or ("major" if valence >= 0.2 else "minor" if valence <= -0.2 else None)
    density: Density = "sparse" if energy <= -0.3 else "dense" if energy >= 0.5 else "medium"
    contour = next((m.contour for m in moods if m.contour), None)
    centre = round(69 + 4 * valence + 3 * energy)
    instruments = tuple(dict.fromkeys(i for m in moods for i in m.instruments))
    return MoodProfile(
        words=tuple(m.word for m in moods), valence=round(valence, 2), energy=round(energy, 2), mode=mode,
        tempo_factor=round(1 + 0.25 * energy, 3), density=density, contour=contour,
        low_pitch=centre - 9, high_pitch=centre + 10, instruments=instruments,
    )
