"""A file of ABC tunes as a book: its tunes numbered in order with their X: and titles, and picking one.

People bring tune books (a thesession.org download, a folder export, their own notation) and say
"play the second one", "X:3" or a title; `pick_tunes` turns what the words pick into tunes of the
book, or an error that lists what the book holds.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from tunesmith.errors import InputError, NotFoundError
from tunesmith.tools.abc import AbcError, split_tunes
from tunesmith.tools.planning.intent import TuneChoice

LISTED_TITLES = 12  # titles named in an error before "…"
_FIELD = re.compile(r"^([XT]):[ \t]*(.*?)\s*$", re.MULTILINE)


class BookTune(BaseModel):
    """One tune of a book: its 1-based place, X: number and title as written, and its ABC text."""

    number: int = Field(description="1-based position in the file.")
    x: str | None = Field(description="The X: reference number as written, if any.")
    title: str = Field(description="The first T: field, or 'untitled'.")
    abc: str

    def label(self) -> str:
        """'2. X:7 Drowsy Maggie' — how the tune is named to the user."""
        x = f"X:{self.x} " if self.x else ""
        return f"{self.number}. {x}{self.title}"


class TuneNotInBook(NotFoundError):
    """The words pick a tune the file does not hold; the message lists the tunes it does."""


def read_book(text: str) -> list[BookTune]:
    """The tunes of an ABC file, in order. Raises AbcError (an InputError) when it holds no music text.

    Titles and X: numbers are read from the header lines directly, so a tune with a broken header
    is still listed (and later checked or repaired) rather than dropped.
    """
    tunes = split_tunes(text)
    if not tunes:
        raise AbcError("the ABC file is empty; expected one or more tunes starting with X: lines")
    book = []
    for number, abc in enumerate(tunes, start=1):
        header = abc.split("\nK:", 1)[0]
        fields: dict[str, str] = {}
        for letter, value in _FIELD.findall(header):
            fields.setdefault(letter, value)
        book.append(BookTune(number=number, x=fields.get("X") or None, title=fields.get("T") or "untitled", abc=abc))
    return book


def _contents(book: list[BookTune]) -> str:
    named = "; ".join(tune.label() for tune in book[:LISTED_TITLES])
    return named + ("; …" if len(book) > LISTED_TITLES else "")


def _normal(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def pick_tunes(book: list[BookTune], choice: TuneChoice | None, words: str = "") -> list[BookTune]:
    """The tunes `choice` picks (all of them for `every`); with no choice, a tune whose title the
    `words` name, else the first. Raises TuneNotInBook naming the book's tunes when none matches."""
    if not book:
        raise InputError("the file holds no tunes")
    if choice is None:
        spoken = _normal(words)
        named = [tune for tune in book if len(_normal(tune.title)) >= 4 and f" {_normal(tune.title)} " in f" {spoken} "]
        return named[:1] or book[:1]
    if choice.every:
        return list(book)
    if choice.x is not None:
        found = [tune for tune in book if (tune.x or "").strip() == choice.x]
        if found:
            return found[:1]
        raise TuneNotInBook(f"the file has no tune X:{choice.x}; it holds {_contents(book)}")
    if choice.position is not None:
        index = len(book) - 1 if choice.position == -1 else choice.position - 1
        if 0 <= index < len(book):
            return [book[index]]
        raise TuneNotInBook(f"the file holds {len(book)} tune{'s' if len(book) != 1 else ''}, so there is no "
                            f"number {choice.position}: {_contents(book)}")
    wanted = _normal(choice.title or "")
    found = [tune for tune in book if wanted and wanted in _normal(tune.title)]
    if found:
        return found[:1]
    raise TuneNotInBook(f"no tune in the file is called {choice.title!r}; it holds {_contents(book)}")
