"""Test material for the repair and continuation tools: small real-shaped piano MIDI files."""

from __future__ import annotations

from pathlib import Path

import pretty_midi

# I–IV–V–I in C major, two bars each way round: (bass root, right-hand chord tones) per bar.
C_MAJOR_BARS = [(48, (60, 64, 67)), (53, (65, 69, 72)), (55, (67, 71, 74)), (48, (64, 67, 72))] * 3


def two_hand_piano(path: Path, bars=C_MAJOR_BARS, tempo: float = 100.0, skip_bars: tuple[int, ...] = ()) -> Path:
    """One piano track, 4/4: right hand walks quavers/crotchets over the chord tones above middle C,
    left hand plays bass root and a fifth below it. `skip_bars` (0-based) are left empty."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    midi.time_signature_changes.append(pretty_midi.TimeSignature(4, 4, 0.0))
    piano = pretty_midi.Instrument(program=0, name="Piano")
    beat = 60.0 / tempo
    for index, (bass, chord) in enumerate(bars):
        if index in skip_bars:
            continue
        start = index * 4 * beat
        line = [chord[0], chord[1], chord[2], chord[1], chord[0] + 12 if index % 2 else chord[2]]
        onsets = [0.0, 1.0, 2.0, 2.5, 3.0]
        for onset, (pitch, following) in zip(onsets, zip(line, onsets[1:] + [4.0])):
            piano.notes.append(pretty_midi.Note(80, pitch, start + onset * beat, start + following * beat))
        piano.notes.append(pretty_midi.Note(70, bass, start, start + 2 * beat))
        piano.notes.append(pretty_midi.Note(70, bass - 12, start + 2 * beat, start + 4 * beat))
    midi.instruments.append(piano)
    midi.write(str(path))
    return path


def chorale_midi(path: Path, work: str = "bach/bwv66.6", skip_bars: tuple[int, ...] = ()) -> Path:
    """A Bach chorale from music21's corpus as a 4-track MIDI (one instrument per voice), 96 bpm,
    with a pickup padded so MIDI bars line up with the written bars. `skip_bars` (0-based) are left empty."""
    from music21 import corpus

    score = corpus.parse(work)
    meter = score.recurse().getElementsByClass("TimeSignature").first()
    bar_length = meter.barDuration.quarterLength if meter else 4.0
    first_bar = score.parts[0].getElementsByClass("Measure").first()
    pickup = bar_length - first_bar.duration.quarterLength if first_bar.duration.quarterLength < bar_length else 0.0
    midi = pretty_midi.PrettyMIDI(initial_tempo=96)
    midi.time_signature_changes.append(pretty_midi.TimeSignature(meter.numerator if meter else 4,
                                                                 meter.denominator if meter else 4, 0.0))
    seconds = 60.0 / 96
    for part in score.parts:
        instrument = pretty_midi.Instrument(program=0, name=part.partName or "voice")
        for note in part.flatten().notes:
            onset = float(note.offset + pickup)
            if int(onset // bar_length) in skip_bars:
                continue
            for pitch in note.pitches:
                instrument.notes.append(pretty_midi.Note(
                    80, pitch.midi, onset * seconds, (onset + float(note.quarterLength)) * seconds))
        midi.instruments.append(instrument)
    midi.write(str(path))
    return path
