"""MIDI gaps and continuation: find missing bars, fill them from their context, continue tunes."""
