"""Read ABC collections into exemplar records and index them: music21's corpus or the user's folders.

music21 ships ~13,000 real tunes as ABC: Ryan's Mammoth Collection, O'Neill's Music of Ireland,
Aird's Airs, the Essen Folksong Collection, the Nottingham Music Database and a few more. Every tune
is read with `tools.abc` (the product's one ABC parser) and described in words for the embedding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterator, Sequence

from memory.exemplar_index import IndexReport, SkippedTune, index_records
from memory.exemplars import ExemplarRecord
from memory.tune_query import normalise_meter, tune_type_in

MUSIC21_LIBRARY = "music21"
KEY_CONFIDENCE = 0.75  # correlation above which the notes' mode overrides a bare K: tonic

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
# Essen's O: field names places in German; the first one found says who the song is from.
ORIGINS = {
    "irland": "Irish", "schottland": "Scottish", "england": "English", "china": "Chinese", "luxemburg": "Luxembourgish",
    "lothringen": "Lorraine", "elsass": "Alsatian", "schweiz": "Swiss", "oesterreich": "Austrian", "tirol": "Austrian",
    "steiermark": "Austrian", "niederlande": "Dutch", "ungarn": "Hungarian", "polen": "Polish", "russland": "Russian",
    "ukraine": "Ukrainian", "schweden": "Swedish", "daenemark": "Danish", "norwegen": "Norwegian", "rumaenien": "Romanian",
    "jugoslawien": "Yugoslav", "tschechoslowakei": "Czech", "frankreich": "French", "italien": "Italian",
    "deutschland": "German",
}
# Essen's R: field is German; its words for lullaby, hymn, dance song and song, checked in this order.
ESSEN_TYPES = (
    ("wiegen", "lullaby"), ("geistlich", "hymn"), ("religi", "hymn"), ("tanz", "dance"),
    ("lied", "song"), ("ballade", "song"), ("romanze", "song"),
)
CHARACTER = {
    "jig": "lively", "reel": "fast, driving", "hornpipe": "bouncy, dotted", "strathspey": "snappy Scottish",
    "slip jig": "lilting", "waltz": "flowing", "polka": "brisk", "march": "stately, marching", "air": "slow, expressive",
    "slide": "quick", "mazurka": "lilting", "schottische": "bouncing", "clog": "bouncy", "set dance": "stately",
    "song": "singable", "lullaby": "gentle, soothing", "hymn": "solemn", "dance": "dancing",
}
# Performance directions in N: fields (O'Neill's: "Slow", "With spirit"), as the description says them.
DIRECTIONS = (
    ("very slow", "very slow"), ("slow", "slow"), ("moderate", "moderate"), ("lively", "lively"),
    ("spirit", "spirited"), ("animated", "animated"), ("tender", "tender"), ("gaily", "gay"),
    ("feeling", "with feeling"), ("plaintive", "plaintive"), ("cheerful", "cheerful"), ("graceful", "graceful"),
    ("brisk", "brisk"), ("quick", "quick"), ("andante", "walking pace"), ("allegro", "fast"), ("adagio", "slow"),
)
SONG_TYPES = {"song", "lullaby", "hymn"}
MODE_WORDS = {"major": "major", "minor": "minor, melancholy", "dorian": "dorian, modal", "mixolydian": "mixolydian, modal"}


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
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # older collections are Latin-1
        return data.decode("latin-1")


def _file_tunes(text: str) -> list[str]:
    """The tunes of a file; files beyond `split_tunes`' size limit go to it in pieces cut at X: lines."""
    from tools.abc import MAX_ABC_CHARS, split_tunes

    starts = [m.start() for m in re.finditer(r"^X:", text, re.M)] + [len(text)]
    pieces, begin = [], 0
    for start, end in zip(starts, starts[1:]):
        if end - begin > MAX_ABC_CHARS and start > begin:
            pieces.append(text[begin:start])
            begin = start
    pieces.append(text[begin:])
    return [tune for piece in pieces if piece.strip() for tune in split_tunes(piece)]


def _origin(headers: dict[str, str], default: str | None) -> str | None:
    place = headers.get("O", "").lower()
    for word, people in ORIGINS.items():
        if word in place:
            return people
    return default


def _tune_type(headers: dict[str, str], title: str, default: str | None) -> tuple[str | None, str | None]:
    """(tune type, where it came from): the R: field, else the title, else the collection's default."""
    rhythm = headers.get("R", "")
    for word, kind in ESSEN_TYPES:
        if word in rhythm.lower():
            return kind, "R: field"
    if found := tune_type_in(rhythm):
        return found, "R: field"
    if found := tune_type_in(title):
        return found, "title"
    return (default, "collection") if default else (None, None)


def _direction(headers: dict[str, str]) -> str | None:
    """The performance direction an N: field gives ("Slow", "With spirit"), in plain words, or None."""
    note = headers.get("N", "").lower()
    return next((words for mark, words in DIRECTIONS if re.search(rf"\b{mark}", note)), None)


def _key_and_mode(declared: str, analysis) -> tuple[str, str, str]:
    """(tonic, mode, where they came from) for a tune.

    A K: field with a bare tonic ("K: G") says nothing sure about the mode: Essen writes the final note
    there and the minor third as an explicit accidental. When the notes correlate strongly
    (Krumhansl-Schmuckler) with the other mode on that same tonic, the mode is taken from the notes.
    """
    bare_tonic = re.fullmatch(r"[A-G][#b]?(\s+(clef|bass|treble|alto|tenor)\S*.*)?", declared.strip())
    if (
        bare_tonic
        and analysis.estimated_key == analysis.key
        and analysis.estimated_mode != analysis.mode
        and analysis.key_confidence >= KEY_CONFIDENCE
    ):
        return analysis.key, analysis.estimated_mode, "K: tonic, mode from the notes"
    return analysis.key, analysis.mode, "K: field"


def _meter(text: str) -> str:
    """The meter as a fraction ('C' → 4/4, 'C|' → 2/2, 'none' → free); unusual text is kept as written."""
    try:
        return normalise_meter("free" if text.strip().lower() == "none" else text)
    except ValueError:
        return text.strip()


def describe_tune(record: dict) -> str:
    """The sentence embedded for search, e.g. 'A lively jig in D major, 6/8, Irish dance tune, 32 bars: Title'."""
    kind = record.get("tune_type")
    character = record.get("direction") or CHARACTER.get(kind or "", "")
    tempo = record.get("tempo_bpm")
    if tempo and not record.get("direction"):  # a stated tempo beats the type's habit
        character = "slow" if tempo < 80 else "fast" if tempo > 140 else character or "moderate"
    head = " ".join(w for w in (character, kind or "tune") if w)
    genre = "song" if kind in SONG_TYPES else "air" if kind == "air" else "dance tune" if kind else "tune"
    origin = f"{record['origin']} {genre}" if record.get("origin") else genre
    parts = [f"A {head} in {record['key']} {MODE_WORDS.get(record['mode'], record['mode'])}", record["meter"]]
    parts.append(f"{origin} from {record['source']}")
    parts.append(f"{record['bars']} bars")
    if record.get("lowest") is not None and record.get("highest") is not None:
        span = record["highest"] - record["lowest"]
        parts.append("narrow range" if span <= 12 else "wide range" if span >= 24 else "medium range")
    return ", ".join(parts) + f": {record['title']}"


def tune_records(
    path: Path, relative: str, *, library: str, source: str, origin: str | None, default_type: str | None
) -> Iterator[ExemplarRecord | SkippedTune]:
    """One record per tune in an ABC file, or a SkippedTune saying why a tune could not be read."""
    from tools.abc import analyse_abc, parse_headers

    for position, abc in enumerate(_file_tunes(_read_text(path)), start=1):
        headers = parse_headers(abc)
        x = (headers.get("X") or str(position)).strip()
        try:
            analysis = analyse_abc(abc)
        except ValueError as exc:  # AbcError: no K:, no notes, …
            yield SkippedTune(file=relative, x=x, reason=str(exc)[:200])
            continue
        kind, kind_from = _tune_type(headers, analysis.title, default_type)
        key, mode, key_from = _key_and_mode(headers.get("K", ""), analysis)
        meter = _meter(analysis.meter)
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
            "direction": _direction(headers),
            "tune_type": kind,
            "tune_type_from": kind_from,
            "bars": analysis.bars,
            "lowest": analysis.lowest,
            "highest": analysis.highest,
            "origin": _origin(headers, origin),
            "source": source,
            "library": library,
            "file": relative,
            "x": x,
        }
        yield ExemplarRecord(**fields, description=describe_tune(fields))


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
    return sum(len(re.findall(r"^X:", _read_text(p), re.M)) for p in paths)


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
