"""Validate every ABC tune in music21's corpus and check that repair leaves every valid tune unchanged.

Run: .venv/bin/python benchmarks/corpus_validation.py [--abc2midi] [--limit N]
Prints: files, tunes, valid, valid with warnings only, invalid by top problem kind, repair invariance.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from tunesmith.tools.abc import AbcError, repair_abc, split_tunes, validate_abc


def corpus_tunes(limit: int | None) -> tuple[int, list[tuple[str, str]]]:
    """(number of files, [(file name, tune text)]) from music21's bundled ABC files."""
    from music21 import corpus

    paths = corpus.getPaths(fileExtensions=["abc"])
    tunes = []
    for path in paths:
        text = Path(path).read_text(encoding="latin-1")
        tunes.extend((Path(path).name, tune) for tune in split_tunes(text))
    return len(paths), tunes[:limit] if limit else tunes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--abc2midi", action="store_true", help="also run abc2midi on every tune (slower)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N tunes")
    args = parser.parse_args()
    files, tunes = corpus_tunes(args.limit)
    valid = warnings_only = refused = 0
    top_kind: Counter[str] = Counter()
    warning_kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    valid_tunes = []
    started = time.perf_counter()
    for name, tune in tunes:
        try:
            report = validate_abc(tune, check_abc2midi=args.abc2midi)
        except AbcError as error:
            refused += 1
            top_kind["refused (AbcError)"] += 1
            examples.setdefault("refused (AbcError)", f"{name}: {error}")
            continue
        errors = [p for p in report.problems if p.severity == "error"]
        warning_kinds.update({p.kind for p in report.problems if p.severity == "warning"})
        if not errors:
            valid += 1
            valid_tunes.append(tune)
            warnings_only += bool(report.problems)
            continue
        kind = Counter(p.kind for p in errors).most_common(1)[0][0]
        top_kind[kind] += 1
        examples.setdefault(kind, f"{name} X:{report.headers.get('X', '?')}: {errors[0].message}")
    validate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    unchanged = sum(repair_abc(tune).abc == tune for tune in valid_tunes) if args.abc2midi else sum(
        _unchanged_without_abc2midi(tune) for tune in valid_tunes
    )
    repair_seconds = time.perf_counter() - started

    print(f"{'files':<34}{files:>8}")
    print(f"{'tunes':<34}{len(tunes):>8}")
    print(f"{'valid':<34}{valid:>8}  ({100 * valid / max(len(tunes), 1):.1f}%)")
    print(f"{'  of which with warnings only':<34}{warnings_only:>8}")
    print(f"{'invalid':<34}{len(tunes) - valid:>8}")
    for kind, count in top_kind.most_common():
        print(f"{'  top problem: ' + kind:<34}{count:>8}   e.g. {examples[kind][:90]}")
    print("warnings by kind (tunes): " + ", ".join(f"{kind} {count}" for kind, count in warning_kinds.most_common()))
    print(f"{'repair left valid tunes unchanged':<34}{unchanged:>8} of {len(valid_tunes)}")
    print(f"validate: {len(tunes) / validate_seconds:.0f} tunes/s ({validate_seconds:.1f} s, abc2midi {'on' if args.abc2midi else 'off'}); "
          f"repair on valid tunes: {len(valid_tunes) / max(repair_seconds, 1e-9):.0f} tunes/s")


def _unchanged_without_abc2midi(tune: str) -> bool:
    """Repair judged by our own checks only (abc2midi off), the same judge that found the tune valid."""
    return repair_abc(tune, check_abc2midi=False).abc == tune


if __name__ == "__main__":
    main()
