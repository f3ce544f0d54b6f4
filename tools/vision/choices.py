"""Choosing across the product's whole vocabulary from a picture: tune type, instrument, register, tempo,
density, mode, contour and form, each with the cue that decided it.

A picture is placed by its (content-moved) energy E and valence V, and tagged by its cues (`picture_tags`).
* **Tune type**: every type in `tools.theory.tune_types` has a place (E, V) where its character sits
  (`TYPE_PLACES`: reels fast and bright, laments slow and dark, ...). The nearest place wins, 0.12 nearer
  per tag the type shares with the picture; a type with a `needs` set (sea shanty, hymn, blues, baroque
  dances, fanfare, lullaby, lament) is only a candidate when the picture has one of those tags.
* **Instrument**: each candidate has a timbre place (warmth, brightness, energy; `TIMBRES`) and tags; the
  nearest to the picture's warmth, brightness and E wins, 0.15 nearer per shared tag and 0.10 for the
  tune type's own instrument. Instruments of one setting (brass, organ, choir, pads, harpsichord, music
  box, alto sax...) need one of their tags in the picture.
* **Register**: brightness places a window in the middle two thirds of the instrument's range (dark →
  low); its width is 19 semitones, 26 for a vast picture, 14 for an empty or intimate one.
* **Tempo**: E places the tempo in the tune type's usual range (`TuneType.tempo_range`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.tools.theory import melody_range
from tunesmith.tools.theory.tune_types import TuneType
from tunesmith.tools.vision.cues import PictureCues

__all__ = ["TIMBRES", "TYPE_PLACES", "choose_instrument", "choose_tune_type", "picture_tags", "register_window",
           "tempo_in_range"]

# Tags a picture can carry: from its scene cues, and from its words' scenes (by atmosphere word).
_CUE_TAGS = {"crowd": ("crowd", "festive", "dance"), "group": ("group", "dance"), "couple": ("couple",),
             "portrait": ("intimate", "song"), "lone figure": ("intimate", "lone"), "empty": ("sparse", "lone"),
             "vast": ("vast",), "night sky": ("night", "vast"), "symmetric": ("stately",), "busy": ("busy",),
             "monochrome": ("antique",), "sepia": ("antique",)}
_ATMOSPHERE_TAGS = {"seaside": "sea", "seafaring": "sea", "cosmic": "vast", "nocturnal": "night", "urban": "urban",
                    "pastoral": "pastoral", "wintry": "tender", "midwinter": "sacred", "sacred": "sacred",
                    "mournful": "mournful", "festive": "festive", "tender": "tender", "majestic": "stately",
                    "romantic": "couple", "martial": "stately", "eerie": "night", "triumphant": "triumphant",
                    "playful": "dance", "sunlit": "festive", "café": "urban", "rainy": "lone", "autumnal": "pastoral"}


@dataclass(frozen=True)
class Place:
    """Where a tune type or instrument sits, the tags it shares with pictures, and tags it cannot do without."""

    x: float
    y: float
    z: float = 0.5
    tags: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


#: Tune type -> (energy, valence) and tags. Every type in tools.theory.tune_types is here.
TYPE_PLACES: dict[str, Place] = {
    "reel": Place(0.85, 0.60, tags=("dance", "busy", "crowd")),
    "jig": Place(0.72, 0.75, tags=("dance", "festive")),
    "slip jig": Place(0.62, 0.58, tags=("dance", "couple")),
    "slide": Place(0.80, 0.80, tags=("dance", "festive")),
    "hornpipe": Place(0.62, 0.66, tags=("dance", "stately")),
    "polka": Place(0.80, 0.90, tags=("festive", "crowd", "dance")),
    "barn dance": Place(0.66, 0.80, tags=("crowd", "group", "dance")),
    "strathspey": Place(0.60, 0.42, tags=("dance", "stately"), needs=("dance", "stately", "group", "crowd", "busy")),
    "mazurka": Place(0.52, 0.50, tags=("couple", "dance")),
    "waltz": Place(0.45, 0.66, tags=("couple", "dance", "romantic")),
    "march": Place(0.70, 0.60, tags=("stately", "group", "triumphant"), needs=("stately", "group", "crowd", "triumphant")),
    "slow air": Place(0.20, 0.40, tags=("lone", "song", "vast", "intimate")),
    "lament": Place(0.10, 0.12, tags=("lone", "mournful"), needs=("mournful", "lone", "night")),
    "lullaby": Place(0.10, 0.70, tags=("tender", "sparse"), needs=("tender", "sparse", "intimate")),
    "ballad": Place(0.32, 0.55, tags=("intimate", "song", "couple")),
    "hymn": Place(0.25, 0.62, tags=("sacred", "stately"), needs=("sacred", "stately")),
    "chorale": Place(0.18, 0.40, tags=("sacred", "mournful", "stately"), needs=("sacred", "mournful")),
    "minuet": Place(0.50, 0.66, tags=("antique", "stately", "couple"), needs=("antique", "stately")),
    "gavotte": Place(0.56, 0.60, tags=("antique", "dance"), needs=("antique",)),
    "bourrée": Place(0.66, 0.62, tags=("antique", "busy"), needs=("antique",)),
    "sarabande": Place(0.20, 0.35, tags=("antique", "stately", "sparse"), needs=("antique",)),
    "siciliana": Place(0.25, 0.42, tags=("antique", "pastoral", "lone"), needs=("antique", "pastoral")),
    "sea shanty": Place(0.55, 0.55, tags=("sea", "group"), needs=("sea",)),
    "fanfare": Place(0.90, 0.80, tags=("triumphant", "stately"), needs=("triumphant",)),
    "blues": Place(0.35, 0.28, tags=("night", "urban", "lone"), needs=("urban",)),
}

#: Instrument -> timbre (warmth, brightness, energy) and the picture tags it suits.
TIMBRES: dict[str, Place] = {
    "fiddle": Place(0.60, 0.60, 0.80, ("dance", "busy", "crowd")),
    "violin": Place(0.65, 0.65, 0.55, ("intimate", "couple", "romantic")),
    "cello": Place(0.65, 0.25, 0.35, ("intimate", "lone", "mournful")),
    "viola": Place(0.50, 0.35, 0.35, ("lone",)),
    "nylon guitar": Place(0.72, 0.55, 0.40, ("intimate", "couple")),
    "harp": Place(0.50, 0.62, 0.25, ("antique", "vast", "tender")),
    "harpsichord": Place(0.60, 0.55, 0.60, ("antique", "stately"), needs=("antique", "stately")),
    "piano": Place(0.50, 0.50, 0.50, ("sparse",)),
    "flute": Place(0.30, 0.75, 0.50, ("pastoral",)),
    "tin whistle": Place(0.45, 0.80, 0.75, ("dance",)),
    "accordion": Place(0.70, 0.60, 0.75, ("crowd", "festive", "sea")),
    "clarinet": Place(0.50, 0.45, 0.50, ("antique", "urban")),
    "oboe": Place(0.45, 0.50, 0.35, ("lone", "pastoral")),
    "english horn": Place(0.40, 0.30, 0.25, ("lone", "night", "mournful")),
    "bassoon": Place(0.62, 0.20, 0.40, ()),
    "french horn": Place(0.55, 0.35, 0.45, ("vast", "stately")),
    "trumpet": Place(0.75, 0.70, 0.85, ("triumphant", "stately"), needs=("triumphant", "stately", "crowd")),
    "brass": Place(0.70, 0.50, 0.80, ("crowd", "stately", "triumphant"), needs=("triumphant", "stately", "crowd")),
    "celesta": Place(0.30, 0.85, 0.30, ("night", "vast", "tender")),
    "glockenspiel": Place(0.35, 0.90, 0.60, ("festive", "tender"), needs=("festive", "tender")),
    "vibraphone": Place(0.20, 0.40, 0.35, ("night", "urban")),
    "marimba": Place(0.65, 0.55, 0.65, ("busy",)),
    "xylophone": Place(0.50, 0.80, 0.85, ("busy", "festive")),
    "synth pad": Place(0.20, 0.30, 0.20, ("vast", "night"), needs=("vast", "night")),
    "warm pad": Place(0.60, 0.40, 0.20, ("vast", "sparse"), needs=("vast", "sparse")),
    "alto sax": Place(0.60, 0.40, 0.50, ("night", "urban"), needs=("night", "urban")),
    "choir": Place(0.50, 0.50, 0.30, ("sacred", "group", "mournful"), needs=("sacred", "mournful")),
    "church organ": Place(0.45, 0.45, 0.40, ("sacred", "stately"), needs=("sacred",)),
    "music box": Place(0.40, 0.85, 0.20, ("tender", "sparse"), needs=("tender", "sparse")),
    "kalimba": Place(0.55, 0.70, 0.40, ("sparse",)),
    "recorder": Place(0.50, 0.70, 0.50, ("antique", "pastoral")),
    "strings": Place(0.55, 0.45, 0.45, ("vast", "group")),
}
TAG_PULL, INSTRUMENT_TAG_PULL, OWN_INSTRUMENT_PULL = 0.12, 0.15, 0.10


def picture_tags(cues: PictureCues | None, atmospheres: list[str]) -> dict[str, str]:
    """Tag -> the cue or words that gave it (the strongest first)."""
    tags: dict[str, str] = {}
    for cue in cues.scene if cues is not None else []:
        for tag in _CUE_TAGS[cue.name]:
            tags.setdefault(tag, f"{cue.name} ({cue.evidence})")
    for atmosphere in atmospheres:
        for word, tag in _ATMOSPHERE_TAGS.items():
            if word in atmosphere:
                tags.setdefault(tag, f"the words' {atmosphere} scene")
    return tags


def _nearest(places: dict[str, Place], point: tuple[float, ...], tags: dict[str, str], pull: float,
             bonus: dict[str, float] | None = None) -> tuple[str, float, list[str]]:
    """The name whose place is nearest `point` after tag pulls; its distance and the tags it shared."""
    best: tuple[float, str, list[str]] | None = None
    for name, place in places.items():
        if place.needs and not set(place.needs) & set(tags):
            continue
        coordinates = (place.x, place.y, place.z)[: len(point)]
        distance = sum((a - b) ** 2 for a, b in zip(coordinates, point, strict=True)) ** 0.5
        shared = [tag for tag in place.tags if tag in tags]
        score = distance - pull * len(shared) - (bonus or {}).get(name, 0.0)
        if best is None or score < best[0]:
            best = (score, name, shared)
    assert best is not None  # the places without needs always qualify
    return best[1], best[0], best[2]


def choose_tune_type(energy: float, valence: float, tags: dict[str, str]) -> tuple[str, str]:
    """The tune type nearest the picture's energy and valence, pulled by shared tags; with its reason."""
    name, _, shared = _nearest(TYPE_PLACES, (energy, valence), tags, TAG_PULL)
    place = TYPE_PLACES[name]
    because = "; ".join(f"{tag}: {tags[tag]}" for tag in shared)
    return name, (f"{name}: energy {energy:.2f} and valence {valence:.2f} lie nearest a {name}'s character "
                  f"({place.x:.2f}, {place.y:.2f})" + (f", and the picture is {because}" if because else ""))


def choose_instrument(warmth: float, brightness: float, energy: float, tags: dict[str, str],
                      tune_type: TuneType) -> tuple[str, str]:
    """The instrument whose timbre is nearest the picture's warmth, brightness and energy, pulled by tags."""
    own = {tune_type.instrument: OWN_INSTRUMENT_PULL} if tune_type.instrument else {}
    name, _, shared = _nearest(TIMBRES, (warmth, brightness, energy), tags, INSTRUMENT_TAG_PULL, own)
    colour = "warm" if warmth >= 0.6 else "cool" if warmth <= 0.4 else "neutral"
    light = "bright" if brightness >= 0.55 else "dark" if brightness < 0.4 else "mid-toned"
    why = f"{name}: a {colour}, {light} picture (warmth {warmth:.2f}, brightness {brightness:.2f}, energy {energy:.2f})"
    if shared:
        why += "; it suits " + "; ".join(f"{tag} ({tags[tag]})" for tag in shared)
    if name == tune_type.instrument:
        why += f"; the usual instrument of a {tune_type.name}"
    return name, why


def register_window(instrument: str, brightness: float, tags: dict[str, str]) -> tuple[int, int, str]:
    """A melody window in the instrument's range: brightness places it, vastness widens it, intimacy narrows it."""
    floor, ceiling = melody_range(instrument)
    if "vast" in tags:
        width, why = 26, f"26 semitones wide for a vast picture ({tags['vast']})"
    elif "sparse" in tags or "intimate" in tags:
        cue = tags.get("sparse") or tags["intimate"]
        width, why = 14, f"14 semitones for an intimate or empty picture ({cue})"
    else:
        width, why = 19, "19 semitones"
    width = min(width, ceiling - floor)
    # the outer sixth of the range at either end is left to bright or dark extremes no picture asks for
    place = 1 / 6 + 2 / 3 * min(1.0, max(0.0, (brightness - 0.15) / 0.7))
    low = floor + round((ceiling - floor - width) * place)
    return low, low + width, (f"MIDI {low}–{low + width}: brightness {brightness:.2f} places the melody in the "
                              f"{instrument}'s range {floor}–{ceiling} (darker → lower), {why}")


def tempo_in_range(tune_type: TuneType, energy: float) -> tuple[int, str]:
    """Energy places the tempo within the tune type's usual range (in its beat unit)."""
    low, high = tune_type.tempo_range
    tempo = round(low + (high - low) * energy)
    return tempo, (f"{tempo} BPM ({tune_type.beat_unit} beats): energy {energy:.2f} within a {tune_type.name}'s usual "
                   f"{low}–{high}")
