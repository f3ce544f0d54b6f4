"""The turn queue: the LLM runs one turn at a time; other turns wait, see their place, and can be cancelled.

One worker thread takes jobs in order and hands each to a runner (`web.turns.TurnRunner`). Every
change of a job (its place in the queue, the agent's steps, the end) is an event that the job keeps
and that its listeners (Server-Sent Events streams, on the server's event loop) are woken for.
A running turn is cancelled at its next step by raising `TurnCancelled`, a `KeyboardInterrupt`, so the
session records it as interrupted exactly as Ctrl-C does in `tunesmith chat`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FINISHED = ("done", "failed", "cancelled")
KEEPALIVE_SECONDS = 15.0  # an idle stream sends a comment this often, so a closed tab is noticed
KEPT_FINISHED_JOBS = 200  # finished jobs remembered for pages that reload (the session files keep the rest)


class TurnCancelled(KeyboardInterrupt):
    """Raised inside a running turn at its next step when someone cancelled it."""


@dataclass(frozen=True)
class Attachment:
    """A checked upload saved in the session folder, handed to the turn as `user_files[role]`."""

    role: str  # image | audio | abc | midi
    path: Path


@dataclass
class Job:
    """One request waiting for or running through the agent, with everything a page needs to follow it."""

    session_id: str
    request: str
    attachment: Attachment | None = None
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    state: str = "waiting"  # waiting | running | done | failed | cancelled
    ahead: int = 0  # turns before this one in the queue (the running one included); 0 once it runs
    step: str | None = None
    error: str | None = None
    turn: str | None = None  # the turn folder's name when done, e.g. "turn-003"
    created: float = field(default_factory=time.time)
    cancel_requested: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    _listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self) -> dict[str, Any]:
        """The job as the page shows it."""
        return {
            "id": self.id, "session": self.session_id, "request": self.request, "state": self.state,
            "ahead": self.ahead, "step": self.step, "error": self.error, "turn": self.turn,
            "attachment": self.attachment.path.name if self.attachment else None,
        }

    def publish(self, kind: str) -> None:
        """Record the job's current state as an event and wake every listener (from any thread)."""
        with self._lock:
            self.events.append({"event": kind, **self.summary()})
            listeners = list(self._listeners)
        for loop, wake in listeners:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # that listener's loop has closed: its page is gone
                pass

    async def stream(self) -> AsyncIterator[dict[str, Any] | None]:
        """Every event from the first, then new ones as they happen, until the job ends; None = keepalive."""
        loop, wake = asyncio.get_running_loop(), asyncio.Event()
        listener = (loop, wake)
        with self._lock:
            self._listeners.add(listener)
        sent = 0
        try:
            while True:
                wake.clear()  # before reading, so an event published after the read still wakes us
                with self._lock:
                    fresh = self.events[sent:]
                sent += len(fresh)
                for event in fresh:
                    yield event
                if fresh and fresh[-1]["state"] in FINISHED:
                    return
                try:
                    await asyncio.wait_for(wake.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield None
        finally:
            with self._lock:
                self._listeners.discard(listener)


Runner = Callable[[Job, Callable[[str], None]], str]  # (job, progress) -> the turn folder's name
Describe = Callable[[Exception], str]  # an error -> one sentence for the page


class TurnQueue:
    """Jobs in arrival order, run one at a time by a worker thread."""

    def __init__(self, runner: Runner, describe_failure: Describe, step_words: Callable[[str], str] = str) -> None:
        self._runner = runner
        self._describe_failure = describe_failure
        self._step_words = step_words
        self._jobs: dict[str, Job] = {}
        self._waiting: list[Job] = []
        self._running: Job | None = None
        self._condition = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._work, name="tunesmith-turns", daemon=True)
        self._worker.start()

    def submit(self, job: Job) -> Job:
        """Queue a job; it learns how many turns are ahead of it at once."""
        with self._condition:
            if self._closed:
                raise RuntimeError("the server is stopping; no new turns are taken")
            self._jobs[job.id] = job
            job.ahead = len(self._waiting) + (1 if self._running else 0)
            self._waiting.append(job)
            self._condition.notify()
        job.publish("queued")
        return job

    def get(self, job_id: str) -> Job | None:
        with self._condition:
            return self._jobs.get(job_id)

    def jobs(self, session_id: str | None = None) -> list[Job]:
        """Known jobs (waiting, running and recently finished), oldest first, of one session or all."""
        with self._condition:
            return [job for job in self._jobs.values() if session_id in (None, job.session_id)]

    def busy(self, session_id: str) -> bool:
        """Whether a turn of this session is waiting or running."""
        with self._condition:
            return any(job.session_id == session_id for job in ([self._running] if self._running else []) + self._waiting)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a waiting job now, or a running one at its next step; finished jobs stay as they are."""
        with self._condition:
            job = self._jobs.get(job_id)
            if job is None or job.state in FINISHED:
                return job
            if job in self._waiting:
                self._waiting.remove(job)
                self._end(job, "cancelled")
                moved = list(self._waiting)
            else:
                job.cancel_requested = True
                moved = []
        if job.state == "running":
            job.step = "cancelling at the next step"
            job.publish("step")
        self._announce(moved)
        return job

    def close(self) -> None:
        """Stop taking jobs: waiting ones are cancelled, the running one is asked to stop."""
        with self._condition:
            self._closed = True
            dropped, self._waiting = self._waiting, []
            for job in dropped:
                job.error = "the server stopped before this turn ran"
                self._end(job, "cancelled")
            if self._running is not None:
                self._running.cancel_requested = True
            self._condition.notify_all()

    def _end(self, job: Job, state: str) -> None:
        job.state, job.ahead = state, 0
        job.publish(state)
        finished = [j for j in self._jobs.values() if j.state in FINISHED]
        for old in finished[: max(0, len(finished) - KEPT_FINISHED_JOBS)]:
            del self._jobs[old.id]

    def _announce(self, jobs: list[Job]) -> None:
        """Tell each waiting job its new place after the queue moved."""
        with self._condition:
            running = 1 if self._running else 0
            places = [(job, running + self._waiting.index(job)) for job in jobs if job in self._waiting]
        for job, ahead in places:
            if job.ahead != ahead:
                job.ahead = ahead
                job.publish("queued")

    def _work(self) -> None:
        while True:
            with self._condition:
                while not self._waiting and not self._closed:
                    self._condition.wait()
                if self._closed:
                    return
                job = self._waiting.pop(0)
                self._running, job.state, job.ahead = job, "running", 0
                moved = list(self._waiting)
            job.publish("running")
            self._announce(moved)
            self._run(job)

    def _run(self, job: Job) -> None:
        def progress(step: str) -> None:
            if job.cancel_requested:
                raise TurnCancelled()
            job.step = self._step_words(step)
            job.publish("step")

        state = "done"
        try:
            job.turn = self._runner(job, progress)
        except TurnCancelled:
            state = "cancelled"
        except Exception as exc:  # every failure becomes one sentence on the page; the log keeps the detail
            log.info("turn %s failed", job.id, exc_info=True)
            job.error, state = self._describe_failure(exc), "failed"
        with self._condition:
            self._running = None
            self._end(job, state)
