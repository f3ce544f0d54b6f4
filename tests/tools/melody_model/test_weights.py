"""Shipped weights: checked against their SHA-256; missing or corrupt weights give one sentence and
the rule-based composer, never a traceback."""

from __future__ import annotations

import pytest
from support.tiny_melody import write_tiny_weights

from tunesmith.tools.abc import validate_abc
from tunesmith.tools.compose.composer import compose_abc
from tunesmith.tools.melody_model import weights
from tunesmith.tools.melody_model.weights import MelodyModelUnavailable, load_model, model_status
from tunesmith.tools.plan import MusicPlan


def test_the_shipped_weights_match_their_sha256_and_are_small() -> None:
    usable, detail = model_status()
    assert usable, detail
    assert (weights.WEIGHTS_DIR / weights.MODEL_FILE).stat().st_size < 25e6


def test_missing_weights_are_named_in_one_sentence_with_the_fix(tmp_path) -> None:
    with pytest.raises(MelodyModelUnavailable) as caught:
        load_model(tmp_path)
    assert "model.pt is missing" in str(caught.value) and "\n" not in str(caught.value)
    assert "git checkout" in caught.value.fix


def test_a_changed_file_fails_its_sha256_check(tmp_path) -> None:
    folder = write_tiny_weights(tmp_path / "w")
    (folder / "model.pt").write_bytes((folder / "model.pt").read_bytes()[:-10] + b"0123456789")
    with pytest.raises(MelodyModelUnavailable, match="does not match its SHA-256"):
        load_model(folder)


def test_a_file_that_is_not_a_model_but_matches_its_hash_cannot_be_read(tmp_path) -> None:
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "model.pt").write_bytes(b"not a model")
    (folder / "model.sha256").write_text(weights.file_sha256(folder / "model.pt") + "  model.pt\n")
    with pytest.raises(MelodyModelUnavailable, match="cannot be read"):
        load_model(folder)


def test_saved_weights_load_back_with_their_facts(tmp_path) -> None:
    model = load_model(write_tiny_weights(tmp_path / "w"))
    assert model.meter_tunes("6/8") == 1800 and model.network.config.width == 32


def test_compose_falls_back_to_the_rule_based_composer_with_one_sentence(monkeypatch, tmp_path) -> None:
    def unavailable(*_args):
        raise MelodyModelUnavailable("the melody model cannot be used: model.pt is missing", fix="restore it")

    monkeypatch.setattr(weights, "shipped_model", unavailable)
    tune = compose_abc(MusicPlan(key="D", meter="6/8", bars=8), composer="melody_model")
    assert tune.composer == "rule_based"
    assert tune.choices[0].startswith("the melody model cannot be used: model.pt is missing")
    assert "rule-based composer wrote it instead" in tune.choices[0]
    assert validate_abc(tune.abc).valid


def test_a_meter_absent_from_the_corpus_is_written_by_the_rule_based_composer_and_said() -> None:
    tune = compose_abc(MusicPlan(key="D", meter="7/8", bars=8), composer="melody_model")
    assert tune.composer == "rule_based"
    assert "learned 7/8 from only" in tune.choices[0]
    assert validate_abc(tune.abc).valid
