"""Scene words in a caption or request ("beach", "night", "cat"…) → atmosphere, instrument and tune type.

Used by the bridge when a caption exists (or the user's request names a scene), and to pick up an
instrument or tune type the user asked for by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tunesmith.tools.plan import GM_PROGRAMS


@dataclass(frozen=True)
class Scene:
    """What a scene word brings to the music."""

    words: tuple[str, ...]
    atmosphere: str
    instrument: str
    tune_type: str | None = None


SCENES: tuple[Scene, ...] = (
    Scene(("beach", "sea", "ocean", "wave", "waves", "shore", "sand", "surf", "boat"), "breezy seaside", "steel guitar"),
    Scene(("rocket", "launch", "spaceship", "astronaut", "space", "galaxy", "planet"), "cosmic, soaring", "synth pad"),
    Scene(("night", "moon", "star", "stars", "evening", "nocturne"), "nocturnal, starlit", "vibraphone"),
    Scene(("city", "street", "building", "buildings", "traffic", "car", "bus", "skyline"), "urban", "electric piano"),
    Scene(("forest", "tree", "trees", "woods", "garden", "flower", "flowers", "meadow", "grass", "field"),
          "pastoral woodland", "flute"),
    Scene(("snow", "snowy", "winter", "ice", "frozen"), "wintry, crystalline", "celesta"),
    Scene(("rain", "rainy", "storm", "cloud", "clouds", "fog", "umbrella"), "reflective rainy-day", "piano"),
    Scene(("mountain", "mountains", "hill", "hills", "valley", "lake", "river"), "wide open, majestic", "french horn"),
    Scene(("cat", "cats", "kitten", "dog", "dogs", "puppy", "bird", "birds", "animal"), "playful", "clarinet"),
    Scene(("coffee", "cup", "cafe", "mug", "tea", "kitchen"), "cosy café", "jazz guitar"),
    Scene(("church", "cathedral", "chapel"), "sacred, reverberant", "church organ"),
    Scene(("party", "dance", "dancing", "crowd", "festival", "wedding"), "festive", "accordion", "polka"),
    Scene(("baby", "child", "children", "bed", "sleeping", "cradle"), "tender", "music box", "lullaby"),
)

# Tune types a user may ask for, with their meter.
TUNE_TYPE_METERS: dict[str, str] = {
    "slip jig": "9/8", "jig": "6/8", "reel": "4/4", "hornpipe": "4/4", "polka": "2/4", "waltz": "3/4",
    "march": "4/4", "air": "4/4", "lullaby": "6/8", "mazurka": "3/4", "strathspey": "4/4",
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def scenes_in(text: str) -> list[Scene]:
    """Scenes whose words occur in `text`, in the order they first appear."""
    words = _words(text)
    found = []
    for position, word in enumerate(words):
        for scene in SCENES:
            if word in scene.words and scene not in (s for _, s in found):
                found.append((position, scene))
    return [scene for _, scene in sorted(found, key=lambda item: item[0])]


def _phrase_in(phrase: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text.lower()) is not None


def requested_instrument(request: str) -> str | None:
    """A General MIDI instrument the request names (longest name wins: "electric piano" over "piano")."""
    named = [name for name in GM_PROGRAMS if _phrase_in(name, request)]
    return max(named, key=len) if named else None


def requested_tune_type(request: str) -> str | None:
    """A tune type the request names (jig, reel, waltz…; "slip jig" before "jig")."""
    # "air" alone is too common a word ("fresh air"); only "slow air" names the tune type
    phrases = {**{name: name for name in TUNE_TYPE_METERS if name != "air"}, "slow air": "air"}
    named = [phrase for phrase in phrases if _phrase_in(phrase, request)]
    return phrases[max(named, key=len)] if named else None
