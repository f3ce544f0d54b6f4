"""Where the tests find the repository's data: the eval suites and the test fixtures."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
DATA = TESTS / "data"
BROKEN_TUNES = DATA / "broken_tunes"
EVAL_SUITES = REPO / "eval"
