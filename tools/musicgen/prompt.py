"""A text-to-music prompt (MusicGen style) written from any `MusicPlan`, for text and image requests alike.

MusicGen was trained on short tag-like descriptions ("lo-fi slow bpm electro chill with organic
samples"), so the prompt lists pace, genre, instrument, mood, texture and atmosphere words rather
than sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

from tunesmith.tools.plan import MusicPlan

# Genre words for each tune type, as MusicGen's training descriptions name them.
GENRE_BY_TUNE_TYPE: dict[str, str] = {
    "jig": "lilting Celtic folk jig",
    "slip jig": "lilting Celtic slip jig",
    "reel": "driving Celtic folk reel",
    "hornpipe": "folk hornpipe",
    "polka": "folk polka",
    "waltz": "folk waltz",
    "march": "march",
    "air": "folk air, ballad",
    "lullaby": "lullaby",
    "mazurka": "folk mazurka",
    "strathspey": "Scottish strathspey",
}

TEXTURE_BY_DENSITY: dict[str, str] = {
    "sparse": "sparse, spacious texture",
    "medium": "flowing texture",
    "dense": "busy, driving texture",
}

MODE_COLOUR: dict[str, str] = {
    "major": "bright",
    "minor": "dark",
    "dorian": "modal, bittersweet",
    "mixolydian": "modal, earthy",
    "lydian": "dreamy, floating",
    "phrygian": "brooding, exotic",
    "locrian": "unsettled",
}


def quarter_note_pace(plan: MusicPlan) -> float:
    """Quarter notes per minute: compound meters (6/8…) count dotted quarters, 1.5 quarters each."""
    return plan.tempo_bpm * 1.5 if plan.compound else float(plan.tempo_bpm)


def tempo_word(plan: MusicPlan) -> str:
    """A pace word from the quarter-note pace (beats per minute)."""
    pace = quarter_note_pace(plan)
    for limit, word in ((60, "very slow"), (80, "slow"), (104, "moderate"), (132, "lively"), (180, "fast")):
        if pace < limit:
            return word
    return "very fast"


def _instrument_phrase(plan: MusicPlan) -> str:
    touch = {"sparse": "soft", "medium": "", "dense": "energetic"}[plan.density]
    register = ""
    if plan.high_pitch <= 72:
        register = " in a low register"
    elif plan.low_pitch >= 72:
        register = " in a high register"
    return " ".join(part for part in (touch, plan.instrument) if part) + register


def musicgen_prompt_for_plan(plan: MusicPlan, atmosphere: Sequence[str] = (), arrangement: str | None = None) -> str:
    """A MusicGen prompt for the plan: pace, genre, key, instrument, mood, texture, atmosphere, bpm.

    `arrangement` describes the sound as a whole (e.g. "lush, richly layered"); `atmosphere` adds
    scene words (e.g. "rainy-day", "seaside"). The tempo in bpm comes last, in beats as the plan
    counts them (dotted quarters in 6/8, 9/8, 12/8).
    """
    genre = GENRE_BY_TUNE_TYPE.get((plan.tune_type or "").strip().lower(), plan.tune_type or "instrumental")
    mood = plan.mood or MODE_COLOUR[plan.mode]
    parts = [
        f"{tempo_word(plan)} {genre} in {plan.key} {plan.mode}",
        _instrument_phrase(plan),
        mood,
        TEXTURE_BY_DENSITY[plan.density],
    ]
    if arrangement:
        parts.append(f"{arrangement} arrangement")
    scene = ", ".join(word.strip() for word in atmosphere if word and word.strip())
    if scene:
        parts.append(f"{scene} atmosphere")
    parts.append(f"{plan.meter} time, {plan.tempo_bpm} bpm")
    return ", ".join(parts)
