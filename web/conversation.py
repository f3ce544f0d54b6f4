"""What the page shows of a session, read from its files alone: each turn's request, reply, tune, files,
explanation and the evidence behind it (trace.json), so a reload or a restart shows the same thing.

A turn is described only by the turn folder's public files: tune.abc, tune.mid, tune.wav, score.svg,
plan.json, trace.json, explanation.md (and tune.musicxml or MusicGen audio when present).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tunesmith.memory.sessions import StoredSession

DOWNLOADS = {"abc": "tune.abc", "midi": "tune.mid", "wav": "tune.wav", "svg": "score.svg", "musicxml": "tune.musicxml"}
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
# The picture's measures the page draws as bars (0..1 each); the rest of the evidence stays words.
IMAGE_MEASURES = ("valence", "energy", "calm", "brightness", "warmth", "saturation", "contrast", "edge_density")
_PALETTE_ENTRY = re.compile(r"(?:^|, | and )([a-z][a-z ]*?) \((\d+)%\)")


def file_url(session_id: str, relative: str) -> str:
    """Where the page fetches a session's file (see web.files)."""
    return f"/files/{session_id}/{quote(relative)}"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _inside(folder: Path, path: Path) -> bool:
    folder, path = folder.resolve(), path.resolve()
    return folder in path.parents


def palette(colours: str) -> list[dict[str, Any]]:
    """The picture's colours as swatches, from the trace's words ("navy (42%), grey (20%) and ochre (12%)")."""
    from tunesmith.tools.vision.palette import NAMED_COLOURS

    return [
        {"name": name.strip(), "share": int(share) / 100, "hex": NAMED_COLOURS.get(name.strip())}
        for name, share in _PALETTE_ENTRY.findall(colours or "")
    ]


def _image_view(evidence: dict[str, Any], inputs: dict[str, str], session: StoredSession) -> dict[str, Any] | None:
    image = evidence.get("image")
    if not isinstance(image, dict):
        return None
    source = Path(inputs["image"]) if inputs.get("image") else None
    url = None
    if source is not None and source.is_file() and _inside(session.folder, source):
        url = file_url(session.id, source.resolve().relative_to(session.folder.resolve()).as_posix())
    return {
        "url": url,
        "caption": image.get("caption"),
        "colours": image.get("colours"),
        "palette": palette(str(image.get("colours", ""))),
        "measures": {key: image[key] for key in IMAGE_MEASURES if isinstance(image.get(key), (int, float))},
    }


def _summary(abc: str) -> dict[str, Any] | None:
    from tunesmith.tools.abc import analyse_abc

    try:
        tune = analyse_abc(abc)
    except ValueError:  # a tune the analyser refuses is still shown and playable
        return None
    return {"title": tune.title, "key": tune.key, "mode": tune.mode, "meter": tune.meter,
            "tempo_bpm": tune.tempo_bpm, "bars": tune.bars}


def explanation_html(markdown: str) -> str:
    """explanation.md as HTML; raw HTML in it (e.g. from a request's words) is escaped, not rendered."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)


def turn_view(session: StoredSession, folder: Path) -> dict[str, Any]:
    """Everything the page shows for one turn folder; missing files are simply absent."""
    turn = folder.name
    served = folder.is_dir() and _inside(session.folder, folder)
    if not served:  # e.g. `compose --out DIR` put the turn elsewhere: its files are not the session's to serve
        return {"turn": turn, "files": {}}
    files = {kind: file_url(session.id, f"{turn}/{name}") for kind, name in DOWNLOADS.items() if (folder / name).is_file()}
    trace = _read_json(folder / "trace.json")
    evidence = trace.get("evidence") or {}
    on_demand = "abc" in files and "musicxml" not in files
    view: dict[str, Any] = {
        "turn": turn,
        "files": files,
        "musicxml_on_demand": f"/api/sessions/{session.id}/turns/{turn}/musicxml" if on_demand else None,
        "musicgen": [
            file_url(session.id, f"{turn}/{name}") for kind, name in (trace.get("artifacts") or {}).items()
            if kind.startswith("musicgen") and Path(name).suffix in AUDIO_SUFFIXES and (folder / Path(name).name).is_file()
        ],
        "critic_rounds": [
            {key: r.get(key) for key in ("round", "overall", "change", "kept")} for r in trace.get("critic_rounds") or []
        ],
        "exemplars": [
            {key: e.get(key) for key in ("title", "source", "why_matched")} for e in evidence.get("exemplars") or []
        ],
        "image": _image_view(evidence, trace.get("inputs") or {}, session),
        "audio_evidence": evidence.get("audio"),
        "edits": evidence.get("edits") or [],
        "notes": trace.get("notes") or [],
        "seconds": trace.get("wall_seconds"),
    }
    if "abc" in files:
        view["abc"] = (folder / DOWNLOADS["abc"]).read_text(encoding="utf-8", errors="replace")
        view["summary"] = _summary(view["abc"])
    explanation = folder / "explanation.md"
    if explanation.is_file():
        view["explanation_html"] = explanation_html(explanation.read_text(encoding="utf-8", errors="replace"))
    return view


def turn_folder(session: StoredSession, turn: str) -> Path:
    """A turn folder of this session by name (turn-003); LookupError when it is not one of its turns."""
    for folder in session.turns:
        if folder.name == turn:
            return folder
    raise LookupError(f"session {session.id} has no turn {turn!r}")


def conversation(session: StoredSession) -> dict[str, Any]:
    """The session as the page shows it: title and every turn (request, reply, status, undone, view)."""
    from langchain_core.messages import messages_from_dict

    turns = []
    messages = messages_from_dict(session.messages)
    for number, (request, reply) in enumerate(zip(messages[::2], messages[1::2]), start=1):
        extra = reply.additional_kwargs
        folder = Path(extra["folder"]) if extra.get("folder") else None
        turns.append({
            "number": number,
            "request": request.content,
            "reply": reply.content,
            "status": extra.get("status", "?"),
            "undone": bool(extra.get("undone")) and extra.get("status") == "done",
            "view": turn_view(session, folder) if folder is not None else None,
        })
    return {"id": session.id, "title": session.title, "created": session.created, "turns": turns}
