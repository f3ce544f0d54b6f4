"""What a tune is, in words: its type, origin, character and key, and the sentence embedded for search.

These read the header fields of real collections (R:, O:, N:, K:), whose conventions differ: Ryan's
and O'Neill's write the type in R:; Essen writes German song genres in R: and places in O:;
O'Neill's gives performance directions ("Slow", "With spirit") in N:.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tunesmith.tools.theory import MeterError, normalise_meter
from tunesmith.tools.theory.tune_types import library_label, tune_type_in

if TYPE_CHECKING:
    from tunesmith.tools.abc import TuneAnalysis

KEY_CONFIDENCE = 0.75  # correlation above which the notes' mode overrides a bare K: tonic

# Essen's O: field names places in German; the first one found says who the song is from.
ORIGINS = {
    "irland": "Irish", "schottland": "Scottish", "england": "English", "china": "Chinese", "luxemburg": "Luxembourgish",
    "lothringen": "Lorraine", "elsass": "Alsatian", "schweiz": "Swiss", "oesterreich": "Austrian", "tirol": "Austrian",
    "steiermark": "Austrian", "niederlande": "Dutch", "ungarn": "Hungarian", "polen": "Polish", "russland": "Russian",
    "ukraine": "Ukrainian", "schweden": "Swedish", "daenemark": "Danish", "norwegen": "Norwegian", "rumaenien": "Romanian",
    "jugoslawien": "Yugoslav", "tschechoslowakei": "Czech", "frankreich": "French", "italien": "Italian",
    "deutschland": "German",
}
# Essen's R: field is German; its words for lullaby, hymn, dance song and song, checked in this order.
ESSEN_TYPES = (
    ("wiegen", "lullaby"), ("geistlich", "hymn"), ("religi", "hymn"), ("tanz", "dance"),
    ("lied", "song"), ("ballade", "song"), ("romanze", "song"),
)
CHARACTER = {
    "jig": "lively", "reel": "fast, driving", "hornpipe": "bouncy, dotted", "strathspey": "snappy Scottish",
    "slip jig": "lilting", "waltz": "flowing", "polka": "brisk", "march": "stately, marching", "air": "slow, expressive",
    "slide": "quick", "mazurka": "lilting", "barn dance": "bouncing", "clog": "bouncy", "set dance": "stately",
    "song": "singable", "lullaby": "gentle, soothing", "hymn": "solemn", "dance": "dancing",
}
# Performance directions in N: fields (O'Neill's: "Slow", "With spirit"), as the description says them.
DIRECTIONS = (
    ("very slow", "very slow"), ("slow", "slow"), ("moderate", "moderate"), ("lively", "lively"),
    ("spirit", "spirited"), ("animated", "animated"), ("tender", "tender"), ("gaily", "gay"),
    ("feeling", "with feeling"), ("plaintive", "plaintive"), ("cheerful", "cheerful"), ("graceful", "graceful"),
    ("brisk", "brisk"), ("quick", "quick"), ("andante", "walking pace"), ("allegro", "fast"), ("adagio", "slow"),
)
SONG_TYPES = {"song", "lullaby", "hymn"}
# How the meter is said in words, so "a waltz" or "in triple time" finds tunes in 3/4.
METER_WORDS = {
    "3/4": "3/4 waltz time", "3/8": "3/8 triple time", "4/4": "4/4 common time", "2/2": "2/2 cut time",
    "2/4": "2/4 duple time", "6/8": "6/8 compound time", "9/8": "9/8 compound triple time",
}
MODE_WORDS = {"major": "major", "minor": "minor, melancholy", "dorian": "dorian, modal", "mixolydian": "mixolydian, modal"}


def origin_of(headers: dict[str, str], default: str | None) -> str | None:
    """Who the tune is from: a people or place named in the O: field, else the collection's."""
    place = headers.get("O", "").lower()
    for word, people in ORIGINS.items():
        if word in place:
            return people
    return default


def tune_type_of(headers: dict[str, str], title: str, default: str | None) -> tuple[str | None, str | None]:
    """(tune type, where it came from): the R: field, else the title, else the collection's default."""
    rhythm = headers.get("R", "")
    for word, kind in ESSEN_TYPES:
        if word in rhythm.lower():
            return kind, "R: field"
    if found := tune_type_in(rhythm):
        return library_label(found), "R: field"
    if found := tune_type_in(title):
        return library_label(found), "title"
    return (default, "collection") if default else (None, None)


def direction(headers: dict[str, str]) -> str | None:
    """The performance direction an N: field gives ("Slow", "With spirit"), in plain words, or None."""
    note = headers.get("N", "").lower()
    return next((words for mark, words in DIRECTIONS if re.search(rf"\b{mark}", note)), None)


def key_and_mode(declared: str, analysis: TuneAnalysis) -> tuple[str, str, str]:
    """(tonic, mode, where they came from) for a tune.

    A K: field with a bare tonic ("K: G") says nothing sure about the mode: Essen writes the final note
    there and the minor third as an explicit accidental. When the notes correlate strongly
    (Krumhansl-Schmuckler) with the other mode on that same tonic, the mode is taken from the notes.
    """
    bare_tonic = re.fullmatch(r"[A-G][#b]?(\s+(clef|bass|treble|alto|tenor)\S*.*)?", declared.strip())
    if (
        bare_tonic
        and analysis.estimated_key == analysis.key
        and analysis.estimated_mode != analysis.mode
        and analysis.key_confidence >= KEY_CONFIDENCE
    ):
        return analysis.key, analysis.estimated_mode, "K: tonic, mode from the notes"
    return analysis.key, analysis.mode, "K: field"


def meter_fraction(text: str) -> str:
    """The meter as a fraction ('C' → 4/4, 'C|' → 2/2, 'none' → free); unusual text is kept as written."""
    try:
        return "free" if text.strip().lower() in ("none", "free") else normalise_meter(text)
    except MeterError:
        return text.strip()


def describe_tune(record: dict) -> str:
    """The sentence embedded for search, e.g. 'A lively jig in D major, 6/8, Irish dance tune, 32 bars: Title'."""
    kind = record.get("tune_type")
    character = record.get("direction") or CHARACTER.get(kind or "", "")
    tempo = record.get("tempo_bpm")
    if tempo and not record.get("direction"):  # a stated tempo beats the type's habit
        character = "slow" if tempo < 80 else "fast" if tempo > 140 else character or "moderate"
    head = " ".join(w for w in (character, kind or "tune") if w)
    genre = "song" if kind in SONG_TYPES else "air" if kind == "air" else "dance tune" if kind else "tune"
    origin = f"{record['origin']} {genre}" if record.get("origin") else genre
    parts = [
        f"A {head} in {record['key']} {MODE_WORDS.get(record['mode'], record['mode'])}",
        METER_WORDS.get(record["meter"], record["meter"]),
    ]
    parts.append(f"{origin} from {record['source']}")
    parts.append(f"{record['bars']} bars")
    if record.get("lowest") is not None and record.get("highest") is not None:
        span = record["highest"] - record["lowest"]
        parts.append("narrow range" if span <= 12 else "wide range" if span >= 24 else "medium range")
    return ", ".join(parts) + f": {record['title']}"
