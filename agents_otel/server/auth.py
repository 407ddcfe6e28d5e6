"""Who is asking: the app's ``auth`` function, the built-in bearer token, and short-lived stream tokens.

A principal is an opaque non-empty string naming whoever started a run; runs are bound to it and nobody else
can see or steer them. ``auth(request)`` (sync or async) returns it, or ``None`` to refuse with 401. Without any
auth configured every request is the principal :data:`ANONYMOUS` (the local-development default).

``EventSource`` cannot send headers, so the ``events_url`` a run's owner receives carries a **stream token**: an
HMAC over (run id, principal, expiry) that lets a ``GET`` of that one run's URLs in, for ``stream_token_seconds``.
It grants reading, never starting or cancelling, and only for the run it names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import json
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

AuthFunction = Callable[[Request], "str | Awaitable[str | None] | None"]
"""``fn(request) -> principal | None``, plain or ``async``."""

ANONYMOUS = "anonymous"
"""The principal of every request when the app has no auth configured."""

BEARER_PRINCIPAL = "bearer"
"""The principal of every request that presents the built-in ``auth_token``."""

TOKEN_ENV = "AGENTS_OTEL_SERVER_TOKEN"
STREAM_TOKEN_PARAM = "stream_token"
DEFAULT_STREAM_TOKEN_SECONDS = 900.0


def bearer_token_auth(token: str) -> AuthFunction:
    """``Authorization: Bearer <token>`` or nothing; compared in constant time."""
    if not token:
        raise ValueError("auth_token must not be empty")
    expected = token.encode()

    def check(request: Request) -> str | None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return BEARER_PRINCIPAL if hmac.compare_digest(presented.strip().encode(), expected) else None

    return check


def resolve_auth(auth: AuthFunction | None, auth_token: str | None) -> tuple[AuthFunction | None, str | None]:
    """The app's auth function (or ``None`` for no auth) and the bearer token it came from, if any.

    ``auth`` and ``auth_token`` are exclusive; with neither, ``AGENTS_OTEL_SERVER_TOKEN`` turns the bearer token
    on, so an operator protects every app of a process without touching code.
    """
    if auth is not None and auth_token is not None:
        raise ValueError("pass either auth= or auth_token=, not both")
    if auth is not None:
        return auth, None
    token = auth_token if auth_token is not None else os.environ.get(TOKEN_ENV) or None
    return (bearer_token_auth(token), token) if token is not None else (None, None)


async def call_auth(auth: AuthFunction, request: Request) -> str | None:
    result: Any = auth(request)
    if inspect.isawaitable(result):
        result = await result
    if result is not None and (not isinstance(result, str) or not result):
        raise TypeError(f"auth must return a non-empty principal str or None, got {result!r}")
    return result


@dataclass(frozen=True)
class StreamGrant:
    """What a valid stream token lets in: ``GET`` requests of one run, as its owner."""

    principal: str
    run_id: str


class StreamTokens:
    """Signs and checks stream tokens. The key is derived from the bearer token when there is one (so replicas
    sharing the token accept each other's URLs), else from ``key``, else random per process."""

    def __init__(
        self,
        *,
        key: bytes | None = None,
        seconds: float = DEFAULT_STREAM_TOKEN_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if seconds <= 0:
            raise ValueError("stream_token_seconds must be positive")
        self._key = key if key else secrets.token_bytes(32)
        self.seconds = seconds
        self._clock = clock

    @classmethod
    def from_secret(cls, secret: str, seconds: float = DEFAULT_STREAM_TOKEN_SECONDS) -> StreamTokens:
        return cls(key=hashlib.sha256(b"agents_otel stream token\0" + secret.encode()).digest(), seconds=seconds)

    def issue(self, run_id: str, principal: str) -> str:
        expires = int(self._clock() + self.seconds)
        body = _b64(json.dumps([principal, run_id, expires], separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def check(self, token: str) -> StreamGrant | None:
        """The grant, or ``None`` for a forged, malformed or expired token."""
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            return None
        try:
            principal, run_id, expires = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (ValueError, TypeError):
            return None
        if not isinstance(principal, str) or not isinstance(run_id, str) or not isinstance(expires, int):
            return None
        return StreamGrant(principal, run_id) if expires > self._clock() else None

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
