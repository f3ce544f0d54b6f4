"""Read ABC collections into exemplar records and index them: music21's corpus or the user's folders.

music21 ships ~13,000 real tunes as ABC: Ryan's Mammoth Collection, O'Neill's Music of Ireland,
Aird's Airs, the Essen Folksong Collection, the Nottingham Music Database and a few more. Every tune
is read with `tools.abc` (the product's one ABC parser, once per tune) and described in words for the
embedding. Files are split into tunes first and each tune's id computed, so tunes the library already
holds are never parsed; new ones are parsed and embedded in worker processes, one per core.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.memory.exemplar_index import IndexReport, LibraryWriter, SkippedTune
from tunesmith.memory.exemplars import ExemplarRecord, record_id
from tunesmith.tools.corpus.labels import (
    describe_tune,
    direction,
    key_and_mode,
    meter_fraction,
    origin_of,
    tune_type_of,
)

if TYPE_CHECKING:
    import numpy as np

MUSIC21_LIBRARY = "music21"
READER_VERSION = 2  # raise when records come out differently (tools.corpus.labels): the next index replaces them

# music21 corpus folder -> (collection name, who the tunes are from, tune type when a tune names none).
# Aird's is "A Selection of Scotch, English, Irish and Foreign Airs"; Essen is folk *song*.
COLLECTIONS: dict[str, tuple[str, str | None, str | None]] = {
    "ryansMammoth": ("Ryan's Mammoth Collection", "Irish, Scottish and American", None),
    # O'Neill's marks its dances with R:; the tunes without one are its airs (first part of the book).
    "oneills1850": ("O'Neill's Music of Ireland", "Irish", "air"),
    "airdsAirs": ("Aird's Airs", "Scottish", "air"),
    "essenFolksong": ("Essen Folksong Collection", None, "song"),
    "nottingham-dataset": ("Nottingham Music Database", "English", None),
    "miscFolk": ("Miscellaneous folk tunes", None, None),
    "josquin": ("Josquin des Prez", "Franco-Flemish Renaissance", "song"),
}


def music21_corpus_folder() -> Path:
    """The folder of music21's shipped corpus, found without importing music21 (a second of CPU)."""
    import importlib.util

    spec = importlib.util.find_spec("music21")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("music21 is not installed, so its corpus cannot be indexed; pip install music21")
    return Path(list(spec.submodule_search_locations)[0]) / "corpus"


def music21_abc_files() -> list[tuple[Path, str]]:
    """Every ABC file in music21's corpus, with its path relative to the corpus folder."""
    root = music21_corpus_folder()
    return [(f, f.relative_to(root).as_posix()) for f in sorted(root.rglob("*.abc")) if f.is_file()]


def user_abc_files(source: Path) -> list[tuple[Path, str]]:
    """The .abc files of a user's folder (recursively) or a single .abc file, with relative names."""
    source = Path(source).expanduser()
    if source.is_file():
        if source.suffix.lower() != ".abc":
            raise ValueError(f"{source} is not an .abc file; give .abc files or folders holding them")
        return [(source, source.name)]
    if not source.is_dir():
        raise ValueError(f"{source} does not exist; give .abc files or folders holding them")
    return [(f, f.relative_to(source).as_posix()) for f in sorted(source.rglob("*.abc")) if f.is_file()]


def _read_text(path: Path) -> str:
    """A file's text: UTF-8, or Latin-1 when it is not valid UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # older collections are Latin-1
        return data.decode("latin-1")


def _file_tunes(text: str) -> list[str]:
    """The tunes of a file; files beyond `split_tunes`' size limit go to it in pieces cut at X: lines."""
    from tunesmith.tools.abc import MAX_ABC_CHARS, split_tunes

    starts = [m.start() for m in re.finditer(r"^X:", text, re.M)] + [len(text)]
    pieces, begin = [], 0
    for start, end in zip(starts, starts[1:]):
        if end - begin > MAX_ABC_CHARS and start > begin:
            pieces.append(text[begin:start])
            begin = start
    pieces.append(text[begin:])
    tunes = []
    for piece in pieces:
        if len(piece) > MAX_ABC_CHARS:  # one tune alone is too long for the parser: passed on to be skipped
            tunes.append(piece)
        elif piece.strip():
            tunes += split_tunes(piece)
    return tunes


@dataclass(frozen=True)
class AbcFile:
    """One file to index, with what the library knows about the collection it belongs to."""

    path: Path
    relative: str  # path inside the library, part of every tune's id
    library: str  # 'music21' or the resolved folder given
    source: str  # collection name
    origin: str | None
    default_type: str | None


@dataclass(frozen=True)
class TuneText:
    """One tune of a file before parsing: enough to know its record id, and to parse it later."""

    file: AbcFile
    x: str  # the X: number as written, or the tune's place in the file when it has none
    abc: str  # as the record keeps it: stripped, one final newline

    @property
    def id(self) -> str:
        return record_id(READER_VERSION, self.file.library, self.file.relative, self.x, self.abc)


_X_FIELD = re.compile(r"X:[ \t]*([^\n%]*)")


def file_tunes(abc_file: AbcFile) -> Iterator[TuneText | SkippedTune]:
    """The tunes of a file, split but not parsed, or a SkippedTune when the file cannot be read."""
    try:
        tunes = _file_tunes(_read_text(abc_file.path))
    except OSError as exc:
        yield SkippedTune(file=abc_file.relative, x="-", reason=f"cannot read the file ({exc.strerror or exc})")
        return
    for position, abc in enumerate(tunes, start=1):
        written = _X_FIELD.match(abc)  # split_tunes starts every tune at its X: line
        x = (written[1].strip() if written else "") or str(position)
        yield TuneText(abc_file, x, abc.strip() + "\n")


def tune_record(tune: TuneText) -> ExemplarRecord | SkippedTune:
    """The record of one tune (parsed once), or a SkippedTune saying why it cannot be one."""
    from tunesmith.tools.abc import analyse, bar_count, parsed_tune

    source = tune.file
    try:
        parsed = parsed_tune(tune.abc)
        analysis = analyse(parsed, bar_count(parsed))
    except ValueError as exc:  # AbcError: too long, several tunes, or not ABC at all
        return SkippedTune(file=source.relative, x=tune.x, reason=str(exc)[:200])
    headers = parsed.headers
    if "K" not in headers or analysis.notes == 0:
        reason = "no K: field" if "K" not in headers else "no notes"
        return SkippedTune(file=source.relative, x=tune.x, reason=f"{reason}; an exemplar needs a key and music")
    kind, kind_from = tune_type_of(headers, analysis.title, source.default_type)
    key, mode, key_from = key_and_mode(headers["K"], analysis)
    meter = meter_fraction(analysis.meter)
    if kind == "jig" and meter == "9/8":  # a jig in 9/8 is a slip jig
        kind = "slip jig"
    fields = {
        "title": analysis.title or f"{source.source} X:{tune.x}",
        "abc": tune.abc,
        "key": key,
        "mode": mode,
        "key_from": key_from,
        "meter": meter,
        "unit_length": analysis.unit_length,
        "tempo_bpm": analysis.tempo_bpm,
        "direction": direction(headers),
        "tune_type": kind,
        "tune_type_from": kind_from,
        "bars": analysis.bars,
        "lowest": analysis.lowest,
        "highest": analysis.highest,
        "origin": origin_of(headers, source.origin),
        "source": source.source,
        "library": source.library,
        "file": source.relative,
        "x": tune.x,
    }
    return ExemplarRecord(**fields, description=describe_tune(fields), reader_version=READER_VERSION)


def tune_records(
    path: Path, relative: str, *, library: str, source: str, origin: str | None, default_type: str | None
) -> Iterator[ExemplarRecord | SkippedTune]:
    """One record per tune in an ABC file, or a SkippedTune saying why a tune (or the file) could not be read."""
    for tune in file_tunes(AbcFile(path, relative, library, source, origin, default_type)):
        yield tune if isinstance(tune, SkippedTune) else tune_record(tune)


def _abc_files(sources: Sequence[Path] | None) -> tuple[list[str], list[AbcFile]]:
    """The library labels and every file to read from them."""
    if sources is None:
        files = []
        for path, relative in music21_abc_files():
            folder = relative.split("/")[0] if "/" in relative else ""
            name, origin, default_type = COLLECTIONS.get(folder, (folder or "music21 corpus", None, None))
            files.append(AbcFile(path, relative, MUSIC21_LIBRARY, name, origin, default_type))
        return [MUSIC21_LIBRARY], files
    labels, files = [], []
    for source in sources:
        label = str(Path(source).expanduser().resolve())
        name = Path(label).stem if Path(label).is_file() else Path(label).name
        labels.append(label)
        files += [AbcFile(p, rel, label, name, None, None) for p, rel in user_abc_files(Path(source))]
    return labels, files


def _round_robin(streams: list[Iterator]) -> Iterator:
    """One item from each stream in turn until all are used up."""
    streams = list(streams)
    while streams:
        for stream in list(streams):
            item = next(stream, None)
            if item is None:
                streams.remove(stream)
            else:
                yield item


def _interleaved(files: list[AbcFile]) -> Iterator[TuneText | SkippedTune]:
    """Tunes taken in turn from each collection, and within it from each file, so that the first N
    (a `limit`) sample every collection and every part of it: O'Neill's airs and its reels alike."""
    collections: dict[str, list[AbcFile]] = {}
    for abc_file in files:
        collections.setdefault(f"{abc_file.library}/{abc_file.source}", []).append(abc_file)
    return _round_robin([_round_robin([file_tunes(f) for f in group]) for group in collections.values()])


def embedded_records(tunes: list[TuneText], bulk: bool = False) -> tuple[list[ExemplarRecord | SkippedTune], np.ndarray]:
    """Parse tunes into records and embed their descriptions (one worker's share of an index build).

    Returns the records (and skipped tunes) in order, and a (records, 384) array of unit vectors.
    `bulk` embeds with the encoder fastest on thousands of texts (it costs seconds to load).
    """
    from tunesmith.memory.embedder import encode, encode_bulk

    results = [tune_record(tune) for tune in tunes]
    texts = [r.description for r in results if isinstance(r, ExemplarRecord)]
    return results, (encode_bulk if bulk else encode)(texts)


def _worker_start() -> None:
    """A parse-and-embed worker leaves the CPU's other cores to the other workers."""
    os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = "1"


def build_index(
    sources: Sequence[Path] | None = None, *, rebuild: bool = False, limit: int | None = None, progress: bool = True
) -> IndexReport:
    """Index music21's corpus (sources=None) or the given .abc files/folders into the exemplar library.

    Idempotent and incremental: tunes already in the library are recognised by their id before they are
    parsed. New tunes are parsed and embedded in parallel, one worker per core, and written in large
    batches. `limit` reads only N tunes, taken in turn from each collection, and then deletes nothing
    (an unread tune is not a removed one). Raises ValueError for a source that is not an .abc file or
    folder, StoreError for a broken store.
    """
    from tqdm import tqdm

    if limit is not None and limit < 1:
        raise ValueError(f"limit={limit} must be a positive number of tunes")
    labels, files = _abc_files(sources)
    writer = LibraryWriter(labels, rebuild=rebuild)
    seen: dict[str, TuneText] = {}
    skipped: list[SkippedTune] = []
    for tune in islice(_interleaved(files), limit):
        if isinstance(tune, SkippedTune):
            skipped.append(tune)
        else:
            seen.setdefault(tune.id, tune)  # the same tune twice in one file: keep one
    pending = [tune for tune_id, tune in seen.items() if tune_id not in writer.existing]
    writer.expect(len(pending))
    chunks = [pending[start:start + PARSE_CHUNK] for start in range(0, len(pending), PARSE_CHUNK)]
    workers = min(os.cpu_count() or 1, len(chunks)) if len(pending) >= PARALLEL_FROM else 1
    bulk = len(pending) >= BULK_FROM * workers
    bar = tqdm(total=len(pending), unit="tune", desc="indexing tunes", disable=not progress or not pending, leave=False)
    with bar:
        for chunk, (results, vectors) in zip(chunks, _parsed_chunks(chunks, workers, bulk)):
            for tune, result in zip(chunk, results):
                if isinstance(result, SkippedTune):
                    skipped.append(result)
                    del seen[tune.id]  # read, but not a tune the library can hold
            writer.add([r for r in results if isinstance(r, ExemplarRecord)], vectors)
            bar.update(len(results))
    return writer.finish(seen=set(seen), skipped=skipped, complete=limit is None)


PARSE_CHUNK = 256  # tunes per job a worker parses and embeds
PARALLEL_FROM = 1500  # new tunes from which worker processes pay for their start (about a second each)
BULK_FROM = 2000  # new tunes per worker from which the bulk encoder pays for its load


def _parsed_chunks(chunks: list[list[TuneText]], workers: int, bulk: bool):
    """(records, vectors) per chunk, in order: in this process, or in `workers` spawned processes."""
    if workers <= 1:
        for chunk in chunks:
            yield embedded_records(chunk, bulk)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: the parent holds Chroma's and the tokenizer's threads, which a fork would copy mid-state.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start) as pool:
        yield from pool.map(embedded_records, chunks, [bulk] * len(chunks))
