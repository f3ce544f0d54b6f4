"""ABC tune -> melody-model tokens: control tokens (meter, mode, type, sections, bars per section) and the body.

The body keeps what a player hears and reads as structure: notes and rests with their sounding
lengths, chord notes, ties, bar lines, repeats, first and second endings and meter changes. Grace
notes, decorations, slurs and chord symbols are left out (they are not notes in `tune_notes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from tunesmith.tools.abc import ParsedTune
from tunesmith.tools.melody_model.vocab import (
    CHORD_NOTE,
    ENDINGS,
    HIGHEST_STEP,
    LENGTHS,
    LOWEST_STEP,
    METERS,
    SECTION_ENDS,
    TIE,
    UNITS_PER_WHOLE,
    meter_token,
    mode_token,
    note_token,
    rest_token,
    section_bars_token,
    sections_token,
    type_token,
)


class TokenizeError(ValueError):
    """A tune the tokens cannot hold (several voices, odd tuplets, a note far from the tonic); says which."""


@dataclass
class TokenizedTune:
    """A tune as tokens, with what the tokens leave out but writing ABC back needs: key and reference pitch."""

    meter: str  # as a fraction, or 'none'
    mode: str
    tune_type: str | None
    section_bars: list[int]  # bars per section as written (repeats not unfolded)
    body: list[str]
    tonic: str  # tonic spelling, e.g. 'F#'
    reference: int  # MIDI number of the tonic the note steps count from
    title: str = ""
    extra: dict = field(default_factory=dict)

    def controls(self) -> list[str]:
        """The control tokens that open every training example and every sampling prompt."""
        return control_tokens(self.meter, self.mode, self.tune_type, self.section_bars)


def control_tokens(meter: str, mode: str, tune_type: str | None, section_bars: list[int]) -> list[str]:
    """Meter, mode, tune type, number of sections and each section's bars (the first eight)."""
    return [meter_token(meter), mode_token(mode), type_token(tune_type), sections_token(len(section_bars))] + [
        section_bars_token(n) for n in section_bars[:8]
    ]


def meter_name(text: str) -> str:
    """An M: value as the fraction the vocabulary uses: 'C' -> '4/4', 'C|' -> '2/2', 'none' stays."""
    value = text.strip().replace(" ", "")
    return {"C": "4/4", "c": "4/4", "C|": "2/2", "c|": "2/2", "": "none"}.get(value, value)


def bar_line_tokens(text: str) -> list[str]:
    """A bar line as written ('|', ':|2', '| [1', '::', '[|]') -> bar-line token and ending token."""
    compact = text.replace(" ", "")
    digit = re.search(r"\d", compact)
    ending = [ENDINGS[min(int(digit.group(0)), 3) - 1]] if digit and digit.group(0) != "0" else []
    core = (compact[: digit.start()] if digit else compact).rstrip("[")
    if not core:
        return ending
    closes, opens = core.startswith(":"), core.endswith(":")
    if closes and opens:
        line = "::"
    elif closes:
        line = ":|"
    elif opens:
        line = "|:"
    elif core.endswith("]"):
        line = "|]"
    elif "||" in core or core == "[|":
        line = "||"
    else:
        line = "|"
    return [line] + ending


def _boundary(right: str, left: str, index: int) -> list[str]:
    """Bar-line tokens between two bars: the bar line after one and before the next are usually the
    same text; ':|' ending a line and '|:' opening the next are two; a line that ends a full bar
    without a bar line ends it too."""
    tokens = bar_line_tokens(right) + bar_line_tokens(left) if right and left and right != left else (
        bar_line_tokens(left or right))
    return tokens or (["|"] if index else [])


def _merged(tokens: list[str]) -> list[str]:
    """Bar lines met with no music between them, as one: a repeat closes and/or opens, else the
    strongest line, then the last ending."""
    lines = [t for t in tokens if t not in ENDINGS]
    endings = [t for t in tokens if t in ENDINGS][-1:]
    closes = any(t in (":|", "::") for t in lines)
    opens = any(t in ("|:", "::") for t in lines)
    if closes or opens:
        line = "::" if closes and opens else ":|" if closes else "|:"
    else:
        line = next((t for t in ("|]", "||", "|") if t in lines), None)
    return ([line] if line else []) + endings


def reference_pitch(tonic_pitch_class: int, pitches: list[int]) -> int:
    """MIDI number of the tonic nearest the median pitch (the tune's home octave)."""
    ordered = sorted(pitches)
    median = ordered[len(ordered) // 2] if ordered else 66
    return min((tonic_pitch_class + 12 * octave for octave in range(11)), key=lambda p: (abs(p - median), p))


def _known_meter(text: str) -> str:
    meter = meter_name(text)
    if meter not in METERS:
        raise TokenizeError(f"M:{text} is not a meter the model knows; it knows {', '.join(METERS)}")
    return meter


def _units(duration: Fraction) -> int:
    units = duration * UNITS_PER_WHOLE
    if units.denominator != 1 or int(units) not in LENGTHS:
        raise TokenizeError(f"a note of {duration} of a whole note is not one of the model's lengths")
    return int(units)


def _tied(tune: ParsedTune, end: int) -> bool:
    """True when a tie '-' follows a note's text (after any closing slurs)."""
    rest = tune.text[end:end + 4].lstrip(")")
    return rest.startswith("-")


def section_lengths(body: list[str], meter: str) -> list[int]:
    """Bars per section of a token body, as musicians count them: sections end at ||, |], :| and ::;
    a short bar opening a section (a pickup) is not counted, a short bar closing one is (it completes
    the pickup); second endings are not counted again. In free meter every bar counts."""
    from tunesmith.tools.melody_model.vocab import parse_note

    bar_units = None if meter == "none" else Fraction(meter) * UNITS_PER_WHOLE
    sections: list[int] = []
    bars: list[bool] = []  # per bar of the current section: is it full?
    length, in_second_ending, chord_next = 0, False, False

    def close_bar() -> None:
        nonlocal length
        if length and not in_second_ending:
            bars.append(bar_units is None or length >= bar_units)
        length = 0

    def close_section() -> None:
        if bars:
            counted = sum(bars[1:-1]) + (bars[0] if len(bars) > 1 else 1) + (1 if len(bars) > 1 else 0)
            sections.append(counted)
        bars.clear()

    for token in body:
        if token in ENDINGS:
            in_second_ending = token != "[1"
        elif token.startswith("M:"):
            value = token[2:]
            bar_units = None if value == "none" else Fraction(value) * UNITS_PER_WHOLE
        elif token == CHORD_NOTE:
            chord_next = True
        elif (note := parse_note(token)) is not None:
            if not chord_next:
                length += note[1]
            chord_next = False
        elif token in ("|", *SECTION_ENDS):
            close_bar()
            if token in SECTION_ENDS:
                in_second_ending = False
                close_section()
    close_bar()
    close_section()
    return sections


def tokenize_parsed(tune: ParsedTune, *, mode: str | None = None, tune_type: str | None = None) -> TokenizedTune:
    """Tokens of one parsed tune; `mode` overrides the K: field's (e.g. a mode read from the notes).

    Raises TokenizeError for what the vocabulary cannot hold: several voices, no tonic, multi-bar
    rests, lengths that are not whole 1/96 notes (quintuplets), notes over two octaves from the tonic.
    """
    if not tune.bars or not tune.notes:
        raise TokenizeError("the tune has no bars of music")
    voice = tune.bars[0].voice
    if any(bar.voice != voice for bar in tune.bars):
        raise TokenizeError("the tune has several voices; the melody model reads one")
    if tune.key.tonic is None:
        raise TokenizeError("the tune has no tonic (K:none)")
    if any(bar.count > 1 for bar in tune.bars):
        raise TokenizeError("the tune has a multi-bar rest")
    pitches = [n.midi for n in tune.notes if n.midi is not None and not n.grace]
    reference = reference_pitch(tune.key.tonic_pitch_class, pitches)
    notes_by_bar: dict[int, list] = {}
    for note in tune.notes:
        if not note.grace:
            notes_by_bar.setdefault(note.bar_index, []).append(note)
    body: list[str] = []
    meter = _known_meter(tune.bars[0].meter.text)
    current_meter = meter
    carried: list[str] = []  # bar lines of empty bars ('| |'), merged into the next bar line
    for index, bar in enumerate(tune.bars):
        lines = carried + _boundary(tune.bars[index - 1].right if index else "", bar.left, index)
        if index and not bar.duration and index not in notes_by_bar:
            carried = lines
            continue
        carried = []
        body += _merged(lines)
        bar_meter = _known_meter(bar.meter.text)
        if bar_meter != current_meter:
            body.append(meter_token(bar_meter))
            current_meter = bar_meter
        for note in sorted(notes_by_bar.get(index, []), key=lambda n: n.start):
            units = _units(note.duration)
            if note.chord_member:
                body.append(CHORD_NOTE)
            if note.midi is None:
                body.append(rest_token(units))
                continue
            step = note.midi - reference
            if not LOWEST_STEP <= step <= HIGHEST_STEP:
                raise TokenizeError(f"MIDI {note.midi} is {step} semitones from the tonic; the model reads ±24")
            body.append(note_token(step, units))
            if not note.chord_member and _tied(tune, note.length_end):
                body.append(TIE)
    if tune.bars[-1].right or carried:
        body += _merged(carried + bar_line_tokens(tune.bars[-1].right))
    while body and body[-1] in ENDINGS:  # an ending opened after the last bar holds nothing
        body.pop()
    return TokenizedTune(
        meter=meter, mode=mode or tune.key.mode, tune_type=tune_type, section_bars=section_lengths(body, meter), body=body,
        tonic=tune.key.tonic, reference=reference, title=tune.headers.get("T", "").strip(),
    )
