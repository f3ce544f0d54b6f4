"""The app's URLs: the page, the JSON API the page calls, the turn event streams and session files.

Handlers are thin: sessions come from `SessionStore`, turns go through the queue to `ChatSession.ask`,
views are read from the turn folders (`web.conversation`), files pass `web.files`. Slow work (file
checks, MusicXML, doctor's probes) runs in a thread so the event loop keeps streaming.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tunesmith.errors import InputError, NotAllowedError, NotFoundError
from tunesmith.web import conversation, files, uploads
from tunesmith.web.queue import Job

STATIC = Path(__file__).resolve().parent / "static"
MAX_REQUEST_CHARS = 2000
SANDBOXED_FILE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def _session(request: Request):
    return files.load_session(request.app.state.store, request.path_params["session_id"])


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})


async def app_config(request: Request) -> Response:
    """What the page needs to know before anything else: upload caps and the configured model."""
    settings = request.app.state.settings
    return JSONResponse({
        "max_bytes": uploads.MAX_BYTES, "accepted": uploads.ACCEPTED,
        "backend": settings.llm_backend, "model": settings.llm_model,
    })


async def list_sessions(request: Request) -> Response:
    summaries = await run_in_threadpool(request.app.state.store.list)
    return JSONResponse([
        {"id": s.id, "title": s.title, "turns": s.turns, "updated": s.updated, "problem": s.problem} for s in summaries
    ])


async def create_session(request: Request) -> Response:
    stored = request.app.state.store.create()
    return JSONResponse({"id": stored.id, "title": stored.title}, status_code=201)


def _jobs(request: Request, session_id: str | None = None) -> list[dict]:
    return [job.summary() for job in request.app.state.queue.jobs(session_id)]


async def show_session(request: Request) -> Response:
    session = await run_in_threadpool(_session, request)
    view = await run_in_threadpool(conversation.conversation, session)
    return JSONResponse({**view, "jobs": _jobs(request, session.id)})


async def show_turn(request: Request) -> Response:
    def view():
        session = _session(request)
        try:
            folder = conversation.turn_folder(session, request.path_params["turn"])
        except LookupError as exc:
            raise NotFoundError(str(exc)) from None
        return conversation.turn_view(session, folder)

    return JSONResponse(await run_in_threadpool(view))


async def submit_turn(request: Request) -> Response:
    """Queue a request (with at most one file) for the agent; answers at once with the job and its place."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > uploads.MAX_REQUEST_BYTES:
        raise uploads.UploadRefused(
            f"the upload is {int(length) / uploads.MIB:.0f} MiB; the most any upload may be is "
            f"{max(uploads.MAX_BYTES.values()) // uploads.MIB} MiB"
        )
    session = await run_in_threadpool(_session, request)
    try:
        async with request.form(max_files=1, max_fields=4, max_part_size=64 * 1024) as form:
            words = str(form.get("request") or "").strip()
            if not words:
                raise InputError("the request is empty: say what music you want, e.g. “a cheerful jig in D major”")
            if len(words) > MAX_REQUEST_CHARS:
                raise InputError(f"the request has {len(words)} characters; at most {MAX_REQUEST_CHARS} are accepted")
            upload, attachment = form.get("file"), None
            if upload is not None and not isinstance(upload, str) and upload.filename:
                kind = str(form.get("kind") or "") or None
                attachment = await run_in_threadpool(uploads.accept_upload, upload.file, upload.filename, session.folder, kind)
    except MultiPartException as exc:
        raise InputError(f"the form could not be read ({exc}); send the words and at most one file") from None
    job = request.app.state.queue.submit(Job(session_id=session.id, request=words, attachment=attachment))
    return JSONResponse(job.summary(), status_code=202)


async def undo(request: Request) -> Response:
    from tunesmith.agent.session import ChatSession

    session = await run_in_threadpool(_session, request)
    if request.app.state.queue.busy(session.id):
        raise NotAllowedError("a turn of this session is waiting or running; undo when it has finished, or cancel it")
    # Undo marks a turn in the session file; it needs no chat model.
    message = ChatSession(session, None, request.app.state.settings).undo()
    return JSONResponse({"message": message})


def _job(request: Request) -> Job:
    job = request.app.state.queue.get(request.path_params["job_id"])
    if job is None:
        raise NotFoundError("no such turn in the queue; it may have finished before the server restarted")
    return job


async def job_events(request: Request) -> Response:
    """The job's events as Server-Sent Events, from the first, until it ends."""
    job = _job(request)

    async def events():
        async for event in job.stream():
            yield ": keepalive\n\n" if event is None else f"data: {json.dumps(event)}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


async def cancel_job(request: Request) -> Response:
    job = request.app.state.queue.cancel(_job(request).id)
    return JSONResponse(job.summary())


async def queue(request: Request) -> Response:
    return JSONResponse(_jobs(request))


async def status(request: Request) -> Response:
    """`tunesmith doctor`'s rows."""
    from tunesmith.agent.doctor import collect_checks

    rows = await run_in_threadpool(collect_checks, request.app.state.settings)
    return JSONResponse([
        {"name": r.name, "available": r.available, "detail": r.detail, "fix": r.fix, "required": r.required} for r in rows
    ])


def _file_response(path: Path, download: bool) -> Response:
    return FileResponse(
        path, media_type=files.content_type(path), filename=path.name if download else None,
        content_disposition_type="attachment" if download else "inline",
        headers={"content-security-policy": SANDBOXED_FILE_POLICY},
    )


async def session_file(request: Request) -> Response:
    path = await run_in_threadpool(
        files.session_file, request.app.state.store, request.path_params["session_id"], request.path_params["relative"]
    )
    return _file_response(path, "download" in request.query_params)


async def musicxml(request: Request) -> Response:
    """The turn's MusicXML, made from tune.abc the first time it is asked for."""
    from tunesmith.tools.render import render_musicxml

    def made() -> Path:
        session = _session(request)
        try:
            folder = conversation.turn_folder(session, request.path_params["turn"])
        except LookupError as exc:
            raise NotFoundError(str(exc)) from None
        relative = f"{folder.name}/{conversation.DOWNLOADS['musicxml']}"
        if not (folder / conversation.DOWNLOADS["musicxml"]).is_file():
            abc = files.session_file(request.app.state.store, session.id, f"{folder.name}/{conversation.DOWNLOADS['abc']}")
            render_musicxml(abc.read_text(encoding="utf-8"), folder, "tune")
        return files.session_file(request.app.state.store, session.id, relative)

    return _file_response(await run_in_threadpool(made), True)


ROUTES = [
    Route("/", page),
    Route("/api/config", app_config),
    Route("/api/status", status),
    Route("/api/queue", queue),
    Route("/api/sessions", list_sessions, methods=["GET"]),
    Route("/api/sessions", create_session, methods=["POST"]),
    Route("/api/sessions/{session_id}", show_session),
    Route("/api/sessions/{session_id}/turns", submit_turn, methods=["POST"], max_body_size=uploads.MAX_REQUEST_BYTES),
    Route("/api/sessions/{session_id}/turns/{turn}", show_turn),
    Route("/api/sessions/{session_id}/turns/{turn}/musicxml", musicxml),
    Route("/api/sessions/{session_id}/undo", undo, methods=["POST"]),
    Route("/api/jobs/{job_id}/events", job_events),
    Route("/api/jobs/{job_id}/cancel", cancel_job, methods=["POST"]),
    Route("/files/{session_id}/{relative:path}", session_file),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]
