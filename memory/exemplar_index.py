"""Writing the exemplar library: add tunes in batches, skip the ones already there, delete stale ones.

Ids are a hash of (reader version, library, file, X number, tune text) (`ExemplarRecord.id`), so indexing is idempotent:
re-running adds only new or changed tunes and deletes the ones gone from a fully scanned library.
Each batch is one Chroma upsert (one SQLite transaction), so a killed indexer leaves a usable store
and the next run resumes where it stopped, with no duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from pydantic import BaseModel, Field

from tunesmith.memory.exemplars import COLLECTION, ExemplarRecord
from tunesmith.memory.store import drop_collection, open_collection, store_bytes

BATCH_SIZE = 256  # tunes per Chroma upsert: one embedding batch and one transaction


class IndexReport(BaseModel):
    """What one `build_index` run did. Times in seconds, sizes in bytes."""

    libraries: list[str]
    scanned: int = Field(description="Tunes read from the sources.")
    added: int
    unchanged: int
    removed: int
    skipped: int = Field(description="Tunes that could not be read (no K: field, empty, …).")
    skip_reasons: list[str] = Field(default_factory=list, description="The first few reasons, for the user.")
    total: int = Field(description="Tunes in the library after the run.")
    seconds: float
    tunes_per_second: float
    store_bytes: int
    rebuilt: bool

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"{'Rebuilt' if self.rebuilt else 'Indexed'} {', '.join(self.libraries)}: {self.added} added, "
            f"{self.unchanged} unchanged, {self.removed} removed, {self.skipped} skipped "
            f"in {self.seconds:.1f} s ({self.tunes_per_second:.1f} tunes/s); {self.total} tunes in the library."
        ]
        lines += [f"  skipped {reason}" for reason in self.skip_reasons]
        return "\n".join(lines)


class SkippedTune(BaseModel):
    """A tune the reader could not turn into a record, and why."""

    file: str
    x: str
    reason: str


def _existing_ids(collection, library: str) -> set[str]:
    return set(collection.get(where={"library": library}, include=[])["ids"])


def index_records(
    records: Iterable[ExemplarRecord | SkippedTune],
    *,
    libraries: list[str],
    complete: bool,
    rebuild: bool = False,
    progress: bool = True,
    expected: int | None = None,
) -> IndexReport:
    """Add the records not yet in the library, in batches; delete stale ones when the scan was `complete`.

    `libraries` are the library labels the records come from; `complete=False` (a limited scan) never
    deletes, since an unread tune is not a removed one. `expected` sizes the progress bar.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    if rebuild:
        drop_collection(COLLECTION)
    collection = open_collection(COLLECTION)
    existing = set().union(*(_existing_ids(collection, lib) for lib in libraries)) if libraries else set()
    seen: set[str] = set()
    pending: list[ExemplarRecord] = []
    added = unchanged = 0
    skipped: list[SkippedTune] = []

    def flush() -> None:
        nonlocal added
        if pending:
            collection.upsert(
                ids=[r.id for r in pending],
                documents=[r.description for r in pending],
                metadatas=[r.metadata() for r in pending],
            )
            added += len(pending)
            pending.clear()

    bar = tqdm(total=expected, unit="tune", desc="indexing tunes", disable=not progress, leave=False)
    with bar:
        for record in records:
            bar.update(1)
            if isinstance(record, SkippedTune):
                skipped.append(record)
                continue
            record_id = record.id
            if record_id in seen:  # the same tune twice in one file: keep one
                continue
            seen.add(record_id)
            if record_id in existing:
                unchanged += 1
                continue
            pending.append(record)
            if len(pending) >= BATCH_SIZE:
                flush()
        flush()

    stale = sorted(existing - seen) if complete else []
    for start in range(0, len(stale), 5000):
        collection.delete(ids=stale[start : start + 5000])
    seconds = time.perf_counter() - started
    return IndexReport(
        libraries=libraries,
        scanned=len(seen) + len(skipped),
        added=added,
        unchanged=unchanged,
        removed=len(stale),
        skipped=len(skipped),
        skip_reasons=[f"{s.file} X:{s.x}: {s.reason}" for s in skipped[:5]],
        total=collection.count(),
        seconds=round(seconds, 2),
        tunes_per_second=round((len(seen) + len(skipped)) / seconds, 1) if seconds > 0 else 0.0,
        store_bytes=store_bytes(),
        rebuilt=rebuild,
    )
