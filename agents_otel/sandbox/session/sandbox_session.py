"""``SandboxSession``: what a client's ``create()`` / ``resume()`` returns — the backend's session behind one
wrapper, as in the SDK, so callers (and the runner's instrumentation) see the same type whatever the backend.

Every call is forwarded to the backend session, which owns the state.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ...exceptions import UserError
from ...local_tools import ApplyPatchOperation
from ..files import FileEntry
from ..materialization import MaterializationResult
from ..snapshot import DependencyProvider
from ..types import ExecResult, ExposedPortEndpoint, User
from .archive_limits import ArchiveLimits
from .base_sandbox_session import BaseSandboxSession
from .pty_types import PtyExecUpdate
from .sandbox_session_state import SandboxSessionState

if TYPE_CHECKING:
    from ...run_config_sandbox import SandboxConcurrencyLimits

INSTRUMENTATION_REASON = (
    "the SDK's sandbox session audit events (Instrumentation and its sinks) are not built: the sandbox's work is "
    "traced as OpenTelemetry spans (sandbox.create_session, sandbox.exec, sandbox.apply_patch, sandbox.cleanup ...), "
    "which any OpenTelemetry SpanProcessor or exporter receives; see docs/sandbox.md"
)


class SandboxSession(BaseSandboxSession):
    def __init__(
        self,
        inner: BaseSandboxSession,
        *,
        instrumentation: object | None = None,
        dependencies: DependencyProvider | None = None,
    ) -> None:
        if instrumentation is not None:
            raise UserError(f"SandboxSession(instrumentation=...) is not supported: {INSTRUMENTATION_REASON}")
        if not isinstance(inner, BaseSandboxSession):
            raise TypeError(f"SandboxSession wraps a BaseSandboxSession, got {type(inner).__name__}")
        self._inner = inner
        if dependencies is not None:
            inner.set_dependencies(dependencies)

    @property
    def state(self) -> SandboxSessionState:  # type: ignore[override]
        return self._inner.state

    @property
    def dependencies(self) -> DependencyProvider | None:
        return self._inner.dependencies

    def set_dependencies(self, dependencies: DependencyProvider | None) -> None:
        self._inner.set_dependencies(dependencies)

    def _set_archive_limits(self, limits: ArchiveLimits | None) -> None:
        self._inner._set_archive_limits(limits)

    def _set_concurrency_limits(self, limits: SandboxConcurrencyLimits) -> None:
        self._inner._set_concurrency_limits(limits)

    @property
    def _max_manifest_entry_concurrency(self) -> int | None:  # type: ignore[override]
        return self._inner._max_manifest_entry_concurrency

    @property
    def _max_local_dir_file_concurrency(self) -> int | None:  # type: ignore[override]
        return self._inner._max_local_dir_file_concurrency

    def supports_pty(self) -> bool:
        return self._inner.supports_pty()

    async def start(self) -> None:
        await self._inner.start()

    async def stop(self) -> None:
        await self._inner.stop()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def aclose(self) -> None:
        await self._inner.aclose()

    def register_pre_stop_hook(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._inner.register_pre_stop_hook(hook)

    async def run_pre_stop_hooks(self) -> None:
        await self._inner.run_pre_stop_hooks()

    async def pty_terminate_all(self) -> None:
        await self._inner.pty_terminate_all()

    async def pty_exec_start(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109  (the SDK's signature)
        shell: bool | list[str] = True,
        user: str | User | None = None,
        tty: bool = False,
        yield_time_s: float | None = None,
        max_output_tokens: int | None = None,
    ) -> PtyExecUpdate:
        return await self._inner.pty_exec_start(
            *command, timeout=timeout, shell=shell, user=user, tty=tty, yield_time_s=yield_time_s,
            max_output_tokens=max_output_tokens,
        )  # fmt: skip

    async def pty_write_stdin(
        self, *, session_id: int, chars: str, yield_time_s: float | None = None, max_output_tokens: int | None = None
    ) -> PtyExecUpdate:
        return await self._inner.pty_write_stdin(
            session_id=session_id, chars=chars, yield_time_s=yield_time_s, max_output_tokens=max_output_tokens
        )

    async def exec(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109  (the SDK's signature)
        shell: bool | list[str] = True,
        user: str | User | None = None,
    ) -> ExecResult:
        return await self._inner.exec(*command, timeout=timeout, shell=shell, user=user)

    async def _exec_internal(self, *command: str | Path, timeout: float | None = None) -> ExecResult:  # noqa: ASYNC109
        return await self._inner._exec_internal(*command, timeout=timeout)

    async def resolve_exposed_port(self, port: int) -> ExposedPortEndpoint:
        return await self._inner.resolve_exposed_port(port)

    def normalize_path(self, path: Path | str, *, for_write: bool = False) -> Path:
        return self._inner.normalize_path(path, for_write=for_write)

    async def read(self, path: Path, *, user: str | User | None = None) -> io.IOBase:
        return await self._inner.read(path, user=user)

    async def write(self, path: Path, data: io.IOBase, *, user: str | User | None = None) -> None:
        await self._inner.write(path, data, user=user)

    async def running(self) -> bool:
        return await self._inner.running()

    async def persist_workspace(self) -> io.IOBase:
        return await self._inner.persist_workspace()

    async def hydrate_workspace(self, data: io.IOBase) -> None:
        await self._inner.hydrate_workspace(data)

    async def ls(self, path: Path | str, *, user: str | User | None = None) -> list[FileEntry]:
        return await self._inner.ls(path, user=user)

    async def rm(self, path: Path | str, *, recursive: bool = False, user: str | User | None = None) -> None:
        await self._inner.rm(path, recursive=recursive, user=user)

    async def mkdir(self, path: Path | str, *, parents: bool = False, user: str | User | None = None) -> None:
        await self._inner.mkdir(path, parents=parents, user=user)

    async def extract(
        self, path: Path | str, data: io.IOBase, *, compression_scheme: Literal["tar", "zip"] | None = None,
        archive_limits: ArchiveLimits | None = None,
    ) -> None:  # fmt: skip
        await self._inner.extract(path, data, compression_scheme=compression_scheme, archive_limits=archive_limits)

    async def apply_manifest(self, *, only_ephemeral: bool = False) -> MaterializationResult:
        return await self._inner.apply_manifest(only_ephemeral=only_ephemeral)

    async def _create_symlink(self, target: str, link: Path) -> None:
        await self._inner._create_symlink(target, link)

    def describe(self) -> str:
        return self._inner.describe()

    # -- the file API of SDK 0.23 / 0.24 (``file_ops``): the backend's, which may do it natively ------------------

    def _confined_path(self, path: Path | str, *, for_write: bool = False, follow_final: bool = True) -> Path:
        return self._inner._confined_path(path, for_write=for_write, follow_final=follow_final)

    async def mv(self, source: Path | str, destination: Path | str, *, user: str | User | None = None) -> None:
        await self._inner.mv(source, destination, user=user)

    async def same_file(
        self, left: Path | str, right: Path | str, *, follow_symlinks: bool = True, user: str | User | None = None
    ) -> bool:
        return await self._inner.same_file(left, right, follow_symlinks=follow_symlinks, user=user)

    async def read_bounded(self, path: Path, *, max_bytes: int) -> bytes:
        return await self._inner.read_bounded(path, max_bytes=max_bytes)

    async def apply_patch(
        self,
        operations: ApplyPatchOperation | Mapping[str, object] | list[ApplyPatchOperation | Mapping[str, object]],
        *,
        patch_format: Literal["v4a"] = "v4a",
    ) -> str:
        return await self._inner.apply_patch(operations, patch_format=patch_format)

    def register_persist_workspace_skip_path(self, path: Path | str) -> Path:
        return self._inner.register_persist_workspace_skip_path(path)

    def _persist_workspace_skip_relpaths(self) -> set[Path]:
        return self._inner._persist_workspace_skip_relpaths()

    def supports_docker_volume_mounts(self) -> bool:
        return self._inner.supports_docker_volume_mounts()

    async def provision_manifest_accounts(self) -> None:
        await self._inner.provision_manifest_accounts()

    def should_provision_manifest_accounts_on_resume(self) -> bool:
        return self._inner.should_provision_manifest_accounts_on_resume()
