"""The SDK's ``agents.sandbox.session``: a live sandbox session, its saved state, and the client that makes them."""

from __future__ import annotations

from ..._sdk_paths import not_supported
from ..types import ExposedPortEndpoint
from .base_sandbox_session import BaseSandboxSession
from .dependencies import (
    Dependencies,
    DependenciesBindingError,
    DependenciesError,
    DependenciesMissingDependencyError,
    DependencyKey,
)
from .sandbox_client import BaseSandboxClient, BaseSandboxClientOptions, ClientOptionsT
from .sandbox_session import INSTRUMENTATION_REASON, SandboxSession
from .sandbox_session_state import SandboxSessionState

__all__ = [
    "BaseSandboxClient",
    "BaseSandboxClientOptions",
    "BaseSandboxSession",
    "ClientOptionsT",
    "Dependencies",
    "DependenciesBindingError",
    "DependenciesError",
    "DependenciesMissingDependencyError",
    "DependencyKey",
    "ExposedPortEndpoint",
    "SandboxSession",
    "SandboxSessionState",
]

_EVENT_NAMES = (
    "CallbackSink", "ChainedSink", "EventPayloadPolicy", "EventSink", "HttpProxySink", "Instrumentation",
    "JsonlOutboxSink", "SandboxSessionEvent", "SandboxSessionFinishEvent", "SandboxSessionStartEvent",
    "WorkspaceJsonlSink", "event_to_json_line", "validate_sandbox_session_event",
)  # fmt: skip
"""The SDK's session audit events and their sinks: an ``SDKNameNotSupportedError`` saying what to use instead."""

__getattr__ = not_supported(__name__, dict.fromkeys(_EVENT_NAMES, INSTRUMENTATION_REASON))
