"""Free text -> the targets the user stated, and a MusicPlan that honours them with a reason per field.

The agent's small LLM misses details, so what the user says in words is found here
deterministically and wins over anything the model or the image bridge proposes. Words this module
does not recognise set nothing: every target carries the user's words that set it (`evidence`).
"""

from __future__ import annotations

import re

from tunesmith.tools.plan import PLAN_METER_DENOMINATORS, MusicPlan
from tunesmith.tools.planning.resolve import build_plan
from tunesmith.tools.planning.targets import BARS_RANGE, RequestError, RequestTargets
from tunesmith.tools.planning.words import (
    ACCIDENTAL_RE,
    INSTRUMENT_RE,
    INSTRUMENT_WORDS,
    ITALIAN_RE,
    ITALIAN_TEMPI,
    METER_NAMED_RE,
    METER_NUMERIC_RE,
    METER_WORDS,
    MODE_RE,
    MODE_WORDS,
    NUMBER_RE,
    TEMPO_COMPARATIVES,
    TEMPO_MAX,
    TEMPO_MIN,
    TEMPO_NUMBER_PATTERNS,
    TEMPO_WORDS,
    TYPE_NAMES,
    TYPE_RE,
    meter_value,
    number_value,
    refuse_unknown_tonic,
    shown,
    tempo_value,
    tonic_name,
)
from tunesmith.tools.theory.moods import MOODS
from tunesmith.tools.theory.tune_types import TUNE_TYPES

MAX_REQUEST_CHARS = 4000
MAX_LENGTH_SECONDS = 600.0


class _Text:
    """The request with spans already read blanked out, so no words set two things ("slow air")."""

    def __init__(self, text: str) -> None:
        self.original = text.replace("♯", "#").replace("♭", "b").replace("–", "-").replace("—", "-")
        self.lower = self.original.lower()

    def take(self, match: re.Match[str]) -> str:
        """Blank out a match in both copies and return the user's words it covered."""
        start, end = match.span()
        words = self.original[start:end].strip()
        self.lower = self.lower[:start] + " " * (end - start) + self.lower[end:]
        self.original = self.original[:start] + " " * (end - start) + self.original[end:]
        return words


def parse_request(text: str) -> RequestTargets:
    """Read the explicit musical targets in a request ("a slow jig in D minor for fiddle, 16 bars").

    Ambiguities, resolved the way English reads: "a minor key" and "A minor waltz" at the start of
    a sentence are the article plus the mode (mode minor, no tonic); "in A minor" is the key.
    Tempos are in the plan's beat unit (dotted quarters in 6/8, 9/8, 12/8); "slow"/"fast" scale
    a named tune type's usual tempo. Raises RequestError for values no tune can have.
    """
    if not isinstance(text, str):
        raise RequestError(f"a request must be text, not {type(text).__name__}")
    if len(text) > MAX_REQUEST_CHARS:
        raise RequestError(f"the request has {len(text):,} characters; at most {MAX_REQUEST_CHARS} are read: "
                           "say what you want in a few sentences")
    words = _Text(text)
    found = RequestTargets()
    _read_key(words, found)
    _read_meter(words, found)
    _read_tune_type(words, found)
    _read_form(words, found)
    _read_bars(words, found)
    _read_length(words, found)
    _read_tempo(words, found)
    _read_instrument(words, found)
    _read_moods(words, found)
    return found


def plan_from_request(text: str, base: MusicPlan | None = None, *, seed: int = 0) -> MusicPlan:
    """A plan for the request. Precedence per field: the user's explicit words, then the tune type's
    conventions, then the mood words, then `base` (e.g. the image bridge's plan), then plan defaults.
    `plan.reasons[field]` says which of these set each value."""
    return build_plan(parse_request(text), base, seed=seed)


# --- readers, one per target ----------------------------------------------------------------------

_NOTE = rf"(?P<letter>[A-Ga-g])(?P<acc>{ACCIDENTAL_RE})?"
_KEY_WITH_MODE = re.compile(rf"(?<![\w#])(?P<pre>(?:\b(?i:in|of|to)\s+(?i:the\s+key\s+of\s+)?)?){_NOTE}"
                            rf"(?:\s*(?P<mode>(?i:{MODE_RE}))\b|(?P<abbr>m|min|maj)\b)")
_KEY_ALONE = re.compile(rf"\b(?i:in|key of|key:)\s+(?i:the\s+key\s+of\s+)?{_NOTE}(?![\w#/])")
_MODE_ALONE = re.compile(rf"\b(?P<mode>{MODE_RE})\b", re.IGNORECASE)
_NOT_A_TONIC_AFTER = re.compile(r"\s*(?:key|mode|tonality|scale)\b", re.IGNORECASE)


def _read_key(words: _Text, found: RequestTargets) -> None:
    refuse_unknown_tonic(words.original)
    for match in _KEY_WITH_MODE.finditer(words.original):
        letter, pre = match["letter"], match["pre"]
        mode_word = (match["mode"] or "").lower()
        if match["abbr"] and letter.islower():
            continue  # "am", "em" are words, not keys
        at_sentence_start = not words.original[: match.start()].strip() or \
            words.original[: match.start()].rstrip()[-1] in ".!?"
        followed_by_key_word = bool(_NOT_A_TONIC_AFTER.match(words.original, match.end()))
        article_like = mode_word in ("major", "minor", "")  # "a dorian tune" is not English, so A dorian
        if letter == "a" and followed_by_key_word or article_like and \
                letter in "Aa" and not pre and (letter == "a" or at_sentence_start or followed_by_key_word):
            continue  # "in a minor key", "A major key tune": an article; the mode alone is read below
        if letter.islower() and not pre:
            continue  # lower-case tonics only after "in"/"key of" ("in e minor")
        mode = MODE_WORDS[mode_word] if mode_word else "major" if match["abbr"] == "maj" else "minor"
        found.key, found.mode = tonic_name(letter, match["acc"]), mode
        found.evidence["key"] = found.evidence["mode"] = words.take(match)
        return
    match = _KEY_ALONE.search(words.original)
    if match and (match["letter"].isupper() or match.group(0).lower().startswith("key")):
        found.key = tonic_name(match["letter"], match["acc"])
        found.evidence["key"] = words.take(match)
    match = _MODE_ALONE.search(words.original)
    if match:
        found.mode = MODE_WORDS[match["mode"].lower()]
        found.evidence["mode"] = words.take(match)


def _read_meter(words: _Text, found: RequestTargets) -> None:
    for match in METER_NUMERIC_RE.finditer(words.lower):
        meter = meter_value(match, PLAN_METER_DENOMINATORS)
        if meter:
            found.meter = meter
            found.evidence["meter"] = words.take(match)
            return
    match = METER_NAMED_RE.search(words.lower)
    if match:
        found.meter = METER_WORDS[match[1]]
        found.evidence["meter"] = words.take(match)


# "air" alone is too common a word ("fresh air"); it names a tune type only after these words.
_AIR_RE = re.compile(r"\b(?:an|slow|irish|scottish|gaelic|welsh|highland|sweet|old)\s+airs?\b")


def _read_tune_type(words: _Text, found: RequestTargets) -> None:
    for match in TYPE_RE.finditer(words.lower):
        name = TYPE_NAMES[match[1]]
        if match[1] == "air" and not _AIR_RE.search(words.lower, max(0, match.start() - 12), match.end() + 1):
            continue
        if match[1] == "march" and words.original[match.start()] == "M" and \
                re.search(r"\b(?:in|of|early|late)\s+$", words.lower[: match.start()]):
            continue  # the month
        found.tune_type = name
        found.evidence["tune_type"] = words.take(match)
        return


_FORM_LETTERS = re.compile(r"\b(A[A-H]{1,7})\b")
_FORM_WORDS = {"binary form": "AB", "ternary form": "ABA", "rondo": "ABACA", "song form": "AABA",
               "verse and chorus": "AB", "verse-chorus": "AB", "theme and variations": "AA"}
_FORM_NAMED = re.compile(r"\b(" + "|".join(re.escape(w) for w in _FORM_WORDS) + r")\b")


def _read_form(words: _Text, found: RequestTargets) -> None:
    for match in _FORM_LETTERS.finditer(words.original):
        letters = match[1]
        # Letters introduce sections in order (A, then B, then C): "ABBA" yes, "ACE" or "ADD" no.
        if all(ord(c) - ord("A") <= max(ord(p) - ord("A") for p in letters[:i]) + 1
               for i, c in enumerate(letters) if i):
            found.form = letters
            found.evidence["form"] = words.take(match)
            return
    match = _FORM_NAMED.search(words.lower)
    if match:
        found.form = _FORM_WORDS[match[1]]
        found.evidence["form"] = words.take(match)


_BARS = re.compile(rf"\b({NUMBER_RE})[\s-]*(?:bars?|measures?)\b")
_PART = r"(?:parts?|sections?|strains?)"
# "8 bars per part", "8 bars each part", "two 8-bar parts", "parts of 8 bars": a length per form letter.
_BARS_PER_PART = re.compile(
    rf"\b(?P<a>{NUMBER_RE})[\s-]*(?:bars?|measures?)\s+(?:per|each|an?|in each|for each|every|to each|to a)\s+{_PART}\b"
    rf"|\b(?P<b>{NUMBER_RE})[\s-]*(?:bar|measure)\s+{_PART}\b"
    rf"|\b{_PART}\s+of\s+(?P<c>{NUMBER_RE})\s+(?:bars?|measures?)\b")


def _read_bars(words: _Text, found: RequestTargets) -> None:
    """Bars in all ("16 bars"), or bars per part ("8 bars per part": each letter of the form)."""
    match = _BARS_PER_PART.search(words.lower)
    if match:
        per_part = number_value(match["a"] or match["b"] or match["c"])
        if not 1 <= per_part <= BARS_RANGE[1] or per_part != int(per_part):
            raise RequestError(f"{shown(match.group(0))}: a part here has 1 to {BARS_RANGE[1]} bars")
        found.bars_per_part = int(per_part)
        found.evidence["bars"] = words.take(match)
        return
    match = _BARS.search(words.lower)
    if not match:
        return
    bars = number_value(match[1])
    if not BARS_RANGE[0] <= bars <= BARS_RANGE[1] or bars != int(bars):
        raise RequestError(f"{shown(match.group(0))}: a tune here has {BARS_RANGE[0]} to {BARS_RANGE[1]} bars")
    found.bars = int(bars)
    found.evidence["bars"] = words.take(match)


_LENGTH = re.compile(
    rf"\b(?P<n>{NUMBER_RE}|an?|half an?|one and a half)[\s-]*(?P<unit>seconds?|secs?|minutes?|mins?)\b"
    rf"(?P<half>\s+and\s+a\s+half)?(?:[\s-]*long)?")


def _read_length(words: _Text, found: RequestTargets) -> None:
    match = _LENGTH.search(words.lower)
    if not match:
        return
    amount = {"a": 1.0, "an": 1.0, "half a": 0.5, "half an": 0.5, "one and a half": 1.5}.get(match["n"])
    amount = number_value(match["n"]) if amount is None else amount
    amount += 0.5 if match["half"] else 0.0
    seconds = amount * (60.0 if match["unit"].startswith("m") else 1.0)
    if not 1.0 <= seconds <= MAX_LENGTH_SECONDS:
        raise RequestError(f"{shown(match.group(0))}: a tune here lasts 1 second to "
                           f"{MAX_LENGTH_SECONDS / 60:.0f} minutes")
    found.length_seconds = seconds
    found.evidence["length_seconds"] = words.take(match)


_TEMPO_WORD = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(TEMPO_WORDS, key=len, reverse=True)) + r")\b")


def _read_tempo(words: _Text, found: RequestTargets) -> None:
    """Numbers win; Italian terms clamp the tune type's tempo into their range; comparatives ("slower")
    become a factor on the base tempo; plain words ("slow") scale the tune type's tempo."""
    usual = TUNE_TYPES[found.tune_type].tempo_bpm if found.tune_type else None
    match = next(filter(None, (pattern.search(words.lower) for pattern in TEMPO_NUMBER_PATTERNS)), None)
    if match:
        found.tempo_bpm = tempo_value(match)
        found.evidence["tempo_bpm"] = words.take(match)
        return
    match = ITALIAN_RE.search(words.lower)
    if match:
        low, high = ITALIAN_TEMPI[match[1]]
        found.tempo_bpm = min(max(usual, low), high) if usual else (low + high) // 2
        found.evidence["tempo_bpm"] = f"{words.take(match)} ({low}-{high} BPM)"
        return
    for pattern, factor in TEMPO_COMPARATIVES:
        match = re.search(rf"\b(?:{pattern})\b", words.lower)
        if match and not _NEGATED.search(words.lower[: match.start()]):
            found.tempo_factor = factor
            found.evidence["tempo_factor"] = words.take(match)
            return
    # "not too fast" asks for no particular tempo: a negated tempo word sets nothing.
    match = next((m for m in _TEMPO_WORD.finditer(words.lower) if not _NEGATED.search(words.lower[: m.start()])), None)
    if match:
        factor, absolute = TEMPO_WORDS[match[1]]
        found.tempo_bpm = max(TEMPO_MIN, min(TEMPO_MAX, round(usual * factor))) if usual else absolute
        how = f" ({factor:g} x a {found.tune_type}'s usual {usual} BPM)" if usual else ""
        found.evidence["tempo_bpm"] = words.take(match) + how


def _read_instrument(words: _Text, found: RequestTargets) -> None:
    matches = list(INSTRUMENT_RE.finditer(words.lower))
    if not matches:
        return
    names = list(dict.fromkeys(INSTRUMENT_WORDS[m[1]] for m in matches))
    found.instrument = names[0]
    evidence = words.take(matches[0])
    for later in matches[1:]:
        words.take(later)  # so "grand piano" is not also read as the mood "grand"
    if len(names) > 1:
        evidence += f" (also named: {', '.join(names[1:])}; the plan has one melody instrument, the first named)"
    found.evidence["instrument"] = evidence


_NEGATED = re.compile(r"\b(?:not|no|never|without|nor|less)\s+(?:too\s+|very\s+|so\s+)?$")


def _read_moods(words: _Text, found: RequestTargets) -> None:
    for match in re.finditer(r"[a-z]+", words.lower):
        word = match.group(0)
        base = word if word in MOODS else word[:-2] if word.endswith("ly") and word[:-2] in MOODS else None
        if base and not _NEGATED.search(words.lower[: match.start()]) and base not in found.mood_words:
            found.mood_words.append(base)
    if found.mood_words:
        found.evidence["mood_words"] = ", ".join(found.mood_words)
