"""A file of tunes as a book: listing, and picking by number, X:, title or all."""

from __future__ import annotations

import pytest

from tunesmith.tools.abc import AbcError
from tunesmith.tools.planning.intent import TuneChoice
from tunesmith.tools.tunebook import TuneNotInBook, pick_tunes, read_book

BOOK = """%%abc-2.1 header of the file
X:3
T:The Kesh
T:The Kesh Jig
M:6/8
K:G
GAG GAB|ABA ABd|]

X:12
T:Drowsy Maggie
M:4/4
K:Edor
E2BE dEBE|]

T:No number, broken header
M:4/4
GABc|]
"""


def test_a_book_lists_every_tune_with_its_x_and_first_title_even_with_a_broken_header() -> None:
    book = read_book(BOOK)
    assert [t.label() for t in book][:2] == ["1. X:3 The Kesh", "2. X:12 Drowsy Maggie"]
    assert len(book) == 2 and "No number" in book[1].abc  # text after the last X: belongs to that tune


@pytest.mark.parametrize(("choice", "words", "title"), [
    (TuneChoice(position=2), "", "Drowsy Maggie"),
    (TuneChoice(position=-1), "", "Drowsy Maggie"),
    (TuneChoice(x="3"), "", "The Kesh"),
    (TuneChoice(title="maggie"), "", "Drowsy Maggie"),
    (None, "play drowsy maggie for me", "Drowsy Maggie"),
    (None, "play this", "The Kesh"),
])
def test_a_tune_is_picked_by_number_x_title_or_the_words(choice, words: str, title: str) -> None:
    [tune] = pick_tunes(read_book(BOOK), choice, words)
    assert tune.title == title


def test_all_of_them_picks_every_tune() -> None:
    assert len(pick_tunes(read_book(BOOK), TuneChoice(every=True))) == 2


@pytest.mark.parametrize(("choice", "message"), [
    (TuneChoice(position=7), "holds 2 tunes, so there is no number 7"),
    (TuneChoice(x="99"), "no tune X:99"),
    (TuneChoice(title="Silver Spear"), "called 'Silver Spear'"),
])
def test_a_tune_the_book_lacks_is_refused_naming_what_it_holds(choice, message: str) -> None:
    with pytest.raises(TuneNotInBook, match=message) as error:
        pick_tunes(read_book(BOOK), choice)
    assert "1. X:3 The Kesh; 2. X:12 Drowsy Maggie" in str(error.value)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(AbcError):
        read_book("   \n")
