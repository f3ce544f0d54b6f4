"""Clip in: decode safely, audio descriptors, musicnn tags, the melody transcribed as ABC, and how well audio fits a text."""
