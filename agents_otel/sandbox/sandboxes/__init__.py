"""The SDK's ``agents.sandbox.sandboxes``: the backends. ``UnixLocalSandboxClient`` runs here; Docker is a loud
``ImportError`` (see ``sandboxes.docker``)."""

from __future__ import annotations

from .unix_local import (
    UnixLocalSandboxClient,
    UnixLocalSandboxClientOptions,
    UnixLocalSandboxSession,
    UnixLocalSandboxSessionState,
)

__all__ = [
    "UnixLocalSandboxClient",
    "UnixLocalSandboxClientOptions",
    "UnixLocalSandboxSession",
    "UnixLocalSandboxSessionState",
]

_DOCKER_NAMES = frozenset(
    {"DockerSandboxClient", "DockerSandboxClientOptions", "DockerSandboxSession", "DockerSandboxSessionState"}
)


def __getattr__(name: str) -> object:
    if name in _DOCKER_NAMES:
        from . import docker  # noqa: F401  (raises the ImportError that says Docker is not provided)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
