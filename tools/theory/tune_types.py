"""The conventions of tune types (dances, song and concert forms), and the one vocabulary of their names.

* `TUNE_TYPES`: meter, typical tempo with its range, form, bars, density, contour, and (where the
  tradition has one) mode and instrument. Tempos are in the plan's beat unit: quarter notes, or
  dotted quarters in compound meters (6/8, 9/8, 12/8), so a jig at 116 means 116 dotted quarters
  a minute. They are typical performance tempos, not rules. A march is 2/4 wherever it is named
  (in words, by a picture, in the library).
* `tune_type_names()`: every word for a tune type (requests, ABC R: fields, titles) -> its canonical
  name. The library's collections also use three broad kinds with no conventions to compose from
  (`CATEGORY_TYPES`: song, dance, set dance).

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

import re
from dataclasses import dataclass
from functools import cache

from tunesmith.tools.theory.keys import Mode
from tunesmith.tools.theory.meter import is_compound
from tunesmith.tools.theory.shape import Contour, Density


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
    beat = "dotted quarter" if is_compound(meter) else "quarter"
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


#: Types whose meter is part of their definition (a waltz is in 3/4); others are written in several
#: (reels in 4/4 or 2/2, airs in 3/4, 4/4 or 6/8), so naming them says nothing sure about the meter.
METER_DEFINED_TYPES = frozenset({"waltz", "mazurka", "polka", "jig", "slip jig", "slide"})
#: Broad kinds the library's collections file tunes under, with no conventions to compose from.
CATEGORY_TYPES = ("song", "dance", "set dance", "clog")
#: Further spellings seen in requests and in collections' R: fields (including the typo "strathsy").
_MORE_WORDS = {"single jig": "jig", "slip-jig": "slip jig", "slipjig": "slip jig", "strathsy": "strathspey",
               "folk song": "song"}
#: The library's label where its collections file a type under a broader kind; otherwise the name itself.
LIBRARY_LABELS = {"slow air": "air", "lament": "air", "ballad": "song", "chorale": "hymn"}


@cache
def tune_type_names(*, categories: bool = False) -> dict[str, str]:
    """Every word for a tune type (names and aliases, lower case) -> the canonical name.

    With `categories`, the library's broad kinds (song, dance, set dance, clog) are included too:
    they label real tunes but give a composer nothing to go on.
    """
    names = {name: name for name in TUNE_TYPES}
    for tune_type in TUNE_TYPES.values():
        names.update({alias: tune_type.name for alias in tune_type.aliases})
    names.update({word: name for word, name in _MORE_WORDS.items() if name in names or categories})
    if categories:
        names.update({kind: kind for kind in CATEGORY_TYPES})
    return names


def tune_type_in(text: str, *, categories: bool = True) -> str | None:
    """The canonical tune type of the first tune-type word in `text` (an R: field, a title), longest word first."""
    lowered = text.lower()
    for word, name in sorted(tune_type_names(categories=categories).items(), key=lambda item: -len(item[0])):
        if re.search(rf"\b{re.escape(word)}s?\b", lowered):
            return name
    return None


def library_label(tune_type: str) -> str:
    """How the exemplar library labels a tune type ("slow air" -> "air")."""
    return LIBRARY_LABELS.get(tune_type, tune_type)
