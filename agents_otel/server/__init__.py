"""Serving agents over HTTP: an ASGI app streaming each run's events as Server-Sent Events (docs/server.md).

Needs the ``server`` extra (``pip install 'agents_otel[server]'``): starlette, sse-starlette, uvicorn.
"""

from __future__ import annotations

from .app import DEFAULT_TRACE_URL_TEMPLATE, AgentServerApp, RunRequest, create_app
from .errors import (
    InvalidRequestError,
    InvalidRunInputError,
    ReplayUnavailableError,
    RunFinishedError,
    RunNotFoundError,
    ServerError,
)
from .event_json import event_to_json
from .replay_buffer import DEFAULT_REPLAY_BUFFER_SIZE, ReplayBuffer
from .run_registry import DEFAULT_RETENTION_SECONDS, AgentSource, RunRegistry, RunStatus, ServedRun

__all__ = [
    "DEFAULT_REPLAY_BUFFER_SIZE",
    "DEFAULT_RETENTION_SECONDS",
    "DEFAULT_TRACE_URL_TEMPLATE",
    "AgentServerApp",
    "AgentSource",
    "InvalidRequestError",
    "InvalidRunInputError",
    "ReplayBuffer",
    "ReplayUnavailableError",
    "RunFinishedError",
    "RunNotFoundError",
    "RunRegistry",
    "RunRequest",
    "RunStatus",
    "ServedRun",
    "ServerError",
    "create_app",
    "event_to_json",
]
