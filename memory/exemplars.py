"""The exemplar library: real tunes in a Chroma collection, searched by meaning and metadata.

One record per tune. The *document* Chroma embeds is a generated description ("a lively jig in
D major, 6/8, Irish dance tune, 32 bars: The Cuckoo's Nest"); the ABC text itself is kept in the
metadata under `abc`, next to title, key, mode, meter, tune type, bars and range (MIDI numbers).
Reading ABC files into records is `tools.corpus`'s job, writing them `memory.exemplar_index`'s.

Search is hybrid: Chroma returns the nearest descriptions (cosine similarity of MiniLM embeddings) under
the hard filters the caller gives, then the tunes that also have the type, key, mode and meter the
query *names* ("a slow air in A minor") are moved up. `why_matched` says which of these held.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from memory.store import folder_size_bytes, open_collection
from memory.tune_query import QueryHints, normalise_key, normalise_meter, normalise_mode, query_hints, tune_type_in

COLLECTION = "exemplars"


class ExemplarRecord(BaseModel):
    """A tune ready for the library. Pitches are MIDI numbers; tempo is in beats per minute."""

    title: str
    abc: str
    key: str = Field(description="Tonic, e.g. D, F#, Bb.")
    mode: str = Field(description="major, minor, dorian, mixolydian, …")
    key_from: str = Field("K: field", description="'K: field', or 'K: tonic, mode from the notes'.")
    meter: str = Field(description="e.g. 6/8; 'free' when the tune has none.")
    unit_length: str = Field(description="L: field, e.g. 1/8.")
    tempo_bpm: int | None = None
    direction: str | None = Field(None, description="Performance direction from the N: field, e.g. slow, with spirit.")
    tune_type: str | None = Field(None, description="jig, reel, hornpipe, air, song, …")
    tune_type_from: str | None = Field(None, description="Where the type came from: 'R: field', 'title' or 'collection'.")
    bars: int
    lowest: int | None = None
    highest: int | None = None
    origin: str | None = Field(None, description="People or place the tune is from, e.g. Irish, German.")
    source: str = Field(description="Collection, e.g. Ryan's Mammoth Collection.")
    library: str = Field(description="What was indexed: 'music21' or a folder path.")
    file: str = Field(description="File inside the library, relative to it.")
    x: str = Field(description="X: reference number in the file.")
    description: str = Field(description="The text that is embedded for search.")

    @property
    def id(self) -> str:
        digest = hashlib.sha256(f"{self.library}\x00{self.file}\x00{self.x}\x00{self.abc}".encode("utf-8"))
        return digest.hexdigest()[:24]

    def metadata(self) -> dict[str, Any]:
        """Chroma metadata: every field but the description (it is the document); None values left out."""
        return {k: v for k, v in self.model_dump(exclude={"description"}).items() if v is not None}


class LibraryStats(BaseModel):
    """What the library holds, counted by facet; `store_bytes` is the store folder on disk (0 for a server)."""

    total: int
    by_source: dict[str, int]
    by_tune_type: dict[str, int]
    by_key: dict[str, int]
    by_mode: dict[str, int]
    by_meter: dict[str, int]
    store_bytes: int
    location: str


def all_metadata(page: int = 2000) -> list[dict[str, Any]]:
    """Every record's metadata, read in pages (raises StoreError when there is no library)."""
    collection = open_collection(COLLECTION, create=False)
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        chunk = collection.get(include=["metadatas"], limit=page, offset=offset)["metadatas"]
        rows.extend(chunk)
        if len(chunk) < page:
            return rows
        offset += page


def library_stats() -> LibraryStats:
    """Counts by source, tune type, key, mode and meter; the store's size on disk in bytes."""
    from memory.store import store_location
    from settings import get_settings

    rows = all_metadata()

    def count(field: str) -> dict[str, int]:
        return dict(Counter(str(r.get(field) or "unknown") for r in rows).most_common())

    settings = get_settings()
    return LibraryStats(
        total=len(rows),
        by_source=count("source"),
        by_tune_type=count("tune_type"),
        by_key=count("key"),
        by_mode=count("mode"),
        by_meter=count("meter"),
        store_bytes=0 if settings.chroma_url else folder_size_bytes(settings.chroma_path),
        location=store_location(),
    )


class Exemplar(BaseModel):
    """A tune found in the library. `score` ranks results: cosine similarity plus the query-hint bonus."""

    id: str
    title: str
    abc: str
    key: str
    mode: str
    meter: str
    tune_type: str | None
    source: str
    bars: int
    tempo_bpm: int | None = None
    lowest: int | None = Field(None, description="Lowest pitch, MIDI number.")
    highest: int | None = Field(None, description="Highest pitch, MIDI number.")
    origin: str | None = None
    description: str
    similarity: float = Field(description="Cosine similarity of the query to the description, -1..1.")
    score: float
    why_matched: str


# How much each property a query names and a tune has adds to its cosine similarity. Similarities of
# MiniLM between close musical descriptions differ by ~0.05-0.15, so a named property decides the order.
HINT_BONUS = {"tune_type": 0.15, "tonic": 0.08, "mode": 0.08, "meter": 0.06}
_STOPWORDS = frozenset("a an the in of for and with to me some something like tune tunes piece by on".split())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9/#']+", text.lower()) if w not in _STOPWORDS}


def _filters(key: str | None, mode: str | None, meter: str | None, tune_type: str | None) -> dict[str, str]:
    filters: dict[str, str] = {}
    if key:
        filters["key"], key_mode = normalise_key(key)
        if key_mode and not mode:
            filters["mode"] = key_mode
    if mode:
        filters["mode"] = normalise_mode(mode)
    if meter:
        filters["meter"] = normalise_meter(meter)
    if tune_type:
        filters["tune_type"] = tune_type_in(tune_type) or tune_type.strip().lower()
    return filters


def _check_filter_values(filters: dict[str, str]) -> None:
    """Raise ValueError for a filter value the library does not hold, listing the values it does."""
    rows = all_metadata()
    for field, value in filters.items():
        known = sorted({str(r[field]) for r in rows if r.get(field) is not None})
        if value not in known:
            raise ValueError(f"{field}={value!r} is not in the exemplar library; valid values: {', '.join(known)}")


def _why(meta: dict[str, Any], description: str, filters: dict[str, str], hints: QueryHints, query: str) -> tuple[float, str]:
    """The hint bonus for one tune and the sentence that explains its place in the results."""
    bonus, reasons = 0.0, []
    if filters:
        reasons.append("meets filters " + ", ".join(f"{k}={v}" for k, v in filters.items()))
    met = []
    for hint, value in hints.named().items():
        field = "key" if hint == "tonic" else hint
        if field in filters:
            continue
        if meta.get(field) == value:
            bonus += HINT_BONUS[hint]
            met.append(f"{field} {value}")
    if met:
        reasons.append("has the " + ", ".join(met) + " the query names")
    if meta.get("tune_type_from") == "collection":
        reasons.append(f"type '{meta.get('tune_type')}' is the collection's, not the tune's own")
    shared = sorted(_words(query) & _words(description))
    if shared:
        reasons.append("description shares: " + ", ".join(shared))
    return bonus, "; ".join(reasons) or "nearest description in meaning"


def search_exemplars(
    query: str,
    *,
    key: str | None = None,
    mode: str | None = None,
    meter: str | None = None,
    tune_type: str | None = None,
    k: int = 5,
) -> list[Exemplar]:
    """The k tunes best matching `query`, restricted to the given key (tonic), mode, meter and tune type.

    Raises ValueError for a bad filter value (naming the values the library holds) and StoreError when
    there is no library yet (the message says to run `tunesmith index`).
    """
    from memory.store import StoreError

    if not query or not query.strip():
        raise ValueError("query is empty; describe the tune, e.g. 'a lively jig in D major'")
    if not 1 <= k <= 100:
        raise ValueError(f"k={k} must be between 1 and 100")
    filters = _filters(key, mode, meter, tune_type)
    collection = open_collection(COLLECTION, create=False)
    total = collection.count()
    if total == 0:
        raise StoreError("the exemplar library is empty. Fix: run `tunesmith index` to build it.")
    where: dict[str, Any] | None = None
    if filters:
        clauses = [{field: value} for field, value in filters.items()]
        where = clauses[0] if len(clauses) == 1 else {"$and": clauses}
    # Rerank a wider pool than k so tunes with the named type/key can move up past near-misses.
    pool = min(total, max(8 * k, 40))
    result = collection.query(
        query_texts=[query], n_results=pool, where=where, include=["metadatas", "documents", "distances"]
    )
    if not result["ids"][0]:
        if filters:
            _check_filter_values(filters)
        return []
    hints = query_hints(query)
    found = []
    for tune_id, meta, description, distance in zip(
        result["ids"][0], result["metadatas"][0], result["documents"][0], result["distances"][0]
    ):
        similarity = 1.0 - float(distance)
        bonus, why = _why(meta, description, filters, hints, query)
        found.append(
            Exemplar(
                id=tune_id,
                title=meta["title"],
                abc=meta["abc"],
                key=meta["key"],
                mode=meta["mode"],
                meter=meta["meter"],
                tune_type=meta.get("tune_type"),
                source=meta["source"],
                bars=meta["bars"],
                tempo_bpm=meta.get("tempo_bpm"),
                lowest=meta.get("lowest"),
                highest=meta.get("highest"),
                origin=meta.get("origin"),
                description=description,
                similarity=round(similarity, 4),
                score=round(similarity + bonus, 4),
                why_matched=why,
            )
        )
    found.sort(key=lambda e: e.score, reverse=True)
    return found[:k]
