"""The gate every request of the app passes, whatever its endpoint: host, origin, body, then who is asking.

One ASGI middleware so that an endpoint added later (``/ag-ui``, ``/ai-sdk/chat``, ...) is covered without a
line of its own; endpoints only ask :func:`principal_of` and pass the answer to the run registry. In order:

1. ``Host`` must be in ``allowed_hosts`` (default: loopback names). A DNS-rebinding page reaches a local server
   under its own host name, so this, not the origin check, is what stops it (400 ``host_not_allowed``).
2. ``Origin``, when a browser sends one, must be the server's own or in ``allowed_origins`` (403
   ``origin_not_allowed``). Origins in that list get CORS answers, preflights included; nobody else does.
3. A request body must be ``application/json`` (415) and at most ``max_body_bytes`` (413), checked on the
   ``Content-Length`` and again while reading, so a chunked body cannot slip past.
4. ``auth(request)`` names the principal (401 if it refuses), or a ``stream_token`` in the query grants ``GET``
   access to one run (see :mod:`.auth`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import ANONYMOUS, STREAM_TOKEN_PARAM, AuthFunction, StreamGrant, StreamTokens, call_auth
from .errors import (
    BodyTooLargeError,
    HostNotAllowedError,
    OriginNotAllowedError,
    ServerError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "::1")
CORS_HEADERS = "authorization, content-type, last-event-id, traceparent, tracestate"
SCOPE_KEY = "agents_otel.access"


@dataclass(frozen=True)
class Access:
    """Who a request is (stored in the ASGI scope by the middleware)."""

    principal: str
    run_id: str | None = None
    """Set when the request got in on a stream token: it may read this run only."""


@dataclass
class AccessPolicy:
    auth: AuthFunction | None = None
    stream_tokens: StreamTokens = field(default_factory=StreamTokens)
    allowed_hosts: Sequence[str] = DEFAULT_ALLOWED_HOSTS
    allowed_origins: Sequence[str] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1:
            raise ValueError("max_body_bytes must be at least 1")
        self.allowed_hosts = tuple(h.lower().strip("[]") for h in self.allowed_hosts)
        self.allowed_origins = tuple(_normal_origin(o) for o in self.allowed_origins)

    def host_allowed(self, host: str) -> bool:
        name = _hostname(host)
        for allowed in self.allowed_hosts:
            if allowed == "*" or name == allowed:
                return True
            if allowed.startswith("*.") and name.endswith(allowed[1:]):
                return True
        return False

    def stream_url(self, path: str, run_id: str, principal: str) -> str:
        """``path`` (a run's events URL) with a stream token when the app authenticates, so ``EventSource`` works."""
        if self.auth is None:
            return path
        return f"{path}?{STREAM_TOKEN_PARAM}={self.stream_tokens.issue(run_id, principal)}"


def principal_of(request: HTTPConnection, run_id: str | None = None) -> str:
    """The principal a request acts as. ``run_id``: the run the endpoint is about; a stream-token request may
    only read that run (for anything else it is unauthenticated, 401)."""
    access: Access | None = request.scope.get(SCOPE_KEY)
    if access is None:  # the endpoint is served without the middleware (a test calling a handler directly)
        return ANONYMOUS
    if access.run_id is not None and access.run_id != run_id:
        raise UnauthorizedError("a stream token only grants reading the run it was issued for", headers=_CHALLENGE)
    return access.principal


def is_stream_grant(request: HTTPConnection) -> bool:
    """Whether the request got in on a stream token (rather than the app's own auth)."""
    access: Access | None = request.scope.get(SCOPE_KEY)
    return access is not None and access.run_id is not None


class AccessMiddleware:
    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        try:
            cross_origin = self._check_host_and_origin(headers, origin)
            if cross_origin and scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
                await _preflight(origin or "")(scope, receive, send)
                return
            receive = self._checked_body(headers, receive)
            scope[SCOPE_KEY] = await self._authenticate(scope)
        except ServerError as exc:
            await _error_response(exc, origin if self._cors_allowed(origin) else None)(scope, receive, send)
            return
        if cross_origin:
            send = _with_cors_headers(send, origin or "")
        await self.app(scope, receive, send)

    def _check_host_and_origin(self, headers: Headers, origin: str | None) -> bool:
        """Raise unless host and origin are allowed; return whether this is an allowed cross-origin request."""
        host = headers.get("host", "")
        if not self.policy.host_allowed(host):
            raise HostNotAllowedError(
                f"Host {host!r} is not an allowed host of this server; add it to allowed_hosts "
                "(agents-otel serve --allowed-host) if it is really this server's name"
            )
        if origin is None:
            return False  # not a browser, or a same-origin GET: browsers send Origin on every cross-origin request
        if origin != "null" and urlsplit(origin).netloc.lower() == host.lower():
            return False
        if self._cors_allowed(origin):
            return True
        raise OriginNotAllowedError(
            f"requests from origin {origin!r} are not allowed; add it to allowed_origins "
            "(agents-otel serve --allow-origin) to serve that site"
        )

    def _cors_allowed(self, origin: str | None) -> bool:
        return origin is not None and origin != "null" and _normal_origin(origin) in self.policy.allowed_origins

    def _checked_body(self, headers: Headers, receive: Receive) -> Receive:
        length = headers.get("content-length")
        has_body = (length is not None and length.strip() != "0") or "transfer-encoding" in headers
        if not has_body:
            return receive
        media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type != "application/json":
            raise UnsupportedMediaTypeError(
                f"request bodies must be application/json, got {media_type or 'no content type'!r}"
            )
        limit = self.policy.max_body_bytes
        if length is not None and length.strip().isdigit() and int(length) > limit:
            raise BodyTooLargeError(f"the request body is {int(length)} bytes; the limit is {limit}", limit=limit)
        return _limited_receive(receive, limit)

    async def _authenticate(self, scope: Scope) -> Access:
        if self.policy.auth is None:
            return Access(ANONYMOUS)
        connection = HTTPConnection(scope)
        principal = await call_auth(self.policy.auth, Request(scope))
        if principal is not None:
            return Access(principal)
        grant = self._stream_grant(connection) if scope["method"] in ("GET", "HEAD") else None
        if grant is None:
            raise UnauthorizedError("authentication required", headers=_CHALLENGE)
        return Access(grant.principal, grant.run_id)

    def _stream_grant(self, connection: HTTPConnection) -> StreamGrant | None:
        tokens = parse_qs(connection.scope.get("query_string", b"").decode("latin-1")).get(STREAM_TOKEN_PARAM)
        return self.policy.stream_tokens.check(tokens[-1]) if tokens else None


_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _normal_origin(origin: str) -> str:
    parts = urlsplit(origin.strip().lower())
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None and parts.port != default_port:
        netloc = f"{netloc}:{parts.port}"
    return f"{parts.scheme}://{netloc}"


def _limited_receive(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLargeError(f"the request body exceeds the limit of {limit} bytes", limit=limit)
        return message

    return limited


def _error_response(exc: ServerError, cors_origin: str | None) -> Response:
    headers = dict(exc.headers)
    if cors_origin is not None:
        headers.update(_cors_response_headers(cors_origin))
    return JSONResponse(exc.to_json(), status_code=exc.status_code, headers=headers)


def _preflight(origin: str) -> Response:
    headers = {
        **_cors_response_headers(origin),
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": CORS_HEADERS,
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


def _cors_response_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "Location",
        "Vary": "Origin",
    }


def _with_cors_headers(send: Send, origin: str) -> Send:
    extra = [(k.lower().encode(), v.encode()) for k, v in _cors_response_headers(origin).items()]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return wrapped
