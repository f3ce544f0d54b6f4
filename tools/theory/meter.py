"""Meters: reading a time signature, its bar length, whether it is compound, and its beats.

The one home of the compound-meter rule: a meter is compound when its top number is a multiple of
3 above 3 over eighths or shorter (6/8, 9/8, 12/8, 6/16); its beat is then a dotted note (three of
the lower unit), otherwise a quarter note. Bar lengths are fractions of a whole note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from tunesmith.errors import InputError

__all__ = ["COMMON_METERS", "Meter", "MeterError", "beats_per_bar", "is_compound", "normalise_meter", "parse_meter"]

#: Meters people ask for by number (examples in messages; plans drawn at random in tests use them).
COMMON_METERS = ("2/4", "3/4", "4/4", "6/8", "9/8", "12/8", "2/2", "3/8", "5/4", "7/8")
VALID_DENOMINATORS = (1, 2, 4, 8, 16, 32, 64)


class MeterError(InputError):
    """A time signature that cannot be read; the message names it and the valid forms."""


@dataclass(frozen=True)
class Meter:
    """A time signature as written (`text`); numerator and denominator are None for free meter."""

    text: str
    numerator: int | None
    denominator: int | None

    @property
    def bar_length(self) -> Fraction | None:
        """Length of one bar as a fraction of a whole note (6/8 -> 3/4); None for free meter."""
        if self.numerator is None or self.denominator is None:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def compound(self) -> bool:
        """True for 6/8, 9/8, 12/8, 6/16 ...: beats are dotted notes of three lower units each."""
        return bool(self.numerator and self.denominator and self.numerator % 3 == 0 and self.numerator > 3
                    and self.denominator >= 8)

    @property
    def fraction(self) -> str:
        """`n/d` for a metered time signature (C -> 4/4, C| -> 2/2), `none` for free meter."""
        return "none" if self.numerator is None else f"{self.numerator}/{self.denominator}"


def parse_meter(value: str) -> Meter:
    """Read a time signature: `3/4`, `C`, `C|`, `none`, `2+3/8`; raise MeterError naming valid forms."""
    text = str(value).split("%", 1)[0].strip().replace(" ", "")
    if text.lower() in ("", "none", "free"):
        return Meter("none", None, None)
    if text in ("C", "c"):
        return Meter("C", 4, 4)
    if text in ("C|", "c|"):
        return Meter("C|", 2, 2)
    match = re.fullmatch(r"\(?(\d{1,3}(?:\+\d{1,3})*)\)?/(\d{1,3})", text)
    if not match or int(match.group(2)) not in VALID_DENOMINATORS:
        raise MeterError(f"{value!r} is not a meter; use e.g. {', '.join(COMMON_METERS[:5])}, C or none")
    numerator = sum(int(part) for part in match.group(1).split("+"))
    if not 1 <= numerator <= 64:
        raise MeterError(f"{value!r} has {numerator} beats in a bar; a meter has 1 to 64 (e.g. 4/4, 3/4, 6/8)")
    return Meter(text, numerator, int(match.group(2)))


def normalise_meter(value: str) -> str:
    """A metered time signature as `n/d` (`C` -> `4/4`); MeterError for free meter or anything unreadable."""
    meter = parse_meter(value)
    if meter.numerator is None:
        raise MeterError(f"{value!r} has no beats; use a meter such as {', '.join(COMMON_METERS[:5])}")
    return meter.fraction


def is_compound(meter: str) -> bool:
    """True when `meter` (e.g. `6/8`) is compound: counted in dotted beats."""
    return parse_meter(meter).compound


def beats_per_bar(meter: str) -> float:
    """Beats in one bar: dotted beats in compound meters (6/8 -> 2), quarter notes otherwise (2/2 -> 4)."""
    parsed = parse_meter(meter)
    if parsed.numerator is None or parsed.denominator is None:
        raise MeterError(f"free meter ({meter!r}) has no beats to count")
    if parsed.compound:
        return parsed.numerator / 3
    return parsed.numerator * 4 / parsed.denominator
