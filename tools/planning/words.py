"""The vocabulary `planning/request.py` and `edits/parse.py` read: number words, tempo terms, meter names,
instrument names and key spellings, and the checks that refuse values no tune can have. Plain tables and
small pure helpers; no parsing of whole requests.
"""

from __future__ import annotations

import re

from tunesmith.tools.planning.targets import RequestError
from tunesmith.tools.theory import GM_PROGRAMS, normalise_tonic
from tunesmith.tools.theory.tune_types import tune_type_names

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


#: Numbers past this are read as this (a 400-digit "number of bars" is simply out of every range).
NUMBER_CAP = 1e12


def number_value(text: str) -> float:
    """The value of a number matched by NUMBER_RE ("thirty-two" -> 32.0, "16" -> 16.0), at most NUMBER_CAP."""
    words = text.strip().lower().replace("-", " ").split()
    if len(words) == 1 and re.fullmatch(r"\d+(?:\.\d+)?", words[0]):
        whole = words[0].split(".")[0]
        return NUMBER_CAP if len(whole) > 12 else min(float(words[0][:40]), NUMBER_CAP)
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
#: A tempo as a number, in order of certainty: "90 bpm", "tempo 90" / "tempo to 90", then "at 90"
#: (not "at 90 seconds"). Group 1 is the number, any number of digits and decimals, so "2000 bpm" is
#: refused rather than half read; read it with `tempo_value`.
TEMPO_NUMBER_PATTERNS = (
    re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:bpm|b\.p\.m\.?|beats?\s+(?:per|a)\s+minute)"),
    re.compile(r"(?:\btempo|\bmetronome|♩|\bq)\s*(?:=|:|of|at|to)?\s*(\d+(?:\.\d+)?)(?![\d.])"),
    re.compile(r"\bat\s+(\d{2,3})\b(?![.\d])(?!\s*(?:bars?|measures?|seconds?|secs?|minutes?|%|percent|hz|o'clock|[ap]\.?m\b))"),
)


def shown(words: str, limit: int = 40) -> str:
    """The user's words quoted in a message, shortened in the middle when long (a 400-digit number)."""
    words = words.strip()
    return repr(words if len(words) <= limit else f"{words[:limit - 12]}…{words[-8:]}")


def tempo_value(match: re.Match[str]) -> int:
    """The BPM a TEMPO_NUMBER_PATTERNS match states; RequestError naming the valid range when none can be."""
    bpm = number_value(match[1])
    if not TEMPO_MIN <= bpm <= TEMPO_MAX:
        raise RequestError(f"{shown(match.group(0))}: the tempo must be {TEMPO_MIN} to {TEMPO_MAX} BPM")
    return round(bpm)
#: An Italian tempo term; group 1 is the term.
ITALIAN_RE = re.compile(r"\b(" + "|".join(ITALIAN_TEMPI) + r")\b")

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
#: A time signature written as numbers ("6/8", "3 / 4"), with a following "time"/"meter" in group `ctx`.
METER_NUMERIC_RE = re.compile(r"(?<![\d/])(\d+)\s*/\s*(\d+)(?![\d/])(?P<ctx>\s*(?:time|meter|metre|signature))?")
#: Beats in a bar a plan can have.
METER_TOP_RANGE = (1, 16)


def meter_value(match: re.Match[str], denominators: tuple[int, ...]) -> str | None:
    """The meter a METER_NUMERIC_RE match names ("6/8"), None when it is not one and may be something else
    ("1/3 of the way"); RequestError naming the valid forms when it is certainly meant as a meter (followed
    by "time" or "meter", or after "in": "in 0/4")."""
    top, bottom = (int(part) if len(part) <= 4 else 10**4 for part in (match[1], match[2]))
    if bottom in denominators and METER_TOP_RANGE[0] <= top <= METER_TOP_RANGE[1]:
        return f"{top}/{bottom}"
    if match["ctx"] or re.search(r"\bin\s*$", match.string[: match.start()]):
        raise RequestError(f"{shown(match.group(0))} is not a meter: the lower number must be one of "
                           f"{', '.join(map(str, denominators))} and the upper one {METER_TOP_RANGE[0]} to "
                           f"{METER_TOP_RANGE[1]} (e.g. 3/4, 6/8)")
    return None
#: A meter by name ("waltz time"); group 1 is the name.
METER_NAMED_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(METER_WORDS, key=len, reverse=True)) + r")\b")



# --- instruments ---------------------------------------------------------------------------------
#: Everyday instrument words -> a General MIDI name in tools.theory.instruments.GM_PROGRAMS.
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
ACCIDENTAL_RE = r"(?:\s*(?:#|♯|♭|-?\s?(?i:sharp|flat))|b(?![a-z]))"  # a flat is a lower-case b
#: A key named with a letter that is no note name: "H# major", "in the key of Q". Upper-case letters only,
#: so English words are never mistaken for one ("I", "a", "x").
UNKNOWN_TONIC_RE = re.compile(
    rf"(?<![\w#])(?P<key>(?P<letter>[H-Z])(?:\s*(?:#|♯|♭|-?\s?(?i:sharp|flat))|b(?![a-z]))?\s*(?i:{MODE_RE}|maj|min)\b"
    r"|\b(?i:key\s+of)\s+(?P<letter2>[H-Z])(?![\w']))")


def refuse_unknown_tonic(text: str) -> None:
    """RequestError when the words name a key on a letter that is no note name (A to G)."""
    match = UNKNOWN_TONIC_RE.search(text)
    if match and (match["letter"] or match["letter2"]) != "I":  # "I" is the pronoun, never a key
        german = " (in German spelling H is B)" if (match["letter"] or match["letter2"]) == "H" else ""
        raise RequestError(f"{shown(match.group(0))} is not a key: a key's tonic is a note name A to G, "
                           f"with # or b, e.g. D major, F# minor, Bb dorian{german}")


def tonic_name(letter: str, accidental: str | None) -> str:
    """A plan tonic ("F#", "Bb") from a letter and an accidental in any spelling ("sharp", "♭", "b")."""
    acc = (accidental or "").strip().lower().replace("-", "").replace(" ", "")
    sign = "#" if acc in ("#", "♯", "sharp") else "b" if acc in ("b", "♭", "flat") else ""
    return normalise_tonic(letter + sign)


#: Intervals by name -> semitones (for "up a fourth", "down a minor third").
INTERVALS: dict[str, int] = {
    "semitone": 1, "half step": 1, "half-step": 1, "minor second": 1, "tone": 2, "whole tone": 2,
    "whole step": 2, "whole-step": 2, "major second": 2, "second": 2, "minor third": 3, "major third": 4,
    "third": 4, "perfect fourth": 5, "fourth": 5, "tritone": 6, "augmented fourth": 6, "perfect fifth": 7,
    "fifth": 7, "minor sixth": 8, "major sixth": 9, "sixth": 9, "minor seventh": 10, "major seventh": 11,
    "seventh": 10, "octave": 12,
}


# --- tune types ----------------------------------------------------------------------------------
#: Every word for a tune type a composer knows -> its canonical name (tools.theory.tune_types).
TYPE_NAMES = tune_type_names()
#: A tune-type word (plural allowed; "bass guitar" is no bass); group 1 is the word.
TYPE_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(TYPE_NAMES, key=len, reverse=True))
                     + r")(?:e?s)?\b(?!\s+guitar)")
