"""The musical words of a request: tune type, key, mode and meter, read from text or checked as filters.

One vocabulary for the library: `tools.corpus` labels tunes with these tune types and modes, and
`search_exemplars` reads them back out of a user's words ("a slow air in A minor" → air, A, minor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TUNE_TYPES = (
    "reel", "jig", "slip jig", "hornpipe", "strathspey", "clog", "waltz", "polka", "march", "air",
    "slide", "mazurka", "schottische", "set dance", "song", "lullaby", "hymn", "dance",
)
MODES = ("major", "minor", "dorian", "mixolydian", "lydian", "phrygian", "locrian")
TONICS = ("C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B", "Cb")

# Words people (and ABC R: fields) use for a tune type, longest first so "slip jig" beats "jig".
TUNE_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("slip jig", "slip jig"), ("slip-jig", "slip jig"), ("slipjig", "slip jig"), ("double jig", "jig"),
    ("single jig", "jig"), ("set dance", "set dance"), ("slow air", "air"), ("cradle song", "lullaby"),
    ("folk song", "song"), ("strathspey", "strathspey"), ("strathsy", "strathspey"), ("hornpipe", "hornpipe"),
    ("schottische", "schottische"), ("mazurka", "mazurka"), ("lullaby", "lullaby"), ("quickstep", "march"),
    ("march", "march"), ("waltz", "waltz"), ("polka", "polka"), ("reel", "reel"), ("jig", "jig"),
    ("clog", "clog"), ("slide", "slide"), ("lament", "air"), ("air", "air"), ("hymn", "hymn"),
    ("chorale", "hymn"), ("ballad", "song"), ("song", "song"),
)
# Meters a tune type has by definition; a request naming the type without a meter implies it.
TYPICAL_METERS = {"waltz": "3/4", "mazurka": "3/4", "polka": "2/4", "jig": "6/8", "slip jig": "9/8", "slide": "12/8"}
_MODE_WORDS = {
    "major": "major", "maj": "major", "ionian": "major", "minor": "minor", "min": "minor", "aeolian": "minor",
    "m": "minor", "dorian": "dorian", "dor": "dorian", "mixolydian": "mixolydian", "mix": "mixolydian",
    "lydian": "lydian", "lyd": "lydian", "phrygian": "phrygian", "phr": "phrygian", "locrian": "locrian",
}
_ACCIDENTAL = {"#": "#", "♯": "#", "sharp": "#", "b": "b", "♭": "b", "flat": "b"}
_MODE_ALTERNATION = "|".join(sorted((w for w in _MODE_WORDS if w != "m"), key=len, reverse=True))
# "in D", "in f# minor", "in B flat major" (any case after "in"), or "A minor", "Ebm" with a capital letter.
_IN_KEY = re.compile(
    rf"\bin\s+([a-gA-G])(?:\s?(#|♯|♭|-?sharp|-?flat)|(b)(?=\s|m\b|$))?(?:\s*(?i:({_MODE_ALTERNATION}))\b|(m)\b|\b)"
)
_NAMED_KEY = re.compile(rf"\b([A-G])(?:\s?(#|♯|♭|-?sharp|-?flat)|(b))?(?:\s+(?i:({_MODE_ALTERNATION}))\b|(m)\b)")
_METER = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\b")
# "a minor key" names a mode, not the key of A minor.
_MODE_ONLY = re.compile(r"\b(?:in\s+)?an?\s+(major|minor)\s+(?:key|tonality|mode)\b", re.I)
_METER_WORDS = {"common time": "4/4", "cut time": "2/2", "waltz time": "3/4", "triple time": "3/4"}


@dataclass(frozen=True)
class QueryHints:
    """What a request names outright; None where it says nothing."""

    tune_type: str | None = None
    tonic: str | None = None
    mode: str | None = None
    meter: str | None = None

    def named(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def tune_type_in(text: str) -> str | None:
    """The first tune-type word in `text` (an R: field, a title, a request), canonical, or None."""
    lowered = text.lower()
    for word, canonical in TUNE_TYPE_WORDS:
        if re.search(rf"\b{re.escape(word)}s?\b", lowered):
            return canonical
    return None


def _tonic(letter: str, accidental: str | None) -> str:
    symbol = _ACCIDENTAL.get((accidental or "").strip("-").lower(), "")
    return letter.upper() + symbol


def query_hints(text: str) -> QueryHints:
    """Read the tune type, key, mode and meter a request names ("a slow air in A minor")."""
    tonic = mode = None
    text = _MODE_ONLY.sub(lambda m: m.group(1).lower(), text)
    match = _IN_KEY.search(text) or _NAMED_KEY.search(text)
    if match:
        letter, accidental, flat_b, mode_word, m_suffix = match.groups()
        tonic = _tonic(letter, accidental or flat_b)
        word = (mode_word or m_suffix or "").lower()
        mode = _MODE_WORDS.get(word) if word else None
    if mode is None:
        bare = re.search(rf"\b({'|'.join(MODES)})\b", text.lower())
        mode = bare.group(1) if bare else None
    meter = None
    if found := _METER.search(text):
        meter = f"{found.group(1)}/{found.group(2)}"
    else:
        meter = next((m for words, m in _METER_WORDS.items() if words in text.lower()), None)
    tune_type = tune_type_in(text)
    return QueryHints(tune_type, tonic, mode, meter or TYPICAL_METERS.get(tune_type or ""))


def normalise_key(value: str) -> tuple[str, str | None]:
    """A key filter as (tonic, mode or None): 'a' → ('A', None), 'F# minor' / 'F#m' → ('F#', 'minor')."""
    match = re.fullmatch(rf"\s*([a-gA-G])\s?(#|♯|♭|b|-?sharp|-?flat)?\s*({_MODE_ALTERNATION}|m)?\s*", value, re.I)
    if not match:
        raise ValueError(f"key={value!r} is not a key; use a tonic such as {', '.join(TONICS)} (optionally with a mode)")
    letter, accidental, mode_word = match.groups()
    return _tonic(letter, accidental), _MODE_WORDS.get(mode_word.lower()) if mode_word else None


def normalise_mode(value: str) -> str:
    """A mode filter in canonical form; raises ValueError naming the valid modes."""
    mode = _MODE_WORDS.get(value.strip().lower())
    if mode is None:
        raise ValueError(f"mode={value!r} is not a mode; valid modes: {', '.join(MODES)}")
    return mode


def normalise_meter(value: str) -> str:
    """A meter filter such as '6/8' ('C' → 4/4, 'C|' → 2/2); raises ValueError for anything else."""
    text = value.strip()
    if text in ("C", "C|"):
        return "4/4" if text == "C" else "2/2"
    if text.lower() == "free":
        return "free"
    match = _METER.fullmatch(text)
    if not match:
        raise ValueError(f"meter={value!r} is not a meter; write it like 6/8, 3/4, 4/4 or 'free'")
    return f"{int(match.group(1))}/{int(match.group(2))}"
