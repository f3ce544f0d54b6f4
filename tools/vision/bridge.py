"""The music prompt bridge: an `ImageAnalysis` (+ the user's words) → a `MusicPlan` and a MusicGen prompt.

The mapping is deterministic and every field it sets gets a reason quoting the feature values.
V = valence, E = energy, C = calm, B = brightness, W = warmth (all 0..1; see `tools/vision.py`).

| plan field   | from                | rule                                                                  |
|--------------|---------------------|-----------------------------------------------------------------------|
| mode         | V                   | ≥0.60 major (lydian if also C ≥0.6 and B ≥0.6), ≥0.50 mixolydian,     |
|              |                     | ≥0.40 dorian, ≥0.25 minor, below: phrygian                            |
| tune_type,   | E, C, V             | E ≥0.70 reel 4/4, ≥0.55 jig 6/8, ≥0.40 waltz 3/4; lower: lullaby 6/8  |
| meter, form, |                     | if C ≥0.6 and V ≥0.45, else slow air 3/4. A scene or the request may  |
| bars         |                     | name another type; meter, form and length are the type's usual ones   |
|              |                     | (tools.theory), so a picture leaves no plan field open to a model.    |
| tempo_bpm    | E, C                | quarter-note pace 60 + 110·E − 30·(C − 0.5), within 50..176; in 6/8   |
|              |                     | and 9/8 the beat is a dotted quarter, so bpm = pace / 1.5             |
| density      | E, C                | E <0.40 sparse, <0.68 medium, else dense; C ≥0.65 forces sparse       |
| instrument   | W, B, E, scene      | warm (W ≥0.6): bright (B ≥0.5) → nylon guitar (violin if E ≥0.65),    |
|              |                     | dark → cello; cool (W ≤0.4): bright → flute, dark → vibraphone;       |
|              |                     | neutral → piano. A caption/request scene word ("beach" → steel        |
|              |                     | guitar) or an instrument the request names wins.                      |
| key          | palette             | hue of the most saturated colour (≥10% of the image) on Scriabin's    |
|              |                     | colour–key circle (red C, orange G, yellow D, green A, sky blue E,    |
|              |                     | blue B, violet F#/Db, purple Ab, crimson F; his "steel" Eb and Bb sit |
|              |                     | here on the rose hues between purple and red); greys → C              |
| low_pitch,   | B                   | 19-semitone window centred on MIDI 55 + 24·B (dark → low register),   |
| high_pitch   |                     | moved inside the instrument's range                                   |
| contour      | composition         | sky-heavy (sky ≥0.3 or horizon ≥0.6) ascending; busy (edges ≥0.3)     |
|              |                     | wave; high horizon (≤0.35) descending; otherwise arch                 |
| mood         | V, E, C, W          | circumplex quadrant words (Russell 1980) + calm/warm/cool words       |
| title        | caption / palette   | the caption, or "Study in <main colours>"                             |

Colourfulness M (Hasler–Süsstrunk; it grows with saturation) chooses arrangement words for the MusicGen prompt:
M ≥59 lush and richly layered, ≥33 natural acoustic, ≥15 understated and muted, below: minimal ambient.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tunesmith.tools.musicgen import musicgen_prompt_for_plan
from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.planning import RequestError, RequestTargets, parse_request
from tunesmith.tools.planning.scene_words import scenes_in
from tunesmith.tools.theory import fit_register, is_compound, melody_range
from tunesmith.tools.theory.tune_types import TUNE_TYPES
from tunesmith.tools.vision.describe import ImageAnalysis

__all__ = ["BridgeResult", "plan_from_image"]

# Scriabin's colour–key circle (Prometheus, 1910): hue in degrees → tonic, around the circle of fifths.
SCRIABIN_HUES: tuple[tuple[float, str], ...] = (
    (0, "C"), (30, "G"), (55, "D"), (120, "A"), (190, "E"), (225, "B"), (255, "F#"),
    (275, "Db"), (295, "Ab"), (320, "Eb"), (335, "Bb"), (350, "F"),
)
MINOR_SPELLING = {"Db": "C#", "Ab": "G#"}  # minor-type modes read more easily with sharps here
MINOR_LIKE = {"minor", "dorian", "phrygian", "locrian"}


class BridgeResult(BaseModel):
    """The plan from an image, the MusicGen prompt, the literal caption prompt, and the evidence used."""

    plan: MusicPlan
    musicgen_prompt: str
    raw_caption_prompt: str | None = Field(description="The caption itself, or a literal palette description.")
    evidence: dict[str, float | str] = Field(description="Feature values the plan was derived from.")


def _mode(a: ImageAnalysis) -> tuple[str, str]:
    v = a.valence
    if v >= 0.60 and a.calm >= 0.6 and a.brightness >= 0.6:
        return "lydian", (f"lydian mode: high valence {v:.2f}, calm {a.calm:.2f} and brightness {a.brightness:.2f} "
                          "(a dreamy, luminous picture)")
    for limit, mode, words in ((0.60, "major", "bright, pleasant"), (0.50, "mixolydian", "pleasant but earthy"),
                               (0.40, "dorian", "mixed, bittersweet"), (0.25, "minor", "dark"), (0.0, "phrygian", "very dark")):
        if v >= limit:
            return mode, f"{mode} mode: valence {v:.2f} ({words}: {a.palette_words()})"
    raise AssertionError("valence is within 0..1")


def _tune_type(a: ImageAnalysis) -> tuple[str, str]:
    e, c, v = a.energy, a.calm, a.valence
    if e >= 0.70:
        return "reel", f"reel: energy {e:.2f} is high (busy, contrasty, colourful picture)"
    if e >= 0.55:
        return "jig", f"jig: energy {e:.2f} is lively"
    if e >= 0.40:
        return "waltz", f"waltz: energy {e:.2f} is moderate, a swaying pace"
    if c >= 0.6 and v >= 0.45:
        return "lullaby", f"lullaby: energy {e:.2f} is low, calm {c:.2f} and valence {v:.2f} gentle"
    return "slow air", f"slow air: energy {e:.2f} is low and valence {v:.2f} subdued"


def _instrument(a: ImageAnalysis) -> tuple[str, str]:
    w, b = a.warmth, a.brightness
    light = "bright" if b >= 0.5 else "dark"
    if w >= 0.6:
        name = ("violin" if a.energy >= 0.65 else "nylon guitar") if b >= 0.5 else "cello"
        return name, f"{name}: a warm palette (warmth {w:.2f}) that is {light} (brightness {b:.2f})"
    if w <= 0.4:
        name = "flute" if b >= 0.5 else "vibraphone"
        return name, f"{name}: a cool palette (warmth {w:.2f}) that is {light} (brightness {b:.2f})"
    return "piano", f"piano: a neutral palette (warmth {w:.2f}), neither warm nor cool"


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


def _register(a: ImageAnalysis, instrument: str) -> tuple[int, int, str]:
    floor, ceiling = melody_range(instrument)
    centre = 55 + round(24 * a.brightness)
    low, high = fit_register(centre - 9, centre + 10, instrument)
    return low, high, (f"MIDI {low}–{high}: brightness {a.brightness:.2f} centres the melody on MIDI {centre} "
                       f"(darker → lower), within the {instrument}'s range {floor}–{ceiling}")


def _contour(a: ImageAnalysis) -> tuple[str, str]:
    if a.sky_share >= 0.3 or (a.horizon_position is not None and a.horizon_position >= 0.6):
        return "ascending", f"ascending: an open, sky-heavy frame (sky share {a.sky_share:.2f}, horizon at {a.horizon_position})"
    if a.edge_density >= 0.3:
        return "wave", f"wave: a busy surface (edge density {a.edge_density:.2f})"
    if a.horizon_position is not None and a.horizon_position <= 0.35:
        return "descending", f"descending: a high horizon at {a.horizon_position:.2f}, the frame is mostly ground"
    return "arch", f"arch: a balanced composition (symmetry {a.symmetry:.2f}, centre weight {a.centre_weight:.2f})"


def _mood(a: ImageAnalysis) -> tuple[str, str]:
    v, e = a.valence, a.energy
    high_e = e >= 0.55
    if v >= 0.55:
        words = ["joyful", "exuberant"] if high_e else ["serene", "content"]
    elif v < 0.45:
        words = ["tense", "restless"] if high_e else ["melancholic", "reflective"]
    else:
        words = ["spirited", "bittersweet"] if high_e else ["wistful", "gentle"]
    if a.calm >= 0.65:
        words.append("peaceful")
    if a.warmth >= 0.6:
        words.append("warm")
    elif a.warmth <= 0.4:
        words.append("cool")
    return ", ".join(words), f"{', '.join(words)}: valence {v:.2f}, energy {e:.2f}, calm {a.calm:.2f}, warmth {a.warmth:.2f}"


def _arrangement(a: ImageAnalysis) -> str:
    for limit, words in ((59, "lush, richly layered"), (33, "natural acoustic"), (15, "understated, muted")):
        if a.colourfulness >= limit:
            return words
    return "minimal ambient"


def _tempo(a: ImageAnalysis, meter: str) -> tuple[int, str]:
    pace = min(176.0, max(50.0, 60 + 110 * a.energy - 30 * (a.calm - 0.5)))
    compound = is_compound(meter)
    tempo = round(pace / 1.5) if compound else round(pace)
    beat = "dotted quarters" if compound else "quarters"
    return tempo, (f"{tempo} bpm ({beat}): energy {a.energy:.2f} and calm {a.calm:.2f} give a pace of "
                   f"{pace:.0f} quarter notes a minute")


def _density(a: ImageAnalysis) -> tuple[str, str]:
    if a.calm >= 0.65:
        return "sparse", f"sparse: calm {a.calm:.2f} asks for space"
    density = "sparse" if a.energy < 0.40 else ("medium" if a.energy < 0.68 else "dense")
    return density, f"{density}: energy {a.energy:.2f} (sparse below 0.40, dense from 0.68)"


def _title(a: ImageAnalysis) -> tuple[str, str]:
    if a.caption:
        return a.caption.strip().rstrip(".").title()[:60], "the image caption"
    names = [c.name.title() for c in a.palette[:2] if c.share >= 0.05]
    return "Study in " + " and ".join(names), f"the main colours, {a.palette_words(2)}"


def _words_override(a: ImageAnalysis, request: str, choices: dict[str, str], reasons: dict[str, str]) -> list[str]:
    """Let scene words (caption first, then request) and named instruments/tune types replace the
    picture-derived instrument and tune type in `choices`; returns the scenes' atmosphere words."""
    scenes = scenes_in(f"{a.caption or ''} {request}")
    if scenes:
        scene = scenes[0]
        source = "the caption" if a.caption and scenes_in(a.caption) else "your request"
        choices["instrument"] = scene.instrument
        examples = ", ".join(scene.words[:3])
        reasons["instrument"] = f"{scene.instrument}: {source} mentions a {scene.atmosphere} scene ({examples}…)"
        if scene.tune_type:
            choices["tune_type"] = scene.tune_type
            reasons["tune_type"] = f"{scene.tune_type}: {source} suggests a {scene.atmosphere} scene"
    try:
        named = parse_request(request)
    except RequestError:  # the words are checked where the plan is made; here they only steer the picture
        named = RequestTargets()
    for field, asked in (("instrument", named.instrument), ("tune_type", named.tune_type)):
        if asked is not None:
            choices[field], reasons[field] = asked, f"{asked}: you asked for it"
    return [scene.atmosphere for scene in scenes]


def plan_from_image(analysis: ImageAnalysis, request: str = "", *, seed: int = 0) -> BridgeResult:
    """A music plan and MusicGen prompt from an image analysis (mapping table in the module docstring).

    `request` is the user's words with the image; a scene word, instrument or tune type it names
    takes precedence over the picture, as do scene words in the caption.
    """
    a = analysis
    reasons: dict[str, str] = {}
    choices: dict[str, str] = {}
    choices["mode"], reasons["mode"] = _mode(a)
    choices["tune_type"], reasons["tune_type"] = _tune_type(a)
    choices["instrument"], reasons["instrument"] = _instrument(a)
    atmosphere = _words_override(a, request, choices, reasons)
    tune_type = TUNE_TYPES[choices["tune_type"]]
    meter = tune_type.meter
    reasons["meter"] = f"{meter}: the usual meter of a {tune_type.name}"
    reasons["form"] = f"{tune_type.form}: the usual form of a {tune_type.name} ({tune_type.source})"
    reasons["bars"] = f"{tune_type.bars}: the usual length of a {tune_type.name} ({tune_type.source})"
    key, reasons["key"] = _key(a, choices["mode"])
    tempo, reasons["tempo_bpm"] = _tempo(a, meter)
    density, reasons["density"] = _density(a)
    low, high, reasons["low_pitch"] = _register(a, choices["instrument"])
    reasons["high_pitch"] = reasons["low_pitch"]
    contour, reasons["contour"] = _contour(a)
    mood, reasons["mood"] = _mood(a)
    title, reasons["title"] = _title(a)
    plan = MusicPlan(title=title, key=key, meter=meter, tempo_bpm=tempo, contour=contour, density=density,
                     form=tune_type.form, bars=tune_type.bars,
                     low_pitch=low, high_pitch=high, mood=mood, seed=seed, reasons=reasons, **choices)
    arrangement = _arrangement(a)
    evidence: dict[str, float | str] = {
        name: getattr(a, name) for name in ("valence", "energy", "calm", "brightness", "warmth", "saturation",
                                            "contrast", "colourfulness", "edge_density", "sky_share", "symmetry")
    }
    evidence.update(palette=a.palette_words(), caption=a.caption or "none", caption_status=a.caption_status,
                    atmosphere=", ".join(atmosphere), arrangement=arrangement)
    return BridgeResult(
        plan=plan,
        musicgen_prompt=musicgen_prompt_for_plan(plan, atmosphere, arrangement),
        raw_caption_prompt=a.caption or f"an image of {a.palette_words()}",
        evidence=evidence,
    )
