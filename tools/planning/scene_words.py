"""Scene words in a caption or request ("beach", "night", "cat"…) → atmosphere, instrument and tune type.

Used by the bridge when a caption exists (or the user's request names a scene). An instrument or a
tune type named outright is read by `tools.planning.request`, the one reader of the user's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Scene:
    """What a scene word brings to the music."""

    words: tuple[str, ...]
    atmosphere: str
    instrument: str
    tune_type: str | None = None
    moods: tuple[str, ...] = ()  # mood words (tools.theory.moods) the scene implies


SCENES: tuple[Scene, ...] = (
    Scene(("beach", "sea", "ocean", "wave", "waves", "shore", "sand", "surf", "boat", "harbour", "harbor", "bay",
           "island"), "breezy seaside", "steel guitar"),
    Scene(("sailor", "sailors", "ship", "ships", "voyage", "anchor"), "seafaring", "accordion", "sea shanty"),
    Scene(("rocket", "launch", "spaceship", "astronaut", "space", "galaxy", "galaxies", "planet", "cosmos", "cosmic"),
          "cosmic, soaring", "synth pad"),
    Scene(("night", "nights", "moon", "star", "stars", "evening", "nocturne", "midnight", "dusk", "twilight"),
          "nocturnal, starlit", "vibraphone"),
    Scene(("city", "street", "building", "buildings", "traffic", "car", "bus", "skyline"), "urban", "electric piano"),
    Scene(("forest", "tree", "trees", "woods", "garden", "flower", "flowers", "meadow", "grass", "field"),
          "pastoral woodland", "flute"),
    Scene(("snow", "snowy", "winter", "ice", "frozen"), "wintry, crystalline", "celesta"),
    Scene(("christmas", "xmas", "noel", "nativity", "carol", "carols", "advent", "yuletide"),
          "midwinter, candlelit, bells", "glockenspiel", "hymn", ("hopeful",)),
    Scene(("rain", "rainy", "storm", "cloud", "clouds", "fog", "umbrella"), "reflective rainy-day", "piano"),
    Scene(("mountain", "mountains", "hill", "hills", "valley", "lake", "river"), "wide open, majestic", "french horn"),
    Scene(("cat", "cats", "kitten", "dog", "dogs", "puppy", "bird", "birds", "animal"), "playful", "clarinet"),
    Scene(("coffee", "cup", "cafe", "mug", "tea", "kitchen"), "cosy café", "jazz guitar"),
    Scene(("church", "cathedral", "chapel"), "sacred, reverberant", "church organ"),
    Scene(("requiem", "funeral", "elegy", "mourning", "memorial", "grave", "farewell"), "mournful, sacred", "choir",
          "chorale", ("solemn", "melancholic")),
    Scene(("party", "dance", "dancing", "crowd", "festival", "wedding", "fiesta", "carnival"), "festive", "accordion",
          "polka"),
    Scene(("baby", "child", "children", "bed", "sleeping", "cradle"), "tender", "music box", "lullaby"),
    Scene(("summer", "sunny", "sunshine", "sunset", "holiday", "tropical"), "warm, sunlit", "nylon guitar", None,
          ("cheerful",)),
    Scene(("spring", "blossom", "easter", "morning", "dawn", "sunrise"), "fresh, awakening", "flute", None,
          ("hopeful",)),
    Scene(("autumn", "harvest", "leaves"), "autumnal, golden", "oboe", None, ("nostalgic",)),
    Scene(("love", "heart", "hearts", "romance", "valentine", "kiss", "lovers"), "romantic", "violin", "waltz",
          ("romantic",)),
    Scene(("war", "battle", "soldier", "soldiers", "army"), "martial", "brass", "march", ("heroic",)),
    Scene(("ghost", "ghosts", "haunted", "halloween", "horror", "witch"), "eerie, haunted", "celesta", None,
          ("eerie",)),
    Scene(("hero", "heroes", "victory", "champion", "champions", "glory", "triumph"), "triumphant", "trumpet", "fanfare",
          ("triumphant",)),
)


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
