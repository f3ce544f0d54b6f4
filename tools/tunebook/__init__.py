"""The user's own tunes: a file of tunes as a book to pick from, and a check that plays a tune as written
unless abc2midi cannot play it."""

from tunesmith.tools.tunebook.book import BookTune, TuneNotInBook, pick_tunes, read_book
from tunesmith.tools.tunebook.checkup import CheckedTune, UnplayableTune, check_own_tune, findings, stops_abc2midi

__all__ = ["BookTune", "CheckedTune", "TuneNotInBook", "UnplayableTune", "check_own_tune", "findings", "pick_tunes",
           "read_book", "stops_abc2midi"]
