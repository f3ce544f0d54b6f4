"""The Chroma client every collection goes through: embedded on disk by default, or a shared server.

Embedded (one user): `PersistentClient(settings.chroma_path)`, a folder holding `chroma.sqlite3` and
the HNSW index files. Shared (a team's library of tunes): start a server with

    chroma run --path /srv/tunesmith-chroma --host 0.0.0.0 --port 8000

and set `chroma_url = "http://that-host:8000"` (or `TUNESMITH_CHROMA_URL`); the same code then uses
`HttpClient`. Embeddings are always computed here, on the client, with `memory.embedder`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from tunesmith.errors import UnavailableError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

REBUILD_FIX = "run `tunesmith index --rebuild` (it rebuilds the library from the shipped corpus)."
INDEX_FIX = "run `tunesmith index` to build it from the shipped corpus (a few minutes)."


class StoreError(UnavailableError):
    """The Chroma store is missing, corrupt or unreachable; the message names it and the fix."""


def store_location() -> str:
    """Where the store is, in words: the server URL or the folder on disk."""
    from tunesmith.settings import get_settings

    settings = get_settings()
    return settings.chroma_url or str(settings.chroma_path)


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    # Same settings object every time: chroma refuses two clients on one path with different settings.
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def open_client(*, create: bool = True) -> ClientAPI:
    """A Chroma client for the configured store. With create=False a missing folder is a StoreError."""
    from tunesmith.settings import get_settings

    settings = get_settings()
    import chromadb

    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise StoreError(f"chroma_url={settings.chroma_url!r} is not a URL like http://host:8000")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=_chroma_settings(),
            )
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({exc}).", fix="start it with `chroma run --path <folder>` or unset chroma_url to use the embedded store.") from None
    path = Path(settings.chroma_path)
    if not create and not (path / "chroma.sqlite3").is_file():
        raise StoreError(f"there is no library at {path}.", fix=INDEX_FIX)
    try:
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        raise StoreError(f"the Chroma store at {path} cannot be opened ({exc}); it may be corrupt.", fix=REBUILD_FIX) from None


def open_collection(name: str, *, create: bool = True) -> Collection:
    """A collection by name, embedded with `memory.embedder`, cosine distance.

    With create=False a missing store or collection is a StoreError that says to run `tunesmith index`.
    """
    from tunesmith.memory.embedder import embedding_function

    client = open_client(create=create)
    try:
        if create:
            return client.get_or_create_collection(
                name, embedding_function=embedding_function(), configuration={"hnsw": {"space": "cosine"}}
            )
        return client.get_collection(name, embedding_function=embedding_function())
    except StoreError:
        raise
    except Exception as exc:
        if "does not exist" in str(exc) or type(exc).__name__ == "NotFoundError":
            raise StoreError(f"the store at {store_location()} has no '{name}' collection.", fix=INDEX_FIX) from None
        raise StoreError(
            f"the '{name}' collection at {store_location()} cannot be read ({exc}).", fix=REBUILD_FIX
        ) from None


def drop_collection(name: str) -> None:
    """Delete a collection if it exists (used by `index --rebuild`)."""
    client = open_client()
    try:
        client.delete_collection(name)
    except Exception as exc:
        if "does not exist" not in str(exc) and type(exc).__name__ != "NotFoundError":
            raise StoreError(f"could not delete '{name}' at {store_location()} ({exc})") from None


def folder_size_bytes(path: Path) -> int:
    """Total size in bytes of the files under `path` (0 when it does not exist)."""
    path = Path(path)
    if not path.exists():
        return 0
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def store_bytes() -> int:
    """Size of the embedded store on disk in bytes; 0 for a Chroma server (its disk is not ours to see)."""
    from tunesmith.settings import get_settings

    settings = get_settings()
    return 0 if settings.chroma_url else folder_size_bytes(settings.chroma_path)
