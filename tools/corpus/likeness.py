"""What kind of tune a given tune is: its own R: field or title, the tune types of its meter, and the
library tunes in that meter whose rhythm is most like it (they vote), each kept as evidence.

Rhythm is the mark of a tune type beyond its meter (a reel runs in even eighths, a hornpipe in dotted
pairs, a strathspey snaps), so the library's nearest tunes by meaning are re-ranked by how alike
their note lengths are, measured in beats, before their labelled types are counted.
"""

from __future__ import annotations

import math
from collections import Counter

from pydantic import BaseModel, Field

from tunesmith.memory.exemplars import query_library
from tunesmith.memory.store import StoreError
from tunesmith.tools.abc import AbcError, parse_headers, tune_notes
from tunesmith.tools.corpus.labels import meter_fraction, tune_type_of
from tunesmith.tools.theory import MeterError
from tunesmith.tools.theory.meter import beats_per_bar, parse_meter
from tunesmith.tools.theory.tune_types import TUNE_TYPES, library_label

CANDIDATES = 40  # library tunes in the same meter whose rhythm is compared
VOTERS = 10  # the most alike of them that vote
# Note lengths in beats, as bins: sixteenths, triplet eighths, eighths, dotted eighths, beats, dotted beats, longer.
_BIN_EDGES = (0.3, 0.4, 0.6, 0.85, 1.2, 1.7)


class TuneKind(BaseModel):
    """The tune type a tune most likely is, with the evidence for it (None when nothing points anywhere)."""

    tune_type: str | None
    evidence: list[str] = Field(default_factory=list)
    neighbours: list[str] = Field(default_factory=list, description="Titles of the library tunes that voted.")


def rhythm_profile(abc: str, meter: str) -> list[float]:
    """Share of the tune's notes in each length bin, lengths measured in beats of `meter` (unit sum)."""
    parsed = parse_meter(meter)
    beat_quarters = 1.5 if parsed.compound else 4 / (parsed.denominator or 4)
    counts = [0] * (len(_BIN_EDGES) + 1)
    for note in tune_notes(abc):
        if note.midi is None or note.duration <= 0:
            continue
        beats = note.duration / beat_quarters
        counts[sum(beats > edge for edge in _BIN_EDGES)] += 1
    total = sum(counts) or 1
    return [count / total for count in counts]


def _cosine(a: list[float], b: list[float]) -> float:
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b)) / norm if norm else 0.0


def _meter_types(meter: str) -> list[str]:
    return [name for name, kind in TUNE_TYPES.items() if kind.meter == meter]


def guess_tune_kind(abc: str, *, key: str, mode: str, meter: str, bars: int, title: str = "") -> TuneKind:
    """The tune type of `abc` (one tune) with evidence: its R: field or title word first; else the vote of
    the library tunes in its meter with the most similar rhythm. Works without a library (says so)."""
    evidence: list[str] = []
    headers = parse_headers(abc)
    declared, source = tune_type_of(headers, title, None)
    if declared:
        evidence.append(f"its {source} names it a {declared}")
    meter = meter_fraction(meter)
    try:
        conventional = _meter_types(meter)
        beats = beats_per_bar(meter)
    except MeterError:
        return TuneKind(tune_type=declared, evidence=evidence + [f"its meter {meter!r} has no beats to compare"])
    if conventional:
        evidence.append(f"{meter} is the meter of {', '.join(conventional)}")
    try:
        mine = rhythm_profile(abc, meter)
        found = query_library(f"A tune in {key} {mode}, {meter}, {bars} bars", filters={"meter": meter}, k=CANDIDATES)
    except (StoreError, ValueError) as error:  # no library, or none of its tunes has this meter
        evidence.append(f"no library tunes to compare with ({error})")
        return TuneKind(tune_type=declared or (conventional[0] if len(conventional) == 1 else None), evidence=evidence)
    labelled = [tune for tune in found if tune.tune_type and tune.tune_type_from in ("R: field", "title")]
    scored = []
    for tune in labelled:
        try:
            scored.append((_cosine(mine, rhythm_profile(tune.abc, meter)), tune))
        except (AbcError, MeterError):
            continue
    voters = [tune for _, tune in sorted(scored, key=lambda pair: -pair[0])[:VOTERS]]
    votes = Counter(tune.tune_type for tune in voters)
    if votes:
        winner, count = votes.most_common(1)[0]
        examples = ", ".join(f"'{tune.title}'" for tune in voters if tune.tune_type == winner)
        evidence.append(f"of the {len(voters)} library tunes in {meter} most alike in rhythm ({beats:g} beats a bar), "
                        f"{count} are {winner}s: {examples}")
        guess = declared or winner
        if declared and library_label(declared) != winner:
            evidence.append(f"the library's vote ({winner}) differs from what the tune calls itself ({declared})")
        return TuneKind(tune_type=guess, evidence=evidence, neighbours=[tune.title for tune in voters])
    return TuneKind(tune_type=declared, evidence=evidence + [f"no labelled library tunes in {meter} to compare with"])
