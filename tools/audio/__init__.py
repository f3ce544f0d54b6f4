"""Clip in: decode safely, audio descriptors, description with segments, and how well audio fits a text."""
