"""The melody model in MIDI gap repair: the top line of the bars around a gap becomes tokens, the
model infills the gap's top line, each bar's first note on the chord the accompaniment plays there.

Times are quarter-note beats (24 units of 1/96 whole note each); pitches MIDI numbers. MIDI from
performances is not on a grid: onsets are snapped to sixteenths and lengths split into the
model's note lengths (tied), which is enough for context.
"""

from __future__ import annotations

from tunesmith.tools.melody_model.limits import ModelCannotCompose, check_meter, model_or_refusal
from tunesmith.tools.melody_model.sampling import FreeBar, cadence_classes, pitch_rules
from tunesmith.tools.melody_model.tokens import control_tokens, reference_pitch
from tunesmith.tools.melody_model.vocab import (
    HIGHEST_STEP,
    LENGTHS,
    LOWEST_STEP,
    TIE,
    note_token,
    parse_note,
    rest_token,
)

UNITS_PER_QUARTER = 24
GRID = 6  # onsets snap to sixteenths
RANGE_SLACK = 2  # semitones the filled line may go beyond the context's


def _split(units: int) -> list[int]:
    """A length as model lengths, largest first (tied when a note)."""
    pieces = []
    while units > 0:
        piece = max((length for length in LENGTHS if length <= units), default=units)
        pieces.append(piece)
        units -= piece
    return pieces


def bar_tokens(notes: list, start: float, length_units: int, reference: int) -> list[str]:
    """One bar of a monophonic line (the highest note at each onset) as note and rest tokens."""
    onsets: dict[int, tuple[int, int]] = {}
    for note in notes:
        onset = round((note.start - start) * UNITS_PER_QUARTER / GRID) * GRID
        end = round((note.end - start) * UNITS_PER_QUARTER / GRID) * GRID
        if 0 <= onset < length_units and (onset not in onsets or note.pitch > onsets[onset][0]):
            onsets[onset] = (note.pitch, max(end, onset + GRID))
    tokens: list[str] = []
    position = 0
    ordered = sorted(onsets.items())
    for index, (onset, (pitch, end)) in enumerate(ordered):
        if onset > position:
            tokens += [rest_token(u) for u in _split(onset - position)]
        following = ordered[index + 1][0] if index + 1 < len(ordered) else length_units
        sounding = min(end, following) - onset
        step = pitch - reference
        while step > HIGHEST_STEP:
            step -= 12
        while step < LOWEST_STEP:
            step += 12
        pieces = _split(sounding)
        for number, piece in enumerate(pieces):
            tokens.append(note_token(step, piece))
            if number < len(pieces) - 1:
                tokens.append(TIE)
        position = onset + sounding
    if position < length_units:
        tokens += [rest_token(u) for u in _split(length_units - position)]
    return tokens


def melody_fills(piece, gap: tuple[int, int], top_part, key, bar_chords: list[list[frozenset[int]]], *,
                 seed: int, model=None) -> list[list]:
    """One top line (BarNotes in the top part's voice) per candidate for 0-based inclusive bars `gap`.

    `key` is the gap's estimated key (tools.repair.gap_harmony.Key); `bar_chords[c][i]` the pitch
    classes of candidate c's accompaniment chord at the start of gap bar i (absolute pitch classes).
    Raises ModelCannotCompose when the model cannot read the piece (meter, weights).
    """
    from tunesmith.tools.melody_model.infill import infill_bars
    from tunesmith.tools.repair.midi_bars import BarNote

    model = model_or_refusal(model)
    meter = check_meter(f"{piece.meter[0]}/{piece.meter[1]}", model)
    mode = "minor" if key.mode == "minor" else "major"
    line = [n for n in piece.notes if top_part.holds(n)]
    context = [n for n in line if not piece.bar_starts[gap[0]] - 1e-6 <= n.start < piece.bar_starts[gap[1] + 1] - 1e-6]
    if not context:
        raise ModelCannotCompose("the bars around the gap have no melody for the melody model to read")
    reference = reference_pitch(key.tonic, [n.pitch for n in context])
    units = [round(piece.bar_length(bar) * UNITS_PER_QUARTER) for bar in range(piece.bar_count)]

    def unit_tokens(bar: int) -> list[str]:
        notes = [n for n in line if piece.bar_of(n.start) == bar]
        return bar_tokens(notes, piece.bar_starts[bar], units[bar], reference) + ["|"]

    before = [unit_tokens(bar) for bar in range(0, gap[0])]
    after = [unit_tokens(bar) for bar in range(gap[1] + 1, piece.bar_count)]
    if after:
        after[-1][-1] = "|]"
    pitches = [n.pitch for n in context]
    rules = pitch_rules(mode, meter, model.facts, reference, max(top_part.low, min(pitches) - RANGE_SLACK),
                        min(top_part.high, max(pitches) + RANGE_SLACK))
    controls = control_tokens(meter, mode, None, [piece.bar_count])
    ends_piece = gap[1] == piece.bar_count - 1
    velocity = sorted(n.velocity for n in context)[len(context) // 2]
    following = [n for n in line if n.start >= piece.bar_starts[gap[1] + 1] - 1e-6]
    approach = None
    if following:  # the line steps into the first note after the gap, as the rule-based repair does
        target = max((n for n in following if n.start == min(f.start for f in following)), key=lambda n: n.pitch)
        approach = frozenset(target.pitch - reference + d for d in (-2, -1, 1, 2))
    fills = []
    for candidate, chords in enumerate(bar_chords):
        slots = []
        for index, bar in enumerate(range(gap[0], gap[1] + 1)):
            downbeat = frozenset((pc - key.tonic) % 12 for pc in chords[index]) if index < len(chords) else None
            cadence = cadence_classes(mode, True) if ends_piece and bar == gap[1] else None
            closing = "|]" if ends_piece and bar == gap[1] else "|"
            slots.append((FreeBar(units[bar], cadence, 0, False, downbeat, approach if bar == gap[1] else None), closing))
        filled = infill_bars(model.network, controls, before, after, slots, rules, count=1,
                             seed=seed * 1000 + candidate)[0]
        notes = []
        for bar, tokens in zip(range(gap[0], gap[1] + 1), filled):
            position = piece.bar_starts[bar]
            tied = False
            for token in tokens:
                if token == TIE:
                    tied = True
                    continue
                note = parse_note(token)
                if note is None:
                    continue
                step, length = note
                end = position + length / UNITS_PER_QUARTER
                if step is not None:
                    if tied and notes and notes[-1].pitch == reference + step and abs(notes[-1].end - position) < 1e-6:
                        notes[-1] = BarNote(notes[-1].pitch, notes[-1].start, end, velocity, top_part.voice)
                    else:
                        notes.append(BarNote(reference + step, position, end, velocity, top_part.voice))
                tied = False
                position = end
        fills.append(notes)
    return fills


__all__ = ["ModelCannotCompose", "bar_tokens", "melody_fills"]
