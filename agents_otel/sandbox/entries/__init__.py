"""The SDK's ``agents.sandbox.entries``: what a manifest puts in the workspace (mounts excepted: see ``mounts``)."""

from __future__ import annotations

from ..._sdk_paths import not_supported
from .artifacts import Dir, File, GitRepo, LocalDir, LocalFile
from .base import BaseEntry, resolve_workspace_path
from .mounts import MOUNT_NAMES, MOUNT_REASON

__all__ = ["BaseEntry", "Dir", "File", "GitRepo", "LocalDir", "LocalFile", "resolve_workspace_path"]

# The SDK's mount names: an SDKNameNotSupportedError saying why (see ``entries.mounts``), not a missing attribute.
__getattr__ = not_supported(__name__, dict.fromkeys(MOUNT_NAMES, MOUNT_REASON))
