"""Real tunes from music21's corpus (shipped offline), picked deterministically, for tests of edits."""

from __future__ import annotations

from functools import cache


@cache
def _valid_tunes() -> tuple[tuple[str, str], ...]:
    """(name, abc) of single-voice tunes from O'Neill's and Ryan's collections that validate, in file order."""
    from tunesmith.tools.abc import AbcError, analyse_abc, split_tunes, validate_abc
    from tunesmith.tools.corpus.reader import music21_abc_files

    found = []
    for path, name in music21_abc_files():
        if not name.startswith(("oneills1850/", "ryansMammoth/")):
            continue
        for number, abc in enumerate(split_tunes(path.read_text(encoding="utf-8", errors="replace"))):
            if "V:" in abc or len(found) >= 150:
                continue
            try:
                if validate_abc(abc, check_abc2midi=False).valid and analyse_abc(abc).key != "none":
                    found.append((f"{name}#{number}", abc))
            except AbcError:
                continue
        if len(found) >= 150:
            break
    return tuple(found)


def corpus_tunes(count: int, *, meter: str | None = None, with_chords: bool | None = None) -> list[tuple[str, str]]:
    """`count` real tunes (name, abc), optionally in one meter (as written in M:) or with/without chord symbols."""
    from tunesmith.tools.abc import parse_headers

    chosen = []
    for name, abc in _valid_tunes():
        if meter is not None and parse_headers(abc).get("M") != meter:
            continue
        if with_chords is not None and ('"' in abc.split("K:", 1)[-1]) != with_chords:
            continue
        chosen.append((name, abc))
        if len(chosen) == count:
            break
    return chosen
