"""The one settings object: read from `tunesmith.toml` and `TUNESMITH_*` environment variables.

Precedence, highest first: environment variables, the TOML file, the defaults below.
The TOML file is the first found of: `$TUNESMITH_CONFIG`, `./tunesmith.toml`,
`~/.config/tunesmith/tunesmith.toml`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tunesmith.errors import InputError

ENV_PREFIX = "TUNESMITH_"
LlmBackend = Literal["embedded", "ollama", "openai"]
Composer = Literal["melody_model", "rule_based"]


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "tunesmith"


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tunesmith"


def config_file() -> Path | None:
    """The TOML file settings are read from, or None when there is none."""
    candidates = [
        os.environ.get("TUNESMITH_CONFIG"),
        Path.cwd() / "tunesmith.toml",
        Path.home() / ".config" / "tunesmith" / "tunesmith.toml",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


class Settings(BaseSettings):
    """Everything a user can configure. Paths are absolute after loading."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    # The chat model
    llm_backend: LlmBackend = Field("embedded", description="Which chat model drives the agent.")
    llm_model: str = Field(
        "qwen2.5-coder-1.5b",
        description="Model name: the embedded GGUF id, an Ollama tag (e.g. qwen2.5:7b) or an OpenAI model name.",
    )
    ollama_host: str = Field(
        default_factory=lambda: os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434"),
        description="Where `ollama serve` listens.",
    )
    openai_base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible server URL.")
    openai_api_key: str = Field("not-needed", description="API key for the OpenAI-compatible server.")
    llm_context_tokens: int = Field(8192, ge=1024, le=131072, description="Context window of the embedded model.")
    llm_threads: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1, description="CPU threads for llama.cpp.")
    llm_temperature: float = Field(0.2, ge=0.0, le=2.0, description="Sampling temperature of the agent's LLM.")

    # Where things live
    output_dir: Path = Field(default_factory=lambda: _data_home() / "sessions", description="Session folders.")
    cache_dir: Path = Field(default_factory=_cache_home, description="Assembled model files and caches.")
    chroma_path: Path = Field(default_factory=lambda: _data_home() / "chroma", description="Embedded Chroma store.")
    chroma_url: str | None = Field(None, description="A Chroma server (`chroma run`) to use instead of the embedded store.")

    # Optional heavy models: a local folder or a Hugging Face id looked up in the local cache only.
    captioner_model: str = Field("Salesforce/blip-image-captioning-base", description="BLIP captioner.")
    musicgen_model: str = Field("facebook/musicgen-small", description="MusicGen for text-to-audio.")
    musicgen_melody_model: str = Field("facebook/musicgen-melody", description="MusicGen-melody.")
    clap_model: str = Field("laion/clap-htsat-unfused", description="CLAP for text-audio similarity.")
    embedder_model: str | None = Field(None, description="Sentence-transformers folder; default: packaged all-MiniLM-L6-v2.")
    allow_downloads: bool = Field(False, description="Let Hugging Face download missing weights (off: offline only).")
    face_expressions: bool = Field(
        True, description="Read the expressions of faces in a picture (fer's model, trained on FER2013 web images: "
                          "see README, Licences); off: faces are still counted.")

    # Rendering
    soundfont: Path = Field(Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"), description="General MIDI SoundFont.")
    sample_rate: int = Field(44100, ge=8000, le=192000, description="WAV sample rate in Hz.")

    # Composing
    composer: Composer = Field(
        "melody_model",
        description="Who writes melodies from a plan: the melody model trained on real tunes, or the rule-based composer.",
    )

    # The agent
    refine_rounds: int = Field(3, ge=0, le=10, description="Most critic→revise rounds per tune.")
    max_agent_steps: int = Field(12, ge=1, le=100, description="Most tool calls the agent may make in one turn.")
    agent_mode: Literal["plan", "loop"] = Field(
        "plan", description="plan: the model writes the turn's whole tool plan in one call and the agent runs it; "
                            "loop: one model call per step (for large models).")
    llm_reply: bool = Field(False, description="Let the model write the final reply (one more short call; worth it on "
                                               "a strong backend); off: the reply is written from the trace.")
    seed: int = Field(0, description="Seed for every random choice, so runs repeat.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


class SettingsError(InputError):
    """A setting has a bad value; the message names the key and what would be valid."""


def _describe(error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        valid = ", ".join(sorted(Settings.model_fields))
        return f"unknown setting '{key}'; valid settings are: {valid}"
    if error["type"] == "literal_error":
        return f"setting '{key}' = {error.get('input')!r} is not valid; {error['msg'].lower()}"
    return f"setting '{key}' = {error.get('input')!r} is not valid: {error['msg']}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from every source; overrides (e.g. CLI flags) win. Raises SettingsError."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise SettingsError("; ".join(_describe(e) for e in exc.errors())) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded once."""
    return load_settings()


def setting_sources(settings: Settings) -> dict[str, str]:
    """Where each setting's value came from: 'environment', the TOML file's path, or 'default'."""
    path = config_file()
    from_file: dict = {}
    if path is not None:
        import tomllib

        from_file = tomllib.loads(path.read_text())
    sources = {}
    for name in Settings.model_fields:
        if f"{ENV_PREFIX}{name}".upper() in {k.upper() for k in os.environ}:
            sources[name] = "environment"
        elif name in from_file:
            sources[name] = str(path)
        else:
            sources[name] = "default"
    return sources


@dataclass(frozen=True)
class BackendStatus:
    """One row of `tunesmith doctor`: a backend or model, whether it can be used, and the fix."""

    name: str
    available: bool
    detail: str
    fix: str = ""
    required: bool = False  # True when the main job (compose on the embedded default) cannot run without it
