"""What both composers read from a plan the same way: its sections, its melody range and its ABC header.

Shared by the rule-based composer (tools.compose.composer) and the melody model's (tools.compose.model_composer).
"""

from __future__ import annotations

from tunesmith.errors import InputError
from tunesmith.tools.plan import MusicPlan

# MIDI velocity (0-127) of abc2midi's chord and bass accompaniment, below the melody's 80-105.
CHORD_VOLUME = 50


class ComposeError(InputError):
    """The plan cannot be realised; the message names the bad value and what would be valid."""


def plan_range(plan: MusicPlan, choices: list[str]) -> tuple[int, int]:
    """Lowest and highest MIDI numbers for the melody, widened to an octave so every degree fits."""
    low, high = sorted((plan.low_pitch, plan.high_pitch))
    if high - low < 12:
        centre = (low + high) // 2
        low = max(21, min(centre - 6, 108 - 12))
        high = low + 12
        choices.append(f"range {plan.low_pitch}-{plan.high_pitch} is under an octave; widened to MIDI {low}-{high} so the scale fits")
    else:
        choices.append(f"melody range MIDI {low}-{high}")
    return low, high


def form_layout(plan: MusicPlan, choices: list[str]) -> list[tuple[str, int]]:
    """(letter, bars) per section of the form, every letter written out."""
    letters = plan.form[: plan.bars]
    if letters != plan.form:
        choices.append(f"form {plan.form} has more sections than the {plan.bars} bars; used {letters}")
    base, extra = divmod(plan.bars, len(letters))
    lengths = [base + (1 if index >= len(letters) - extra else 0) for index in range(len(letters))]
    choices.append(f"form {letters}: sections of {', '.join(str(n) for n in lengths)} bars, each ending on the tonic; "
                   "a returning section repeats the first half of its first statement, then varies")
    return list(zip(letters, lengths))


def abc_header(plan: MusicPlan, key: str) -> list[str]:
    """Header lines of a composed tune: X, T, R (tune type), M, L:1/8, Q, K, then %%MIDI program and volumes."""
    title = " ".join(plan.title.split()) or "Untitled"
    beat = "3/8" if plan.compound else "1/4"
    header = ["X:1", f"T:{title[:120]}"]
    # abc2midi swings an R:hornpipe and rejects it outside 2/4 and 4/4, so R: is left out there.
    if plan.tune_type and not (plan.tune_type.strip().lower() == "hornpipe" and plan.meter not in ("2/4", "4/4")):
        header.append(f"R:{' '.join(plan.tune_type.split())}")
    return header + [f"M:{plan.meter}", "L:1/8", f"Q:{beat}={plan.tempo_bpm}", f"K:{key}",
                     f"%%MIDI program {plan.program}", f"%%MIDI chordvol {CHORD_VOLUME}", f"%%MIDI bassvol {CHORD_VOLUME}"]
