"""The SDK's ``agents.sandbox.session``: a live sandbox session, its saved state, and the client that makes them."""

from __future__ import annotations

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
from .sandbox_session import SandboxSession
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
