"""The system prompt's KV state, computed once and kept on disk, so a new process does not re-read it.

llama.cpp already reuses the longest token prefix shared with its previous evaluation within a process.
Across processes (every `tunesmith compose` is one) the system prompt and tool list — the same few
hundred tokens every time, seconds of prompt processing on a small CPU — would be read again. Here
the state after those tokens is saved in the cache folder, keyed by the model file, context size,
llama.cpp version and the tokens themselves, and loaded instead of evaluated (milliseconds).

llama-cpp-python's `save_state` also copies a logits row per token (600 KB each for Qwen's vocabulary)
and its `load_state` cannot restore more tokens than one batch holds, so the llama.cpp state is read
and written here directly; only the KV cells in use are stored (~28 KB a token for the 1.5B model).
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import struct
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from llama_cpp import Llama

log = logging.getLogger(__name__)
KEEP_FILES = 8  # prefix states kept per cache folder (one per system prompt and tool list seen lately)
_MAGIC = b"TSKV1"


def prefix_key(llama: Llama, model_path: str, tokens: list[int]) -> str:
    """A file name for the state after `tokens` on this model file, context size and llama.cpp build."""
    import llama_cpp

    stat = Path(model_path).stat()
    digest = hashlib.sha256()
    for part in (str(Path(model_path).resolve()), stat.st_size, stat.st_mtime_ns, llama.n_ctx(), llama_cpp.__version__):
        digest.update(f"{part}\x00".encode())
    digest.update(np.asarray(tokens, dtype=np.int32).tobytes())
    return digest.hexdigest()[:32] + ".kv"


def holds_prefix(llama: Llama, tokens: list[int]) -> bool:
    """Whether the model's KV cache already starts with `tokens`."""
    count = len(tokens)
    return llama.n_tokens >= count and np.array_equal(llama.input_ids[:count], np.asarray(tokens, dtype=np.intc))


def _save(llama: Llama, tokens: list[int], path: Path) -> None:
    import llama_cpp

    from tunesmith.memory.files import atomic_write_bytes

    context = llama.ctx
    size = llama_cpp.llama_state_get_size(context)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_get_data(context, buffer, size)
    ids = np.asarray(tokens, dtype=np.int32).tobytes()
    header = _MAGIC + struct.pack("<II", len(tokens), written)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, header + ids + bytes(memoryview(buffer)[:written]))
    for old in sorted(path.parent.glob("*.kv"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP_FILES:]:
        old.unlink(missing_ok=True)


def _load(llama: Llama, tokens: list[int], path: Path) -> bool:
    """Restore the state saved in `path` if it is for exactly `tokens`; False (and the file removed) if not."""
    import llama_cpp

    data = path.read_bytes()
    head = len(_MAGIC) + 8
    if not data.startswith(_MAGIC) or len(data) < head:
        path.unlink(missing_ok=True)
        return False
    count, size = struct.unpack("<II", data[len(_MAGIC):head])
    ids = np.frombuffer(data, dtype=np.int32, count=count, offset=head)
    state = data[head + 4 * count:]
    if count != len(tokens) or len(state) != size or not np.array_equal(ids, np.asarray(tokens, dtype=np.int32)):
        path.unlink(missing_ok=True)
        return False
    llama.reset()
    if llama_cpp.llama_state_set_data(llama.ctx, (ctypes.c_uint8 * size).from_buffer_copy(state), size) != size:
        path.unlink(missing_ok=True)
        return False
    llama.input_ids[:count] = ids
    llama.n_tokens = count
    llama._requires_eval = True  # the logits are not restored: the next decode refreshes them
    return True


def restore_prefix(llama: Llama, model_path: str, tokens: list[int], cache_dir: Path | None) -> str:
    """Make the KV cache start with `tokens` (call it holding the model's lock). Returns where the state
    came from: 'memory' (already there), 'disk' (loaded), 'computed' (evaluated, then saved) or 'off'."""
    if not tokens:
        return "off"
    if holds_prefix(llama, tokens):
        return "memory"
    if cache_dir is None:
        return "off"
    path = Path(cache_dir) / prefix_key(llama, model_path, tokens)
    try:
        if path.is_file() and _load(llama, tokens, path):
            path.touch()
            return "disk"
    except (OSError, ValueError, RuntimeError) as error:  # a damaged file only costs the evaluation
        log.warning("the saved prompt state %s could not be loaded (%s); evaluating the prompt", path.name, error)
    llama.reset()
    llama.eval(tokens)
    try:
        _save(llama, tokens, path)
    except OSError as error:
        log.warning("the prompt state could not be saved in %s (%s)", cache_dir, error)
    return "computed"


def shared_prefix(first: list[int], second: list[int]) -> int:
    """How many leading tokens two token lists share."""
    count = 0
    for a, b in zip(first, second):
        if a != b:
            break
        count += 1
    return count
