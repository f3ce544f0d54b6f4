"""Words for a melody's shape that plans, tune types and moods share: its contour and its note density."""

from __future__ import annotations

from typing import Literal

__all__ = ["Contour", "Density"]

#: Overall melodic shape of each phrase.
Contour = Literal["arch", "ascending", "descending", "wave", "flat"]
#: Notes per beat: sparse ~1, medium ~2, dense ~3-4.
Density = Literal["sparse", "medium", "dense"]
