"""Chord symbols ("G", "Em", "D7", "F#m7b5/A") read by scale degree and rewritten for a new mode.

When a tune moves from one mode to another on the same tonic, a chord that belonged to the old
mode on scale degree d becomes the new mode's chord on degree d (G major's IV "C" -> G minor's iv
"Cm"). Two conventions, as common-practice and folk harmony use them:

* in minor the chord on the fifth degree is major (V, V7: the harmonic-minor dominant), as the
  composer's minor progressions (tools.theory.harmony.MODE_HARMONY) have it;
* a diminished triad is rarely a chord a tune rests on, so where the new mode has one the chord
  sharing two of its notes takes its place: V for vii° (a third below), iv for ii° (a third above),
  and a third below for the other modes' diminished triads.

Chords that did not belong to the old mode (secondary dominants, borrowed chords) keep their
pitches, as chromatic melody notes do in `change_mode`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tunesmith.tools.theory import MODE_SEMITONES, pitch_class
from tunesmith.tools.theory.pitch import LETTERS

CHORD_SYMBOL_RE = re.compile(r'^"([A-G])([#b]?)([^"/]*)(?:/([A-G])([#b]?))?"$')
# Triad quality -> (third, fifth) in semitones above the root.
_TRIADS = {"": (4, 7), "m": (3, 7), "dim": (3, 6), "aug": (4, 8)}
_QUALITY = re.compile(r"^(?P<word>maj7|m7b5|dim7|maj|min|m(?!aj)|dim|°|aug|\+)?(?P<seventh>7)?(?P<rest>.*)$")
_WORDS = {"": "", "maj": "", "maj7": "", "m": "m", "min": "m", "dim": "dim", "°": "dim", "m7b5": "dim", "dim7": "dim",
          "aug": "aug", "+": "aug"}


@dataclass(frozen=True)
class ChordSymbol:
    """A chord symbol: root, triad quality ("", "m", "dim", "aug"), whether it has a seventh, other
    additions as written ("sus4", "6") and a bass note."""

    root: str
    triad: str
    seventh: bool
    rest: str
    bass: str | None


def read_chord_symbol(text: str) -> ChordSymbol | None:
    """A quoted chord symbol such as '"Em7"' or '"D/F#"'; None for other annotations ('"^fine"')."""
    match = CHORD_SYMBOL_RE.match(text)
    if not match:
        return None
    root, accidental, quality, bass, bass_accidental = match.groups()
    parts = _QUALITY.match(quality)
    word = parts["word"] or ""
    seventh = bool(parts["seventh"]) or word in ("maj7", "m7b5", "dim7")
    return ChordSymbol(root + accidental, _WORDS[word], seventh, parts["rest"], bass + bass_accidental if bass else None)


def _degree(pitch: int, tonic: int, mode: str) -> int | None:
    """Scale degree 0-6 of a pitch class in the mode on `tonic`, or None when it is not in the scale."""
    steps = MODE_SEMITONES[mode]
    interval = (pitch - tonic) % 12
    return steps.index(interval) if interval in steps else None


def _triad_on(degree: int, mode: str) -> str:
    """The triad quality built on a scale degree of a mode; a major V in minor (harmonic-minor dominant)."""
    if mode == "minor" and degree == 4:
        return ""
    steps = MODE_SEMITONES[mode]
    third = (steps[(degree + 2) % 7] - steps[degree]) % 12
    fifth = (steps[(degree + 4) % 7] - steps[degree]) % 12
    return next(name for name, shape in _TRIADS.items() if shape == (third, fifth))


def _belongs(chord: ChordSymbol, tonic: int, mode: str) -> int | None:
    """The degree of a chord that belongs to the mode (root on the scale, diatonic triad), else None."""
    degree = _degree(pitch_class(chord.root), tonic, mode)
    if degree is None:
        return None
    diatonic = {_triad_on(degree, mode)}
    if mode == "minor" and degree == 4:
        diatonic.add("m")  # the natural-minor v is diatonic too
    return degree if chord.triad in diatonic else None


def _spelled(degree: int, tonic: str, mode: str) -> str | None:
    """The note on a scale degree, on the letter `degree` steps above the tonic's; None if it needs a double accidental."""
    letter = LETTERS[(LETTERS.index(tonic[0]) + degree) % 7]
    wanted = (pitch_class(tonic) + MODE_SEMITONES[mode][degree]) % 12
    alteration = (wanted - pitch_class(letter) + 6) % 12 - 6
    return letter + {0: "", 1: "#", -1: "b"}[alteration] if abs(alteration) <= 1 else None


def _name(root: str, triad: str, seventh: str, rest: str, bass: str | None) -> str:
    quality = {("", ""): "", ("m", ""): "m", ("dim", ""): "dim", ("aug", ""): "aug", ("", "7"): "7",
               ("", "maj7"): "maj7", ("m", "7"): "m7", ("m", "maj7"): "m7", ("dim", "7"): "m7b5",
               ("dim", "dim7"): "dim7", ("aug", "7"): "aug7", ("aug", "maj7"): "aug7"}[(triad, seventh)]
    return f'"{root}{quality}{rest}' + (f"/{bass}" if bass else "") + '"'


def _new_bass(chord: ChordSymbol, degree: int, triad: str, tonic: str, old_mode: str, new_mode: str) -> str | None:
    """The bass of a slash chord: the same chord tone of the new chord (D/F# -> Dm/F), else the note on the same degree."""
    if chord.bass is None:
        return None
    interval = (pitch_class(chord.bass) - pitch_class(chord.root)) % 12
    old_third, old_fifth = _TRIADS[chord.triad]
    new_third, new_fifth = _TRIADS[triad]
    root = _spelled(degree, tonic, new_mode)
    if root is not None and interval in (old_third, old_fifth):
        steps = 2 if interval == old_third else 4
        target = (pitch_class(root) + (new_third if steps == 2 else new_fifth)) % 12
        letter = LETTERS[(LETTERS.index(root[0]) + steps) % 7]
        alteration = (target - pitch_class(letter) + 6) % 12 - 6
        return letter + {0: "", 1: "#", -1: "b"}[alteration] if abs(alteration) <= 1 else None
    bass_degree = _degree(pitch_class(chord.bass), pitch_class(tonic), old_mode)
    return _spelled(bass_degree, tonic, new_mode) if bass_degree is not None else chord.bass


def _seventh_on(degree: int, mode: str) -> str:
    """The seventh a chord on `degree` takes in `mode`: "7" (minor seventh) on a major V in minor, else the scale's own."""
    if mode == "minor" and degree == 4:
        return "7"
    steps = MODE_SEMITONES[mode]
    interval = (steps[(degree + 6) % 7] - steps[degree]) % 12
    return {11: "maj7", 10: "7", 9: "dim7"}[interval]


def is_major_dominant(symbol: str, tonic: str) -> bool:
    """True for a major chord (with or without a seventh) on the fifth above `tonic`: V, V7."""
    chord = read_chord_symbol(symbol)
    return chord is not None and chord.triad == "" and (pitch_class(chord.root) - pitch_class(tonic)) % 12 == 7


def chord_for_mode(symbol: str, tonic: str, old_mode: str, new_mode: str) -> str:
    """The chord symbol (quoted, as written in ABC) a chord of `tonic old_mode` becomes in `tonic new_mode`.

    Annotations that are not chord symbols, and chords outside the old mode, come back unchanged.
    """
    chord = read_chord_symbol(symbol)
    if chord is None or old_mode == new_mode:
        return symbol
    tonic_pc = pitch_class(tonic)
    degree = _belongs(chord, tonic_pc, old_mode)
    if degree is None:
        return symbol
    triad = _triad_on(degree, new_mode)
    if triad == "dim":  # vii° -> V (a third below), ii° -> iv (a third above): each shares two notes
        degree = (degree + (2 if degree == 1 else -2)) % 7
        triad = _triad_on(degree, new_mode)
    root = _spelled(degree, tonic, new_mode)
    bass = _new_bass(chord, degree, triad, tonic, old_mode, new_mode)
    if root is None or (chord.bass is not None and bass is None):
        return symbol
    seventh = _seventh_on(degree, new_mode) if chord.seventh else ""
    return _name(root, triad, seventh, chord.rest, bass)
