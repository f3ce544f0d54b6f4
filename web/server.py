"""Run the app on a real HTTP server (uvicorn): in the foreground for `tunesmith serve`, or in a
background thread on a free port for tests, benchmarks and embedding.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import TYPE_CHECKING

from tunesmith.web.security import binds_all_interfaces, is_loopback

if TYPE_CHECKING:
    from starlette.applications import Starlette

SHUTDOWN_GRACE_SECONDS = 3  # open event streams are closed after this on Ctrl-C


def exposure_warning(host: str) -> str | None:
    """A sentence for a bind that other machines can reach; None for this machine only."""
    if binds_all_interfaces(host):
        return (f"listening on all interfaces ({host or '0.0.0.0'}): anyone who can reach this machine can use "
                "Tunesmith and read its sessions; use --host 127.0.0.1 to keep it to this machine")
    if not is_loopback(host):
        return f"listening on {host}: other machines on that network can use Tunesmith and read its sessions"
    return None


def _config(app: Starlette, **options):
    import uvicorn

    return uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
                          lifespan="on", **options)


def bound_socket(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port (port 0 = a free one); OSError when the address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    return sock


def serve(app: Starlette, host: str, port: int) -> None:
    """Serve until Ctrl-C; raises OSError (before anything starts) when the address cannot be bound."""
    import uvicorn

    sock = bound_socket(host, port)
    try:
        uvicorn.Server(_config(app)).run(sockets=[sock])
    finally:
        sock.close()


class ServerThread:
    """The app on 127.0.0.1 at a free port, in a daemon thread: `with ServerThread(app) as server: server.url`."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1") -> None:
        import uvicorn

        self._socket = bound_socket(host, 0)
        self.url = f"http://{host}:{self._socket.getsockname()[1]}"
        self._server = uvicorn.Server(_config(app))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def __enter__(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the web server did not start within 10 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=SHUTDOWN_GRACE_SECONDS + 5)
        self._socket.close()
