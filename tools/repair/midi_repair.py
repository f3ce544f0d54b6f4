"""Repair a MIDI with missing bars: find the gap, write several candidate fills from the context
around it, rank them by context fit, and save the best as `repaired.mid`.

Bars are 1-based in everything a user sees (`gap_bars`, `RepairResult.gap`) and 0-based inside.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from tunesmith.settings import get_settings
from tunesmith.tools.repair.context_fit import ContextFit, context_fit
from tunesmith.tools.repair.gap_context import analyse_gap, gap_context
from tunesmith.tools.repair.gap_fill import STRATEGIES, fill_gap, repeat_left_baseline
from tunesmith.tools.repair.midi_bars import PianoPiece, RepairInputError, load_piano_piece, write_piece_midi

__all__ = ["RepairInputError", "RepairCandidate", "RepairResult", "repair_midi", "find_gap", "repair_piece"]

MAX_CANDIDATES = 16


class RepairCandidate(BaseModel):
    """One way of filling the gap and how well it fits the bars around it."""

    name: str
    strategy: str = Field(description="Where rhythm and line came from (tools.gap_fill.STRATEGIES), or 'baseline'.")
    seed: int | None = None
    chords: list[str] = Field(default_factory=list, description="The chord plan: one chord a bar, two in 4/4 and 6/8.")
    notes: int = Field(description="Notes written into the gap.")
    fit: ContextFit


class RepairResult(BaseModel):
    """What `repair_midi` did: the gap (1-based bars, inclusive), every candidate, the chosen one, why."""

    source: str
    output: str
    gap: tuple[int, int]
    bars_in_piece: int
    key: str
    parts: list[str]
    candidates: list[RepairCandidate]
    baselines: list[RepairCandidate]
    chosen: str
    clamped_notes: int = Field(description="Notes moved by octaves into the piano range 21..108.")
    explanation: str


def find_gap(piece: PianoPiece, gap_bars: tuple[int, int] | None) -> tuple[int, int]:
    """0-based inclusive gap: the given 1-based `gap_bars`, else the longest run of empty bars that
    has music on both sides. Raises `RepairInputError` when there is none or the bars are invalid."""
    count = piece.bar_count
    if gap_bars is not None:
        first, last = gap_bars if isinstance(gap_bars, (tuple, list)) and len(gap_bars) == 2 else (None, None)
        if not (isinstance(first, int) and isinstance(last, int)) or not 1 <= first <= last <= count:
            raise RepairInputError(
                f"gap_bars {gap_bars} is not a valid bar range; give (first, last) with 1 <= first <= last <= {count}"
            )
        if last - first + 1 >= count:
            raise RepairInputError(f"gap_bars {gap_bars} covers the whole piece; leave at least one bar of context")
        return first - 1, last - 1
    runs: list[tuple[int, int]] = []
    for bar in piece.empty_bars():
        if runs and runs[-1][1] == bar - 1:
            runs[-1] = (runs[-1][0], bar)
        else:
            runs.append((bar, bar))
    inner = [run for run in runs if run[0] > 0 and run[1] < count - 1]
    if not inner:
        raise RepairInputError(
            f"found no empty bars between notes in this {count}-bar piece; pass gap_bars=(first, last) "
            "(1-based) to say which bars to rewrite"
        )
    return max(inner, key=lambda run: (run[1] - run[0], -run[0]))


def _strategy_fits(strategy: str, has_left: bool, has_right: bool) -> bool:
    """A one-sided gap can only borrow rhythm from the side it has."""
    needs = {"left-rhythm": (True, False), "sequence": (True, False), "right-rhythm": (False, True),
             "mixed-rhythm": (True, True)}
    left_needed, right_needed = needs.get(strategy, (False, False))
    return (has_left or not left_needed) and (has_right or not right_needed)


def repair_piece(piece: PianoPiece, gap: tuple[int, int], *, candidates: int = 4, seed: int = 0,
                 borrow_right: bool = True, composer: str | None = None,
                 ) -> tuple[list[RepairCandidate], list[RepairCandidate], dict]:
    """Candidate fills (best first) and the two baselines for 0-based gap `gap`; the dict maps each
    candidate name to its notes. Candidates cycle through the rhythm strategies with distinct seeds;
    with `borrow_right` False no rhythm is taken from the bars after the gap.

    With the melody model (`composer`, default the setting) each candidate's top line is written by
    the model (tools.repair.model_fill), its first note in each bar on the chord the
    candidate's accompaniment plays there; the other parts are the rule-based fill. When the model
    cannot read the piece the rule-based candidates are used and `notes_by_name["why"]` says why.
    """
    if not 1 <= candidates <= MAX_CANDIDATES:
        raise RepairInputError(f"candidates={candidates} is out of range; use 1..{MAX_CANDIDATES}")
    analysis = analyse_gap(piece, gap)
    context = gap_context(piece, gap)
    strategies = [s for s in STRATEGIES if _strategy_fits(s, bool(context.left), bool(context.right) and borrow_right)]
    notes_by_name: dict = {}
    fills = []
    for index in range(candidates):
        strategy = strategies[index % len(strategies)]
        candidate_seed = seed * 1000 + index
        notes, chords = fill_gap(piece, gap, analysis, strategy=strategy, seed=candidate_seed,
                                 borrow_right=borrow_right)
        fills.append((strategy, candidate_seed, notes, chords))
    if (composer or get_settings().composer) == "melody_model":
        fills = _with_model_melody(piece, gap, analysis, context, fills, seed, notes_by_name)
    ranked = []
    for strategy, candidate_seed, notes, chords in fills:
        name = f"{strategy}#{candidate_seed}"
        notes_by_name[name] = notes
        ranked.append(RepairCandidate(name=name, strategy=strategy, seed=candidate_seed,
                                      chords=[c.name for c in chords], notes=len(notes),
                                      fit=context_fit(notes, context)))
    ranked.sort(key=lambda c: -c.fit.score)
    baselines = []
    for name, notes in (("repeat-left", repeat_left_baseline(piece, gap)), ("silence", [])):
        notes_by_name[name] = notes
        baselines.append(RepairCandidate(name=name, strategy="baseline", notes=len(notes),
                                         fit=context_fit(notes, context)))
    return ranked, baselines, notes_by_name


def _with_model_melody(piece: PianoPiece, gap: tuple[int, int], analysis, context, fills: list, seed: int,
                       notes_by_name: dict) -> list:
    """The fills with their top part's notes replaced by the melody model's line (same chords)."""
    from tunesmith.tools.repair.gap_context import chords_per_bar
    from tunesmith.tools.repair.model_fill import ModelCannotCompose, melody_fills

    means = {part: [n.pitch for n in context.notes if part.holds(n)] for part in analysis.parts}
    voiced = [part for part in analysis.parts if means[part]]
    if not voiced:
        return fills
    top = max(voiced, key=lambda part: sum(means[part]) / len(means[part]))
    per_bar = [chords_per_bar(piece, bar) for bar in range(gap[0], gap[1] + 1)]
    starts = [sum(per_bar[:i]) for i in range(len(per_bar))]
    downbeats = [[chords[start].pitch_classes for start in starts if start < len(chords)] for *_, chords in fills]
    try:
        lines = melody_fills(piece, gap, top, analysis.key, downbeats, seed=seed)
    except ModelCannotCompose as reason:
        notes_by_name["why"] = str(reason)
        return fills
    return [(f"melody-model+{strategy}", candidate_seed,
             sorted([n for n in notes if not top.holds(n)] + line, key=lambda n: (n.start, n.pitch)), chords)
            for (strategy, candidate_seed, notes, chords), line in zip(fills, lines)]


def _explain(piece: PianoPiece, gap: tuple[int, int], chosen: RepairCandidate, key: str, parts: list[str],
             baselines: list[RepairCandidate]) -> str:
    first, last = gap[0] + 1, gap[1] + 1
    sides = [side for side, present in (("before", gap[0] > 0), ("after", gap[1] < piece.bar_count - 1)) if present]
    bars = f"bar {first}" if first == last else f"bars {first}-{last}"
    model = chosen.strategy.startswith("melody-model+")
    rhythm = {"left-rhythm": "the bars before the gap", "right-rhythm": "the bars after the gap",
              "mixed-rhythm": "the bars before (first half) and after (second half)",
              "varied-rhythm": "context bars picked at random",
              "sequence": "the bars before the gap, their line echoed higher or lower as a sequence",
              }[chosen.strategy.removeprefix("melody-model+")]
    repeat = next(b for b in baselines if b.name == "repeat-left")
    neighbours = "previous" if gap[0] > 0 else "following"
    return (
        f"Filled {bars} from the context {' and '.join(sides)} it: key {key} (Krumhansl–Schmuckler on the "
        f"context), chords {' '.join(chosen.chords)}, "
        + (f"the top line written by the melody model from the melody {' and '.join(sides)} the gap (each bar's "
           f"first note on its chord), the other parts with rhythm borrowed from {rhythm}" if model
           else f"rhythm borrowed from {rhythm}")
        + f", pitches kept in each part's register ({', '.join(parts)})"
        f"{', the line stepping into the next note after the gap' if 'after' in sides else ''}. "
        f"Chosen {chosen.name} with context fit {chosen.fit.score:.2f} (pitch classes {chosen.fit.pitch_class:.2f}, "
        f"density {chosen.fit.density:.2f}, register {chosen.fit.register_match:.2f}, "
        f"motion {chosen.fit.motion:.2f}, boundary {chosen.fit.boundary:.2f}); "
        f"repeating the {neighbours} bars would score {repeat.fit.score:.2f}, silence 0."
    )


def repair_midi(midi_path: Path, out_dir: Path, *, gap_bars: tuple[int, int] | None = None,
                candidates: int = 4, seed: int = 0) -> RepairResult:
    """Fill missing bars of a (piano) MIDI and write `out_dir/repaired.mid` atomically.

    `gap_bars` are 1-based inclusive bar numbers to rewrite (their notes are replaced); without it the
    longest run of empty bars between notes is filled. A gap at the start or end of the piece is filled
    from the one side it has. Raises `RepairInputError` for unreadable, empty or drum-only files and
    invalid bar ranges.
    """
    piece = load_piano_piece(Path(midi_path))
    gap = find_gap(piece, gap_bars)
    ranked, baselines, notes_by_name = repair_piece(piece, gap, candidates=candidates, seed=seed)
    chosen = ranked[0]
    output = write_piece_midi(piece, gap, notes_by_name[chosen.name], Path(out_dir) / "repaired.mid")
    analysis = analyse_gap(piece, gap)
    parts = [f"{piece.voice_names[p.voice]}{' ' + p.hand + ' hand' if p.hand else ''}" for p in analysis.parts]
    return RepairResult(
        source=str(midi_path), output=str(output), gap=(gap[0] + 1, gap[1] + 1), bars_in_piece=piece.bar_count,
        key=analysis.key.name, parts=parts, candidates=ranked, baselines=baselines, chosen=chosen.name,
        clamped_notes=piece.clamped_notes,
        explanation=_explain(piece, gap, chosen, analysis.key.name, parts, baselines)
        + (f" The melody model was not used: {notes_by_name['why']}." if "why" in notes_by_name else ""),
    )
