"""The sandbox's typed errors, part one (the base classes, configuration and exec errors).

The constructors take the SDK's keyword arguments (the messages are ours); ``errors`` names them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from .types import ExecResult


class ErrorCode(StrEnum):
    """Machine-readable codes, stable across releases, for handling a ``SandboxError`` by kind."""

    INVALID_MANIFEST_PATH = "invalid_manifest_path"
    INVALID_COMPRESSION_SCHEME = "invalid_compression_scheme"
    EXPOSED_PORT_UNAVAILABLE = "exposed_port_unavailable"
    EXEC_NONZERO = "exec_nonzero"
    EXEC_TIMEOUT = "exec_timeout"
    EXEC_TRANSPORT_ERROR = "exec_transport_error"
    PTY_SESSION_NOT_FOUND = "pty_session_not_found"
    APPLY_PATCH_INVALID_PATH = "apply_patch_invalid_path"
    APPLY_PATCH_INVALID_DIFF = "apply_patch_invalid_diff"
    APPLY_PATCH_FILE_NOT_FOUND = "apply_patch_file_not_found"
    APPLY_PATCH_DECODE_ERROR = "apply_patch_decode_error"
    WORKSPACE_READ_NOT_FOUND = "workspace_read_not_found"
    WORKSPACE_ARCHIVE_READ_ERROR = "workspace_archive_read_error"
    WORKSPACE_ARCHIVE_WRITE_ERROR = "workspace_archive_write_error"
    WORKSPACE_WRITE_TYPE_ERROR = "workspace_write_type_error"
    WORKSPACE_STOP_ERROR = "workspace_stop_error"
    WORKSPACE_START_ERROR = "workspace_start_error"
    WORKSPACE_ROOT_NOT_FOUND = "workspace_root_not_found"
    LOCAL_FILE_READ_ERROR = "local_file_read_error"
    LOCAL_DIR_READ_ERROR = "local_dir_read_error"
    LOCAL_CHECKSUM_ERROR = "local_checksum_error"
    GIT_MISSING_IN_IMAGE = "git_missing_in_image"
    GIT_CLONE_ERROR = "git_clone_error"
    GIT_SUBPATH_ERROR = "git_subpath_error"
    GIT_COPY_ERROR = "git_copy_error"
    MOUNT_MISSING_TOOL = "mount_missing_tool"
    MOUNT_FAILED = "mount_failed"
    MOUNT_CONFIG_INVALID = "mount_config_invalid"
    SKILLS_CONFIG_INVALID = "skills_config_invalid"
    SANDBOX_CONFIG_INVALID = "sandbox_config_invalid"
    SNAPSHOT_PERSIST_ERROR = "snapshot_persist_error"
    SNAPSHOT_RESTORE_ERROR = "snapshot_restore_error"
    SNAPSHOT_NOT_RESTORABLE = "snapshot_not_restorable"


OpName = Literal[
    "start",
    "stop",
    "exec",
    "read",
    "write",
    "shutdown",
    "running",
    "persist_workspace",
    "hydrate_workspace",
    "resolve_exposed_port",
    "materialize",
    "snapshot_persist",
    "snapshot_restore",
    "apply_patch",
]

Context = Mapping[str, object] | None


@dataclass(eq=False)
class SandboxError(Exception):
    """The base of every sandbox error: ``message``, ``error_code``, ``op``, ``context``, ``cause``, ``retryable``.

    ``retryable`` is ``None`` when nobody can tell; it is inherited from a ``SandboxError`` cause.
    """

    message: str
    error_code: ErrorCode
    op: OpName
    context: dict[str, object]
    cause: BaseException | None = None
    retryable: bool | None = None

    def __post_init__(self) -> None:
        if self.retryable is None and isinstance(self.cause, SandboxError):
            self.retryable = self.cause.retryable
        super().__init__(self.message)
        if self.cause is not None:
            self.__cause__ = self.cause

    def __str__(self) -> str:
        return self.message

    @property
    def code(self) -> str:
        """``error_code`` as a plain string (the SDK's older name for it)."""
        return str(self.error_code)


class ConfigurationError(SandboxError):
    """User-provided configuration or input is invalid; retrying will not help."""


class SandboxRuntimeError(SandboxError):
    """The sandbox backend failed (a process, the filesystem, a transport)."""


class ArtifactError(SandboxError):
    """A manifest entry (local file, directory, git repository) could not be materialized."""


class SnapshotError(SandboxError):
    """A workspace snapshot could not be persisted or restored."""


class ApplyPatchError(ConfigurationError):
    """An apply_patch request was invalid."""


def _ctx(context: Context) -> dict[str, object]:
    return dict(context or {})


def _init(
    self: SandboxError,
    message: str,
    code: ErrorCode,
    op: OpName,
    context: dict[str, object],
    cause: BaseException | None,
    retryable: bool | None,
) -> None:
    SandboxError.__init__(self, message, code, op, context, cause, retryable)


class InvalidManifestPathError(ConfigurationError):
    """A path was absolute where a relative one is required, or escaped the workspace root."""

    def __init__(
        self,
        *,
        rel: str | Path,
        reason: Literal["absolute", "escape_root"],
        context: Context = None,
        cause: BaseException | None = None,
    ) -> None:
        what = "must be relative" if reason == "absolute" else "must not escape the workspace root"
        ctx = {"rel": str(rel), "reason": reason, **_ctx(context)}
        _init(self, f"sandbox path {what}: {rel}", ErrorCode.INVALID_MANIFEST_PATH, "materialize", ctx, cause, False)


class InvalidCompressionSchemeError(ConfigurationError):
    """An archive's compression scheme was missing or is not ``tar`` / ``zip``."""

    def __init__(
        self, *, path: Path, scheme: str | None, context: Context = None, cause: BaseException | None = None
    ) -> None:
        msg = "could not tell the archive's compression scheme" if not scheme else "scheme must be 'tar' or 'zip'"
        ctx = {"path": str(path), "scheme": scheme, **_ctx(context)}
        _init(self, msg, ErrorCode.INVALID_COMPRESSION_SCHEME, "write", ctx, cause, False)


class ExposedPortUnavailableError(SandboxRuntimeError):
    """A port was asked for that the session does not expose, or its endpoint could not be found."""

    def __init__(
        self,
        *,
        port: int,
        exposed_ports: Sequence[int],
        reason: str,
        context: Context = None,
        cause: BaseException | None = None,
        retryable: bool | None = None,
    ) -> None:
        configured = reason != "not_configured"
        msg = f"port {port} {'could not be resolved' if configured else 'is not configured'} for host access"
        ctx = {"port": port, "exposed_ports": list(exposed_ports), "reason": reason, **_ctx(context)}
        _init(self, msg, ErrorCode.EXPOSED_PORT_UNAVAILABLE, "resolve_exposed_port", ctx, cause,
              retryable if configured else False)  # fmt: skip


class ExecFailureError(SandboxRuntimeError):
    """The base of the errors of ``exec()``; ``command`` is the command as strings."""

    command: tuple[str, ...]

    def __init__(
        self,
        *,
        message: str,
        error_code: ErrorCode,
        command: Sequence[str | Path],
        context: Context = None,
        cause: BaseException | None = None,
        retryable: bool | None = None,
    ) -> None:
        cmd = tuple(str(part) for part in command)
        ctx = {"command": cmd, "command_str": " ".join(cmd), **_ctx(context)}
        _init(self, message, error_code, "exec", ctx, cause, retryable)
        self.command = cmd


class ExecNonZeroError(ExecFailureError):
    """A command exited non-zero where success was required; its output is kept."""

    exit_code: int
    stdout: bytes
    stderr: bytes

    def __init__(
        self,
        exec_result: ExecResult,
        *,
        command: Sequence[str | Path],
        context: Context = None,
        cause: BaseException | None = None,
    ) -> None:
        out = exec_result.stdout.decode("utf-8", errors="replace")
        err = exec_result.stderr.decode("utf-8", errors="replace")
        shown = [f"stdout: {out}"] * bool(out) + [f"stderr: {err}"] * bool(err)
        message = "\n".join(shown) if len(shown) == 2 else (out or err or f"exit code {exec_result.exit_code}")
        ctx = {"exit_code": exec_result.exit_code, "stdout": out, "stderr": err, **_ctx(context)}
        super().__init__(
            message=message, error_code=ErrorCode.EXEC_NONZERO, command=command, context=ctx, cause=cause,
            retryable=False,
        )  # fmt: skip
        self.exit_code = exec_result.exit_code
        self.stdout = exec_result.stdout
        self.stderr = exec_result.stderr


class ExecTimeoutError(ExecFailureError):
    """A command ran past its timeout; its whole process group was killed."""

    timeout_s: float | None

    def __init__(
        self,
        *,
        command: Sequence[str | Path],
        timeout_s: float | None,
        context: Context = None,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(
            message=f"command timed out after {timeout_s}s", error_code=ErrorCode.EXEC_TIMEOUT, command=command,
            context={"timeout_s": timeout_s, **_ctx(context)}, cause=cause, retryable=False,
        )  # fmt: skip
        self.timeout_s = timeout_s


class ExecTransportError(ExecFailureError):
    """A command could not be run at all (the process could not start, the transport broke)."""

    def __init__(
        self,
        *,
        command: Sequence[str | Path],
        context: Context = None,
        cause: BaseException | None = None,
        message: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            message=message or "could not run the command", error_code=ErrorCode.EXEC_TRANSPORT_ERROR,
            command=command, context=_ctx(context), cause=cause, retryable=retryable,
        )  # fmt: skip


class PtySessionNotFoundError(SandboxRuntimeError):
    """An interactive (PTY) process id is unknown to the session."""

    def __init__(self, *, session_id: int, context: Context = None, cause: BaseException | None = None) -> None:
        ctx = {"session_id": session_id, **_ctx(context)}
        _init(self, f"no PTY session {session_id}", ErrorCode.PTY_SESSION_NOT_FOUND, "exec", ctx, cause, False)


class WorkspaceIOError(SandboxRuntimeError):
    """The base of workspace read / write errors."""

