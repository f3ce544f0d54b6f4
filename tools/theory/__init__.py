"""Each musical fact once: pitch names and MIDI numbers, keys and key finding, meters, instruments and ranges, tune types, harmony."""
