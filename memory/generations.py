"""Memory of every tune the product made, so "something like the waltz I made yesterday" can be found.

Collection `generations`: one record per tune. The embedded document is the user's request plus a
description of the plan ("waltz in G major, 3/4, 32 bars, for fiddle, wistful"); the ABC, the plan as
JSON, the critic's overall score (0–1) and the session/turn ids are metadata.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from tunesmith.memory.store import open_collection

COLLECTION = "generations"


class Generation(BaseModel):
    """A tune made earlier, as search returns it; `similarity` is cosine similarity to the query (-1…1)."""

    id: str
    title: str
    request: str
    abc: str
    plan: dict[str, Any]
    critic_score: float | None = Field(None, description="The critic's overall score, 0–1, when it ran.")
    session_id: str
    turn: int
    created: str = Field(description="ISO 8601 time, UTC.")
    similarity: float | None = None


def _plan_dict(plan: BaseModel | Mapping[str, Any] | None) -> dict[str, Any]:
    if plan is None:
        return {}
    if isinstance(plan, BaseModel):
        return plan.model_dump(mode="json")
    return dict(plan)


def describe_plan(plan: Mapping[str, Any]) -> str:
    """A short sentence for the embedding: type, key, mode, meter, bars, instrument, mood."""
    parts = []
    kind = plan.get("tune_type") or "tune"
    if plan.get("key"):
        parts.append(f"{kind} in {plan['key']} {plan.get('mode') or 'major'}")
    else:
        parts.append(str(kind))
    for name, template in (("meter", "{}"), ("bars", "{} bars"), ("tempo_bpm", "{} bpm"), ("instrument", "for {}"), ("mood", "{}")):
        if plan.get(name):
            parts.append(template.format(plan[name]))
    return ", ".join(parts)


def remember_generation(
    *,
    abc: str,
    request: str,
    session_id: str,
    turn: int,
    plan: BaseModel | Mapping[str, Any] | None = None,
    critic_score: float | None = None,
    title: str | None = None,
    created: datetime | None = None,
) -> str:
    """Store one generated tune; returns its id. Storing the same tune for the same turn twice is a no-op."""
    if not abc.strip():
        raise ValueError("abc is empty; only a tune that was made can be remembered")
    if critic_score is not None and not 0.0 <= critic_score <= 1.0:
        raise ValueError(f"critic_score={critic_score} is outside 0–1")
    plan_data = _plan_dict(plan)
    moment = (created or datetime.now(UTC)).astimezone(UTC)
    tune_title = title or plan_data.get("title") or "Untitled"
    generation_id = hashlib.sha256(f"{session_id}\x00{turn}\x00{abc}".encode()).hexdigest()[:20]
    metadata: dict[str, Any] = {
        "title": tune_title,
        "request": request,
        "abc": abc,
        "plan_json": json.dumps(plan_data, sort_keys=True, default=str),
        "session_id": session_id,
        "turn": int(turn),
        "created": moment.isoformat(timespec="seconds"),
        "created_ts": moment.timestamp(),  # seconds since the epoch, for `since` filters
    }
    for name in ("key", "mode", "meter", "tune_type"):
        if plan_data.get(name):
            metadata[name] = str(plan_data[name])
    if critic_score is not None:
        metadata["critic_score"] = float(critic_score)
    document = f"{request.strip()} — {tune_title}: {describe_plan(plan_data)}"
    open_collection(COLLECTION).upsert(ids=[generation_id], documents=[document], metadatas=[metadata])
    return generation_id


def search_generations(
    query: str, k: int = 5, *, session_id: str | None = None, since: datetime | None = None
) -> list[Generation]:
    """Tunes made earlier, nearest in meaning to `query`; optionally one session's, or made after `since`."""
    if not query.strip():
        raise ValueError("query is empty; describe the tune, e.g. 'the waltz I made yesterday'")
    if k < 1:
        raise ValueError(f"k={k} must be at least 1")
    collection = open_collection(COLLECTION)
    total = collection.count()
    if total == 0:
        return []
    filters: list[dict[str, Any]] = []
    if session_id:
        filters.append({"session_id": session_id})
    if since is not None:
        filters.append({"created_ts": {"$gte": since.astimezone(UTC).timestamp()}})
    where = filters[0] if len(filters) == 1 else ({"$and": filters} if filters else None)
    result = collection.query(
        query_texts=[query], n_results=min(k, total), where=where, include=["metadatas", "distances"]
    )
    found = []
    for gid, meta, distance in zip(result["ids"][0], result["metadatas"][0], result["distances"][0]):
        found.append(
            Generation(
                id=gid,
                title=meta["title"],
                request=meta["request"],
                abc=meta["abc"],
                plan=json.loads(meta["plan_json"]),
                critic_score=meta.get("critic_score"),
                session_id=meta["session_id"],
                turn=meta["turn"],
                created=meta["created"],
                similarity=round(1.0 - float(distance), 4),
            )
        )
    return found
