"""Every prompt the LLM sees, as versioned text files. `load_prompt(name)` reads one."""

from functools import cache
from importlib.resources import files


@cache
def load_prompt(name: str) -> str:
    """The text of prompts/<name>.txt (or .md)."""
    folder = files(__name__)
    for suffix in (".txt", ".md"):
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no prompt named {name!r} in prompts/")
