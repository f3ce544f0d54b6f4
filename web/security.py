"""Safe by default: answer only to the host names the server was bound for, refuse state changes that a
foreign page could forge, and tell the browser to run nothing but the app's own scripts.

A page on another site can make a browser send a plain form POST to 127.0.0.1, but it cannot add a
custom header without the browser asking first (CORS), and this server never says yes: so every
request that changes something must carry `X-Tunesmith: 1`, which the app's own page always sends.
The host check stops DNS rebinding (a foreign name that resolves to 127.0.0.1) from reading sessions.
"""

from __future__ import annotations

import ipaddress
import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_HEADER = "x-tunesmith"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
SAFE_METHODS = ("GET", "HEAD")
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def binds_all_interfaces(host: str) -> bool:
    """Whether `host` (e.g. 0.0.0.0 or ::) makes the server reachable from other machines on every interface."""
    return host in ("0.0.0.0", "::", "")


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach a server bound to `host`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(bound_host: str) -> frozenset[str] | None:
    """Host names a request may name in its Host header; None = any (bound to all interfaces)."""
    if binds_all_interfaces(bound_host):
        return None
    return LOOPBACK_NAMES | {bound_host.strip("[]")}


def host_name(header: str) -> str:
    """The name in a Host header without the port: "localhost:8000" → localhost, "[::1]:8000" → ::1."""
    if header.startswith("["):
        return header[1:].split("]")[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


async def _refuse(send: Send, status: int, sentence: str) -> None:
    body = json.dumps({"error": sentence}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: host check, forged-request check, security headers on every response."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.hosts is not None and host_name(headers.get("host", "")) not in self.hosts:
            await _refuse(send, 400, "This server answers only to the address it was started on.")
            return
        if scope["method"] not in SAFE_METHODS and headers.get(REQUEST_HEADER) != "1":
            await _refuse(send, 403, f"Requests that change something must come from Tunesmith's page (header {REQUEST_HEADER}).")
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = MutableHeaders(scope=message)
                extra.setdefault("content-security-policy", PAGE_POLICY)
                extra.setdefault("x-content-type-options", "nosniff")
                extra.setdefault("referrer-policy", "no-referrer")
                extra.setdefault("x-frame-options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)
