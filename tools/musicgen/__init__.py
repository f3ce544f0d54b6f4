"""MusicGen text-to-audio (text, melody, continuation) where its weights exist, and the prompt written from a plan."""
