"""Read ABC collections into exemplar records and index them: music21's corpus or the user's folders.

music21 ships ~13,000 real tunes as ABC: Ryan's Mammoth Collection, O'Neill's Music of Ireland,
Aird's Airs, the Essen Folksong Collection, the Nottingham Music Database and a few more. Every tune
is read with `tools.abc` (the product's one ABC parser) and described in words for the embedding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from tunesmith.memory.exemplar_index import IndexReport, SkippedTune, index_records
from tunesmith.memory.exemplars import ExemplarRecord
from tunesmith.tools.corpus.labels import (
    describe_tune,
    direction,
    key_and_mode,
    meter_fraction,
    origin_of,
    tune_type_of,
)

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


def music21_abc_files() -> list[tuple[Path, str]]:
    """Every ABC file in music21's corpus, with its path relative to the corpus folder."""
    from music21 import corpus

    files = sorted(Path(p) for p in corpus.getPaths(fileExtensions=["abc"]))
    root = Path(corpus.__file__).parent
    return [(f, f.relative_to(root).as_posix() if f.is_relative_to(root) else f.name) for f in files]


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


def tune_records(
    path: Path, relative: str, *, library: str, source: str, origin: str | None, default_type: str | None
) -> Iterator[ExemplarRecord | SkippedTune]:
    """One record per tune in an ABC file, or a SkippedTune saying why a tune (or the file) could not be read."""
    from tunesmith.tools.abc import analyse_abc, parse_headers

    try:
        tunes = _file_tunes(_read_text(path))
    except OSError as exc:
        yield SkippedTune(file=relative, x="-", reason=f"cannot read the file ({exc.strerror or exc})")
        return
    for position, abc in enumerate(tunes, start=1):
        x = str(position)
        try:
            headers = parse_headers(abc)
            x = (headers.get("X") or x).strip()
            analysis = analyse_abc(abc)
        except ValueError as exc:  # AbcError: too long, or not ABC at all
            yield SkippedTune(file=relative, x=x, reason=str(exc)[:200])
            continue
        if "K" not in headers or analysis.notes == 0:
            reason = "no K: field" if "K" not in headers else "no notes"
            yield SkippedTune(file=relative, x=x, reason=f"{reason}; an exemplar needs a key and music")
            continue
        kind, kind_from = tune_type_of(headers, analysis.title, default_type)
        key, mode, key_from = key_and_mode(headers["K"], analysis)
        meter = meter_fraction(analysis.meter)
        if kind == "jig" and meter == "9/8":  # a jig in 9/8 is a slip jig
            kind = "slip jig"
        fields = {
            "title": analysis.title or f"{source} X:{x}",
            "abc": abc.strip() + "\n",
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
            "origin": origin_of(headers, origin),
            "source": source,
            "library": library,
            "file": relative,
            "x": x,
        }
        yield ExemplarRecord(**fields, description=describe_tune(fields), reader_version=READER_VERSION)


@dataclass(frozen=True)
class AbcFile:
    """One file to index, with what the library knows about the collection it belongs to."""

    path: Path
    relative: str  # path inside the library, part of every tune's id
    library: str  # 'music21' or the resolved folder given
    source: str  # collection name
    origin: str | None
    default_type: str | None


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


def _interleaved(files: list[AbcFile]) -> Iterator[ExemplarRecord | SkippedTune]:
    """Tunes taken in turn from each collection, and within it from each file, so that the first N
    (a `limit`) sample every collection and every part of it: O'Neill's airs and its reels alike."""
    collections: dict[str, list[AbcFile]] = {}
    for abc_file in files:
        collections.setdefault(f"{abc_file.library}/{abc_file.source}", []).append(abc_file)
    return _round_robin([
        _round_robin([
            tune_records(f.path, f.relative, library=f.library, source=f.source, origin=f.origin,
                         default_type=f.default_type)
            for f in group
        ])
        for group in collections.values()
    ])


def _count_tunes(paths: list[Path]) -> int:
    """How many X: lines the files hold (sizes the progress bar; unreadable files count 0)."""
    total = 0
    for path in paths:
        try:
            total += len(re.findall(r"^X:", _read_text(path), re.M))
        except OSError:  # reported as a skipped file when it is read
            continue
    return total


def build_index(
    sources: Sequence[Path] | None = None, *, rebuild: bool = False, limit: int | None = None, progress: bool = True
) -> IndexReport:
    """Index music21's corpus (sources=None) or the given .abc files/folders into the exemplar library.

    Idempotent and incremental. `limit` reads only N tunes, taken in turn from each collection, and
    then deletes nothing (an unread tune is not a removed one). Raises ValueError for a source that is
    not an .abc file or folder, StoreError for a broken store.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit={limit} must be a positive number of tunes")
    labels, files = _abc_files(sources)
    expected = _count_tunes([f.path for f in files])
    return index_records(
        islice(_interleaved(files), limit),
        libraries=labels,
        complete=limit is None,
        rebuild=rebuild,
        progress=progress,
        expected=min(expected, limit) if limit else expected,
    )
