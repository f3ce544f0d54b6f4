"""Writing the exemplar library: what it already holds, adding embedded tunes in large batches, deleting
stale ones, and the report of a run.

Ids are a hash of (reader version, library, file, X number, tune text) (`memory.exemplars.record_id`),
so the caller skips tunes already indexed before parsing them, and re-running adds only new or changed
tunes and deletes the ones gone from a fully scanned library. Vectors arrive computed (the reader
embeds in its worker processes); each batch is one Chroma upsert (one SQLite transaction), so a killed
indexer leaves a usable store and the next run resumes where it stopped, with no duplicates.

Chroma persists its HNSW graph every `sync_threshold` additions (1,000 by default): with a growing
graph that was a stall of seconds every thousand tunes. Chroma counts those additions per process, and
a graph never persisted is rebuilt from its log by every process that opens the library (3 s for the
music21 corpus, paid by every `tunesmith compose`). So a run sets the threshold to nine tenths of the
tunes it reads (some may be skipped, and Chroma takes no new threshold mid-run): the graph is written
once, near the end, and the few tunes after it are read back from the log in milliseconds. Chroma's log
keeps every write durable, so a killed run loses nothing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from tunesmith.memory.exemplars import COLLECTION, ExemplarRecord
from tunesmith.memory.store import drop_collection, open_collection, store_bytes

if TYPE_CHECKING:
    import numpy as np

BATCH_SIZE = 2048  # tunes per Chroma upsert: one transaction
HNSW_BATCH = 5_000  # additions Chroma buffers before inserting them into the graph (default: 100)


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


class LibraryWriter:
    """One index run's access to the exemplar collection: the ids it holds, batched writes, the report."""

    def __init__(self, libraries: list[str], *, rebuild: bool = False) -> None:
        self.started = time.perf_counter()
        self.libraries, self.rebuild = libraries, rebuild
        if rebuild:
            drop_collection(COLLECTION)
        self.collection = open_collection(COLLECTION)
        self.existing: set[str] = set()
        for library in libraries:
            self.existing |= set(self.collection.get(where={"library": library}, include=[])["ids"])
        self.added = 0

    def expect(self, count: int) -> None:
        """Say how many tunes this run will read, so Chroma writes its graph to disk once, near the end."""
        if count:
            threshold = max(1, count * 9 // 10)
            self.collection.modify(configuration={"hnsw": {"sync_threshold": threshold,
                                                           "batch_size": min(threshold, HNSW_BATCH)}})

    def add(self, records: list[ExemplarRecord], vectors: np.ndarray) -> None:
        """Write embedded records (vectors: (n, 384) unit rows, in the records' order), BATCH_SIZE at a time."""
        for start in range(0, len(records), BATCH_SIZE):
            part = records[start:start + BATCH_SIZE]
            self.collection.upsert(
                ids=[r.id for r in part],
                embeddings=vectors[start:start + BATCH_SIZE],
                documents=[r.description for r in part],
                metadatas=[r.metadata() for r in part],
            )
            self.added += len(part)

    def finish(self, *, seen: set[str], skipped: list[SkippedTune], complete: bool) -> IndexReport:
        """Delete tunes gone from a `complete` scan (a limited one deletes nothing), and report the run."""
        stale = sorted(self.existing - seen) if complete else []
        for start in range(0, len(stale), 5000):
            self.collection.delete(ids=stale[start : start + 5000])
        seconds = time.perf_counter() - self.started
        scanned = len(seen) + len(skipped)
        return IndexReport(
            libraries=self.libraries,
            scanned=scanned,
            added=self.added,
            unchanged=len(seen & self.existing),
            removed=len(stale),
            skipped=len(skipped),
            skip_reasons=[f"{s.file} X:{s.x}: {s.reason}" for s in skipped[:5]],
            total=self.collection.count(),
            seconds=round(seconds, 2),
            tunes_per_second=round(scanned / seconds, 1) if seconds > 0 else 0.0,
            store_bytes=store_bytes(),
            rebuilt=self.rebuild,
        )
