"""MIDI gaps and continuation: find missing bars, fill them from their context, continue tunes and MIDI files."""

from tunesmith.tools.repair.continuation import continue_abc, continue_midi
from tunesmith.tools.repair.midi_bars import RepairInputError, load_piano_piece
from tunesmith.tools.repair.midi_repair import RepairResult, repair_midi

__all__ = ["RepairInputError", "RepairResult", "continue_abc", "continue_midi", "load_piano_piece", "repair_midi"]
