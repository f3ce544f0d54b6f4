"""The web app as an ASGI application: routes, the turn queue, the session store and the guards, wired once.

`create_app` is what `tunesmith serve` runs; tests and benchmarks pass their own chat model factory
(e.g. a scripted model) as an argument, so the app under test is the app users get.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse

from tunesmith.errors import InputError, NotAllowedError, NotFoundError, TunesmithError, UnavailableError
from tunesmith.memory.sessions import SessionStore
from tunesmith.web.queue import TurnQueue
from tunesmith.web.routes import ROUTES
from tunesmith.web.security import Guard, allowed_hosts
from tunesmith.web.turns import ChatModelFactory, TurnRunner, failure_sentence, step_words

if TYPE_CHECKING:
    from tunesmith.settings import Settings

STATUS_OF = ((InputError, 400), (NotFoundError, 404), (NotAllowedError, 403), (UnavailableError, 503))


def default_chat_model_factory(settings: Settings):
    """The configured chat model (embedded, Ollama or OpenAI-compatible), as the CLI makes it."""
    from tunesmith.agent.llm.factory import make_chat_model

    return make_chat_model(settings)


async def _error(request: Request, exc: Exception) -> JSONResponse:
    """Every failure becomes one sentence and a status for the page; the log keeps any traceback."""
    status = next((code for kind, code in STATUS_OF if isinstance(exc, kind)), 500)
    return JSONResponse({"error": failure_sentence(exc)}, status_code=status)


def create_app(
    settings: Settings | None = None,
    *,
    chat_model_factory: ChatModelFactory | None = None,
    host: str = "127.0.0.1",
) -> Starlette:
    """The app over the sessions folder of `settings`; `host` is the address it will be bound to."""
    if settings is None:
        from tunesmith.settings import load_settings

        settings = load_settings()
    runner = TurnRunner(settings, chat_model_factory or default_chat_model_factory)
    turn_queue = TurnQueue(runner, failure_sentence, step_words)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        turn_queue.close()

    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(Guard, hosts=allowed_hosts(host))],
        exception_handlers={TunesmithError: _error, Exception: _error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = SessionStore(settings.output_dir)
    app.state.queue = turn_queue
    return app
