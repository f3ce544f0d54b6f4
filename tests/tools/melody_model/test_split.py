"""The committed corpus split: every tune in exactly one of train, validation and test, decided by
its fingerprint, so duplicates of one tune never straddle two splits."""

from __future__ import annotations

from collections import Counter

from tunesmith.tools.melody_model.data import SPLIT_FILE, split_of


def rows() -> list[tuple[str, str, str]]:
    lines = SPLIT_FILE.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]


def test_every_tune_is_listed_once_and_kept_tunes_are_split_about_90_5_5() -> None:
    table = rows()
    assert len({tune_id for tune_id, _, _ in table}) == len(table) > 12000
    kept = Counter(split for _, _, split in table if split in ("train", "validation", "test"))
    total = sum(kept.values())
    assert 0.88 < kept["train"] / total < 0.92
    assert 0.04 < kept["test"] / total < 0.06 and 0.04 < kept["validation"] / total < 0.06


def test_the_split_follows_the_fingerprint_and_no_fingerprint_is_in_two_splits() -> None:
    seen: dict[str, str] = {}
    for _, fingerprint, split in rows():
        if fingerprint == "-":
            continue
        assert split_of(fingerprint) == split
        assert seen.setdefault(fingerprint, split) == split


def test_duplicates_name_the_tune_they_repeat() -> None:
    kept = {tune_id for tune_id, fingerprint, _ in rows() if fingerprint != "-"}
    duplicates = [(tune_id, split) for tune_id, fingerprint, split in rows() if fingerprint == "-"]
    assert len(duplicates) > 100  # the same tune in several collections
    assert all(split.removeprefix("duplicate of ") in kept for _, split in duplicates)
