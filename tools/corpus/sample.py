"""A fixed, reproducible sample of real tunes from music21's corpus, for measuring against held-out music.

`sample_tunes(count, seed)` draws tunes in turn from each folk collection (so one large collection
does not dominate), keeping single-voice tunes in common meters, 6 to 40 bars long, that validate.
Transcription and audio benchmarks tune their settings on one seed and report on another. When the
melody model's committed train/val/test split lands (tools/melody_model/), its test split replaces
this sample for held-out measurements.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SAMPLED_COLLECTIONS = ("ryansMammoth", "oneills1850", "airdsAirs", "essenFolksong", "nottingham-dataset", "miscFolk")
SAMPLED_METERS = ("2/4", "3/4", "4/4", "6/8", "2/2", "3/8", "9/8", "12/8", "C", "C|")
MIN_BARS, MAX_BARS, MIN_NOTES = 6, 40, 20


@dataclass(frozen=True)
class CorpusTune:
    """One tune of the corpus: where it is (file relative to the corpus, position in the file) and its ABC."""

    file: str
    position: int
    abc: str

    @property
    def id(self) -> str:
        return f"{self.file}#{self.position}"


def _usable(abc: str) -> bool:
    from tunesmith.tools.abc import AbcError, analyse_abc, validate_abc

    try:
        analysis = analyse_abc(abc)
    except AbcError:
        return False
    return (analysis.meter in SAMPLED_METERS and "V:" not in abc and MIN_BARS <= analysis.bars <= MAX_BARS
            and analysis.notes >= MIN_NOTES and validate_abc(abc, check_abc2midi=False).valid)


def sample_tunes(count: int, seed: int, *, exclude: set[str] = frozenset()) -> list[CorpusTune]:
    """`count` distinct usable tunes, the same for the same seed; ids in `exclude` are never drawn."""
    from tunesmith.tools.corpus.reader import _file_tunes, _read_text, music21_abc_files

    if count < 1:
        raise ValueError(f"count={count} is not valid; ask for one tune or more")
    files = music21_abc_files()
    by_collection = {name: [f for f in files if f[1].startswith(name)] for name in SAMPLED_COLLECTIONS}
    rng = random.Random(seed)
    chosen: list[CorpusTune] = []
    seen = set(exclude)
    for attempt in range(200 * count):
        collection = SAMPLED_COLLECTIONS[attempt % len(SAMPLED_COLLECTIONS)]
        if not by_collection[collection]:
            continue
        path, relative = rng.choice(by_collection[collection])
        tunes = _file_tunes(_read_text(path))
        if not tunes:
            continue
        position = rng.randrange(len(tunes))
        tune = CorpusTune(relative, position, tunes[position])
        if tune.id not in seen and _usable(tune.abc):
            seen.add(tune.id)
            chosen.append(tune)
            if len(chosen) == count:
                return chosen
    raise RuntimeError(f"only {len(chosen)} usable tunes found for seed {seed}; the corpus looks incomplete")
