"""The conventions of tune types (dances, song and concert forms) and of mood words.

Two tables that turn a user's words into musical defaults, each entry with its source:

* `TUNE_TYPES`: meter, typical tempo with its range, form, bars, density, contour, and (where the
  tradition has one) mode and instrument. Tempos are in the plan's beat unit: quarter notes, or
  dotted quarters in compound meters (6/8, 9/8, 12/8), so a jig at 116 means 116 dotted quarters
  a minute. They are typical performance tempos, not rules.
* `MOODS`: mood word -> valence and energy on Russell's circumplex of affect (Russell 1980, "A
  circumplex model of affect"), each in -1..1. `mood_profile` turns them into a mode, a tempo
  factor, a density, a register and instrument suggestions (mapping in its docstring). Colour
  words ("blue", "warm") are not moods here: a request about a picture names colours, and the
  image bridge reads colours from the picture itself.
* `MELODY_RANGES`: comfortable melody range per General MIDI instrument, to fit the register.

Sources for the conventions:
  [session]  Meters of Irish/Scottish session tune types as listed on thesession.org's tune-type
             pages (jig 6/8, slip jig 9/8, slide 12/8, reel 4/4, hornpipe 4/4, polka 2/4,
             waltz 3/4, mazurka 3/4, strathspey 4/4, march 2/4).
  [breathnach] B. Breathnach, *Folk Music and Dances of Ireland* (1971): dance tunes have two
             8-bar parts, each played twice (AABB, 32 bars).
  [baroque]  Baroque dance conventions (minuet 3/4, gavotte and bourrée in cut time with a
             half-bar upbeat, sarabande slow 3/4, gigue compound), e.g. M. Little & N. Jenne,
             *Dance and the Music of J. S. Bach* (1991).
  [song]     Popular-song and hymn forms: 32-bar AABA song form; hymn stanzas of four 4-bar
             phrases; chorale bar form AAB (Stollen, Stollen, Abgesang); 12-bar blues.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tunesmith.tools.plan import Contour, Density, Mode


@dataclass(frozen=True)
class TuneType:
    """Conventions of one tune type. Tempos in beats per minute of the plan's beat unit."""

    name: str
    meter: str
    tempo_bpm: int
    tempo_range: tuple[int, int]
    beat_unit: str  # "quarter", "dotted quarter", in words for reasons
    form: str
    bars: int
    density: Density | None
    contour: Contour | None
    mode: Mode | None
    instrument: str | None
    source: str
    aliases: tuple[str, ...] = ()


_SESSION = "session-tune convention, thesession.org"
_DANCE = "session-tune convention, thesession.org; Breathnach 1971"
_BAROQUE = "baroque dance convention (Little & Jenne 1991)"
_SONG = "song and hymn form convention"


def _t(name: str, meter: str, tempo: int, lo: int, hi: int, form: str, bars: int, density: Density | None,
       contour: Contour | None, mode: Mode | None, instrument: str | None, source: str,
       aliases: tuple[str, ...] = ()) -> TuneType:
    top, bottom = (int(p) for p in meter.split("/"))
    beat = "dotted quarter" if bottom == 8 and top % 3 == 0 and top > 3 else "quarter"
    return TuneType(name, meter, tempo, (lo, hi), beat, form, bars, density, contour, mode, instrument, source, aliases)


TUNE_TYPES: dict[str, TuneType] = {t.name: t for t in (
    # Session dance tunes [session][breathnach]: running quavers, two 8-bar parts each played twice.
    _t("jig", "6/8", 116, 100, 132, "AABB", 32, "dense", "wave", None, "fiddle", _DANCE,
       ("double jig", "gigue")),
    _t("slip jig", "9/8", 120, 100, 138, "AABB", 32, "dense", "wave", None, "fiddle", _DANCE,
       ("hop jig",)),
    _t("slide", "12/8", 132, 116, 148, "AABB", 32, "dense", "wave", None, "accordion", _SESSION),
    _t("reel", "4/4", 200, 176, 232, "AABB", 32, "dense", "wave", None, "fiddle", _DANCE),
    _t("hornpipe", "4/4", 144, 120, 168, "AABB", 32, "dense", "arch", None, "fiddle", _DANCE),
    _t("polka", "2/4", 136, 120, 160, "AABB", 32, "medium", "wave", "major", "accordion", _SESSION),
    _t("barn dance", "4/4", 160, 140, 180, "AABB", 32, "medium", "wave", "major", "accordion", _SESSION,
       ("barndance", "schottische")),
    _t("strathspey", "4/4", 128, 110, 144, "AABB", 32, "medium", "arch", None, "fiddle", _SESSION),
    _t("mazurka", "3/4", 132, 116, 160, "AABB", 32, "medium", "arch", None, "accordion", _SESSION),
    _t("waltz", "3/4", 138, 84, 180, "AABB", 32, "medium", "arch", None, None, _SESSION),
    _t("march", "2/4", 116, 104, 132, "AABB", 32, "medium", "ascending", "major", "brass",
       _SESSION + "; a quick march is about 116-120 steps a minute", ("quickstep",)),
    _t("slow air", "3/4", 66, 50, 80, "AABA", 32, "sparse", "arch", None, "tin whistle",
       "sung airs in song form", ("air",)),
    _t("lament", "3/4", 60, 46, 72, "AABA", 16, "sparse", "descending", "minor", "bagpipe",
       "Scottish/Irish laments: slow airs in minor modes", ("dirge",)),
    _t("lullaby", "6/8", 54, 44, 66, "AB", 16, "sparse", "descending", None, "harp",
       "cradle songs rock in a slow compound or triple time", ("cradle song", "berceuse")),
    _t("ballad", "4/4", 72, 60, 90, "AABA", 32, "sparse", "arch", None, "piano", _SONG),
    _t("hymn", "4/4", 84, 66, 100, "AB", 16, "sparse", "arch", "major", "church organ", _SONG),
    _t("chorale", "4/4", 72, 60, 90, "AAB", 12, "sparse", "arch", None, "church organ", _SONG),
    _t("minuet", "3/4", 108, 90, 126, "AABB", 32, "medium", "arch", None, "harpsichord", _BAROQUE,
       ("menuet",)),
    _t("gavotte", "2/2", 132, 112, 150, "AABB", 32, "medium", "arch", None, "harpsichord", _BAROQUE),
    _t("bourrée", "2/2", 152, 132, 172, "AABB", 32, "dense", "wave", None, "harpsichord", _BAROQUE,
       ("bourree",)),
    _t("sarabande", "3/4", 66, 54, 80, "AABB", 32, "sparse", "arch", None, "harpsichord", _BAROQUE),
    _t("siciliana", "6/8", 56, 46, 66, "AABB", 16, "medium", "arch", "minor", "oboe", _BAROQUE,
       ("siciliano",)),
    _t("sea shanty", "4/4", 104, 88, 120, "AB", 16, "medium", "arch", None, "accordion",
       "work songs: verse then chorus", ("shanty", "chantey", "sea song")),
    _t("fanfare", "4/4", 112, 96, 132, "AB", 8, "medium", "ascending", "major", "trumpet",
       "brass calls built on the tonic triad", ()),
    _t("blues", "4/4", 88, 60, 120, "A", 12, "medium", "descending", "mixolydian", "piano",
       "the 12-bar blues (I I I I IV IV I I V IV I I)", ("12-bar blues", "twelve-bar blues")),
)}

#: Chords per bar of one section where a tune type has a fixed harmonic pattern (roman numerals).
TUNE_TYPE_CHORDS: dict[str, list[str]] = {
    "blues": ["I", "I", "I", "I", "IV", "IV", "I", "I", "V", "IV", "I", "I"],
}


def tune_type_names() -> dict[str, str]:
    """Every word for a tune type (names and aliases, lower case) -> the canonical name."""
    names = {name: name for name in TUNE_TYPES}
    for tune_type in TUNE_TYPES.values():
        names.update({alias: tune_type.name for alias in tune_type.aliases})
    return names


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


#: Comfortable melody ranges (MIDI note numbers, sounding pitch) for every name in
#: tools.plan.GM_PROGRAMS, after the usual orchestration tables (e.g. S. Adler, *The Study of
#: Orchestration*, 3rd ed. 2002); folk instruments from their common keys (D whistle D5-D7,
#: Highland pipes G4-A5).
MELODY_RANGES: dict[str, tuple[int, int]] = {
    "piano": (36, 96), "acoustic grand piano": (36, 96), "bright piano": (36, 96), "electric piano": (40, 88),
    "harpsichord": (41, 89), "celesta": (60, 103), "glockenspiel": (79, 108), "music box": (60, 96),
    "vibraphone": (53, 89), "marimba": (45, 96), "xylophone": (65, 103), "tubular bells": (60, 77),
    "organ": (36, 96), "church organ": (36, 96), "accordion": (53, 89), "harmonica": (60, 84),
    "nylon guitar": (40, 83), "guitar": (40, 83), "steel guitar": (40, 83), "jazz guitar": (40, 83),
    "electric guitar": (40, 86), "bass": (28, 55), "acoustic bass": (28, 55), "electric bass": (28, 60),
    "violin": (55, 96), "viola": (48, 84), "cello": (36, 76), "contrabass": (28, 55),
    "tremolo strings": (36, 96), "pizzicato strings": (36, 96), "harp": (36, 96), "timpani": (40, 55),
    "strings": (36, 96), "string ensemble": (36, 96), "slow strings": (36, 96), "synth strings": (36, 96),
    "choir": (48, 79), "voice": (55, 79), "trumpet": (55, 82), "trombone": (40, 72), "tuba": (28, 58),
    "french horn": (41, 77), "horn": (41, 77), "brass": (41, 82), "soprano sax": (56, 87), "alto sax": (49, 80),
    "saxophone": (49, 80), "tenor sax": (44, 75), "oboe": (58, 91), "english horn": (52, 81),
    "bassoon": (34, 72), "clarinet": (50, 89), "piccolo": (74, 103), "flute": (60, 96), "recorder": (72, 96),
    "pan flute": (60, 96), "whistle": (74, 98), "tin whistle": (74, 98), "ocarina": (60, 84),
    "synth lead": (48, 96), "synth pad": (36, 96), "warm pad": (36, 96), "sitar": (48, 84), "banjo": (48, 84),
    "shamisen": (50, 86), "koto": (48, 84), "kalimba": (60, 88), "bagpipe": (67, 81), "fiddle": (55, 96),
    "shanai": (60, 86), "steel drums": (55, 88),
}


def fit_register(low: int, high: int, instrument: str) -> tuple[int, int]:
    """Move the melody window (MIDI numbers) inside the instrument's range, keeping its width where it fits."""
    floor, ceiling = MELODY_RANGES.get(instrument, (21, 108))
    width = min(high - low, ceiling - floor)
    low = min(max(low, floor), ceiling - width)
    return low, low + width
