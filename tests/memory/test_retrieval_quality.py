"""Retrieval quality on real tunes: ask as a user would, check what the library hands back."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.exemplar_sample import use_sample_library

from benchmarks.retrieval_bench import is_relevant, load_cases, retrieval_quality
from tunesmith.memory.exemplars import all_metadata
from tunesmith.tools.corpus.search import search_exemplars

CASES = load_cases()


@pytest.fixture
def library(monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_sample_library(monkeypatch)


def test_the_test_set_has_30_queries_each_answerable_from_the_sample_library(library: Path) -> None:
    tunes = all_metadata()
    unanswerable = [c["query"] for c in CASES if not any(is_relevant(t, c["expect"]) for t in tunes)]
    assert len(CASES) >= 30
    assert unanswerable == []


@pytest.mark.slow
def test_top_5_results_match_what_the_request_names(library: Path) -> None:
    quality = retrieval_quality(CASES, k=5)
    # Measured on this sample library: hit rate 1.00, precision 0.98; plain cosine 0.92, 0.79.
    # The floors sit a little below, to catch regressions rather than noise.
    assert quality["hit_rate"] >= 0.95, quality
    assert quality["precision"] >= 0.9, quality
    # Reranking by the type, key and mode the request names must clearly beat plain cosine search.
    assert quality["precision"] >= quality["semantic_precision"] + 0.1, quality

def test_a_slow_air_in_a_minor_brings_airs_in_a_minor_first(library: Path) -> None:
    results = search_exemplars("a slow air in A minor", k=5)
    assert [(r.tune_type, r.key, r.mode) for r in results[:2]] == [("air", "A", "minor")] * 2
    assert "tune_type air, key A, mode minor the query names" in results[0].why_matched
