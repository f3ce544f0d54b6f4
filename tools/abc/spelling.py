"""Re-spell notes of a tune (transposition, mode change) and rewrite header fields, keeping the rest as written.

Accidentals are written only where the new key signature and the accidentals earlier in the same
bar do not already give the wanted pitch.
"""

from __future__ import annotations

from collections.abc import Callable

from tunesmith.tools.abc.fields import CLEF_WORDS, Key
from tunesmith.tools.abc.results import AbcError
from tunesmith.tools.abc.tokens import NoteToken, ParsedTune

ACCIDENTAL_TEXT = {2: "^^", 1: "^", 0: "=", -1: "_", -2: "__"}
# Spelling of a pitch class with no key to follow (K:none): sharps up, flats down.
SHARP_SPELLING = (("C", 0), ("C", 1), ("D", 0), ("D", 1), ("E", 0), ("F", 0), ("F", 1), ("G", 0), ("G", 1), ("A", 0), ("A", 1), ("B", 0))
FLAT_SPELLING = (("C", 0), ("D", -1), ("D", 0), ("E", -1), ("E", 0), ("F", 0), ("G", -1), ("G", 0), ("A", -1), ("A", 0), ("B", -1), ("B", 0))

Spelling = tuple[str, int, int]  # (letter, octave, alteration in semitones)


def letter_text(letter: str, octave: int) -> str:
    """ABC spelling of a letter in an octave: ('C', 4) -> 'C', ('C', 5) -> 'c', ('C', 6) -> "c'", ('C', 3) -> 'C,'."""
    if octave >= 5:
        return letter.lower() + "'" * (octave - 5)
    return letter.upper() + "," * (4 - octave)


def replace_spans(text: str, replacements: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, new text) replacements."""
    pieces, position = [], 0
    for start, end, new in sorted(replacements, key=lambda edit: (edit[0], edit[1])):
        pieces.append(text[position:start])
        pieces.append(new)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def respell_notes(tune: ParsedTune, new_key: Callable[[Key], Key], spell: Callable[[NoteToken, Key], Spelling]) -> list[tuple[int, int, str]]:
    """Replacements that write each note as `spell` says under the key `new_key` maps its old key to."""
    replacements = []
    state: dict[tuple[str, int], int] = {}
    current_bar = -1
    for note in sorted(tune.notes, key=lambda n: n.start):
        if note.letter is None:
            continue
        if note.bar_index != current_bar:
            current_bar, state = note.bar_index, {}
        key = new_key(note.key)
        letter, octave, alteration = spell(note, key)
        if abs(alteration) > 2:
            raise AbcError(f"cannot spell MIDI note {note.midi} on the letter {letter}; the edit would need a triple accidental")
        in_effect = state.get((letter, octave), key.alterations.get(letter, 0))
        accidental = ACCIDENTAL_TEXT[alteration] if alteration != in_effect else ""
        state[(letter, octave)] = alteration
        replacements.append((note.start, note.end, accidental + letter_text(letter, octave)))
    return replacements


def key_field_replacements(tune: ParsedTune, new_key: Callable[[Key], Key]) -> list[tuple[int, int, str]]:
    """Rewrite every K: field (header line, body line, inline [K:]) with its mapped key, clef words kept."""
    from tunesmith.tools.abc.fields import FieldError, parse_key

    replacements = []
    for field in tune.fields:
        if field.letter != "K":
            continue
        try:
            key = parse_key(field.value)
        except FieldError:
            continue
        clef = [word for word in field.value.split() if word.lower().startswith(CLEF_WORDS)]
        value = " ".join([new_key(key).canonical] + clef)
        inline = tune.text[field.start] == "["
        replacements.append((field.start, field.end, f"[K:{value}]" if inline else f"K:{value}"))
    return replacements


def header_replacement(tune: ParsedTune, letter: str, value: str) -> tuple[int, int, str]:
    """Replace the header field `letter`, or insert it just before the K: line (after X:/T: if no K:)."""
    header_fields = [f for f in tune.fields if f.in_header]
    for field in header_fields:
        if field.letter == letter:
            return field.start, field.end, f"{letter}:{value}"
    key_line = next((f for f in header_fields if f.letter == "K"), None)
    if key_line is not None:
        return key_line.start, key_line.start, f"{letter}:{value}\n"
    if header_fields:
        return header_fields[-1].end, header_fields[-1].end, f"\n{letter}:{value}"
    return 0, 0, f"{letter}:{value}\n"
