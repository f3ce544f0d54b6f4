"""The exemplar library: indexing real tunes, idempotence, interruption, filters and errors."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest
from support.exemplar_sample import SAMPLE_TUNES, use_sample_library

from tunesmith.memory.exemplars import library_stats
from tunesmith.tools.corpus.reader import COLLECTIONS, build_index, describe_tune, tune_records
from tunesmith.tools.corpus.search import search_exemplars


@pytest.fixture
def library(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared sample library (SAMPLE_TUNES music21 tunes, indexed once per run)."""
    return use_sample_library(monkeypatch)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_sample_index_holds_tunes_from_every_music21_collection(library: Path) -> None:
    stats = library_stats()
    assert stats.total == SAMPLE_TUNES
    assert set(stats.by_source) == {name for name, _, _ in COLLECTIONS.values()}
    assert stats.store_bytes > 0 and stats.location == str(library)
    assert stats.summary().startswith(f"Library at {library}: {SAMPLE_TUNES} tunes")


def test_a_built_library_keeps_its_search_graph_on_disk_so_a_new_process_does_not_rebuild_it(library: Path) -> None:
    # Chroma writes the HNSW graph only when a run's additions reach its sync threshold; a graph left
    # in the log alone is rebuilt by every process that opens the library (seconds per compose).
    with closing(sqlite3.connect(library / "chroma.sqlite3")) as store:
        [(segment,)] = store.execute("SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
                                     "WHERE c.name = 'exemplars' AND s.scope = 'VECTOR'").fetchall()
    assert (library / segment / "data_level0.bin").is_file()
    assert (library / segment / "index_metadata.pickle").is_file()


def test_a_tune_comes_back_with_its_abc_and_metadata(library: Path) -> None:
    [best, *_] = search_exemplars("Cuckoo's Nest", k=3)
    assert best.title == "Cuckoo's Nest"
    assert best.source == "Nottingham Music Database"
    assert (best.key, best.mode, best.meter) == ("D", "major", "4/4")
    assert best.abc.startswith("X: 80") and "K:D" in best.abc
    assert best.lowest is not None and best.lowest < best.highest


def test_reindexing_the_same_tunes_adds_nothing(library: Path) -> None:
    report = build_index(limit=SAMPLE_TUNES, progress=False)
    assert (report.added, report.unchanged, report.removed, report.total) == (0, SAMPLE_TUNES, 0, SAMPLE_TUNES)
    assert f"0 added, {SAMPLE_TUNES} unchanged, 0 removed" in report.summary()


def test_filters_restrict_results_to_jigs_in_6_8(library: Path) -> None:
    results = search_exemplars("a dance tune for the fiddle", tune_type="jig", meter="6/8", k=5)
    assert results and all(r.tune_type == "jig" and r.meter == "6/8" for r in results)
    assert results[0].why_matched.startswith("meets filters meter=6/8, tune_type=jig")


def test_key_filter_accepts_a_key_name_with_its_mode(library: Path) -> None:
    results = search_exemplars("a tune", key="Am", k=3)
    assert results and all((r.key, r.mode) == ("A", "minor") for r in results)


def test_query_that_names_type_and_key_ranks_those_tunes_first(library: Path) -> None:
    [best, *_] = search_exemplars("a reel in D major", k=5)
    assert (best.tune_type, best.key, best.mode) == ("reel", "D", "major")
    assert "tune_type reel" in best.why_matched and "key D" in best.why_matched


def test_unknown_filter_values_list_the_valid_ones(library: Path) -> None:
    with pytest.raises(ValueError, match=r"tune_type='tango' is not in the exemplar library; valid values: .*reel"):
        search_exemplars("a dance", tune_type="tango")
    with pytest.raises(ValueError, match=r"mode='happy' is not a mode; valid modes: major, minor"):
        search_exemplars("a dance", mode="happy")
    with pytest.raises(ValueError, match=r"meter='fast' is not a meter"):
        search_exemplars("a dance", meter="fast")
    with pytest.raises(ValueError, match=r"key='H' is not a key"):
        search_exemplars("a dance", key="H")


def test_user_folder_is_indexed_incrementally_and_removed_tunes_are_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "my tunes"
    _write(folder, "set1.abc", """
        X:1
        T:Kitchen Reel
        R:reel
        M:4/4
        L:1/8
        K:G
        GABc dBGB|cABG FGAF|GABc dBGB|cAFA G4|]

        X:2
        T:Parlour Waltz
        M:3/4
        L:1/4
        K:F
        F A c|B G E|F3|]
        """)
    _write(folder, "sub/air.abc", """
        X:1
        T:Shore Lament
        M:4/4
        L:1/4
        K:Em
        E G B2|A F E2|]
        """)
    build_index(limit=5, progress=False)  # some music21 tunes in the same store
    first = build_index([folder], progress=False)
    assert (first.added, first.total) == (3, 8)
    assert {r.title for r in search_exemplars("waltz", k=8) if r.source == "my tunes"} == {
        "Kitchen Reel", "Parlour Waltz", "Shore Lament"}

    (folder / "sub" / "air.abc").unlink()
    set1 = folder / "set1.abc"
    set1.write_text(set1.read_text().replace("K:F", "K:Bb"))
    second = build_index([folder], progress=False)
    assert (second.added, second.unchanged, second.removed) == (1, 1, 2)
    assert second.total == 7  # the 5 music21 tunes were not touched
    [waltz] = [r for r in search_exemplars("Parlour Waltz", k=3) if r.title == "Parlour Waltz"]
    assert waltz.key == "Bb" and waltz.tune_type == "waltz"


def test_indexing_killed_mid_way_leaves_a_usable_store_and_resumes_without_duplicates(tmp_path: Path) -> None:
    from tunesmith.settings import get_settings

    total = 120
    # The child indexes in batches of 30 and SIGKILLs itself while writing the third batch (the
    # fourth waits, so the kill lands before it).
    child = textwrap.dedent(f"""
        import os, signal, sys, threading, time
        import tunesmith.memory.exemplar_index as index
        from chromadb.api.models.Collection import Collection
        index.BATCH_SIZE = 30
        real_upsert, calls = Collection.upsert, []
        def upsert(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                threading.Timer(0.0, os.kill, (os.getpid(), signal.SIGKILL)).start()
            if len(calls) == 4:
                time.sleep(30)
            return real_upsert(self, *args, **kwargs)
        Collection.upsert = upsert
        from tunesmith.tools.corpus.reader import build_index
        build_index(limit={total}, progress=False)
        print("finished without being killed")
        """)
    run = subprocess.run([sys.executable, "-c", child], env=os.environ.copy(), capture_output=True, text=True, timeout=300)
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]

    get_settings.cache_clear()
    from tunesmith.memory.store import open_collection

    survived = open_collection("exemplars", create=False).count()
    assert survived in (60, 90)  # whole batches only
    resumed = build_index(limit=total, progress=False)
    assert (resumed.unchanged, resumed.added, resumed.total) == (survived, total - survived, total)
    assert len(search_exemplars("a reel", k=10)) == 10


def test_rebuild_starts_the_library_afresh(tmp_path: Path) -> None:
    build_index(limit=12, progress=False)
    report = build_index(limit=5, rebuild=True, progress=False)
    assert report.rebuilt and (report.added, report.total) == (5, 5)


def test_bad_sources_and_limits_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"nowhere does not exist"):
        build_index([tmp_path / "nowhere"], progress=False)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"not an \.abc file"):
        build_index([tmp_path / "notes.txt"], progress=False)
    with pytest.raises(ValueError, match="limit=0"):
        build_index(limit=0, progress=False)


def test_unreadable_tunes_are_skipped_and_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "mixed.abc", """
        X:1
        T:Good Jig
        M:6/8
        L:1/8
        K:D
        DFA dAF|GBd gdB|]

        X:2
        T:Just words
        """)
    report = build_index([path], progress=False)
    assert (report.added, report.skipped) == (1, 1)
    assert report.skip_reasons[0].startswith("mixed.abc X:2")
    assert "skipped mixed.abc X:2: no K: field" in report.summary()


def test_tune_type_comes_from_r_field_title_or_collection_and_says_which(tmp_path: Path) -> None:
    path = _write(tmp_path, "types.abc", """
        X:1
        T:The Butterfly
        R:slip jig
        O:Irland
        N:"Lively"
        M:9/8
        L:1/8
        K:Edor
        B2E G2E F2E|B2E G2E FED|]

        X:2
        T:Farewell to Whisky -- Hornpipe
        M:4/4
        L:1/8
        K:A
        A2 cA eAcA|B2 dB fBdB|]

        X:3
        T:Schlaf Kindlein
        R:Kinder -, Wiegen - Lied
        M:3/4
        L:1/4
        K:G
        G2 A|B2 G|]
        """)
    records = list(tune_records(path, "types.abc", library="t", source="test", origin=None, default_type="air"))
    slip, hornpipe, lullaby = records
    assert (slip.tune_type, slip.tune_type_from, slip.origin, slip.mode) == ("slip jig", "R: field", "Irish", "dorian")
    assert slip.description.startswith("A lively slip jig in E dorian, modal, 9/8 compound triple time, Irish dance tune")
    assert (hornpipe.tune_type, hornpipe.tune_type_from) == ("hornpipe", "title")
    assert (lullaby.tune_type, lullaby.tune_type_from) == ("lullaby", "R: field")
    assert "gentle, soothing lullaby in G major" in describe_tune(lullaby.model_dump())


def test_bare_k_tonic_takes_its_mode_from_the_notes_and_says_so(tmp_path: Path) -> None:
    # Essen style: K: names the final (G), the minor third is written as an accidental.
    path = _write(tmp_path, "essen.abc", """
        X:1
        T:Trauerlied
        M:4/4
        L:1/8
        K:G
        G2_B2 d2_B2|c2A2 =F2A2|G2_B2 d2g2|=f2d2 _B2G2|_e2d2 c2A2|_B2A2 G2^F2|G8|]

        X:2
        T:Same notes, mode written out
        M:4/4
        L:1/8
        K:Gmix
        G2_B2 d2_B2|c2A2 =F2A2|G2_B2 d2g2|=f2d2 _B2G2|_e2d2 c2A2|_B2A2 G2^F2|G8|]
        """)
    bare, written = tune_records(path, "essen.abc", library="t", source="test", origin=None, default_type=None)
    assert (bare.key, bare.mode, bare.key_from) == ("G", "minor", "K: tonic, mode from the notes")
    assert (written.key, written.mode, written.key_from) == ("G", "mixolydian", "K: field")


def test_a_tunes_id_is_known_before_it_is_parsed(tmp_path: Path) -> None:
    from tunesmith.tools.corpus.reader import AbcFile, file_tunes, tune_record

    path = _write(tmp_path, "two.abc", """
        X: 7 % a comment after the number
        T:Seven
        M:6/8
        L:1/8
        K:D
        DFA dAF|]

        T:No X line before this one? It follows X:7, so it is part of it.
        X:
        T:Empty X
        M:3/4
        K:G
        G2 B2 d2|]
        """)
    tunes = list(file_tunes(AbcFile(path, "two.abc", "lib", "test", None, None)))
    assert [t.x for t in tunes] == ["7", "2"]
    assert [t.id for t in tunes] == [tune_record(t).id for t in tunes]


def test_indexing_again_parses_no_tune_it_already_holds(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tunesmith.tools.corpus.reader as reader

    def parse(tune):
        raise AssertionError(f"{tune.file.relative} X:{tune.x} was parsed again")

    monkeypatch.setattr(reader, "tune_record", parse)
    report = build_index(limit=SAMPLE_TUNES, progress=False)
    assert (report.added, report.unchanged) == (0, SAMPLE_TUNES)


def test_tunes_parsed_and_embedded_by_worker_processes_make_the_same_library(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    import tunesmith.tools.corpus.reader as reader
    from tunesmith.memory.exemplars import COLLECTION
    from tunesmith.memory.store import open_collection
    from tunesmith.settings import get_settings

    libraries = {}
    for label, parallel_from in (("here", 10_000), ("workers", 10)):
        monkeypatch.setenv("TUNESMITH_CHROMA_PATH", str(tmp_path / label))
        get_settings.cache_clear()
        monkeypatch.setattr(reader, "PARALLEL_FROM", parallel_from)
        monkeypatch.setattr(reader, "PARSE_CHUNK", 16)
        assert build_index(limit=60, progress=False).added == 60
        stored = open_collection(COLLECTION, create=False).get(include=["embeddings", "documents"])
        libraries[label] = dict(zip(stored["ids"], zip(stored["documents"], stored["embeddings"])))
    assert libraries["here"].keys() == libraries["workers"].keys()
    for tune_id, (document, vector) in libraries["here"].items():
        assert libraries["workers"][tune_id][0] == document
        assert np.allclose(libraries["workers"][tune_id][1], vector, atol=1e-5)
