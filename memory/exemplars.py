"""The exemplar library: real tunes in a Chroma collection, searched by meaning and metadata.

One record per tune. The *document* Chroma embeds is a generated description ("a lively jig in
D major, 6/8, Irish dance tune, 32 bars: The Cuckoo's Nest"); the ABC text itself is kept in the
metadata under `abc`, next to title, key, mode, meter, tune type, bars and range (MIDI numbers).
Reading ABC files into records is `tools.corpus`'s job, writing them `memory.exemplar_index`'s.

Search is hybrid: Chroma returns the nearest descriptions (cosine similarity of MiniLM embeddings) under
the hard filters the caller gives, then the tunes that also have the type, key, mode and meter the
query *names* ("a slow air in A minor") are moved up. `why_matched` says which of these held. Reading
those names out of the words is the caller's job (`tools.corpus.search`): this module stores and queries.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from tunesmith.memory.embedder import encode
from tunesmith.memory.store import StoreError, open_client, open_collection, store_bytes, store_location

if TYPE_CHECKING:
    from tunesmith.settings import BackendStatus

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
    reader_version: int = Field(description="Version of the reader that made the record; part of the id, so "
                                            "a reader that describes tunes differently re-indexes them.")

    @property
    def id(self) -> str:
        text = f"{self.reader_version}\x00{self.library}\x00{self.file}\x00{self.x}\x00{self.abc}"
        digest = hashlib.sha256(text.encode("utf-8"))
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

    def summary(self, top: int = 8) -> str:
        """A few lines for the terminal: the total and the commonest values of each facet."""
        size = f", {self.store_bytes / 1e6:.1f} MB" if self.store_bytes else ""
        lines = [f"Library at {self.location}: {self.total} tunes{size}."]
        for label, counts in (("source", self.by_source), ("tune type", self.by_tune_type), ("key", self.by_key),
                              ("mode", self.by_mode), ("meter", self.by_meter)):
            shown = ", ".join(f"{value} {count}" for value, count in list(counts.items())[:top])
            more = f", … {len(counts) - top} more" if len(counts) > top else ""
            lines.append(f"  by {label}: {shown}{more}")
        return "\n".join(lines)


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
    rows = all_metadata()

    def count(field: str) -> dict[str, int]:
        return dict(Counter(str(r.get(field) or "unknown") for r in rows).most_common())

    return LibraryStats(
        total=len(rows),
        by_source=count("source"),
        by_tune_type=count("tune_type"),
        by_key=count("key"),
        by_mode=count("mode"),
        by_meter=count("meter"),
        store_bytes=store_bytes(),
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
    tune_type: str | None = None
    source: str
    bars: int
    tempo_bpm: int | None = None
    lowest: int | None = Field(None, description="Lowest pitch, MIDI number.")
    highest: int | None = Field(None, description="Highest pitch, MIDI number.")
    origin: str | None = None
    key_from: str = Field("K: field", description="'K: field', or 'K: tonic, mode from the notes'.")
    tune_type_from: str | None = Field(None, description="'R: field', 'title' or 'collection'.")
    file: str = Field(description="File inside its library, e.g. oneills1850/0001-0050.abc.")
    x: str = Field(description="X: number of the tune in that file.")
    description: str
    similarity: float = Field(description="Cosine similarity of the query to the description, -1..1.")
    score: float
    why_matched: str


CANDIDATE_POOL = 400  # tunes reranked per search; on the real corpus 400 ranked as well as 1000, 200 worse
_FACETS = ("tune_type", "key", "mode", "meter")
_FACET_CACHE: dict[str, dict[str, dict[str, Any]]] = {}  # store/collection -> id -> facets
_KNOWN_VALUES: dict[tuple[str, int], dict[str, list[str]]] = {}  # (store/collection, count) -> facet values
_STORED_FIELDS = [f for f in Exemplar.model_fields if f in ExemplarRecord.model_fields and f != "description"]
# How much each property a query names and a tune has adds to its cosine similarity. MiniLM similarities
# of the candidates spread over ~0.1-0.2 (titles differ), so a named type, key or mode decides the order.
# A named key ("A minor") is one idea: tonic and mode together earn `key` on top of their own bonuses,
# so A minor outranks A mixolydian, which shares only the tonic.
HINT_BONUS = {"tune_type": 0.2, "key": 0.08, "mode": 0.08, "meter": 0.06, "key and mode": 0.1}
_STOPWORDS = frozenset("a an the in of for and with to me some something like tune tunes piece by on".split())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9/#']+", text.lower()) if w not in _STOPWORDS}


def _where(filters: dict[str, str]) -> dict[str, Any] | None:
    """A Chroma `where` clause requiring every field = value."""
    clauses = [{field: value} for field, value in filters.items()]
    if len(clauses) <= 1:
        return clauses[0] if clauses else None
    return {"$and": clauses}


def _facets(collection, tune_ids: list[str]) -> dict[str, dict[str, Any]]:
    """id -> the properties reranking reads (type, key, mode, meter), cached for the process.

    Reranking hundreds of candidates needs only these few fields; fetching each candidate's whole
    metadata (its ABC included) on every search cost more than the search. Ids hash the tune's
    content, so a cached entry never goes stale: a changed tune has a new id.
    """
    cache = _FACET_CACHE.setdefault(f"{store_location()}/{collection.name}", {})
    missing = [tune_id for tune_id in tune_ids if tune_id not in cache]
    if missing:
        found = collection.get(ids=missing, include=["metadatas"])
        for tune_id, meta in zip(found["ids"], found["metadatas"]):
            cache[tune_id] = {field: meta.get(field) for field in _FACETS}
    return cache


def _check_filter_values(collection, filters: dict[str, str]) -> None:
    """Raise ValueError for a filter value the library does not hold, listing the values it does.

    The values are read once per library size and process: the agent relaxes filters one by one.
    """
    cache_key = (f"{store_location()}/{collection.name}", collection.count())
    if cache_key not in _KNOWN_VALUES:
        rows = all_metadata()
        _KNOWN_VALUES[cache_key] = {
            field: sorted({str(r[field]) for r in rows if r.get(field) is not None}) for field in _FACETS
        }
    for field, value in filters.items():
        known = _KNOWN_VALUES[cache_key][field]
        if value not in known:
            raise ValueError(f"{field}={value!r} is not in the exemplar library; valid values: {', '.join(known)}")


def _hint_bonus(facets: dict[str, Any], filters: dict[str, str], hints: dict[str, str]) -> tuple[float, list[str]]:
    """The rank bonus a tune earns for having what the query names, and the properties it matched."""
    bonus, met = 0.0, []
    for field, value in hints.items():
        if field not in filters and facets.get(field) == value:
            bonus += HINT_BONUS[field]
            met.append(f"{field} {value}")
    if {"key", "mode"} <= hints.keys() and {f"key {hints['key']}", f"mode {hints['mode']}"} <= set(met):
        bonus += HINT_BONUS["key and mode"]
    return bonus, met


def _why(meta: dict[str, Any], description: str, filters: dict[str, str], hints: dict[str, str], query: str) -> str:
    """The sentence that explains a tune's place in the results."""
    reasons = []
    if filters:
        reasons.append("meets filters " + ", ".join(f"{k}={v}" for k, v in filters.items()))
    _, met = _hint_bonus(meta, filters, hints)
    if met:
        reasons.append("has the " + ", ".join(met) + " the query names")
    if meta.get("tune_type_from") == "collection":
        reasons.append(f"type '{meta.get('tune_type')}' is the collection's, not the tune's own")
    shared = sorted(_words(query) & _words(description))
    if shared:
        reasons.append("description shares: " + ", ".join(shared))
    return "; ".join(reasons) or "nearest description in meaning"


def query_library(
    query: str,
    *,
    filters: dict[str, str] | None = None,
    hints: dict[str, str] | None = None,
    k: int = 5,
) -> list[Exemplar]:
    """The k tunes best matching `query` among those whose metadata equal `filters`, ranked up where they
    have what `hints` name. Both map fields (tune_type, key, mode, meter) to stored values ("D", "6/8").

    Raises ValueError for a filter value the library does not hold (naming the values it does) and
    StoreError when there is no library yet (the message says to run `tunesmith index`).
    """
    if not query or not query.strip():
        raise ValueError("query is empty; describe the tune, e.g. 'a lively jig in D major'")
    if not 1 <= k <= 100:
        raise ValueError(f"k={k} must be between 1 and 100")
    filters, hints = dict(filters or {}), dict(hints or {})
    unknown = (filters.keys() | hints.keys()) - set(_FACETS)
    if unknown:
        raise ValueError(f"cannot filter or rank by {', '.join(sorted(unknown))}; use {', '.join(_FACETS)}")
    collection = open_collection(COLLECTION, create=False)
    total = collection.count()
    if total == 0:
        raise StoreError("the exemplar library is empty.", fix="run `tunesmith index` to build it.")
    # Rerank a wide pool: tunes with the type, key, mode or meter the query names move up past
    # near-misses closer in wording. The wide pool also raises HNSW's search breadth (ef = n_results):
    # at Chroma's default of 100, whole small clusters (all 29 Josquin pieces) went unfound.
    pool = min(total, max(8 * k, CANDIDATE_POOL))
    nearest = collection.query(
        query_embeddings=[encode([query])[0].tolist()], n_results=pool, where=_where(filters), include=["distances"]
    )
    tune_ids, distances = nearest["ids"][0], nearest["distances"][0]
    if not tune_ids:
        if filters:
            _check_filter_values(collection, filters)
        return []
    facets = _facets(collection, tune_ids)
    ranked = sorted(
        ((1.0 - distance + _hint_bonus(facets.get(tune_id, {}), filters, hints)[0], 1.0 - distance, tune_id)
         for tune_id, distance in zip(tune_ids, distances)),
        reverse=True,
    )[:k]
    chosen = collection.get(ids=[tune_id for _, _, tune_id in ranked], include=["metadatas", "documents"])
    stored = {tune_id: (meta, text) for tune_id, meta, text in zip(chosen["ids"], chosen["metadatas"], chosen["documents"])}
    results = []
    for score, similarity, tune_id in ranked:
        if tune_id not in stored:  # deleted by an index run since the query
            continue
        meta, description = stored[tune_id]
        results.append(
            Exemplar(
                **{field: meta[field] for field in _STORED_FIELDS if field in meta},
                id=tune_id, description=description, similarity=round(similarity, 4), score=round(score, 4),
                why_matched=_why(meta, description, filters, hints, query),
            )
        )
    return results


def library_checks() -> list[BackendStatus]:
    """Doctor rows: the store opens, and how many tunes the exemplar library holds."""
    from tunesmith.settings import BackendStatus

    where = store_location()
    try:
        client = open_client(create=False)
        names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    except StoreError as exc:
        fix = "tunesmith index" if "no library" in str(exc) else "tunesmith index --rebuild"
        return [BackendStatus("chroma store", False, str(exc), fix)]
    rows = [BackendStatus("chroma store", True, f"{where} ({', '.join(sorted(names)) or 'no collections'})")]
    if COLLECTION not in names:
        rows.append(BackendStatus("exemplar library", False, f"no '{COLLECTION}' collection at {where}", "tunesmith index"))
    else:
        try:
            count = open_collection(COLLECTION, create=False).count()
        except StoreError as exc:
            return rows + [BackendStatus("exemplar library", False, str(exc), "tunesmith index --rebuild")]
        rows.append(
            BackendStatus("exemplar library", count > 0, f"{count} tunes", "" if count else "tunesmith index")
        )
    return rows
