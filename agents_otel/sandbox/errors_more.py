"""The sandbox's typed errors, part two: workspace IO, apply_patch, artifacts (local, git, mounts) and snapshots.

See ``errors`` for the whole list; the constructors take the SDK's keyword arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from .errors_base import (
    ApplyPatchError,
    ArtifactError,
    ConfigurationError,
    Context,
    ErrorCode,
    SandboxRuntimeError,
    SnapshotError,
    WorkspaceIOError,
    _ctx,
    _init,
)

Cause = BaseException | None


class ApplyPatchPathError(ApplyPatchError):
    """An apply_patch path was empty, absolute, or escaped the workspace."""

    def __init__(
        self,
        *,
        path: str | Path,
        reason: Literal["absolute", "escape_root", "empty"],
        context: Context = None,
        cause: Cause = None,
    ) -> None:
        what = {"absolute": "must be relative", "escape_root": "must not escape the workspace", "empty": "is empty"}
        ctx = {"path": str(path), "reason": reason, **_ctx(context)}
        _init(self, f"apply_patch path {what[reason]}: {path}", ErrorCode.APPLY_PATCH_INVALID_PATH, "apply_patch",
              ctx, cause, False)  # fmt: skip


class ApplyPatchDiffError(ApplyPatchError):
    """An apply_patch diff could not be applied."""

    def __init__(
        self, *, message: str, path: str | Path | None = None, context: Context = None, cause: Cause = None
    ) -> None:
        ctx = {**({"path": str(path)} if path is not None else {}), **_ctx(context)}
        _init(self, message, ErrorCode.APPLY_PATCH_INVALID_DIFF, "apply_patch", ctx, cause, False)


class ApplyPatchFileNotFoundError(WorkspaceIOError):
    """apply_patch was asked to update or delete a file that does not exist."""

    def __init__(self, *, path: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"path": str(path), **_ctx(context)}
        _init(self, f"apply_patch: no such file: {path}", ErrorCode.APPLY_PATCH_FILE_NOT_FOUND, "apply_patch", ctx,
              cause, False)  # fmt: skip


class ApplyPatchDecodeError(WorkspaceIOError):
    """apply_patch was asked to edit a file that is not UTF-8 text."""

    def __init__(self, *, path: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"path": str(path), **_ctx(context)}
        _init(self, f"apply_patch: not UTF-8 text: {path}", ErrorCode.APPLY_PATCH_DECODE_ERROR, "apply_patch", ctx,
              cause, False)  # fmt: skip


class WorkspaceReadNotFoundError(WorkspaceIOError):
    """``read()`` of a path that does not exist."""

    def __init__(self, *, path: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"path": str(path), **_ctx(context)}
        _init(self, f"file not found: {path}", ErrorCode.WORKSPACE_READ_NOT_FOUND, "read", ctx, cause, False)


class WorkspaceArchiveReadError(WorkspaceIOError):
    """Reading from the workspace (a file, a directory, its archive) failed."""

    def __init__(self, *, path: Path, context: Context = None, cause: Cause = None, retryable: bool | None = None):
        ctx = {"path": str(path), **_ctx(context)}
        _init(self, f"could not read {path}", ErrorCode.WORKSPACE_ARCHIVE_READ_ERROR, "read", ctx, cause, retryable)


class WorkspaceArchiveWriteError(WorkspaceIOError):
    """Writing into the workspace (a file, a directory, an extracted archive) failed or was refused."""

    def __init__(
        self,
        *,
        path: Path,
        context: Context = None,
        cause: Cause = None,
        retryable: bool | None = None,
        message: str | None = None,
    ) -> None:
        """``message``: what to say instead of ``could not write <path>`` (as the SDK's, since 0.23)."""
        ctx = {"path": str(path), **_ctx(context)}
        text = message if message is not None else f"could not write {path}"
        _init(self, text, ErrorCode.WORKSPACE_ARCHIVE_WRITE_ERROR, "write", ctx, cause, retryable)


class WorkspaceWriteTypeError(WorkspaceIOError):
    """``write()`` was given something other than a binary file-like object."""

    def __init__(self, *, path: Path, actual_type: str, context: Context = None, cause: Cause = None) -> None:
        ctx = {"path": str(path), "actual_type": actual_type, **_ctx(context)}
        _init(self, f"write() expects a binary file-like object, got {actual_type}",
              ErrorCode.WORKSPACE_WRITE_TYPE_ERROR, "write", ctx, cause, False)  # fmt: skip


class WorkspaceStopError(SandboxRuntimeError):
    """Stopping a session (persisting its workspace) failed."""

    def __init__(self, *, path: Path, context: Context = None, cause: Cause = None, retryable: bool | None = None):
        ctx = {"path": str(path), **_ctx(context)}
        _init(self, "could not stop the sandbox session", ErrorCode.WORKSPACE_STOP_ERROR, "stop", ctx, cause,
              retryable)  # fmt: skip


class WorkspaceStartError(SandboxRuntimeError):
    """Starting a session (preparing its workspace) failed."""

    def __init__(
        self,
        *,
        path: Path,
        context: Context = None,
        cause: Cause = None,
        message: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        ctx = {"path": str(path), **_ctx(context)}
        _init(self, message or "could not start the sandbox session", ErrorCode.WORKSPACE_START_ERROR, "start", ctx,
              cause, retryable)  # fmt: skip


class WorkspaceRootNotFoundError(SandboxRuntimeError):
    """The workspace root directory is gone."""

    def __init__(self, *, path: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"path": str(path), **_ctx(context)}
        _init(self, f"workspace root not found: {path}", ErrorCode.WORKSPACE_ROOT_NOT_FOUND, "exec", ctx, cause, False)


class LocalArtifactError(ArtifactError):
    """The base of the errors of host-side artifacts (``LocalFile``, ``LocalDir``)."""


class LocalFileReadError(LocalArtifactError):
    """A ``LocalFile``'s source could not be read (missing, not a regular file, a symlink)."""

    def __init__(self, *, src: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"src": str(src), **_ctx(context)}
        _init(self, f"could not read local file {src}", ErrorCode.LOCAL_FILE_READ_ERROR, "materialize", ctx, cause,
              False)  # fmt: skip


class LocalDirReadError(LocalArtifactError):
    """A ``LocalDir``'s source could not be read (missing, not a directory, a symlink escaping it)."""

    def __init__(self, *, src: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"src": str(src), **_ctx(context)}
        _init(self, f"could not read local directory {src}", ErrorCode.LOCAL_DIR_READ_ERROR, "materialize", ctx,
              cause, False)  # fmt: skip


class LocalChecksumError(LocalArtifactError):
    """A local artifact's checksum could not be computed."""

    def __init__(self, *, src: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"src": str(src), **_ctx(context)}
        _init(self, f"could not checksum {src}", ErrorCode.LOCAL_CHECKSUM_ERROR, "materialize", ctx, cause, False)


class GitArtifactError(ArtifactError):
    """The base of the errors of ``GitRepo`` entries."""


class GitMissingInImageError(GitArtifactError):
    """``git`` is not installed where the repository must be cloned."""

    def __init__(self, *, context: Context = None, cause: Cause = None) -> None:
        _init(self, "git is required to materialize GitRepo entries", ErrorCode.GIT_MISSING_IN_IMAGE, "materialize",
              _ctx(context), cause, False)  # fmt: skip


class GitCloneError(GitArtifactError):
    """``git clone`` (or checking out the ref) failed."""

    def __init__(
        self, *, url: str, ref: str, stderr: str | None = None, context: Context = None, cause: Cause = None
    ) -> None:
        ctx = {"url": url, "ref": ref, "stderr": stderr, **_ctx(context)}
        _init(self, f"git clone failed for {url}@{ref}", ErrorCode.GIT_CLONE_ERROR, "materialize", ctx, cause, None)


class GitSubpathError(GitArtifactError):
    """A ``GitRepo`` subpath was not a relative path inside the repository."""

    def __init__(
        self,
        *,
        repo: str,
        subpath: str,
        reason: Literal["absolute", "empty", "parent_traversal", "windows_path"],
        context: Context = None,
        cause: Cause = None,
    ) -> None:
        ctx = {"repo": repo, "subpath": subpath, "reason": reason, **_ctx(context)}
        _init(self, f"git subpath must be a relative path inside the repository: {subpath}",
              ErrorCode.GIT_SUBPATH_ERROR, "materialize", ctx, cause, False)  # fmt: skip


class GitCopyError(GitArtifactError):
    """Copying a cloned repository into the workspace failed."""

    def __init__(
        self, *, src_root: str, dest: Path, stderr: str | None = None, context: Context = None, cause: Cause = None
    ) -> None:
        ctx = {"src_root": src_root, "dest": str(dest), "stderr": stderr, **_ctx(context)}
        _init(self, "copying from the git repository failed", ErrorCode.GIT_COPY_ERROR, "materialize", ctx, cause,
              None)  # fmt: skip


class MountArtifactError(ArtifactError):
    """The base of the errors of mount entries."""


class MountToolMissingError(MountArtifactError):
    """The tool a mount needs is not installed."""

    def __init__(self, *, tool: str, context: Context = None, cause: Cause = None) -> None:
        ctx = {"tool": tool, **_ctx(context)}
        _init(self, f"required mount tool missing: {tool}", ErrorCode.MOUNT_MISSING_TOOL, "materialize", ctx, cause,
              False)  # fmt: skip


class MountConfigError(MountArtifactError):
    """A mount entry is misconfigured, or not supported by this runtime."""

    def __init__(self, *, message: str, context: Context = None) -> None:
        _init(self, message, ErrorCode.MOUNT_CONFIG_INVALID, "materialize", _ctx(context), None, False)


class MountCommandError(MountArtifactError):
    """A mount command failed."""

    def __init__(
        self,
        *,
        command: str,
        stderr: str | None,
        context: Context = None,
        cause: Cause = None,
        retryable: bool | None = False,
    ) -> None:
        ctx = {"command": command, "stderr": stderr, **_ctx(context)}
        _init(self, "mount command failed", ErrorCode.MOUNT_FAILED, "materialize", ctx, cause, retryable)


class SkillsConfigError(ConfigurationError):
    """The Skills capability is misconfigured."""

    def __init__(self, *, message: str, context: Context = None, cause: Cause = None) -> None:
        _init(self, message, ErrorCode.SKILLS_CONFIG_INVALID, "materialize", _ctx(context), cause, False)


class SnapshotPersistError(SnapshotError):
    """A workspace snapshot could not be saved."""

    def __init__(self, *, snapshot_id: str, path: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"snapshot_id": snapshot_id, "path": str(path), **_ctx(context)}
        _init(self, f"could not persist snapshot {snapshot_id}", ErrorCode.SNAPSHOT_PERSIST_ERROR, "snapshot_persist",
              ctx, cause, None)  # fmt: skip


class SnapshotRestoreError(SnapshotError):
    """A workspace snapshot could not be read back."""

    def __init__(self, *, snapshot_id: str, path: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"snapshot_id": snapshot_id, "path": str(path), **_ctx(context)}
        _init(self, f"could not restore snapshot {snapshot_id}", ErrorCode.SNAPSHOT_RESTORE_ERROR, "snapshot_restore",
              ctx, cause, None)  # fmt: skip


class SnapshotNotRestorableError(SnapshotError):
    """The snapshot holds nothing to restore (a ``NoopSnapshot``, or one never persisted)."""

    def __init__(self, *, snapshot_id: str, path: Path, context: Context = None, cause: Cause = None) -> None:
        ctx = {"snapshot_id": snapshot_id, "path": str(path), **_ctx(context)}
        _init(self, f"snapshot {snapshot_id} cannot be restored", ErrorCode.SNAPSHOT_NOT_RESTORABLE,
              "snapshot_restore", ctx, cause, False)  # fmt: skip
