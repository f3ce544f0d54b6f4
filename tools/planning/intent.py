"""What job the user's words ask for — compose, edit, play, score, check, convert, analyse, continue,
repair, list or just talk — read deterministically, like the plan fields are.

A small LLM proposes a plan; this reader decides what kind of turn it is, so "play this tune" never
becomes an edit and "thanks!" never replaces the tune. It is told whether a tune is at hand (an
attached ABC or MIDI file, or the previous turn's tune) because the same words ask for different jobs
with and without one: "in D minor" composes a new tune, or moves the one you have.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from pydantic import BaseModel, Field

from tunesmith.tools.planning.request import parse_request, plan_from_request
from tunesmith.tools.planning.targets import RequestError
from tunesmith.tools.planning.words import NUMBER_RE, TYPE_RE, number_value

__all__ = ["Intent", "RequestIntent", "TuneChoice", "open_plan_fields", "read_intent",
           "read_tune_choice"]

Intent = Literal["compose", "edit", "play", "score", "check", "convert", "analyse", "continue", "repair", "list", "chat"]


class TuneChoice(BaseModel):
    """Which tune of a file holding several: by position, X: number, title, or every one."""

    position: int | None = Field(None, description="1-based position in the file; -1 is the last tune.")
    x: str | None = Field(None, description="The X: reference number.")
    title: str | None = Field(None, description="A title the words quote or name ('the one called ...').")
    every: bool = False


class RequestIntent(BaseModel):
    """The job a request asks for, with the details the words give and the words that decided it."""

    intent: Intent
    evidence: str = Field(description="The user's words that decided the intent, or why a default applied.")
    formats: list[str] = Field(default_factory=list, description="Files asked for: mid, wav, svg, pdf, musicxml, abc.")
    bar: int | None = Field(None, description="A bar the words ask about ('what's wrong with bar 7').")
    bars: int | None = Field(None, description="How many bars to add when continuing.")
    gap: tuple[int, int] | None = Field(None, description="Missing bars named by number, first and last (1-based).")
    questions: list[str] = Field(default_factory=list, description="What an analysis should answer: key, meter, "
                                                                   "tune_type, tempo, bars.")
    tune: TuneChoice | None = None


_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_ORDINAL_RE = "|".join(_ORDINALS)

_FORMAT_WORDS = {"midi": "mid", "mid": "mid", "musicxml": "musicxml", "music xml": "musicxml", "xml": "musicxml",
                 "mxl": "musicxml", "pdf": "pdf", "svg": "svg", "abc": "abc", "wav": "wav", "audio file": "wav"}
_FORMAT = r"(?:" + "|".join(re.escape(w) for w in sorted(_FORMAT_WORDS, key=len, reverse=True)) + r")"
_FORMAT_RE = re.compile(rf"\b({_FORMAT})\b")

_CONTINUE = re.compile(r"\b(?:continue|continuation|carry on|keep going|go on with)\b")
_TRANSCRIBE = re.compile(r"\b(?:transcribe|transcription|notate|write (?:it|this|the melody|the tune) down|"
                         r"what(?:'s| is) the (?:melody|tune))\b")
_CONTINUE_BARS = re.compile(rf"\b(?:for|by|with)?\s*(?P<n>{NUMBER_RE})\s+(?:more\s+|new\s+|extra\s+)?(?:bars?|measures?)\b")
_GAP = re.compile(r"\b(?:fill(?:\s+(?:it|them|this|that|the\s+gap))?\s+in|missing|gaps?|lost|restore|reconstruct)\b")
_GAP_BARS = re.compile(r"\b(?:bars?|measures?)\s+(\d{1,3})\s*(?:-|–|to|through|and)\s*(\d{1,3})\b")
_FIX = re.compile(r"\b(?:fix|repair|correct (?:it|this|the tune|them)|clean (?:it |this )?up|make (?:it|this) (?:valid|playable))\b")
_CONVERT = re.compile(rf"\b(?:convert|export|transcribe|save (?:it |this |them )?as)\b"
                      rf"|\b(?:as|to|into|in)\s+(?:an?\s+)?{_FORMAT}\b|\b{_FORMAT}\s+(?:file|version|format|export)s?\b"
                      rf"|\b(?:give|get|send|want)\s+(?:me\s+)?(?:the\s+|an?\s+)?{_FORMAT}\b"
                      rf"|\babc\b.*\b(?:from|of|for)\s+(?:this|the|my)\s+midi\b")
_LIST = re.compile(r"\b(?:list|what tunes|which tunes|how many tunes|what(?:'s| is) in (?:it|this|the file|the book)"
                   r"|table of contents|contents)\b")
_CHECK = re.compile(r"\b(?:valid|invalid|validate|check|errors?|mistakes?|wrong|broken|problems?|issues?|typos?"
                    r"|correct\s*\?|ok\s*\?|any good\s*\?|playable\s*\?)")
_ANALYSE = re.compile(r"\b(?:what|which)\s+(?:key|mode|meter|metre|time signature|tempo|kind|type|sort|style|genre"
                      r"|tonality|scale)\b|\bwhat(?:'s| is)\s+(?:the\s+)?(?:key|mode|meter|metre|time signature"
                      r"|tempo|tonality)\b|\banaly[sz]e\b|\banalysis\b|\btell me about\b|\bwhat is (?:this|it)\b"
                      r"|\bidentify\b|\bhow many bars\b|\bhow long is\b"
                      r"|\bis (?:this|it) (?:an?|in)\b")
_SCORE = re.compile(r"\b(?:score|sheet music|notation|engrave|print(?:able)?|the dots|staff|stave)\b"
                    r"|\bshow (?:me )?(?:it|this|them|the (?:tune|music|notes))\b|\bsee (?:it|the (?:notes|music))\b")
_PLAY = re.compile(r"\b(?:play|hear|listen|sound|render|perform)\b|\bwhat does (?:it|this) sound like\b")
_EARLIER = re.compile(r"\b(?:i|we|you) (?:made|wrote|composed|did|had)\b|\b(?:yesterday|earlier|last (?:time|week|session)"
                      r"|the other day|from before)\b")
_NEW_TUNE = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|now|and|then|also|great|thanks|thank you|next|so|hi|hello|hey)[,!.]?\s+)*"
    r"(?:(?:can|could|would|will) you\s+|please\s+)?"
    r"(?:(?:write|compose|make|create|generate|give|play|do|try|i(?:'d| would) like|i want|i need|let's have|how about)"
    r"\s+(?:me\s+|us\s+)?)?(?:a|an|another|some|one more|a new|something)\b(?!\s+(?:bit|little|touch|tad|lot)\b)"
)
_MUSIC_NOUN = re.compile(r"\b(?:tune|melody|song|piece|music|theme|ditty|composition|something|track|motif|riff)s?\b")
_EDIT_CUE = re.compile(
    r"\b(?:make (?:it|the|this)|change|turn (?:it|the)|switch|instead|transpose|higher|lower|slower|faster|quicker"
    r"|shorter|longer|sadder|happier|brighter|darker|calmer|livelier|speed (?:it )?up|slow (?:it )?down"
    r"|put (?:it|the)|set (?:it|the)|take (?:it|the)|(?:up|down) (?:an?|one|two|\d+)|end (?:it )?on an?|drop|remove"
    r"|octave|(?:the\s+)?[a-h]\s*(?:part|section)|more|less)\b",
)
_CHAT = re.compile(r"^\s*(?:hi|hello|hey|thanks?|thank you|cheers|great|cool|nice|lovely|awesome|perfect|wonderful"
                   r"|ok(?:ay)?|good|fine|bye|goodbye|yes|no|yep|nope|help|who are you|what can you do|how are you)\b")
_QUESTION = re.compile(r"^\s*(?:what|who|why|how|when|where|is|are|do|does|can|could|should|would)\b.*\?\s*$", re.S)

_TUNE_POSITION = re.compile(
    rf"\b(?:the\s+)?(?P<ord>{_ORDINAL_RE}|\d{{1,3}}(?:st|nd|rd|th))\s*(?:one|tune|song|piece|of them)?\b(?!\s*(?:bar|measure))"
    r"|\b(?:tune|song|piece|number|no\.?)\s*#?\s*(?P<num>\d{1,3})\b|#(?P<hash>\d{1,3})\b"
)
_TUNE_LAST = re.compile(r"\bthe last (?:one|tune|song|piece)\b")
_TUNE_X = re.compile(r"\bx\s*:\s*(\d{1,6})\b")
_TUNE_EVERY = re.compile(r"\b(?:all|every|each)\s+(?:of\s+)?(?:them|the\s+tunes|tunes?|songs?|pieces?|one)\b|\bthem all\b")
_TUNE_TITLE = re.compile(r"[\"“](?P<quoted>[^\"”]{2,80})[\"”]|\b(?:called|named|titled)\s+(?P<named>[^,.;?!]{2,80})")
_BAR_NUMBER = re.compile(rf"\b(?:bar|measure)\s+(?:number\s+|no\.?\s*)?(?P<n>\d{{1,3}})\b"
                         rf"|\b(?P<ord>{_ORDINAL_RE}|\d{{1,3}}(?:st|nd|rd|th))\s+(?:bar|measure)\b")
_QUESTIONS = {"key": r"\b(?:key|mode|tonality|scale|major|minor)\b|\bis (?:this|it) in\b", "meter": r"\b(?:meter|metre|time signature|time)\b",
              "tune_type": r"\b(?:kind|type|sort|style|genre|dance)\b|\bis (?:this|it) an?\b", "tempo": r"\b(?:tempo|speed|fast|slow)\b",
              "bars": r"\bhow many bars\b|\bhow long\b"}


def _ordinal(word: str) -> int:
    return _ORDINALS.get(word) or int(re.sub(r"\D", "", word))


def _formats(lower: str) -> list[str]:
    return list(dict.fromkeys(_FORMAT_WORDS[m] for m in _FORMAT_RE.findall(lower)))


def read_tune_choice(text: str) -> TuneChoice | None:
    """Which tune of a file `text` picks ("the second one", "X:3", "all of them", a quoted title; a bare
    number or "all" too, as a tool argument gives it), or None when it picks none."""
    bare = text.strip().lower()
    if bare.isdigit():
        return TuneChoice(position=int(bare))
    if bare in ("all", "every", "each", "every tune", "all tunes"):
        return TuneChoice(every=True)
    return _tune_choice(text, text.lower().replace("’", "'"))


def _tune_choice(text: str, lower: str) -> TuneChoice | None:
    """Which tune of a file the words pick, if they pick one."""
    if match := _TUNE_X.search(lower):
        return TuneChoice(x=match[1])
    if _TUNE_LAST.search(lower):
        return TuneChoice(position=-1)
    if match := _TUNE_POSITION.search(lower):
        number = match["num"] or match["hash"]
        return TuneChoice(position=int(number) if number else _ordinal(match["ord"]))
    if match := _TUNE_TITLE.search(text):
        return TuneChoice(title=(match["quoted"] or match["named"]).strip())
    if _TUNE_EVERY.search(lower):
        return TuneChoice(every=True)
    return None


def _bar(lower: str) -> int | None:
    match = _BAR_NUMBER.search(lower)
    if not match:
        return None
    return int(match["n"]) if match["n"] else _ordinal(match["ord"])


def _targets(text: str) -> dict[str, str]:
    """The musical targets the words name (key, tempo, instrument, ...), by field; words for an impossible
    value still name a target (the planner reports the error)."""
    try:
        return dict(parse_request(text).evidence)
    except RequestError as error:
        return {"invalid": str(error)}


def _musical_change(targets: dict[str, str]) -> list[str]:
    """Targets that ask to change a tune one has (not merely to name it: 'the waltz I made')."""
    return [field for field in targets if field not in ("tune_type", "mood_words")]


def read_intent(text: str, *, tune_at_hand: bool = False, attached: Collection[str] = ()) -> RequestIntent:
    """The job `text` asks for. `tune_at_hand`: there is a tune to act on (attached, or the previous
    turn's); `attached`: the kinds of file the user gave (abc, midi, image, audio).

    Never raises for ordinary text: words with no recognised job are a chat with a tune at hand (so an
    unclear remark never rewrites it) except that an attached tune is played, and a request for
    music otherwise.
    """
    text = text if isinstance(text, str) else ""
    lower = text.lower().replace("’", "'")
    own_file = bool({"abc", "midi"} & set(attached))
    tune_at_hand = tune_at_hand or own_file
    targets = _targets(text)
    details = {"tune": _tune_choice(text, lower)}

    def found(intent: Intent, match: re.Match[str] | str, **extra: object) -> RequestIntent:
        evidence = match if isinstance(match, str) else match.group(0).strip()
        return RequestIntent(intent=intent, evidence=evidence, **{**details, **extra})

    if "audio" in attached and not own_file:  # the clip's melody is the tune the words act on
        if match := _CONTINUE.search(lower):
            bars = _CONTINUE_BARS.search(lower)
            return found("continue", match, bars=int(number_value(bars["n"])) if bars else None)
        if match := _TRANSCRIBE.search(lower):
            return found("convert", match, formats=["abc"])
        change = _musical_change(targets)
        if change and not _NEW_TUNE.search(lower):
            return found("edit", targets[change[0]])
        return found("compose", "a clip to set the music: a new tune in its style")
    if not tune_at_hand:
        if "image" in attached or "audio" in attached:
            return found("compose", f"a {'picture' if 'image' in attached else 'clip'} to set the music")
        if (match := _PLAY.search(lower)) and _EARLIER.search(lower) and not _NEW_TUNE.search(lower):
            return found("play", match)  # a tune from an earlier session, to be recalled
        if match := _NEW_TUNE.search(lower) or _MUSIC_NOUN.search(lower) or TYPE_RE.search(lower):
            return found("compose", match)
        if targets and not _QUESTION.search(lower):
            return found("compose", next(iter(targets.values())))
        if match := _CHAT.search(lower) or _QUESTION.search(lower):
            return found("chat", match)
        return found("compose", "no other job was named, so a new tune")

    if match := _CONTINUE.search(lower):
        bars = _CONTINUE_BARS.search(lower)
        return found("continue", match, bars=int(number_value(bars["n"])) if bars else None)
    gap = _GAP_BARS.search(lower)
    if (match := _GAP.search(lower)) and ("midi" in attached or gap):
        return found("repair", match, gap=(int(gap[1]), int(gap[2])) if gap else None)
    if match := _FIX.search(lower):
        return found("repair", match, bar=_bar(lower))
    if "abc" in attached and (match := _LIST.search(lower)):
        return found("list", match)
    if match := _SCORE.search(lower):
        return found("score", match, formats=["svg", *(f for f in _formats(lower) if f in ("pdf", "musicxml"))])
    if match := _CONVERT.search(lower):
        formats = _formats(lower)
        if "midi" in attached and "abc" in formats:
            formats = ["abc"]
        elif "midi" in formats and "abc" in attached and "mid" not in formats:
            formats = ["mid"]
        formats = [f for f in formats if not ("midi" in attached and f == "mid")] or (["abc"] if "midi" in attached else ["mid"])
        return found("convert", match, formats=formats)
    if match := _CHECK.search(lower):
        return found("check", match, bar=_bar(lower))
    if match := _ANALYSE.search(lower):
        asked = [field for field, pattern in _QUESTIONS.items() if re.search(pattern, lower)]
        return found("analyse", match, questions=asked or list(_QUESTIONS))
    if (match := _NEW_TUNE.search(lower)) and (TYPE_RE.search(lower) or _MUSIC_NOUN.search(lower)):
        return found("compose", match)  # "a reel in A dorian": a new tune, not a change to this one
    change = _musical_change(targets)
    if match := _PLAY.search(lower):
        if change or _EDIT_CUE.search(lower):
            return found("edit", targets[change[0]] if change else _EDIT_CUE.search(lower).group(0))
        return found("play", match)
    if change:
        return found("edit", targets[change[0]])
    if match := _EDIT_CUE.search(lower):
        return found("edit", match)
    if match := _CHAT.search(lower) or _QUESTION.search(lower):
        return found("chat", match)
    if own_file:
        return found("play", "your tune, with no other job named: checked and played")
    return found("chat", "no change to the tune was named")


def open_plan_fields(text: str, fields: Collection[str]) -> list[str]:
    """Which of the plan `fields` the words leave open: set neither by the words nor by what they imply
    (a named tune type's conventions, a mood). Only there would a model's suggestion be used, so only
    those are worth asking a model about."""
    try:
        decided = plan_from_request(text).reasons
    except RequestError:  # words no tune can follow: the planner reports them; ask about everything
        return list(fields)
    if "key" in decided:  # "a reel in D": D major, as musicians read a key named without its mode
        decided = {**decided, "mode": decided["key"]}
    return [field for field in fields if field not in decided]
