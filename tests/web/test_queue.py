"""The turn queue: one turn at a time, places that move up, cancelling waiting and running turns,
failures as one sentence."""

from __future__ import annotations

import threading
import time

import pytest

from tunesmith.errors import UnavailableError
from tunesmith.web.queue import Job, TurnQueue
from tunesmith.web.turns import failure_sentence, step_words


class HeldRunner:
    """Runs a job by reporting two steps; each job waits at its first step until released."""

    def __init__(self) -> None:
        self.release: dict[str, threading.Event] = {}
        self.started: list[str] = []
        self.failure: Exception | None = None

    def __call__(self, job: Job, progress) -> str:
        self.started.append(job.request)
        progress("running plan_music")
        self.release.setdefault(job.request, threading.Event()).wait(timeout=10)
        progress("running compose_abc")
        if self.failure is not None:
            raise self.failure
        return f"turn-{len(self.started):03d}"

    def let_go(self, request: str) -> None:
        self.release.setdefault(request, threading.Event()).set()


def _wait_until(predicate, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def runner() -> HeldRunner:
    return HeldRunner()


@pytest.fixture
def queue(runner: HeldRunner):
    turns = TurnQueue(runner, failure_sentence, step_words)
    yield turns
    for request in list(runner.release):
        runner.let_go(request)
    turns.close()


def test_turns_run_one_at_a_time_in_the_order_they_came(queue: TurnQueue, runner: HeldRunner) -> None:
    first, second = queue.submit(Job("s1", "a jig")), queue.submit(Job("s2", "a reel"))
    _wait_until(lambda: first.state == "running")
    assert second.state == "waiting" and second.ahead == 1
    assert runner.started == ["a jig"]
    runner.let_go("a jig")
    _wait_until(lambda: second.state == "running")
    assert first.state == "done" and first.turn == "turn-001"
    runner.let_go("a reel")
    _wait_until(lambda: second.state == "done")


def test_a_waiting_turn_moves_up_when_one_ahead_is_cancelled(queue: TurnQueue, runner: HeldRunner) -> None:
    queue.submit(Job("s1", "a jig"))
    _wait_until(lambda: runner.started == ["a jig"])
    second, third = queue.submit(Job("s2", "a reel")), queue.submit(Job("s3", "a waltz"))
    assert (second.ahead, third.ahead) == (1, 2)
    queue.cancel(second.id)
    assert second.state == "cancelled"
    assert third.ahead == 1
    assert [event["ahead"] for event in third.events] == [2, 1]


def test_a_running_turn_is_cancelled_at_its_next_step(queue: TurnQueue, runner: HeldRunner) -> None:
    job = queue.submit(Job("s1", "a jig"))
    _wait_until(lambda: job.step == "planning")
    queue.cancel(job.id)
    assert job.state == "running" and job.step == "cancelling at the next step"
    runner.let_go("a jig")
    _wait_until(lambda: job.state == "cancelled")
    assert job.turn is None


def test_the_agents_steps_are_told_in_words(queue: TurnQueue, runner: HeldRunner) -> None:
    job = queue.submit(Job("s1", "a jig"))
    runner.let_go("a jig")
    _wait_until(lambda: job.state == "done")
    assert [e["step"] for e in job.events if e["event"] == "step"] == ["planning", "composing"]


def test_a_failed_turn_says_what_is_wrong_and_the_fix_in_one_sentence(queue: TurnQueue, runner: HeldRunner) -> None:
    runner.failure = UnavailableError("Ollama is not running at http://127.0.0.1:9", fix="start it with `ollama serve`")
    job = queue.submit(Job("s1", "a jig"))
    runner.let_go("a jig")
    _wait_until(lambda: job.state == "failed")
    assert job.error.startswith("Ollama is not running at http://127.0.0.1:9")
    assert job.error.endswith("start it with `ollama serve`") and "\n" not in job.error


def test_an_unexpected_error_is_named_without_a_traceback() -> None:
    sentence = failure_sentence(KeyError("tempo"))
    assert "KeyError" in sentence and "Traceback" not in sentence and "\n" not in sentence


def test_closing_the_queue_cancels_the_turns_still_waiting(queue: TurnQueue, runner: HeldRunner) -> None:
    running = queue.submit(Job("s1", "a jig"))
    _wait_until(lambda: running.state == "running")
    waiting = queue.submit(Job("s2", "a reel"))
    queue.close()
    assert waiting.state == "cancelled" and "server stopped" in waiting.error
    runner.let_go("a jig")
    _wait_until(lambda: running.state == "cancelled")
    with pytest.raises(RuntimeError):
        queue.submit(Job("s3", "a waltz"))


def test_a_listener_gets_every_event_from_the_start_until_the_end(queue: TurnQueue, runner: HeldRunner) -> None:
    import asyncio

    job = queue.submit(Job("s1", "a jig"))

    async def listen() -> list[str]:
        return [event["event"] async for event in job.stream() if event is not None]

    runner.let_go("a jig")
    seen = asyncio.run(asyncio.wait_for(listen(), 10))
    assert seen[0] == "queued" and seen[-1] == "done" and "step" in seen
