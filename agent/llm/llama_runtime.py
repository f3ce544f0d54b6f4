"""One in-process llama.cpp model per (file, context size, threads), loaded once and shared.

llama.cpp keeps a single KV cache per loaded model, and `Llama.generate` reuses the longest token
prefix shared with the previous evaluation; so all chat-model instances talk to the same `Llama`
behind one lock, and the prompt renderer keeps earlier turns byte-stable to hit that prefix.
"""

from __future__ import annotations

import atexit
import json
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_cpp import Llama, LlamaGrammar
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

_LOAD_LOCK = threading.Lock()
_LOADED: dict[tuple[str, int, int], LoadedModel] = {}


@dataclass
class LoadedModel:
    """A loaded GGUF: the llama.cpp handle, its chat template, the lock that serialises its use."""

    llama: Llama
    formatter: Jinja2ChatFormatter
    lock: threading.Lock = field(default_factory=threading.Lock)
    load_seconds: float = 0.0

    def render(self, messages: list[dict[str, Any]]) -> str:
        """The prompt text for chat messages (`{"role", "content"}`), ending where the assistant speaks."""
        return self.formatter(messages=messages).prompt

    def tokenize(self, prompt: str) -> list[int]:
        """Token ids of a rendered prompt (special tokens such as <|im_start|> parsed as such)."""
        return self.llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` takes when generated (no special-token parsing)."""
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else 0


def load_model(model_path: Path, n_ctx: int, n_threads: int) -> LoadedModel:
    """The shared model for this file and settings, loading it on first use (seconds, ~1.1 GB RAM).

    Raises ImportError with the pip command when llama-cpp-python is not installed.
    """
    key = (str(Path(model_path).resolve()), n_ctx, n_threads)
    with _LOAD_LOCK:
        if key in _LOADED:
            return _LOADED[key]
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as exc:
            raise ImportError(
                f"llama-cpp-python is not installed ({exc}): run `pip install llama-cpp-python==0.3.36`"
            ) from None
        start = time.perf_counter()
        llama = Llama(model_path=key[0], n_ctx=n_ctx, n_threads=n_threads, verbose=False)
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ValueError(f"{model_path} has no chat template in its metadata; use an instruct (chat) GGUF")
        eos, bos = llama.token_eos(), llama.token_bos()
        formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
            bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
        )
        loaded = LoadedModel(llama, formatter, load_seconds=time.perf_counter() - start)
        _LOADED[key] = loaded
        # Free the model before interpreter teardown: llama.cpp's own finaliser fails once its
        # C bindings are gone, printing a TypeError at exit.
        atexit.register(llama.close)
        return loaded


# The model writes JSON best the way it saw it in training: in a ```json fence, indented over lines.
# llama.cpp's schema converter allows one optional space between tokens; these rules allow that layout.
_FENCED_ROOT = 'root ::= "```json\\n" reply "\\n```"'
_JSON_SPACE = 'space ::= | " " | "\\n" [ \\t]{0,20}'


def fenced_json_gbnf(schema: dict) -> str:
    """GBNF admitting exactly one ```json fenced value valid against `schema`, newlines and indents allowed."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    rules = []
    for line in json_schema_to_gbnf(json.dumps(schema)).splitlines():
        if line.startswith("root ::= "):
            line = "reply ::= " + line.removeprefix("root ::= ")
        elif line.startswith("space ::= "):
            line = _JSON_SPACE
        rules.append(line)
    return "\n".join([_FENCED_ROOT, *rules]) + "\n"


@lru_cache(maxsize=64)
def _grammar_from_schema_text(schema_text: str) -> LlamaGrammar:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(fenced_json_gbnf(json.loads(schema_text)), verbose=False)


def grammar_for(schema: dict) -> LlamaGrammar:
    """The llama.cpp grammar admitting only a fenced JSON reply valid against `schema` (cached per schema)."""
    return _grammar_from_schema_text(json.dumps(schema))  # key order matters: it is the order written


class GenerationDeadline:
    """A llama.cpp stopping criterion that ends generation after `seconds` of wall time."""

    def __init__(self, seconds: float | None) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.expired = False

    def __call__(self, _tokens: Any, _logits: Any) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.expired = True
        return self.expired
