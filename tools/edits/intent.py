"""Whether a chat message asks for music at all, and whether it asks for a new tune rather than a change.

"thanks!" asks for nothing; "a polka in D", "now write me a jig", "another tune" ask for a new tune;
"make it a waltz" and "slower" change the tune there is. Read from the user's words only.
"""

from __future__ import annotations

import re

from tunesmith.tools.planning.words import TYPE_NAMES

_TYPES = "|".join(re.escape(w) for w in sorted(TYPE_NAMES, key=len, reverse=True))
_PIECE = rf"(?:tune|song|piece|melody|composition|number|{_TYPES})"
_NEW = re.compile(
    rf"\b(?:a\s+|an\s+)?(?:new|another|different|fresh|second|separate)\s+(?:\w+\s+){{0,3}}?{_PIECE}s?\b"
    rf"|\b(?:compose|write|make|give|play|create|generate)\s+(?:me\s+|us\s+)?(?:a|an|another|some)\s+(?:\w+\s+){{0,3}}?{_PIECE}s?\b"
    rf"|^\s*(?:(?:ok(?:ay)?|now|next|then|and)[,!]?\s+)*(?:how about\s+|what about\s+)?(?:a|an)\s+(?:\w+\s+){{0,3}}?(?:{_TYPES})s?\b"
    r"|\b(?:start\s+(?:over|again|afresh)|from\s+scratch|something\s+(?:\w+\s+)?(?:else|new|different))\b",
    re.IGNORECASE,
)
_MUSIC = re.compile(rf"\b(?:{_PIECE}|music|compose|write|play|make|key|major|minor|tempo|bpm|bars?|jig|reel|waltz|"
                    r"slower|faster|instrument|piano|violin|fiddle|flute|guitar|harp|[A-G](?:#|b)?\s*(?:major|minor|m\b))",
                    re.IGNORECASE)


def asks_for_new_tune(text: str) -> bool:
    """True when the words ask for another tune ("a polka in D", "write me a jig", "something else")."""
    return bool(_NEW.search(text))


def asks_for_music(text: str) -> bool:
    """True when the words ask for music at all: a tune, a musical quality, a change ("thanks!" does not)."""
    from tunesmith.tools.planning import RequestError, parse_request

    if _MUSIC.search(text):
        return True
    try:
        targets = parse_request(text)
    except RequestError:
        return True  # it names a musical value, just an impossible one
    return bool(targets.evidence)
