"""Plain functions with typed inputs and results that the agent calls; no LLM inside.

Importing this package must stay fast: heavy libraries (torch, transformers, music21) are imported
inside the functions that need them.
"""
