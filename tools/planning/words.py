"""The vocabulary `tools/request.py` and `tools/edits.py` read: number words, tempo terms, meter names,
instrument names and key spellings. Plain tables and small pure helpers; no parsing of whole requests.
"""

from __future__ import annotations

import re

from tunesmith.tools.plan import GM_PROGRAMS, TONICS

# --- numbers -------------------------------------------------------------------------------------
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_TENS_RE = "|".join(_TENS)
_UNITS_RE = "|".join(sorted(_UNITS, key=len, reverse=True))
#: A number written in digits or words ("32", "thirty-two", "thirty two", "sixteen").
NUMBER_RE = rf"(?:\d+(?:\.\d+)?|(?:{_TENS_RE})(?:[\s-](?:{_UNITS_RE}))?|{_UNITS_RE}|a hundred)"


def number_value(text: str) -> float:
    """The value of a number matched by NUMBER_RE ("thirty-two" -> 32.0, "16" -> 16.0)."""
    words = text.strip().lower().replace("-", " ").split()
    if len(words) == 1 and re.fullmatch(r"\d+(?:\.\d+)?", words[0]):
        return float(words[0])
    if words == ["a", "hundred"]:
        return 100.0
    return float(sum(_TENS.get(w, 0) + _UNITS.get(w, 0) for w in words))


# --- tempo ---------------------------------------------------------------------------------------
#: Italian tempo terms -> metronome range in BPM, as commonly published (e.g. the table in the
#: Wikipedia article "Tempo", after modern metronome markings); floors raised to the plan's 30 BPM.
ITALIAN_TEMPI: dict[str, tuple[int, int]] = {
    "grave": (30, 45), "largo": (40, 60), "lento": (45, 60), "larghetto": (60, 66), "adagio": (66, 76),
    "adagietto": (70, 80), "andante": (76, 108), "andantino": (80, 108), "moderato": (108, 120),
    "allegretto": (112, 120), "allegro": (120, 156), "vivace": (156, 176), "presto": (168, 200),
    "prestissimo": (200, 240),
}

#: Plain tempo words -> (factor on a tune type's usual tempo, absolute BPM when no type is named).
TEMPO_WORDS: dict[str, tuple[float, int]] = {
    "very slow": (0.6, 56), "slow": (0.75, 72), "slowly": (0.75, 72), "leisurely": (0.8, 80),
    "unhurried": (0.8, 80), "moderate": (1.0, 100), "moderately": (1.0, 100), "medium tempo": (1.0, 100),
    "mid-tempo": (1.0, 100), "fast": (1.2, 140), "quick": (1.2, 140), "quickly": (1.2, 140),
    "up-tempo": (1.2, 140), "uptempo": (1.2, 140), "very fast": (1.4, 176), "very quick": (1.4, 176),
}
TEMPO_MIN, TEMPO_MAX = 30, 260
#: Relative tempo words (regex alternatives, most specific first) -> factor on the current tempo.
#: Used for edits ("slower") and first requests relative to a clip or picture ("like this, but faster").
TEMPO_COMPARATIVES: list[tuple[str, float]] = [
    (r"(?:twice|two times) as fast|double (?:the )?(?:speed|tempo)|double time", 2.0),
    (r"half (?:the )?(?:speed|tempo)|half as fast|twice as slow|half time", 0.5),
    (r"(?:much|a lot|way|far|lots) (?:slower|less fast)", 0.65),
    (r"(?:much|a lot|way|far|lots) (?:faster|quicker)", 1.5),
    (r"(?:a (?:little|bit|touch|tad)(?: bit)?|slightly|somewhat) (?:slower|less fast)", 0.9),
    (r"(?:a (?:little|bit|touch|tad)(?: bit)?|slightly|somewhat) (?:faster|quicker)", 1.1),
    (r"(?:lower|reduce|decrease|drop) the (?:tempo|speed|bpm)|slower|slow (?:it )?down|less fast", 0.8),
    (r"(?:raise|increase|up) the (?:tempo|speed|bpm)|faster|quicker|speed (?:it )?up", 1.25),
    (r"calmer|more relaxed|more laid[- ]back", 0.85),
    (r"livelier|more lively|more energetic|more upbeat", 1.15),
]

# --- meter ---------------------------------------------------------------------------------------
#: Names for meters -> time signature.
METER_WORDS: dict[str, str] = {
    "waltz time": "3/4", "common time": "4/4", "cut time": "2/2", "alla breve": "2/2", "cut common time": "2/2",
    "triple time": "3/4", "triple meter": "3/4", "triple metre": "3/4", "duple time": "2/4",
    "duple meter": "2/4", "quadruple time": "4/4", "compound time": "6/8", "compound duple": "6/8",
    "march time": "2/4", "three-four": "3/4", "three four": "3/4", "four-four": "4/4", "four four": "4/4",
    "two-four": "2/4", "two four": "2/4", "six-eight": "6/8", "six eight": "6/8", "nine-eight": "9/8",
    "nine eight": "9/8", "twelve-eight": "12/8", "twelve eight": "12/8", "five-four": "5/4",
    "seven-eight": "7/8",
}
VALID_METER_BOTTOMS = (2, 4, 8, 16)


def beats_per_bar(meter: str) -> float:
    """Beats in one bar, counting the plan's beat (quarter; dotted quarter in 6/8, 9/8, 12/8)."""
    top, bottom = (int(p) for p in meter.split("/"))
    if bottom == 8 and top % 3 == 0 and top > 3:
        return top / 3
    return top * 4 / bottom


def is_compound(meter: str) -> bool:
    """True for 6/8, 9/8, 12/8: meters counted in dotted quarters."""
    top, bottom = (int(p) for p in meter.split("/"))
    return bottom == 8 and top % 3 == 0 and top > 3


# --- instruments ---------------------------------------------------------------------------------
#: Everyday instrument words -> a General MIDI name in tools.plan.GM_PROGRAMS.
INSTRUMENT_SYNONYMS: dict[str, str] = {
    "grand piano": "piano", "keyboard": "piano", "sax": "saxophone",
    "bagpipes": "bagpipe", "uilleann pipes": "bagpipe", "highland pipes": "bagpipe", "penny whistle": "tin whistle",
    "string quartet": "strings", "string orchestra": "strings", "string section": "strings",
    "double bass": "contrabass", "upright bass": "acoustic bass", "acoustic guitar": "guitar",
    "classical guitar": "nylon guitar", "pipe organ": "church organ", "concertina": "accordion",
    "melodeon": "accordion", "squeezebox": "accordion", "button accordion": "accordion",
    "singer": "voice", "vocals": "voice", "glock": "glockenspiel",
    "cor anglais": "english horn", "steel pan": "steel drums", "panpipes": "pan flute",
    "music-box": "music box", "synth": "synth lead", "bells": "tubular bells", "church bells": "tubular bells",
}
# GM names too ambiguous in free text: "a bright piano piece" is not a request for GM 1.
_AMBIGUOUS_GM_NAMES = {"bright piano", "slow strings", "warm pad", "bass"}
INSTRUMENT_WORDS: dict[str, str] = {
    **{name: name for name in GM_PROGRAMS if name not in _AMBIGUOUS_GM_NAMES},
    **INSTRUMENT_SYNONYMS,
    "bass guitar": "electric bass",
}
INSTRUMENT_RE = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(INSTRUMENT_WORDS, key=len, reverse=True)) + r")(?:e?s)?\b",
    re.IGNORECASE,
)

# --- keys ----------------------------------------------------------------------------------------
#: Mode words -> plan mode.
MODE_WORDS: dict[str, str] = {
    "major": "major", "minor": "minor", "dorian": "dorian", "mixolydian": "mixolydian", "lydian": "lydian",
    "phrygian": "phrygian", "locrian": "locrian", "aeolian": "minor", "ionian": "major",
}
MODE_RE = "|".join(MODE_WORDS)
ACCIDENTAL_RE = r"(?:\s*(?:#|♯|♭|-?\s?sharp|-?\s?flat)|b(?![a-z]))"
# Spellings the plan does not list as tonics -> the enharmonic tonic it does.
_ENHARMONIC = {"E#": "F", "B#": "C", "Fb": "E"}


def tonic_name(letter: str, accidental: str | None) -> str:
    """A plan tonic ("F#", "Bb") from a letter and an accidental in any spelling ("sharp", "♭", "b")."""
    acc = (accidental or "").strip().lower().replace("-", "").replace(" ", "")
    sign = "#" if acc in ("#", "♯", "sharp") else "b" if acc in ("b", "♭", "flat") else ""
    tonic = letter.upper() + sign
    tonic = _ENHARMONIC.get(tonic, tonic)
    assert tonic in TONICS, tonic  # every letter with #, b or nothing is a plan tonic after the map above
    return tonic


#: Intervals by name -> semitones (for "up a fourth", "down a minor third").
INTERVALS: dict[str, int] = {
    "semitone": 1, "half step": 1, "half-step": 1, "minor second": 1, "tone": 2, "whole tone": 2,
    "whole step": 2, "whole-step": 2, "major second": 2, "second": 2, "minor third": 3, "major third": 4,
    "third": 4, "perfect fourth": 5, "fourth": 5, "tritone": 6, "augmented fourth": 6, "perfect fifth": 7,
    "fifth": 7, "minor sixth": 8, "major sixth": 9, "sixth": 9, "minor seventh": 10, "major seventh": 11,
    "seventh": 10, "octave": 12,
}
