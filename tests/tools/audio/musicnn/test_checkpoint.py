"""Reading musicnn's TF1 checkpoints without TensorFlow, and loading them into the torch port."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunesmith.tools.audio.musicnn.checkpoint import CheckpointError, load_checkpoint, read_index
from tunesmith.tools.audio.musicnn.tagger import load_tagger, musicnn_folder


def test_the_packaged_musicnn_index_lists_its_layers_with_their_shapes() -> None:
    entries = read_index(musicnn_folder() / "MTT_musicnn" / ".index")
    assert entries["conv2d/kernel"].shape == (7, 38, 1, 204)  # the 7x38 timbral filters
    assert entries["dense_1/kernel"].shape == (200, 50)  # 50 tags
    assert entries["batch_normalization_9/moving_mean"].shape == (1506,)


def test_every_tagger_loads_into_the_torch_network_with_no_variable_left_over() -> None:
    for tagger in ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg"):
        network = load_tagger(tagger)
        assert not network.training


def test_a_file_that_is_not_a_checkpoint_is_refused_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / ".index").write_bytes(b"not a table" * 10)
    with pytest.raises(CheckpointError, match="not a TensorFlow checkpoint index"):
        load_checkpoint(tmp_path)


def test_a_missing_data_shard_is_named(tmp_path: Path) -> None:
    (tmp_path / ".index").write_bytes((musicnn_folder() / "MTT_vgg" / ".index").read_bytes())
    with pytest.raises(CheckpointError, match="no checkpoint data shard"):
        load_checkpoint(tmp_path)


def test_a_truncated_data_shard_is_caught_not_read_past(tmp_path: Path) -> None:
    source = musicnn_folder() / "MTT_vgg"
    (tmp_path / ".index").write_bytes((source / ".index").read_bytes())
    (tmp_path / ".data-00000-of-00001").write_bytes((source / ".data-00000-of-00001").read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="does not fit its recorded bytes"):
        load_checkpoint(tmp_path)
