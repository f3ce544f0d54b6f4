"""Resolve request targets into a MusicPlan, one field at a time, recording why each value won.

Precedence for every field: the user's explicit words > the tune type's conventions > the mood
words > the base plan (e.g. from the image bridge) > MusicPlan's defaults. Only the fields a layer
actually sets take part, so a "calm jig" keeps the jig's dense running quavers but gets the calm
mood's register.
"""

from __future__ import annotations

from typing import Any

from tunesmith.tools.plan import MusicPlan
from tunesmith.tools.planning.targets import BARS_RANGE, RequestError, RequestTargets
from tunesmith.tools.planning.words import TEMPO_MAX, TEMPO_MIN
from tunesmith.tools.theory import beats_per_bar, fit_register, is_compound
from tunesmith.tools.theory.moods import MoodProfile, mood_profile
from tunesmith.tools.theory.tune_types import TUNE_TYPE_CHORDS, TUNE_TYPES, TuneType


def build_plan(targets: RequestTargets, base: MusicPlan | None, *, seed: int) -> MusicPlan:
    """The plan for `targets` on top of `base`; `reasons` names the source of every changed field."""
    start = base or MusicPlan()
    fields: dict[str, Any] = start.model_dump()
    reasons: dict[str, str] = dict(start.reasons) if base else {}
    tune_type = TUNE_TYPES[targets.tune_type] if targets.tune_type else None
    mood = mood_profile(targets.mood_words)
    said = targets.evidence

    def choose(field: str, explicit: Any, from_type: Any, from_mood: Any, mood_why: str = "") -> None:
        if explicit is not None:
            fields[field], reasons[field] = explicit, f"you asked for {said.get(field, explicit)!r}"
            if from_type is not None and from_type != explicit:
                reasons[field] += f" (the usual {field} of a {tune_type.name} is {from_type})"
        elif from_type is not None:
            fields[field] = from_type
            reasons[field] = f"{from_type}: the usual {field} of a {tune_type.name} ({tune_type.source})"
        elif from_mood is not None:
            fields[field], reasons[field] = from_mood, mood_why or f"the mood ({', '.join(mood.words)})"

    if tune_type:
        fields["tune_type"], reasons["tune_type"] = tune_type.name, f"you asked for {said['tune_type']!r}"
    choose("meter", targets.meter, tune_type and tune_type.meter, None)
    choose("form", targets.form, tune_type and tune_type.form, None)
    choose("density", None, tune_type and tune_type.density, mood and mood.density,
           mood and f"{mood.density}: the mood ({', '.join(mood.words)}) has energy {mood.energy:+.2f}")
    choose("contour", None, tune_type and tune_type.contour, mood and mood.contour)
    _choose_key_and_mode(fields, reasons, targets, tune_type, mood)
    choose("instrument", targets.instrument, tune_type and tune_type.instrument,
           mood.instruments[0] if mood and mood.instruments else None,
           mood and f"{', '.join(mood.words)} suggests {' or '.join(mood.instruments[:3])}")
    if mood:
        fields["low_pitch"], fields["high_pitch"] = mood.low_pitch, mood.high_pitch
        reasons["low_pitch"] = reasons["high_pitch"] = (
            f"MIDI {mood.low_pitch}-{mood.high_pitch}: valence {mood.valence:+.2f}, energy {mood.energy:+.2f} "
            f"from {', '.join(mood.words)} (brighter moods sit higher)")
        fields["mood"], reasons["mood"] = ", ".join(mood.words), f"your words: {said['mood_words']!r}"
    fitted = fit_register(fields["low_pitch"], fields["high_pitch"], fields["instrument"])
    if fitted != (fields["low_pitch"], fields["high_pitch"]):
        fields["low_pitch"], fields["high_pitch"] = fitted
        reasons["low_pitch"] = reasons["high_pitch"] = (
            f"{reasons.get('low_pitch', 'the default register')}; moved to MIDI {fitted[0]}-{fitted[1]} "
            f"to lie within the {fields['instrument']}'s range")
    if tune_type and tune_type.name in TUNE_TYPE_CHORDS:
        fields["chords"] = TUNE_TYPE_CHORDS[tune_type.name]
        reasons["chords"] = f"the {tune_type.name} pattern: {tune_type.source}"
    _choose_tempo(fields, reasons, targets, tune_type, mood, start)
    _choose_bars(fields, reasons, targets, tune_type)
    per_section = fields["bars"] // len(fields["form"])
    if fields["chords"] and len(fields["chords"]) != per_section:
        # Chords are one per bar of a section; a new length or form makes the base's list not fit.
        reasons["chords"] = f"{len(fields['chords'])} chords do not fit {per_section}-bar sections; the composer chooses"
        fields["chords"] = []
    if fields["title"] == "Untitled":
        words = [mood.words[0].title()] if mood else []
        words.append((tune_type.name if tune_type else "tune").title())
        fields["title"] = f"{' '.join(words)} in {fields['key']} {fields['mode']}"
    fields["seed"], fields["reasons"] = seed, reasons
    return MusicPlan(**fields)


def _choose_key_and_mode(fields: dict[str, Any], reasons: dict[str, str], targets: RequestTargets,
                         tune_type: TuneType | None, mood: MoodProfile | None) -> None:
    if targets.key:
        fields["key"], reasons["key"] = targets.key, f"you asked for {targets.evidence['key']!r}"
    if targets.mode:
        fields["mode"], reasons["mode"] = targets.mode, f"you asked for {targets.evidence['mode']!r}"
    elif tune_type and tune_type.mode:
        fields["mode"], reasons["mode"] = tune_type.mode, f"a {tune_type.name} is usually in {tune_type.mode}"
    elif mood and mood.mode:
        fields["mode"] = mood.mode
        reasons["mode"] = f"{mood.mode}: {', '.join(mood.words)} (valence {mood.valence:+.2f}; major reads as " \
                          f"bright, minor as dark)" if mood.mode in ("major", "minor") else \
                          f"{mood.mode}: the usual colour for {', '.join(mood.words)}"


def _choose_tempo(fields: dict[str, Any], reasons: dict[str, str], targets: RequestTargets,
                  tune_type: TuneType | None, mood: MoodProfile | None, start: MusicPlan) -> None:
    """Tempo in the plan's beat unit (quarter, or dotted quarter in compound meters)."""
    if targets.tempo_bpm is not None:
        fields["tempo_bpm"], reasons["tempo_bpm"] = targets.tempo_bpm, f"you asked for {targets.evidence['tempo_bpm']!r}"
        return
    if targets.bars and targets.length_seconds:
        beats = targets.bars * beats_per_bar(fields["meter"])
        bpm = _clamp(round(beats * 60 / targets.length_seconds))
        fields["tempo_bpm"] = bpm
        reasons["tempo_bpm"] = (f"{bpm} BPM: {targets.bars} bars of {fields['meter']} in "
                                f"{targets.evidence['length_seconds']!r}")
        return
    if tune_type:
        bpm = tune_type.tempo_bpm
        why = f"a {tune_type.name} is usually about {bpm} BPM ({tune_type.beat_unit} beats)"
        low, high = tune_type.tempo_range
    else:
        bpm, low, high = start.tempo_bpm, TEMPO_MIN, TEMPO_MAX
        why = reasons.get("tempo_bpm", f"the default {bpm} BPM")
    source_meter = tune_type.meter if tune_type else start.meter
    if is_compound(fields["meter"]) != is_compound(source_meter):
        # Keep the quaver pulse: 3 quavers per dotted-quarter beat against 2 per quarter beat.
        old, bpm = bpm, round(bpm * (2 / 3 if is_compound(fields["meter"]) else 1.5))
        low, high = round(low * bpm / old), round(high * bpm / old)
        unit = "dotted-quarter" if is_compound(fields["meter"]) else "quarter"
        why = f"{why}; {bpm} {unit} beats in {fields['meter']} keep that quaver pulse"
    if targets.tempo_factor is not None:  # the user's relative word replaces the mood's factor
        scaled = _clamp(round(bpm * targets.tempo_factor))
        why = f"{why}, x{targets.tempo_factor:g} for {targets.evidence['tempo_factor']!r} -> {scaled}"
        bpm = scaled
    elif mood and mood.tempo_factor != 1.0:
        scaled = min(max(round(bpm * mood.tempo_factor), low), high)
        why = f"{why}, x{mood.tempo_factor:g} for {', '.join(mood.words)} (energy {mood.energy:+.2f}) -> {scaled}"
        bpm = scaled
    fields["tempo_bpm"], reasons["tempo_bpm"] = _clamp(bpm), why


def _choose_bars(fields: dict[str, Any], reasons: dict[str, str], targets: RequestTargets,
                 tune_type: TuneType | None) -> None:
    """Bars as played, with each form letter an equal share (AABB in 32 bars: 8-bar parts)."""
    sections = len(fields["form"])
    if targets.bars is not None:
        fields["bars"], reasons["bars"] = targets.bars, f"you asked for {targets.evidence['bars']!r}"
        return
    if targets.bars_per_part is not None:
        bars = targets.bars_per_part * sections
        if not BARS_RANGE[0] <= bars <= BARS_RANGE[1]:
            raise RequestError(f"{targets.evidence['bars']!r} in {fields['form']} form makes {bars} bars; a tune here "
                               f"has {BARS_RANGE[0]} to {BARS_RANGE[1]}")
        fields["bars"] = bars
        reasons["bars"] = (f"{bars} bars: you asked for {targets.evidence['bars']!r}, and {fields['form']} plays "
                           f"{sections} parts in turn")
        return
    if targets.length_seconds is not None:
        seconds_per_bar = beats_per_bar(fields["meter"]) * 60 / fields["tempo_bpm"]
        exact = targets.length_seconds / seconds_per_bar
        # Sections of 2-, then 4-bar phrases where the length allows, as dance and song tunes are built.
        step = 4 if exact / sections >= 8 else 2 if exact / sections >= 2 else 1
        bars = min(max(sections * step * max(1, round(exact / sections / step)), 2), 128)
        fields["bars"] = bars
        reasons["bars"] = (f"{bars} bars: {targets.evidence['length_seconds']!r} at {fields['tempo_bpm']} BPM in "
                           f"{fields['meter']} is {exact:.1f} bars, rounded so the {sections} sections of "
                           f"{fields['form']} are equal")
        return
    if tune_type:
        fields["bars"] = tune_type.bars
        reasons["bars"] = f"{tune_type.bars}: the usual length of a {tune_type.name} ({tune_type.source})"
    if fields["bars"] % sections:
        per_section = max(4, 4 * round(fields["bars"] / sections / 4))
        reasons["bars"] = (f"{per_section * sections} bars: {per_section} for each of the {sections} sections "
                           f"of {fields['form']}")
        fields["bars"] = min(per_section * sections, 128)


def _clamp(bpm: int) -> int:
    return min(max(bpm, TEMPO_MIN), TEMPO_MAX)
