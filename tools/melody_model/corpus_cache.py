"""The tokenized corpus split, cached on disk (reading and tokenizing 13,000 tunes takes a minute or two).

The cache is keyed by the split file's and the tokenizer's content, so a changed split or tokenizer
reads the corpus again. Used by training, calibration and the benchmarks, never at run time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tunesmith.tools.melody_model.data import SPLIT_FILE, SPLITS, corpus_split
from tunesmith.tools.melody_model.tokens import TokenizedTune

_SOURCES = ("data.py", "tokens.py", "vocab.py")


def _cache_path(cache_dir: Path) -> Path:
    digest = hashlib.sha256(SPLIT_FILE.read_bytes())
    for name in _SOURCES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return cache_dir / "melody_model" / f"corpus-{digest.hexdigest()[:16]}.json"


def cached_split(cache_dir: Path) -> dict[str, list[dict]]:
    """Split name -> tunes as dicts: id, collection, abc, and the TokenizedTune's fields."""
    path = _cache_path(cache_dir)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    by_split = corpus_split()
    data = {name: [{"tune_id": t.tune_id, "collection": t.collection, "abc": t.abc, **vars(t.tokens)}
                   for t in by_split[name]] for name in SPLITS}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return data


def tokenized(record: dict) -> TokenizedTune:
    """The TokenizedTune of one cached tune."""
    fields = {k: record[k] for k in TokenizedTune.__dataclass_fields__}
    return TokenizedTune(**fields)
