"""Find optional model weights on this machine: a local folder or the Hugging Face cache, never the network.

Every heavy model (captioner, MusicGen, CLAP) is resolved through `find_weights`, which says in one
sentence why weights are missing and how to get them. Downloads happen only when the user allowed
them (`allow_downloads`), and then only through `huggingface_hub` at the user's request.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tunesmith.errors import UnavailableError
from tunesmith.settings import BackendStatus


class WeightsUnavailable(UnavailableError):
    """The weights a tool needs are not on this machine; the message says how to get them."""


@dataclass(frozen=True)
class WeightsStatus:
    """Where a model's weights are, or why they are not available."""

    name: str
    path: Path | None
    reason: str
    fix: str

    @property
    def available(self) -> bool:
        return self.path is not None

    def require(self) -> Path:
        """The weights folder; raises WeightsUnavailable with the reason and the fix."""
        if self.path is None:
            raise WeightsUnavailable(self.reason, fix=self.fix)
        return self.path


def _has_weights(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any(
        folder.glob(pattern) for pattern in ("*.safetensors", "*.bin", "*.pt", "*.pth")
    )


def find_weights(name_or_path: str, *, allow_downloads: bool = False) -> WeightsStatus:
    """Resolve a local folder or a Hugging Face id (cache only, unless downloads are allowed)."""
    fix = (
        f"Put the model folder on this machine and set its path, or run "
        f"`huggingface-cli download {name_or_path}` on a machine with internet and copy the cache."
    )
    local = Path(name_or_path).expanduser()
    if local.is_dir():
        if _has_weights(local):
            return WeightsStatus(name_or_path, local.resolve(), "found local folder", "")
        return WeightsStatus(name_or_path, None, f"{local} has no config.json and weight files.", fix)
    if "/" not in name_or_path or name_or_path.startswith((".", "/", "~")):
        return WeightsStatus(name_or_path, None, f"{name_or_path} is not a folder on this machine.", fix)
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError:  # pragma: no cover - transformers always brings huggingface_hub
        return WeightsStatus(name_or_path, None, "huggingface_hub is not installed.", "pip install huggingface_hub")
    try:
        folder = Path(snapshot_download(name_or_path, local_files_only=not allow_downloads))
    except LocalEntryNotFoundError:
        return WeightsStatus(name_or_path, None, f"{name_or_path} is not in the Hugging Face cache on this machine.", fix)
    except Exception as exc:  # network refused, repo missing, ...
        return WeightsStatus(name_or_path, None, f"{name_or_path} could not be fetched ({type(exc).__name__}).", fix)
    if not _has_weights(folder):
        return WeightsStatus(name_or_path, None, f"the cached {name_or_path} has no weight files.", fix)
    return WeightsStatus(name_or_path, folder, "found in the Hugging Face cache", "")


def weights_status_row(label: str, status: WeightsStatus, fallback: str) -> BackendStatus:
    """A doctor row for an optional model; `fallback` says what the product does without it."""
    if status.available:
        return BackendStatus(label, True, f"{status.name}: {status.reason} ({status.path})")
    return BackendStatus(label, False, f"{status.reason} Without it: {fallback}", status.fix)
