"""The SDK's ``agents.sandbox``: agents that work in a sandboxed workspace — a directory with files from a
``Manifest``, where commands run — through sandbox sessions made by a sandbox client (``UnixLocalSandboxClient``
here: a local directory and subprocesses).

``import agents_otel`` does not load this package. What is not built (cloud mounts, Docker, hosted providers) fails
with a typed error naming what is missing; see docs/migrating.md.
"""

from __future__ import annotations

from ..run_config_sandbox import SandboxArchiveLimits, SandboxConcurrencyLimits, SandboxRunConfig
from .capabilities import Capability
from .config import MemoryGenerateConfig, MemoryLayoutConfig, MemoryReadConfig
from .entries import Dir, File, GitRepo, LocalDir, LocalFile
from .errors import (
    ErrorCode,
    ExecTimeoutError,
    ExecTransportError,
    ExposedPortUnavailableError,
    SandboxError,
    WorkspaceArchiveReadError,
    WorkspaceArchiveWriteError,
    WorkspaceReadNotFoundError,
    WorkspaceWriteTypeError,
)
from .manifest import Manifest
from .sandbox_agent import SandboxAgent
from .snapshot import (
    LocalSnapshot,
    LocalSnapshotSpec,
    RemoteSnapshot,
    RemoteSnapshotSpec,
    SnapshotSpec,
    resolve_snapshot,
)
from .types import ExecResult, ExposedPortEndpoint, FileMode, Group, Permissions, User
from .workspace_paths import SandboxPathGrant, SandboxWorkspaceScope

__all__ = [
    "Capability",
    "Dir",
    "ErrorCode",
    "ExecResult",
    "ExecTimeoutError",
    "ExecTransportError",
    "ExposedPortEndpoint",
    "ExposedPortUnavailableError",
    "File",
    "FileMode",
    "GitRepo",
    "Group",
    "LocalDir",
    "LocalFile",
    "LocalSnapshot",
    "LocalSnapshotSpec",
    "Manifest",
    "MemoryGenerateConfig",
    "MemoryLayoutConfig",
    "MemoryReadConfig",
    "Permissions",
    "RemoteSnapshot",
    "RemoteSnapshotSpec",
    "SandboxAgent",
    "SandboxArchiveLimits",
    "SandboxConcurrencyLimits",
    "SandboxError",
    "SandboxPathGrant",
    "SandboxRunConfig",
    "SandboxWorkspaceScope",
    "SnapshotSpec",
    "User",
    "WorkspaceArchiveReadError",
    "WorkspaceArchiveWriteError",
    "WorkspaceReadNotFoundError",
    "WorkspaceWriteTypeError",
    "resolve_snapshot",
]
