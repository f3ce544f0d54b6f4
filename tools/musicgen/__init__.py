"""MusicGen text-to-audio (text, melody, continuation) where its weights exist, and the prompt written from a plan."""

from tunesmith.tools.musicgen.generate import (
    GeneratedAudio,
    continue_audio,
    generate_from_text,
    generate_with_melody,
    musicgen_checks,
)
from tunesmith.tools.musicgen.prompt import musicgen_prompt_for_plan

__all__ = ["GeneratedAudio", "continue_audio", "generate_from_text", "generate_with_melody", "musicgen_checks", "musicgen_prompt_for_plan"]
