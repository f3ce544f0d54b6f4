"""The picture's words (its title and headings, and a caption) read by the same reader as the user's words.

`read_picture_words` is the ONE place tools/vision calls the planning reader (today: `parse_request` for
the musical targets and `scenes_in` for scene words); when the reader changes, only this adapter
changes. Lines are read one at a time, most prominent first (title, then headings, then a caption),
so one line's words never combine with another's and a field is decided by the first line naming it.
A line the reader refuses (e.g. "Recorded 1998, 600 minutes") is skipped and noted, never fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tunesmith.tools.planning import RequestError, RequestTargets, parse_request
from tunesmith.tools.planning.scene_words import Scene, scenes_in

__all__ = ["PictureWords", "read_picture_words"]

#: Targets a picture's words may decide (a length in seconds on a cover is a running time, not a request).
DECIDING_FIELDS = ("key", "mode", "meter", "tempo_bpm", "bars", "instrument", "tune_type", "form")


@dataclass
class PictureWords:
    """What the picture's words name, each with the line that named it."""

    targets: RequestTargets = field(default_factory=RequestTargets)
    scenes: list[Scene] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)
    source: dict[str, str] = field(default_factory=dict)  # field, "scene:<atmosphere>" or "mood:<word>" -> the line
    skipped: list[str] = field(default_factory=list)  # lines the reader refused, with why

    def named(self, field_name: str) -> str | None:
        """The line that decided a target field, if any."""
        return self.source.get(field_name)


def read_picture_words(lines: list[str]) -> PictureWords:
    """Read each line (most prominent first) with the planning reader; earlier lines win a field."""
    found = PictureWords()
    for line in lines:
        try:
            targets = parse_request(line)
        except RequestError as exc:
            found.skipped.append(f"“{line}”: {exc}")
            continue
        for name in DECIDING_FIELDS:
            value = getattr(targets, name)
            if value is not None and getattr(found.targets, name) is None:
                setattr(found.targets, name, value)
                found.targets.evidence[name] = targets.evidence.get(name, str(value))
                found.source[name] = line
        for scene in scenes_in(line):
            if scene not in found.scenes:
                found.scenes.append(scene)
                found.source[f"scene:{scene.atmosphere}"] = line
        for word in [*targets.mood_words, *(m for scene in scenes_in(line) for m in scene.moods)]:
            if word not in found.moods:
                found.moods.append(word)
                found.source[f"mood:{word}"] = line
    return found
