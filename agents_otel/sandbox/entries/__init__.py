"""The SDK's ``agents.sandbox.entries``: what a manifest puts in the workspace (mounts excepted: see ``mounts``)."""

from __future__ import annotations

from .artifacts import Dir, File, GitRepo, LocalDir, LocalFile
from .base import BaseEntry, resolve_workspace_path

__all__ = ["BaseEntry", "Dir", "File", "GitRepo", "LocalDir", "LocalFile", "resolve_workspace_path"]


def __getattr__(name: str) -> object:
    """The SDK's mount names are a loud ``ImportError`` (see ``entries.mounts``), not a missing attribute."""
    from .mounts import MOUNT_NAMES, NOT_SUPPORTED

    if name in MOUNT_NAMES:
        raise ImportError(NOT_SUPPORTED.format(name=name), name=name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
