"""The training corpus: music21's ABC tunes, tokenized, deduplicated and split by tune into train,
validation and test.

Deduplication: the same tune appears in several collections (and sometimes twice in one), in other
keys or note lengths. Its fingerprint is the opening 40 notes as (interval in semitones, length
relative to the tune's commonest length); tunes with the same fingerprint are one tune, and only the
first read is kept. The split is decided by the fingerprint's hash, so it never depends on reading
order, and it is committed in `split.tsv` (one line per tune) so every later number is comparable.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tunesmith.tools.melody_model.tokens import TokenizedTune, TokenizeError, tokenize_parsed
from tunesmith.tools.melody_model.vocab import parse_note

SPLIT_FILE = Path(__file__).parent / "split.tsv"
SPLITS = ("train", "validation", "test")
TEST_PERCENT, VALIDATION_PERCENT = 5, 5
FINGERPRINT_NOTES = 40


@dataclass
class CorpusTune:
    """One tune of the corpus: where it is, its ABC, its tokens, and its dedup fingerprint."""

    tune_id: str  # 'file#X#n': the file in music21's corpus, X:, and its position among tunes with that X
    collection: str
    abc: str
    tokens: TokenizedTune
    fingerprint: str

    @property
    def split(self) -> str:
        return split_of(self.fingerprint)


def fingerprint(tokens: TokenizedTune) -> str:
    """A hash of the opening notes as (interval, length / commonest length): the same for a tune in any key,
    written with any unit length."""
    notes = []
    chord_next = False
    for token in tokens.body:
        if token == "&":
            chord_next = True
            continue
        note = parse_note(token)
        if note is None or note[0] is None or chord_next:
            chord_next = False
            continue
        notes.append(note)
    common = Counter(units for _, units in notes).most_common(1)[0][0] if notes else 1
    opening = notes[: FINGERPRINT_NOTES + 1]
    shape = [(b[0] - a[0], round(b[1] / common, 3)) for a, b in zip(opening, opening[1:])]
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:16]


def split_of(print_hash: str) -> str:
    """train / validation / test by the fingerprint: 5% test, 5% validation, the rest train."""
    bucket = int(print_hash, 16) % 100
    return "test" if bucket < TEST_PERCENT else "validation" if bucket < TEST_PERCENT + VALIDATION_PERCENT else "train"


def read_corpus(*, limit: int | None = None) -> Iterator[CorpusTune | tuple[str, str]]:
    """Every tune of music21's ABC corpus as a CorpusTune, or (tune id, reason) when it cannot be tokenized.

    Duplicates are not removed here (see `deduplicated`). `limit` stops after that many tunes.
    """
    from tunesmith.memory.exemplars import ExemplarRecord
    from tunesmith.tools.abc import parsed_tune
    from tunesmith.tools.corpus.reader import COLLECTIONS, MUSIC21_LIBRARY, music21_abc_files, tune_records

    seen: Counter[str] = Counter()
    count = 0
    for path, relative in music21_abc_files():
        folder = relative.split("/")[0] if "/" in relative else ""
        source, origin, default_type = COLLECTIONS.get(folder, (folder or "music21 corpus", None, None))
        for record in tune_records(path, relative, library=MUSIC21_LIBRARY, source=source, origin=origin,
                                   default_type=default_type):
            if limit is not None and count >= limit:
                return
            count += 1
            x = record.x
            base = f"{relative}#{x}"
            seen[base] += 1
            tune_id = f"{base}#{seen[base]}"
            if not isinstance(record, ExemplarRecord):
                yield tune_id, record.reason
                continue
            try:
                tune = parsed_tune(record.abc)
                if any(p.severity == "error" for p in tune.problems):
                    yield tune_id, "the tune does not validate"
                    continue
                tokens = tokenize_parsed(tune, mode=record.mode, tune_type=record.tune_type)
            except (TokenizeError, ValueError) as error:
                yield tune_id, str(error)
                continue
            tokens.title = record.title
            yield CorpusTune(tune_id, source, record.abc, tokens, fingerprint(tokens))


def deduplicated(tunes: Iterator[CorpusTune | tuple[str, str]]) -> tuple[list[CorpusTune], dict[str, str], list[tuple[str, str]]]:
    """(kept tunes, duplicate id -> the id it duplicates, skipped (id, reason))."""
    kept: list[CorpusTune] = []
    first: dict[str, str] = {}
    duplicates: dict[str, str] = {}
    skipped: list[tuple[str, str]] = []
    for tune in tunes:
        if isinstance(tune, tuple):
            skipped.append(tune)
        elif tune.fingerprint in first:
            duplicates[tune.tune_id] = first[tune.fingerprint]
        else:
            first[tune.fingerprint] = tune.tune_id
            kept.append(tune)
    return kept, duplicates, skipped


def write_split(kept: list[CorpusTune], duplicates: dict[str, str], path: Path = SPLIT_FILE) -> None:
    """The committed split: `tune id, fingerprint, split` for kept tunes, `id, -, duplicate of ID` for the rest."""
    lines = ["# tune id\tfingerprint\tsplit (music21 ABC corpus; see tools/melody_model/data.py)"]
    lines += [f"{t.tune_id}\t{t.fingerprint}\t{t.split}" for t in kept]
    lines += [f"{dup}\t-\tduplicate of {of}" for dup, of in duplicates.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def committed_split(path: Path = SPLIT_FILE) -> dict[str, str]:
    """Tune id -> 'train' | 'validation' | 'test' from the committed split (duplicates left out)."""
    split = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        tune_id, _, which = line.split("\t")
        if which in SPLITS:
            split[tune_id] = which
    return split


def corpus_split(*, limit: int | None = None) -> dict[str, list[CorpusTune]]:
    """The deduplicated corpus by split, as the committed split file says (tunes not in it are left out)."""
    split = committed_split()
    by_split: dict[str, list[CorpusTune]] = {name: [] for name in SPLITS}
    for tune in read_corpus(limit=limit):
        if isinstance(tune, CorpusTune) and tune.tune_id in split:
            by_split[split[tune.tune_id]].append(tune)
    return by_split
