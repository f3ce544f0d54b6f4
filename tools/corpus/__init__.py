"""ABC collections → exemplar records with labels, the index of the exemplar library, and search for a request."""

from tunesmith.tools.corpus.reader import build_index
from tunesmith.tools.corpus.search import search_exemplars

__all__ = ["build_index", "search_exemplars"]
