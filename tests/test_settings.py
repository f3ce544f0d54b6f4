"""Settings: one object from tunesmith.toml and TUNESMITH_* variables, with errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunesmith.settings import SettingsError, load_settings, setting_sources


def test_defaults_use_the_embedded_backend_and_three_refine_rounds() -> None:
    settings = load_settings()
    assert settings.llm_backend == "embedded"
    assert settings.refine_rounds == 3
    assert settings.allow_downloads is False


def test_toml_file_is_read_and_environment_wins_over_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (Path.cwd() / "tunesmith.toml").write_text('refine_rounds = 5\nllm_backend = "ollama"\n')
    monkeypatch.setenv("TUNESMITH_LLM_BACKEND", "openai")
    settings = load_settings()
    assert settings.refine_rounds == 5
    assert settings.llm_backend == "openai"
    sources = setting_sources(settings)
    assert sources["refine_rounds"].endswith("tunesmith.toml")
    assert sources["llm_backend"] == "environment"
    assert sources["seed"] == "default"


def test_unknown_backend_names_the_key_and_the_valid_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNESMITH_LLM_BACKEND", "gpt5")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "llm_backend" in message and "'gpt5'" in message
    assert "embedded" in message and "ollama" in message and "openai" in message


def test_wrong_type_names_the_key() -> None:
    with pytest.raises(SettingsError, match="refine_rounds"):
        load_settings(refine_rounds="many")


def test_unknown_key_in_the_toml_file_lists_the_valid_settings() -> None:
    (Path.cwd() / "tunesmith.toml").write_text("refine_round = 2\n")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "unknown setting 'refine_round'" in str(error.value)
    assert "refine_rounds" in str(error.value)
