"""Path confinement: every path a session reads, writes, lists, removes or extracts into is resolved here, and one
that leaves the workspace root (``..``, an absolute path elsewhere, a symlink pointing out) is refused with
``InvalidManifestPathError`` unless a ``SandboxPathGrant`` opens it.

Why one policy: each file operation of every backend asks the same question, and a backend that answered it its own
way would be the one that lets ``../../etc/passwd`` through.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import Literal

from pydantic import BaseModel, field_validator

from .errors import InvalidManifestPathError, WorkspaceArchiveWriteError

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
"""A Windows absolute path (``C:/x``; a backslash is refused on its own)."""


def coerce_posix_path(path: str | PurePath) -> PurePosixPath:
    """A path as POSIX, whatever the host's flavour (a sandbox path is always POSIX)."""
    if isinstance(path, PurePath):
        return PurePosixPath(path.as_posix())
    return PurePosixPath(path)


def sandbox_path_str(path: str | PurePath) -> str:
    return coerce_posix_path(path).as_posix()


def _normalized(path: PurePosixPath) -> PurePosixPath:
    return PurePosixPath(posixpath.normpath(path.as_posix()))


def _is_under(path: PurePath, root: PurePath) -> bool:
    return path == root or root in path.parents


class SandboxPathGrant(BaseModel):
    """Access to one absolute path outside the workspace (read-only when ``read_only``).

    ``host_path`` (a different host source for the same path) is accepted for the SDK's Docker client; the local
    client refuses it, since there the sandbox path *is* the host path.
    """

    path: str
    read_only: bool = False
    description: str | None = None
    host_path: str | None = None

    @field_validator("path", mode="before")
    @classmethod
    def _coerce_path(cls, value: object) -> str:
        if isinstance(value, PurePath):
            value = value.as_posix()
        if not isinstance(value, str):
            raise ValueError("sandbox path grant path must be a string or Path")
        normalized = posixpath.normpath(value)
        if not normalized.startswith("/"):
            raise ValueError("sandbox path grant path must be POSIX absolute")
        if normalized in {"/", "//"}:
            raise ValueError("sandbox path grant must not be the filesystem root")
        return normalized

    @field_validator("host_path", mode="before")
    @classmethod
    def _coerce_host_path(cls, value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, PurePath):
            value = str(value)
        if not isinstance(value, str) or not value.startswith("/") or ".." in value.split("/"):
            raise ValueError("sandbox path grant host_path must be an absolute host path without '..'")
        if posixpath.normpath(value) == "/":
            raise ValueError("sandbox path grant host_path must not be the filesystem root")
        return posixpath.normpath(value)


class WorkspacePathPolicy:
    """The confinement rule of one workspace root and its grants."""

    def __init__(self, *, root: str | PurePath, extra_path_grants: tuple[SandboxPathGrant, ...] = ()) -> None:
        self._root = _normalized(coerce_posix_path(root))
        if not self._root.is_absolute():
            raise ValueError("sandbox workspace root must be absolute")
        self._grants = extra_path_grants

    def sandbox_root(self) -> PurePosixPath:
        return self._root

    def absolute_workspace_path(self, path: str | PurePath) -> Path:
        """``path`` (relative to the root, or absolute under it) as an absolute path, symlinks not followed."""
        original = coerce_posix_path(path)
        candidate = _normalized(original if original.is_absolute() else self._root / original)
        if not _is_under(candidate, self._root):
            raise self._invalid(original)
        return Path(candidate.as_posix())

    def relative_path(self, path: str | PurePath) -> Path:
        """``path`` relative to the root (``.`` for the root itself)."""
        absolute = coerce_posix_path(self.absolute_workspace_path(path))
        return Path(absolute.relative_to(self._root).as_posix() or ".")

    def normalize_path(self, path: str | PurePath, *, for_write: bool = False, resolve_symlinks: bool = False) -> Path:
        """A validated absolute path under the root or a grant (an absolute path only reaches a grant).

        ``resolve_symlinks`` follows symlinks on this machine's filesystem, for backends whose workspace is a real
        local directory: a link inside the workspace that points out of it is then refused like ``..``.
        """
        original = coerce_posix_path(path)
        candidate = _normalized(original if original.is_absolute() else self._root / original)
        if resolve_symlinks:
            resolved = Path(candidate.as_posix()).resolve(strict=False)
            root = Path(self._root.as_posix()).resolve(strict=False)
            if _is_under(resolved, root):
                return resolved
            grant = self._matching_grant(resolved, resolve=True)
        else:
            if _is_under(candidate, self._root):
                return Path(candidate.as_posix())
            resolved = Path(candidate.as_posix())
            grant = self._matching_grant(candidate, resolve=False)
        if grant is None or not original.is_absolute():
            raise self._invalid(original)
        if for_write and grant.read_only:
            raise WorkspaceArchiveWriteError(
                path=resolved, context={"reason": "read_only_extra_path_grant", "grant_path": grant.path}
            )
        return resolved

    def _matching_grant(self, path: PurePath, *, resolve: bool) -> SandboxPathGrant | None:
        best: tuple[int, SandboxPathGrant] | None = None
        for grant in self._grants:
            root: PurePath = Path(grant.path).resolve(strict=False) if resolve else PurePosixPath(grant.path)
            if _is_under(path, root) and (best is None or len(root.parts) > best[0]):
                best = (len(root.parts), grant)
        return None if best is None else best[1]

    @staticmethod
    def _invalid(path: PurePosixPath) -> InvalidManifestPathError:
        reason: Literal["absolute", "escape_root"] = "absolute" if path.is_absolute() else "escape_root"
        return InvalidManifestPathError(rel=path.as_posix(), reason=reason)


def relative_entry_path(rel: str | PurePath) -> PurePosixPath:
    """A manifest entry's key as a relative path inside the workspace; absolute or ``..`` keys are refused."""
    path = coerce_posix_path(rel)
    if path.is_absolute():
        raise InvalidManifestPathError(rel=path.as_posix(), reason="absolute")
    if ".." in path.parts:
        raise InvalidManifestPathError(rel=path.as_posix(), reason="escape_root")
    return _normalized(path) if path.parts else PurePosixPath(".")


def normalize_sandbox_cwd(cwd: str | PurePath) -> PurePosixPath:
    """A run's working directory, relative to the workspace root: never empty, absolute or with ``..``."""
    if not isinstance(cwd, str | PurePath):
        raise ValueError("sandbox.cwd must be a string or Path")
    raw = cwd.as_posix() if isinstance(cwd, PurePath) else cwd
    if "\\" in raw:
        raise ValueError("sandbox.cwd must use POSIX path separators")
    if not raw.strip():
        raise ValueError("sandbox.cwd must be non-empty")
    path = PurePosixPath(raw)
    if path.is_absolute() or (len(raw) > 1 and raw[1] == ":"):
        raise ValueError("sandbox.cwd must be workspace-relative")
    if ".." in path.parts:
        raise ValueError("sandbox.cwd must not contain parent segments")
    return _normalized(path)


@dataclass(frozen=True)
class SandboxWorkspaceScope:
    """The model-facing base of relative paths for one run (its ``cwd`` in the workspace).

    It only anchors relative paths; the session's path policy still decides what may be touched.
    """

    cwd: PurePosixPath | None = None

    def __post_init__(self) -> None:
        if self.cwd is not None:
            object.__setattr__(self, "cwd", normalize_sandbox_cwd(self.cwd))

    @classmethod
    def from_cwd(cls, cwd: str | PurePath | None) -> SandboxWorkspaceScope:
        return cls(cwd=normalize_sandbox_cwd(cwd) if cwd is not None else None)

    def anchor(self, path: str | PurePath) -> str | PurePath:
        """A relative path under the scope's cwd; an absolute path as it is."""
        if self.cwd is None or coerce_posix_path(path).is_absolute():
            return path
        return self.cwd / coerce_posix_path(path)

    def model_path(self, workspace_relative_path: str | PurePath) -> PurePosixPath:
        """A workspace-relative path as the model sees it from the scope's cwd."""
        relative = coerce_posix_path(workspace_relative_path)
        if relative.is_absolute():
            raise ValueError("workspace-relative display paths must not be absolute")
        if self.cwd is None:
            return _normalized(relative)
        return PurePosixPath(posixpath.relpath(_normalized(relative).as_posix(), start=self.cwd.as_posix()))

    def model_resource_path(
        self, *, workspace_root: str | PurePath, workspace_relative_path: str | PurePath
    ) -> PurePosixPath:
        """A file the session owns (a skill, the memory directory) as the model's instructions name it, as in the
        SDK: workspace-relative without a run ``cwd``; with one, absolute under ``workspace_root``, so it still
        resolves after a command changes directory. A path that is not non-empty, POSIX and workspace-relative
        is a ``ValueError``."""
        raw = workspace_relative_path.as_posix() if isinstance(workspace_relative_path, PurePath) else \
            workspace_relative_path
        if "\\" in raw or _WINDOWS_DRIVE.match(raw):
            raise ValueError("session resource paths must be workspace-relative POSIX paths")
        relative = coerce_posix_path(workspace_relative_path)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError("session resource paths must be workspace-relative")
        if relative.parts in ((), (".",)):
            raise ValueError("session resource paths must be non-empty")
        if self.cwd is None:
            return _normalized(relative)
        root = coerce_posix_path(workspace_root)
        if (isinstance(workspace_root, str) and "\\" in workspace_root) or not root.is_absolute():
            raise ValueError("sandbox workspace root must be POSIX absolute")
        return _normalized(root / relative)

    def display_path(self, *, original_path: str | PurePath, workspace_relative_path: str | PurePath) -> PurePosixPath:
        relative = coerce_posix_path(workspace_relative_path)
        if self.cwd is None or coerce_posix_path(original_path).is_absolute():
            return _normalized(relative)
        return self.model_path(relative)
