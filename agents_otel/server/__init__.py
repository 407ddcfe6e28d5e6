"""Serving agents over HTTP: an ASGI app streaming each run's events as Server-Sent Events (docs/server.md).

Needs the ``server`` extra (``pip install 'agents_otel[server]'``): starlette, sse-starlette, uvicorn.
"""

from __future__ import annotations

from .access import DEFAULT_ALLOWED_HOSTS, DEFAULT_MAX_BODY_BYTES, AccessMiddleware, AccessPolicy, principal_of
from .app import DEFAULT_TRACE_URL_TEMPLATE, AgentServerApp, RunRequest, create_app
from .auth import ANONYMOUS, TOKEN_ENV, AuthFunction, StreamTokens
from .errors import (
    BodyTooLargeError,
    HostNotAllowedError,
    InvalidRequestError,
    InvalidRunInputError,
    OriginNotAllowedError,
    ReplayUnavailableError,
    RunFinishedError,
    RunNotFoundError,
    ServerBusyError,
    ServerError,
    TooManyRunsError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from .event_json import event_to_json
from .replay_buffer import DEFAULT_REPLAY_BUFFER_SIZE, ReplayBuffer
from .run_registry import (
    DEFAULT_MAX_RETAINED_RUNS,
    DEFAULT_MAX_RUNNING_RUNS,
    DEFAULT_RETENTION_SECONDS,
    AgentSource,
    RunRegistry,
    RunStatus,
    ServedRun,
)

__all__ = [
    "ANONYMOUS",
    "DEFAULT_ALLOWED_HOSTS",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_RETAINED_RUNS",
    "DEFAULT_MAX_RUNNING_RUNS",
    "DEFAULT_REPLAY_BUFFER_SIZE",
    "DEFAULT_RETENTION_SECONDS",
    "DEFAULT_TRACE_URL_TEMPLATE",
    "TOKEN_ENV",
    "AccessMiddleware",
    "AccessPolicy",
    "AgentServerApp",
    "AgentSource",
    "AuthFunction",
    "BodyTooLargeError",
    "HostNotAllowedError",
    "InvalidRequestError",
    "InvalidRunInputError",
    "OriginNotAllowedError",
    "ReplayBuffer",
    "ReplayUnavailableError",
    "RunFinishedError",
    "RunNotFoundError",
    "RunRegistry",
    "RunRequest",
    "RunStatus",
    "ServedRun",
    "ServerBusyError",
    "ServerError",
    "StreamTokens",
    "TooManyRunsError",
    "UnauthorizedError",
    "UnsupportedMediaTypeError",
    "create_app",
    "event_to_json",
    "principal_of",
]
