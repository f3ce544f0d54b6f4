"""The music prompt bridge: an `ImageAnalysis` (+ the user's words) → a `MusicPlan` and a MusicGen prompt.

Deterministic; every field gets a reason naming the cue or measure that set it. Precedence per field:
the user's words (read again by `tools.planning` when the plan is made, and here for the type and
instrument the register and tempo depend on) > the picture's words (its title and headings, and a
caption, through the same reader: `picture_words.py`) > its content cues (faces, crowd, emptiness,
vastness...: `affect.py`, `choices.py`) > its palette. V = valence, E = energy, C = calm, B = brightness,
W = warmth (0..1; V, E, C after the content cues moved them).

| plan field   | from                       | rule                                                              |
|--------------|----------------------------|-------------------------------------------------------------------|
| tune_type    | words, scene, E, V, tags   | a type the words or a scene name; else `choices.choose_tune_type` |
| meter, form, | tune type, words, cues     | the type's conventions; words may name them; a symmetric picture  |
| bars         |                            | makes a slow type ternary (ABA, 24 bars), an empty one short (16) |
| mode         | words, type, V, tags       | named mode > the type's mode > V: ≥0.60 major (lydian if also     |
|              |                            | C ≥ 0.6 and B ≥ 0.6, or vast), ≥0.50 mixolydian, ≥0.40 dorian,    |
|              |                            | ≥0.25 minor, else phrygian; an antique picture takes the old      |
|              |                            | modes (major → mixolydian, minor → dorian)                        |
| key          | words, palette             | named key > the most vivid colour on Scriabin's colour–key circle |
| tempo_bpm    | words, E, type             | named tempo > E placed in the type's usual range                  |
| instrument   | words, scene, W, B, E, tags| named > the scene's > `choices.choose_instrument`                 |
| low/high     | instrument, B, tags        | `choices.register_window`                                         |
| density      | cues, E, type              | empty/vast sparse; busy/crowd dense; E ≥0.75 dense, ≤0.30 sparse; |
|              |                            | else the type's                                                   |
| contour      | words' moods, cues, type   | a mood's contour > vast ascending > busy wave > the type's        |
| mood         | V, E, type, C, W, tags     | circumplex words (Russell 1980), energy: the picture's and        |
|              |                            | the tune type's averaged; + the cues' words                       |
| title        | picture's title, caption   | its printed title, the caption, or "Study in <main colours>"      |

Colourfulness M (Hasler–Süsstrunk) chooses arrangement words for the MusicGen prompt:
M ≥59 lush and richly layered, ≥33 natural acoustic, ≥15 understated and muted, below: minimal ambient.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tunesmith.tools.musicgen import musicgen_prompt_for_plan
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.planning import RequestError, RequestTargets, parse_request
from tunesmith.tools.planning.scene_words import Scene, scenes_in
from tunesmith.tools.theory import fit_register, melody_range
from tunesmith.tools.theory.moods import mood_profile
from tunesmith.tools.theory.tune_types import TUNE_TYPES, TuneType
from tunesmith.tools.vision.affect import Affect, picture_affect
from tunesmith.tools.vision.choices import (
    TYPE_PLACES,
    choose_instrument,
    choose_tune_type,
    picture_tags,
    register_window,
    tempo_in_range,
)
from tunesmith.tools.vision.describe import ImageAnalysis
from tunesmith.tools.vision.picture_words import PictureWords, read_picture_words

__all__ = ["BridgeResult", "plan_from_image"]

# Scriabin's colour–key circle (Prometheus, 1910): hue in degrees → tonic, around the circle of fifths.
SCRIABIN_HUES: tuple[tuple[float, str], ...] = (
    (0, "C"), (30, "G"), (55, "D"), (120, "A"), (190, "E"), (225, "B"), (255, "F#"),
    (275, "Db"), (295, "Ab"), (320, "Eb"), (335, "Bb"), (350, "F"),
)
MINOR_SPELLING = {"Db": "C#", "Ab": "G#"}  # minor-type modes read more easily with sharps here
MINOR_LIKE = {"minor", "dorian", "phrygian", "locrian"}
SLOW_TYPES = {"slow air", "lament", "lullaby", "ballad", "hymn", "chorale", "sarabande", "siciliana", "blues"}
#: What each scene cue adds to the mood words and the MusicGen prompt's atmosphere.
CUE_WORDS = {"crowd": "festive crowd", "group": "convivial", "couple": "intimate duet", "portrait": "intimate",
             "lone figure": "solitary", "empty": "spacious, still", "vast": "vast, open", "night sky": "starlit",
             "symmetric": "poised", "busy": "bustling", "monochrome": "old-photograph", "sepia": "old-world"}


class BridgeResult(BaseModel):
    """The plan from an image, the MusicGen prompt, the literal caption prompt, and the evidence used."""

    plan: MusicPlan
    musicgen_prompt: str
    raw_caption_prompt: str | None = Field(description="The caption or printed title, or a literal palette description.")
    evidence: dict[str, float | str] = Field(description="Feature values and cues the plan was derived from.")
    picture_words: str = Field("", description="Every word read in the picture (for the retrieval query).")


def _said(words: PictureWords, field: str) -> str:
    """Which of the picture's lines named a field, and with which words."""
    said = words.targets.evidence.get(field)
    return f"the picture's words “{words.named(field)}”" + (f" name {said!r}" if said else "")


def _mode(affect: Affect, brightness: float, tags: dict[str, str]) -> tuple[str, str]:
    v = affect.valence
    if v >= 0.60 and (affect.calm >= 0.6 and brightness >= 0.6 or "vast" in tags):
        why = f"a vast picture ({tags['vast']})" if "vast" in tags else \
            f"calm {affect.calm:.2f} and brightness {brightness:.2f} (a dreamy, luminous picture)"
        return "lydian", f"lydian mode: valence {v:.2f} and {why}"
    for limit, mode, words in ((0.60, "major", "bright, pleasant"), (0.50, "mixolydian", "pleasant but earthy"),
                               (0.40, "dorian", "mixed, bittersweet"), (0.25, "minor", "dark"), (0.0, "phrygian", "very dark")):
        if v >= limit:
            if "antique" in tags and mode in ("major", "minor"):
                old = "mixolydian" if mode == "major" else "dorian"
                return old, f"{old} mode: valence {v:.2f} ({words}), in an old mode for an old-looking picture ({tags['antique']})"
            return mode, f"{mode} mode: valence {v:.2f} ({words})"
    raise AssertionError("valence is within 0..1")


def _key(a: ImageAnalysis, mode: str) -> tuple[str, str]:
    coloured = [c for c in a.palette if c.share >= 0.10 and c.saturation >= 0.25]
    if not coloured:
        return "C", f"C: no strong colour covers 10% of the picture ({a.palette_words()}), so the plain key"
    colour = max(coloured, key=lambda c: c.saturation)
    gaps = [min(abs(colour.hue_deg - hue), 360 - abs(colour.hue_deg - hue)) for hue, _ in SCRIABIN_HUES]
    tonic = SCRIABIN_HUES[gaps.index(min(gaps))][1]
    if mode in MINOR_LIKE:
        tonic = MINOR_SPELLING.get(tonic, tonic)
    return tonic, (f"{tonic}: its most vivid colour, {colour.name} ({round(colour.share * 100)}%, hue "
                   f"{colour.hue_deg:.0f}°), is {tonic} on Scriabin's colour–key circle")


def _contour(a: ImageAnalysis, tags: dict[str, str], moods: list[str], tune_type: TuneType) -> tuple[str, str]:
    profile = mood_profile(moods)
    if profile is not None and profile.contour:
        return profile.contour, f"{profile.contour}: the picture's words are {', '.join(profile.words)}"
    if "vast" in tags or (a.horizon_position is not None and a.horizon_position >= 0.6 and a.sky_share >= 0.15):
        return "ascending", f"ascending: an open, sky-heavy frame (sky share {a.sky_share:.2f}, horizon at {a.horizon_position})"
    if "busy" in tags:
        return "wave", f"wave: a busy surface (edge density {a.edge_density:.2f})"
    if tune_type.contour:
        return tune_type.contour, f"{tune_type.contour}: the usual shape of a {tune_type.name}"
    return "arch", f"arch: a balanced composition (symmetry {a.symmetry:.2f}, centre weight {a.centre_weight:.2f})"


def _density(affect: Affect, tags: dict[str, str], tune_type: TuneType) -> tuple[str, str]:
    for tag, density in (("sparse", "sparse"), ("vast", "sparse"), ("busy", "dense"), ("crowd", "dense")):
        if tag in tags:
            return density, f"{density}: {tags[tag]}"
    if affect.energy >= 0.75 or affect.energy <= 0.30:
        density = "dense" if affect.energy >= 0.75 else "sparse"
        return density, f"{density}: energy {affect.energy:.2f}"
    density = tune_type.density or "medium"
    return density, f"{density}: energy {affect.energy:.2f} is moderate, so a {tune_type.name}'s usual texture"


def _mood(affect: Affect, warmth: float, tags: dict[str, str], cue_names: list[str],
          tune_type: TuneType) -> tuple[str, str]:
    """Words for the music's character: the picture's valence, and the energy of the picture and the tune type
    together (a barn dance chosen for a festive cover is not "serene")."""
    v = affect.valence
    e = (affect.energy + TYPE_PLACES[tune_type.name].x) / 2
    high_e = e >= 0.55
    if v >= 0.55:
        words = ["joyful", "exuberant"] if high_e else ["serene", "content"]
    elif v < 0.45:
        words = ["tense", "restless"] if high_e else ["melancholic", "reflective"]
    else:
        words = ["spirited", "bittersweet"] if high_e else ["wistful", "gentle"]
    if affect.calm >= 0.65:
        words.append("peaceful")
    words.append("warm" if warmth >= 0.6 else "cool" if warmth <= 0.4 else "")
    words += [CUE_WORDS[name] for name in cue_names]
    words = [w for w in dict.fromkeys(words) if w]
    return ", ".join(words), (f"{', '.join(words)}: valence {v:.2f}, energy {e:.2f} (the picture's with a "
                              f"{tune_type.name}'s), calm {affect.calm:.2f}, "
                              f"warmth {warmth:.2f}" + (f"; cues: {', '.join(cue_names)}" if cue_names else ""))


def _arrangement(a: ImageAnalysis) -> str:
    for limit, words in ((59, "lush, richly layered"), (33, "natural acoustic"), (15, "understated, muted")):
        if a.colourfulness >= limit:
            return words
    return "minimal ambient"


def _title(a: ImageAnalysis) -> tuple[str, str]:
    printed = a.cues.title() if a.cues is not None else None
    if printed:
        return printed.title()[:60] if printed.isupper() else printed[:60], f"the title printed on the picture: “{printed}”"
    if a.caption:
        return a.caption.strip().rstrip(".").title()[:60], "the image caption"
    names = [c.name.title() for c in a.palette[:2] if c.share >= 0.05]
    return "Study in " + " and ".join(names), f"the main colours, {a.palette_words(2)}"


def _form_and_bars(tune_type: TuneType, tags: dict[str, str]) -> tuple[str, int, str, str]:
    form, bars = tune_type.form, tune_type.bars
    form_why = f"{form}: the usual form of a {tune_type.name} ({tune_type.source})"
    bars_why = f"{bars}: the usual length of a {tune_type.name} ({tune_type.source})"
    if tune_type.name in SLOW_TYPES and "stately" in tags:
        form, bars = "ABA", 24
        form_why = bars_why = f"ABA in 24 bars: a mirror form for a symmetric picture ({tags['stately']})"
    elif tune_type.name in SLOW_TYPES and "sparse" in tags and bars > 16:
        bars = 16
        bars_why = f"16: a short piece for an empty picture ({tags['sparse']})"
    return form, bars, form_why, bars_why


def _user_words(request: str) -> RequestTargets:
    try:
        return parse_request(request)
    except RequestError:  # the words are checked where the plan is made; here they only steer the picture
        return RequestTargets()


def _named(field: str, user: RequestTargets, words: PictureWords) -> tuple[object, str] | None:
    """A value the user's words or the picture's words name for `field`, with its reason."""
    if getattr(user, field) is not None:
        return getattr(user, field), f"{getattr(user, field)}: you asked for it"
    if getattr(words.targets, field) is not None:
        return getattr(words.targets, field), f"{getattr(words.targets, field)}: {_said(words, field)}"
    return None


def _scene_source(scene: Scene, user_scenes: list[Scene], words: PictureWords) -> str:
    if scene in user_scenes:
        return "your request"
    return f"the picture's words (“{words.source.get(f'scene:{scene.atmosphere}')}”)"


def _tune_type(user: RequestTargets, words: PictureWords, user_scenes: list[Scene], affect: Affect,
               tags: dict[str, str]) -> tuple[str, str]:
    """Named by the user's or the picture's words > a scene's type > the picture's place among the types."""
    named = _named("tune_type", user, words)
    if named:
        return str(named[0]), named[1]
    scene = next((s for s in [*user_scenes, *words.scenes] if s.tune_type), None)
    if scene is not None:
        return str(scene.tune_type), (f"{scene.tune_type}: {_scene_source(scene, user_scenes, words)} suggest a "
                                      f"{scene.atmosphere} scene")
    return choose_tune_type(affect.energy, affect.valence, tags)


def _instrument(a: ImageAnalysis, user: RequestTargets, words: PictureWords, user_scenes: list[Scene],
                affect: Affect, tags: dict[str, str], tune_type: TuneType) -> tuple[str, str]:
    """Named by the user's or the picture's words > the first scene's instrument > the picture's timbre."""
    named = _named("instrument", user, words)
    if named:
        return str(named[0]), named[1]
    scene = next(iter([*user_scenes, *words.scenes]), None)
    if scene is not None:
        return scene.instrument, (f"{scene.instrument}: {_scene_source(scene, user_scenes, words)} name a "
                                  f"{scene.atmosphere} scene ({', '.join(scene.words[:3])}…)")
    return choose_instrument(a.warmth, a.brightness, affect.energy, tags, tune_type)


def plan_from_image(analysis: ImageAnalysis, request: str = "", *, seed: int = 0) -> BridgeResult:
    """A music plan and MusicGen prompt from an image analysis (mapping table in the module docstring).

    `request` is the user's words with the image; a tune type, instrument or scene word it names takes
    precedence over the picture. The picture's own words come next, then its content cues, then its colours.
    """
    a, cues = analysis, analysis.cues
    lines = [line.text for line in cues.deciding_text()] if cues is not None else []
    words = read_picture_words(lines + ([a.caption] if a.caption else []))
    affect = picture_affect(a, words.moods, ", ".join(f"“{words.source[f'mood:{m}']}”" for m in words.moods[:1]))
    user, user_scenes = _user_words(request), scenes_in(request)
    scenes = [*words.scenes, *(s for s in user_scenes if s not in words.scenes)]
    tags = picture_tags(cues, [scene.atmosphere for scene in scenes])
    reasons: dict[str, str] = {}
    choices: dict[str, object] = {}
    choices["tune_type"], reasons["tune_type"] = _tune_type(user, words, user_scenes, affect, tags)
    tune_type = TUNE_TYPES[str(choices["tune_type"])]
    instrument, reasons["instrument"] = _instrument(a, user, words, user_scenes, affect, tags, tune_type)
    choices["instrument"] = instrument

    named = _named("mode", user, words)
    if named:
        choices["mode"], reasons["mode"] = named
    elif tune_type.mode:
        choices["mode"], reasons["mode"] = tune_type.mode, f"{tune_type.mode}: a {tune_type.name} is usually in {tune_type.mode}"
    else:
        choices["mode"], reasons["mode"] = _mode(affect, a.brightness, tags)
    choices["key"], reasons["key"] = _named("key", user, words) or _key(a, str(choices["mode"]))
    form, bars, reasons["form"], reasons["bars"] = _form_and_bars(tune_type, tags)
    reasons["meter"] = f"{tune_type.meter}: the usual meter of a {tune_type.name}"
    for field, default in (("form", form), ("bars", bars), ("meter", tune_type.meter)):
        named = _named(field, user, words)
        choices[field] = named[0] if named else default
        if named:
            reasons[field] = named[1]
    choices["tempo_bpm"], reasons["tempo_bpm"] = _named("tempo_bpm", user, words) or tempo_in_range(tune_type, affect.energy)

    low, high, reasons["low_pitch"] = register_window(instrument, a.brightness, tags)
    low, high = fit_register(low, high, instrument)
    reasons["high_pitch"] = reasons["low_pitch"]
    choices["density"], reasons["density"] = _density(affect, tags, tune_type)
    choices["contour"], reasons["contour"] = _contour(a, tags, words.moods, tune_type)
    cue_names = [cue.name for cue in cues.scene] if cues is not None else []
    choices["mood"], reasons["mood"] = _mood(affect, a.warmth, tags, cue_names, tune_type)
    choices["title"], reasons["title"] = _title(a)
    if affect.moves:
        reasons["mood"] += "; the content moved it: " + "; ".join(affect.moves)
    plan = MusicPlan(low_pitch=low, high_pitch=high, seed=seed, reasons=reasons, **choices)

    atmosphere = [scene.atmosphere for scene in scenes] + [CUE_WORDS[name] for name in cue_names]
    arrangement = _arrangement(a)
    evidence: dict[str, float | str] = {
        name: getattr(a, name) for name in ("valence", "energy", "calm", "brightness", "warmth", "saturation",
                                            "contrast", "colourfulness", "edge_density", "sky_share", "symmetry",
                                            "emptiness")
    }
    floor, ceiling = melody_range(instrument)
    evidence.update(palette=a.palette_words(), caption=a.caption or "none", caption_status=a.caption_status,
                    atmosphere=", ".join(atmosphere), arrangement=arrangement,
                    moved_valence=affect.valence, moved_energy=affect.energy, moved_calm=affect.calm,
                    tags=", ".join(f"{tag} ({why})" for tag, why in tags.items()) or "none",
                    mood_moves="; ".join(affect.moves),
                    picture_words=cues.words() if cues is not None else "", instrument_range=f"{floor}-{ceiling}")
    if words.skipped:
        evidence["words_not_used"] = "; ".join(words.skipped)
    return BridgeResult(
        plan=plan,
        musicgen_prompt=musicgen_prompt_for_plan(plan, atmosphere, arrangement),
        raw_caption_prompt=a.caption or (cues.title() if cues is not None else None) or f"an image of {a.palette_words()}",
        evidence=evidence,
        picture_words=cues.words() if cues is not None else "",
    )
