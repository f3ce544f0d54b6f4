"""Exemplar retrieval speed: index build throughput and query latency, real corpus and 100,000 entries.

    .venv/bin/python benchmarks/retrieval_bench.py                 # full music21 corpus, temp store
    .venv/bin/python benchmarks/retrieval_bench.py --limit 2000 --synthetic 20000   # quicker
    .venv/bin/python benchmarks/retrieval_bench.py --store DIR --no-build          # latency of a built store

Prints: build count / seconds / tunes per second / store size; then, per library, p50 and p95 of
`search_exemplars` (query embedding + Chroma HNSW + rerank) and, as the baseline measured in the same
run, exact brute-force cosine search with numpy over every stored vector. The synthetic library is the
real tunes' vectors repeated with small noise (renormalised) and their metadata, so its neighbourhoods
look like real ones without embedding 100,000 texts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout: suites and test data
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _use_store(path: Path) -> None:
    from tunesmith.settings import get_settings

    os.environ["TUNESMITH_CHROMA_PATH"] = str(path)
    get_settings.cache_clear()


QUERIES_FILE = ROOT / "tests" / "data" / "retrieval_queries.yaml"


def load_cases() -> list[dict]:
    """The retrieval test set: [{'query': str, 'expect': {field: [accepted values]}}]."""
    import yaml

    return yaml.safe_load(QUERIES_FILE.read_text())


def is_relevant(tune: dict, expect: dict[str, list]) -> bool:
    """True when every expected field of the tune holds one of the accepted values."""
    return all(str(tune.get(field)) in {str(v) for v in accepted} for field, accepted in expect.items())


def retrieval_quality(cases: list[dict], k: int = 5) -> dict[str, float]:
    """Hit rate (a relevant tune in the top k) and mean precision at k (out of the relevant tunes the
    library holds, at most k) of `search_exemplars`, and of plain Chroma cosine search as the baseline."""
    from tunesmith.memory.embedder import encode
    from tunesmith.memory.exemplars import COLLECTION, all_metadata
    from tunesmith.memory.store import open_collection
    from tunesmith.tools.corpus import search_exemplars

    collection = open_collection(COLLECTION, create=False)
    library = all_metadata()
    totals = {"hit_rate": 0.0, "precision": 0.0, "semantic_hit_rate": 0.0, "semantic_precision": 0.0}
    for case in cases:
        # Precision counts against what the library can give: one Cuckoo's Nest makes 1/1, not 1/5.
        reachable = min(k, sum(is_relevant(t, case["expect"]) for t in library)) or k
        hybrid = [r.model_dump() for r in search_exemplars(case["query"], k=k)]
        plain = collection.query(query_embeddings=[encode([case["query"]])[0].tolist()], n_results=k,
                                 include=["metadatas"])["metadatas"][0]
        for prefix, found in (("", hybrid), ("semantic_", plain)):
            relevant = [is_relevant(tune, case["expect"]) for tune in found]
            totals[f"{prefix}hit_rate"] += any(relevant)
            totals[f"{prefix}precision"] += sum(relevant) / reachable
    return {name: value / len(cases) for name, value in totals.items()}


def _percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _latency(queries: list[str], repeats: int) -> dict[str, tuple[float, float]]:
    """p50/p95 in ms: the query embedding alone, the full search, and the baseline: exact brute-force
    cosine over every stored vector (same embedding, then numpy)."""
    import numpy as np

    from tunesmith.memory.embedder import encode
    from tunesmith.memory.exemplars import COLLECTION
    from tunesmith.memory.store import open_collection
    from tunesmith.tools.corpus import search_exemplars

    collection = open_collection(COLLECTION, create=False)
    stored = []
    for offset in range(0, collection.count(), 5000):
        stored.append(np.asarray(collection.get(include=["embeddings"], limit=5000, offset=offset)["embeddings"]))
    matrix = np.vstack(stored).astype(np.float32)
    search_exemplars(queries[0], k=5)  # warm: model loaded, HNSW in memory
    embed, full, brute = [], [], []
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            vector = encode([query])[0]
            embed.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            search_exemplars(query, k=5)
            full.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            vector = encode([query])[0]
            np.argpartition(-(matrix @ vector), 40)[:40]
            brute.append((time.perf_counter() - started) * 1000)
    return {
        "query embedding alone": _percentiles(embed),
        "search_exemplars": _percentiles(full),
        "brute-force exact (numpy)": _percentiles(brute),
    }


def _synthetic_library(source: Path, target: Path, size: int) -> float:
    """Fill `target` with `size` entries cloned from the real library; returns seconds taken."""
    import numpy as np

    from tunesmith.memory.exemplars import COLLECTION
    from tunesmith.memory.store import open_client, open_collection

    _use_store(source)
    real = open_collection(COLLECTION, create=False)
    data = real.get(include=["embeddings", "metadatas", "documents"])
    vectors = np.asarray(data["embeddings"], dtype=np.float32)
    _use_store(target)
    client = open_client()
    synthetic = client.get_or_create_collection(COLLECTION, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    for start in range(0, size, 2000):
        rows = np.arange(start, min(size, start + 2000)) % len(vectors)
        noisy = vectors[rows] + rng.normal(0, 0.02, (len(rows), vectors.shape[1])).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        synthetic.add(
            ids=[f"synthetic-{start + i}" for i in range(len(rows))],
            embeddings=noisy,
            metadatas=[data["metadatas"][r] for r in rows],
            documents=[data["documents"][r] for r in rows],
        )
    return time.perf_counter() - started


def _print_latency(label: str, results: dict[str, tuple[float, float]]) -> None:
    for name, (p50, p95) in results.items():
        print(f"{label}: {name:26s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    ratio = results["brute-force exact (numpy)"][1] / results["search_exemplars"][1]
    print(f"{label}: brute-force p95 / search_exemplars p95 = {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="index only this many corpus tunes")
    parser.add_argument("--synthetic", type=int, default=100_000, help="entries in the synthetic library (0: skip)")
    parser.add_argument("--repeats", type=int, default=3, help="times each test query is run")
    parser.add_argument("--store", type=Path, default=None, help="use this store for the real corpus")
    parser.add_argument("--no-build", action="store_true", help="measure the --store as it is, without indexing")
    parser.add_argument("--synthetic-store", type=Path, default=None, help="reuse a synthetic store made earlier")
    args = parser.parse_args()

    from tunesmith.memory.store import folder_size_bytes
    from tunesmith.tools.corpus import build_index

    work = Path(tempfile.mkdtemp(prefix="retrieval-bench-"))
    real_store = args.store or work / "real"
    _use_store(real_store)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.no_build:
        report = build_index(limit=args.limit, progress=True)
        print(
            f"build_index: {report.total} tunes in library, {report.added} added in {report.seconds:.1f} s "
            f"({report.tunes_per_second:.1f} tunes/s read, parsed, embedded, stored), "
            f"store {report.store_bytes / 1e6:.1f} MB at {real_store}"
        )
    cases = load_cases()
    queries = [case["query"] for case in cases]
    quality = retrieval_quality(cases)
    print(
        f"real corpus: {len(cases)} test queries, hit rate@5 {quality['hit_rate']:.2f}, precision@5 "
        f"{quality['precision']:.2f} (plain cosine: {quality['semantic_hit_rate']:.2f}, {quality['semantic_precision']:.2f})"
    )
    _print_latency("real corpus", _latency(queries, args.repeats))

    if args.synthetic:
        synthetic_store = args.synthetic_store or work / "synthetic"
        if args.synthetic_store is None:
            seconds = _synthetic_library(real_store, synthetic_store, args.synthetic)
            print(f"synthetic library: {args.synthetic} entries added in {seconds:.1f} s "
                  f"({args.synthetic / seconds:.0f} entries/s, vectors given), "
                  f"store {folder_size_bytes(synthetic_store) / 1e6:.1f} MB")
        _use_store(synthetic_store)
        _print_latency(f"synthetic ({args.synthetic})", _latency(queries, args.repeats))


if __name__ == "__main__":
    main()
