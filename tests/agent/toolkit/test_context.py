"""What a tool may read: the files the user named (by role when two share a name) and the session's own files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunesmith.agent.toolkit.context import InputNotAllowed, TurnContext


def test_two_named_files_with_the_same_name_are_told_apart_by_role(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    picture, clip = tmp_path / "a" / "photo.png", tmp_path / "b" / "photo.png"
    picture.write_bytes(b"png")
    clip.write_bytes(b"wav")
    ctx = TurnContext(request="music for this", out_dir=tmp_path / "turn", user_files={"image": picture, "audio": clip})
    assert ctx.readable_path("photo.png", "image") == picture.resolve()
    assert ctx.readable_path("photo.png", "audio") == clip.resolve()
    assert ctx.readable_path(str(clip)) == clip.resolve()


def test_files_nobody_named_stay_out_of_reach(tmp_path: Path) -> None:
    ctx = TurnContext(request="a jig", out_dir=tmp_path / "turn")
    with pytest.raises(InputNotAllowed):
        ctx.readable_path("/etc/passwd", "image")
