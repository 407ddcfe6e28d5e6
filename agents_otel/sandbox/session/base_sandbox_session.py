"""``BaseSandboxSession``: one live sandbox, with the SDK's public lifecycle and file API.

Lifecycle: ``start()`` prepares the workspace (restores the snapshot if one is restorable, else applies the
manifest), ``stop()`` persists the workspace to the snapshot, ``shutdown()`` tears the backend down, ``aclose()`` /
``async with`` do both. Backends implement ``_exec_internal``, ``read``, ``write``, ``persist_workspace`` and
``hydrate_workspace``; ``ls`` / ``mkdir`` / ``rm`` default to commands and may be done natively. Every path goes
through ``normalize_path`` (``workspace_paths``), so none of them reaches outside the workspace.
"""

from __future__ import annotations

import abc
import asyncio
import io
import shlex
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, Self

from ...run_config_sandbox import DEFAULT_MAX_LOCAL_DIR_FILE_CONCURRENCY, DEFAULT_MAX_MANIFEST_ENTRY_CONCURRENCY
from ..entries import BaseEntry
from ..errors import ExecNonZeroError, ExposedPortUnavailableError, WorkspaceStartError, WorkspaceWriteTypeError
from ..files import FileEntry
from ..materialization import MaterializationResult, MaterializedFile, apply_in_batches
from ..snapshot import DependencyProvider, NoopSnapshot
from ..types import ExecResult, ExposedPortEndpoint, Permissions, User
from ..workspace_paths import WorkspacePathPolicy, relative_entry_path, sandbox_path_str
from .archive_limits import ArchiveLimits
from .file_ops import SessionFileOps
from .pty_types import PtyExecUpdate
from .sandbox_session_state import SandboxSessionState

if TYPE_CHECKING:
    from ...run_config_sandbox import SandboxConcurrencyLimits


def binary_stream(path: Path | str, data: object) -> IO[bytes]:
    """``write()``'s payload as a binary stream: bytes-like objects are accepted, text streams refused loudly."""
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(data))
    if isinstance(data, io.TextIOBase) or not callable(getattr(data, "read", None)):
        raise WorkspaceWriteTypeError(path=Path(path), actual_type=type(data).__name__)
    return data  # type: ignore[return-value]


class BaseSandboxSession(SessionFileOps, abc.ABC):
    state: SandboxSessionState
    _dependencies: DependencyProvider | None = None
    _archive_limits: ArchiveLimits | None = None
    _max_manifest_entry_concurrency: int | None = DEFAULT_MAX_MANIFEST_ENTRY_CONCURRENCY  # until a run sets its own
    _max_local_dir_file_concurrency: int | None = DEFAULT_MAX_LOCAL_DIR_FILE_CONCURRENCY
    _start_workspace_state_preserved: bool = False
    _aclose_lock: asyncio.Lock | None = None
    _pre_stop_hooks: list[Callable[[], Awaitable[None]]] | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            await self._ensure_backend_started()
            await self._prepare_backend_workspace()
            await self._start_workspace()
        except Exception as error:
            await self._after_start_failed()
            wrapped = self._wrap_start_error(error)
            if wrapped is error:
                raise
            raise wrapped from error
        await self._after_start()
        self.state.workspace_root_ready = True

    async def _start_workspace(self) -> None:
        snapshot = self.state.snapshot
        if not isinstance(snapshot, NoopSnapshot) and await snapshot.restorable(dependencies=self.dependencies):
            await self._clear_workspace_root_on_resume()
            archive = await snapshot.restore(dependencies=self.dependencies)
            try:
                await self.hydrate_workspace(archive)
            finally:
                archive.close()
            await self.apply_manifest(only_ephemeral=True)
        elif self._start_workspace_state_preserved:
            await self.apply_manifest(only_ephemeral=True)
        else:
            await self.apply_manifest()

    async def _ensure_backend_started(self) -> None:
        return None

    async def _prepare_backend_workspace(self) -> None:
        return None

    async def _clear_workspace_root_on_resume(self) -> None:
        return None

    async def _after_start(self) -> None:
        return None

    async def _after_start_failed(self) -> None:
        return None

    def _wrap_start_error(self, error: Exception) -> Exception:
        # Only the backend's own OS failures are wrapped; a typed or configuration error reaches the caller as is.
        if not isinstance(error, OSError):
            return error
        message = f"could not start the sandbox session: {error}"
        return WorkspaceStartError(path=Path(self.state.manifest.root), cause=error, message=message)

    async def stop(self) -> None:
        """Persist the workspace into the session's snapshot (nothing for a ``NoopSnapshot``); tears nothing down."""
        try:
            if not isinstance(self.state.snapshot, NoopSnapshot):
                archive = await self.persist_workspace()
                try:
                    await self.state.snapshot.persist(archive, dependencies=self.dependencies)
                finally:
                    archive.close()
        except Exception as error:
            wrapped = self._wrap_stop_error(error)
            if wrapped is error:
                raise
            raise wrapped from error
        finally:
            await self._after_stop()

    def _wrap_stop_error(self, error: Exception) -> Exception:
        return error

    async def _after_stop(self) -> None:
        return None

    async def shutdown(self) -> None:
        """Tear the backend down (processes, containers); best effort."""
        await self._before_shutdown()
        await self._shutdown_backend()
        await self._after_shutdown()

    async def _before_shutdown(self) -> None:
        await self.pty_terminate_all()

    async def _shutdown_backend(self) -> None:
        return None

    async def _after_shutdown(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        await self.aclose()

    def register_pre_stop_hook(self, hook: Callable[[], Awaitable[None]]) -> None:
        """``hook`` runs once, before the workspace is persisted (memory generation writes its files then)."""
        if self._pre_stop_hooks is None:
            self._pre_stop_hooks = []
        self._pre_stop_hooks.append(hook)

    async def run_pre_stop_hooks(self) -> None:
        """Run (and forget) the registered hooks; the first failure is raised after all have run."""
        hooks, self._pre_stop_hooks = self._pre_stop_hooks or [], None
        error: BaseException | None = None
        for hook in hooks:
            try:
                await hook()
            except BaseException as exc:
                error = error or exc
        if error is not None:
            raise error

    async def aclose(self) -> None:
        """``stop()`` then ``shutdown()`` (the latter even when the former fails); the client's ``delete()`` is
        separate, as in the SDK."""
        if self._aclose_lock is None:
            self._aclose_lock = asyncio.Lock()
        async with self._aclose_lock:
            try:
                await self.run_pre_stop_hooks()
                await self.stop()
            finally:
                try:
                    await self.shutdown()
                finally:
                    close = getattr(self.dependencies, "aclose", None)
                    if close is not None:
                        await close()

    @property
    def dependencies(self) -> DependencyProvider | None:
        return self._dependencies

    def set_dependencies(self, dependencies: DependencyProvider | None) -> None:
        self._dependencies = dependencies

    def _set_archive_limits(self, limits: ArchiveLimits | None) -> None:
        self._archive_limits = limits

    def _set_concurrency_limits(self, limits: SandboxConcurrencyLimits) -> None:
        limits.validate()
        self._max_manifest_entry_concurrency = limits.manifest_entries
        self._max_local_dir_file_concurrency = limits.local_dir_files

    def supports_pty(self) -> bool:
        return False

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
        """Start an interactive process (backends with ``supports_pty()``); the SDK's base raises too."""
        raise NotImplementedError(f"{type(self).__name__} does not support interactive (PTY) processes")

    async def pty_write_stdin(
        self, *, session_id: int, chars: str, yield_time_s: float | None = None, max_output_tokens: int | None = None
    ) -> PtyExecUpdate:
        raise NotImplementedError(f"{type(self).__name__} does not support interactive (PTY) processes")

    async def pty_terminate_all(self) -> None:
        return None

    # -- commands --------------------------------------------------------------------------------------------------

    async def exec(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109  (the SDK's signature; enforced by the backend)
        shell: bool | list[str] = True,
        user: str | User | None = None,
    ) -> ExecResult:
        """Run a command in the workspace: through ``sh -lc`` when ``shell`` is True (or the given shell prefix),
        as ``user`` through ``sudo -u`` when given; past ``timeout`` seconds it is an ``ExecTimeoutError``."""
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        prepared = self._prepare_exec_command(*command, shell=shell, user=user)
        return await self._exec_internal(*prepared, timeout=timeout)

    def _prepare_exec_command(
        self, *command: str | Path, shell: bool | list[str], user: str | User | None
    ) -> list[str]:
        parts = [str(part) for part in command]
        if not parts:
            raise ValueError("exec() needs a command")
        if shell:
            joined = parts[0] if len(parts) == 1 else shlex.join(parts)
            parts = [*shell, joined] if isinstance(shell, list) else ["sh", "-lc", joined]
        if user:
            parts = ["sudo", "-u", user.name if isinstance(user, User) else user, "--", *parts]
        return parts

    @abc.abstractmethod
    async def _exec_internal(self, *command: str | Path, timeout: float | None = None) -> ExecResult:  # noqa: ASYNC109
        """Run the prepared command; past ``timeout`` kill it (its whole process group) and raise
        ``ExecTimeoutError``."""

    async def _exec_checked_nonzero(self, *command: str | Path) -> ExecResult:
        result = await self.exec(*command, shell=False)
        if not result.ok():
            raise ExecNonZeroError(result, command=command)
        return result

    async def resolve_exposed_port(self, port: int) -> ExposedPortEndpoint:
        if port not in self.state.exposed_ports:
            ports = self.state.exposed_ports
            raise ExposedPortUnavailableError(port=port, exposed_ports=ports, reason="not_configured")
        return await self._resolve_exposed_port(port)

    async def _resolve_exposed_port(self, port: int) -> ExposedPortEndpoint:
        raise ExposedPortUnavailableError(port=port, exposed_ports=self.state.exposed_ports, reason="unresolvable")

    # -- files -----------------------------------------------------------------------------------------------------

    def normalize_path(self, path: Path | str, *, for_write: bool = False) -> Path:
        """``path`` (relative to the root, or absolute) checked to stay in the workspace or a path grant."""
        return self._path_policy().normalize_path(path, for_write=for_write)

    def _path_policy(self) -> WorkspacePathPolicy:
        manifest = self.state.manifest
        return WorkspacePathPolicy(root=manifest.root, extra_path_grants=manifest.extra_path_grants)

    @abc.abstractmethod
    async def read(self, path: Path, *, user: str | User | None = None) -> io.IOBase:
        """A readable binary stream of a workspace file (``WorkspaceReadNotFoundError`` if it is missing)."""

    @abc.abstractmethod
    async def write(self, path: Path, data: io.IOBase, *, user: str | User | None = None) -> None:
        """Write a binary stream to a workspace file, creating its parent directories."""

    async def running(self) -> bool:
        return True

    @abc.abstractmethod
    async def persist_workspace(self) -> io.IOBase:
        """The workspace as a tar stream with workspace-relative member names."""

    @abc.abstractmethod
    async def hydrate_workspace(self, data: io.IOBase) -> None:
        """Extract a tar stream made by ``persist_workspace`` into the workspace (with the archive limits)."""

    async def ls(self, path: Path | str, *, user: str | User | None = None) -> list[FileEntry]:
        target = sandbox_path_str(self.normalize_path(path))
        result = await self.exec("ls", "-la", "--", target, shell=False, user=user)
        if not result.ok():
            raise ExecNonZeroError(result, command=("ls", "-la", "--", target))
        return _parse_ls_la(result.stdout.decode("utf-8", errors="replace"), base=target)

    async def rm(self, path: Path | str, *, recursive: bool = False, user: str | User | None = None) -> None:
        target = sandbox_path_str(self.normalize_path(path, for_write=True))
        command = ["rm", *(["-rf"] if recursive else []), "--", target]
        result = await self.exec(*command, shell=False, user=user)
        if not result.ok():
            raise ExecNonZeroError(result, command=command)

    async def mkdir(self, path: Path | str, *, parents: bool = False, user: str | User | None = None) -> None:
        command = ["mkdir", *(["-p"] if parents else []), sandbox_path_str(self.normalize_path(path, for_write=True))]
        result = await self.exec(*command, shell=False, user=user)
        if not result.ok():
            raise ExecNonZeroError(result, command=command)

    async def extract(
        self, path: Path | str, data: io.IOBase, *, compression_scheme: Literal["tar", "zip"] | None = None,
        archive_limits: ArchiveLimits | None = None,
    ) -> None:  # fmt: skip
        """Extract a tar or zip archive into the workspace directory ``path`` (scheme from the name when omitted),
        within the archive limits (the call's, else the session's): member count, sizes, and no member or link
        leading outside ``path``."""
        from .archive_extraction import extract_archive

        validate = getattr(archive_limits, "validate", None)
        if callable(validate):  # the SDK's SandboxArchiveLimits refuses non-positive limits
            validate()
        limits = archive_limits if archive_limits is not None else self._archive_limits
        await extract_archive(self, path, data, compression_scheme=compression_scheme, limits=limits)

    async def _create_symlink(self, target: str, link: Path) -> None:
        """Create ``link`` pointing at ``target`` (archive extraction checked that it stays inside)."""
        link_arg = sandbox_path_str(self.normalize_path(link, for_write=True))
        await self._exec_checked_nonzero("ln", "-s", "--", target, link_arg)

    def describe(self) -> str:
        return self.state.manifest.describe()

    # -- manifest --------------------------------------------------------------------------------------------------

    async def apply_manifest(self, *, only_ephemeral: bool = False) -> MaterializationResult:
        """Materialize the manifest's entries in the workspace (only the ephemeral ones when asked)."""
        await self.mkdir(self.state.manifest.root, parents=True)
        items = [
            (self._workspace_entry_path(key), entry)
            for key, entry in self.state.manifest.entries.items()
            if entry.ephemeral or not only_ephemeral
        ]
        files = await self._apply_entry_batch(items, base_dir=self._manifest_base_dir())
        return MaterializationResult(files=files)

    def _workspace_entry_path(self, key: str | Path) -> Path:
        return Path(self.state.manifest.root) / self._entry_rel_path(key)

    @staticmethod
    def _entry_rel_path(key: str | Path) -> Path:
        return Path(relative_entry_path(key).as_posix())

    async def _apply_entry_batch(
        self, items: list[tuple[Path, BaseEntry]], *, base_dir: Path
    ) -> list[MaterializedFile]:
        for dest, _entry in items:  # every destination checked before any entry is applied
            self.normalize_path(dest, for_write=True)
        limit = self._max_manifest_entry_concurrency
        return await apply_in_batches(items, lambda dest, e: e.apply(self, dest, base_dir), max_concurrency=limit)

    def _manifest_base_dir(self) -> Path:
        return Path.cwd()


def _parse_ls_la(output: str, *, base: str) -> list[FileEntry]:
    from ..files import EntryKind

    entries: list[FileEntry] = []
    for line in output.splitlines():
        fields = line.split(maxsplit=8)
        if len(fields) < 9 or fields[8] in {".", ".."}:
            continue
        mode, _links, owner, group, size, *_date, name = fields
        kind = {"d": EntryKind.DIRECTORY, "-": EntryKind.FILE, "l": EntryKind.SYMLINK}.get(mode[0], EntryKind.OTHER)
        name = name.split(" -> ", 1)[0] if kind == EntryKind.SYMLINK else name
        try:
            permissions = Permissions.from_str(mode if mode[0] in "d-" else "-" + mode[1:])
        except ValueError:
            continue
        entries.append(FileEntry(path=f"{base.rstrip('/')}/{name}", permissions=permissions, owner=owner,
                                 group=group, size=int(size), kind=kind))  # fmt: skip
    return entries
