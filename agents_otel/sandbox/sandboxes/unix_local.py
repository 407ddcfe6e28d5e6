"""``UnixLocalSandboxClient``: sandbox sessions on this machine — the workspace is a local directory (a fresh temp
directory unless the manifest names a root), commands are subprocesses started in it.

Not an isolation boundary (the SDK's is not either, outside macOS's sandbox-exec): commands run as this user. What
it does guarantee: file operations stay in the workspace (symlinks resolved before the check, the final component
opened with ``O_NOFOLLOW``), a command past its timeout is killed with its whole process group, and file and
process IO never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Collection
from pathlib import Path
from typing import IO, Literal, cast

from ...exceptions import UserError
from ..errors import (
    ExecNonZeroError,
    WorkspaceArchiveReadError,
    WorkspaceArchiveWriteError,
    WorkspaceReadNotFoundError,
    WorkspaceStopError,
)
from ..files import EntryKind, FileEntry
from ..manifest import Manifest
from ..materialization import MaterializationResult
from ..session.archive_extraction import extract_into
from ..session.base_sandbox_session import BaseSandboxSession, binary_stream
from ..session.pty_types import PtyExecUpdate
from ..session.sandbox_client import BaseSandboxClient, BaseSandboxClientOptions
from ..session.sandbox_session import SandboxSession
from ..session.sandbox_session_state import SandboxSessionState
from ..snapshot import DependencyProvider, SnapshotBase, SnapshotSpec, resolve_snapshot
from ..types import ExecResult, ExposedPortEndpoint, Permissions, User
from .unix_local_env import host_environment, host_environment_policy
from .unix_local_exec import kill_group, run_command
from .unix_local_pty import LocalPtyProcesses

DEFAULT_MANIFEST_ROOT = "/workspace"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class UnixLocalSandboxSessionState(SandboxSessionState):
    type: Literal["unix_local"] = "unix_local"
    workspace_root_owned: bool = False


class UnixLocalSandboxClientOptions(BaseSandboxClientOptions):
    type: Literal["unix_local"] = "unix_local"
    exposed_ports: tuple[int, ...] = ()

    def __init__(self, exposed_ports: tuple[int, ...] = (), *, type: Literal["unix_local"] = "unix_local") -> None:
        super().__init__(type=type, exposed_ports=exposed_ports)  # type: ignore[call-arg]


class UnixLocalSandboxSession(BaseSandboxSession):
    """A session whose workspace is ``state.manifest.root`` on this machine."""

    state: UnixLocalSandboxSessionState
    max_output_bytes: int = 64 << 20
    """A command writing more than this to stdout or stderr is killed (an ``ExecTransportError``): its output is
    held in memory, so an endless writer must not be able to fill it."""

    def __init__(self, *, state: UnixLocalSandboxSessionState) -> None:
        self.state = state
        self._processes: set[asyncio.subprocess.Process] = set()
        self._running = False
        self._pty = LocalPtyProcesses()
        self._host_environment: frozenset[str] | None = None  # the client's policy (unix_local_env), not state's

    @classmethod
    def from_state(cls, state: UnixLocalSandboxSessionState) -> UnixLocalSandboxSession:
        return cls(state=state)

    @property
    def _root(self) -> Path:
        return Path(self.state.manifest.root)

    async def _prepare_backend_workspace(self) -> None:
        def prepare() -> bool:
            existed = self._root.is_dir() and any(self._root.iterdir())
            self._root.mkdir(parents=True, exist_ok=True)
            return existed

        existed = await asyncio.to_thread(prepare)
        self._start_workspace_state_preserved = self.state.workspace_root_ready and existed

    async def _clear_workspace_root_on_resume(self) -> None:
        def clear() -> None:
            for child in self._root.iterdir():
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()

        await asyncio.to_thread(clear)

    async def _after_start(self) -> None:
        self._running = True

    async def _after_start_failed(self) -> None:
        self._running = False

    async def _after_shutdown(self) -> None:
        self._running = False

    async def apply_manifest(self, *, only_ephemeral: bool = False) -> MaterializationResult:
        if self.state.manifest.users or self.state.manifest.groups:
            raise ValueError(
                "UnixLocalSandboxSession does not support manifest users or groups: creating them would change "
                "this machine's accounts"
            )
        return await super().apply_manifest(only_ephemeral=only_ephemeral)

    def _prepare_exec_command(
        self, *command: str | Path, shell: bool | list[str], user: str | User | None
    ) -> list[str]:
        # 'sh -c', as the SDK's local backend: a login shell would read this machine's profile files.
        return super()._prepare_exec_command(*command, shell=["sh", "-c"] if shell is True else shell, user=user)

    def _wrap_stop_error(self, error: Exception) -> Exception:
        return WorkspaceStopError(path=self._root, cause=error)

    def supports_pty(self) -> bool:
        return True

    async def pty_exec_start(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109  (ignored, as in the SDK: poll or shut down to stop it)
        shell: bool | list[str] = True,
        user: str | User | None = None,
        tty: bool = False,
        yield_time_s: float | None = None,
        max_output_tokens: int | None = None,
    ) -> PtyExecUpdate:
        argv = self._prepare_exec_command(*command, shell=shell, user=user)
        env = {**host_environment(self._host_environment), **await self.state.manifest.environment.resolve()}
        return await self._pty.start(argv, cwd=str(self._root), env=env, tty=tty, yield_time_s=yield_time_s,
                                     max_output_tokens=max_output_tokens)  # fmt: skip

    async def pty_write_stdin(
        self, *, session_id: int, chars: str, yield_time_s: float | None = None, max_output_tokens: int | None = None
    ) -> PtyExecUpdate:
        return await self._pty.write(session_id, chars, yield_time_s=yield_time_s, max_output_tokens=max_output_tokens)

    async def pty_terminate_all(self) -> None:
        await self._pty.terminate_all()

    async def _shutdown_backend(self) -> None:
        for process in list(self._processes):
            kill_group(process)

    async def _resolve_exposed_port(self, port: int) -> ExposedPortEndpoint:
        return ExposedPortEndpoint(host="127.0.0.1", port=port)

    async def _exec_internal(self, *command: str | Path, timeout: float | None = None) -> ExecResult:  # noqa: ASYNC109
        argv = [str(part) for part in command]
        env = {**host_environment(self._host_environment), **await self.state.manifest.environment.resolve()}
        return await run_command(argv, cwd=self._root, env=env, timeout=timeout,
                                 max_output_bytes=self.max_output_bytes, running=self._processes)  # fmt: skip

    # -- files, natively ------------------------------------------------------------------------------------------

    def _host_path(self, path: Path | str, *, for_write: bool = False, follow_final: bool = True) -> Path:
        """The confined host path: symlinks resolved before the check (the final one too unless ``follow_final``)."""
        policy = self._path_policy()
        if follow_final:
            return policy.normalize_path(path, for_write=for_write, resolve_symlinks=True)
        lexical = policy.normalize_path(path, for_write=for_write)
        if lexical == policy.normalize_path(self._root):
            return policy.normalize_path(path, for_write=for_write, resolve_symlinks=True)
        parent = policy.normalize_path(lexical.parent, for_write=for_write, resolve_symlinks=True)
        return parent / lexical.name

    _confined_path = _host_path  # mv / same_file: symlinks resolved before the workspace check, as every file op

    async def read(self, path: Path, *, user: str | User | None = None) -> io.IOBase:
        if user is not None:
            return await self._read_as(path, user)
        target = self._host_path(path)
        try:
            fd = await asyncio.to_thread(os.open, target, os.O_RDONLY | _NOFOLLOW)
        except FileNotFoundError as error:
            raise WorkspaceReadNotFoundError(path=Path(path), cause=error) from error
        except OSError as error:
            raise WorkspaceArchiveReadError(path=Path(path), cause=error) from error
        return os.fdopen(fd, "rb")

    async def _read_as(self, path: Path, user: str | User) -> io.IOBase:
        target = str(self._host_path(path))
        result = await self.exec("cat", "--", target, shell=False, user=user)
        if not result.ok():
            raise WorkspaceReadNotFoundError(path=Path(path), cause=ExecNonZeroError(result, command=("cat", target)))
        return io.BytesIO(result.stdout)

    async def write(self, path: Path, data: io.IOBase, *, user: str | User | None = None) -> None:
        stream = binary_stream(path, data)
        target = self._host_path(path, for_write=True)
        if user is not None:
            await self._write_as(target, stream, user)
            return

        def write() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, 1 << 16)

        try:
            await asyncio.to_thread(write)
        except OSError as error:
            raise WorkspaceArchiveWriteError(path=target, cause=error) from error

    async def _write_as(self, target: Path, stream: IO[bytes], user: str | User) -> None:
        staged = Path(tempfile.gettempdir()) / f"sandbox-{uuid.uuid4().hex}"
        await asyncio.to_thread(staged.write_bytes, stream.read())
        try:
            await self._exec_checked_nonzero("sudo", "-u", user.name if isinstance(user, User) else user, "--",
                                             "cp", "--", str(staged), str(target))  # fmt: skip
        finally:
            staged.unlink(missing_ok=True)

    async def ls(self, path: Path | str, *, user: str | User | None = None) -> list[FileEntry]:
        if user is not None:
            return await super().ls(path, user=user)
        target = self._host_path(path)

        def listing() -> list[FileEntry]:
            entries = []
            with os.scandir(target) as found:
                for entry in found:
                    info = entry.stat(follow_symlinks=False)
                    kind = (EntryKind.SYMLINK if entry.is_symlink() else EntryKind.DIRECTORY
                            if entry.is_dir(follow_symlinks=False) else EntryKind.FILE
                            if entry.is_file(follow_symlinks=False) else EntryKind.OTHER)  # fmt: skip
                    entries.append(FileEntry(path=entry.path, permissions=Permissions.from_mode(info.st_mode),
                                             owner=str(info.st_uid), group=str(info.st_gid), size=info.st_size,
                                             kind=kind))  # fmt: skip
            return sorted(entries, key=lambda e: e.path)

        try:
            return await asyncio.to_thread(listing)
        except OSError as error:
            result = ExecResult(stdout=b"", stderr=str(error).encode(), exit_code=1)
            raise ExecNonZeroError(result, command=("ls", "-la", "--", str(target)), cause=error) from error

    async def mkdir(self, path: Path | str, *, parents: bool = False, user: str | User | None = None) -> None:
        if user is not None:
            await super().mkdir(path, parents=parents, user=user)
            return
        target = self._host_path(path, for_write=True)
        try:
            await asyncio.to_thread(target.mkdir, parents=parents, exist_ok=True)
        except OSError as error:
            raise WorkspaceArchiveWriteError(path=target, cause=error) from error

    async def rm(self, path: Path | str, *, recursive: bool = False, user: str | User | None = None) -> None:
        if user is not None:
            await super().rm(path, recursive=recursive, user=user)
            return
        target = self._host_path(path, for_write=True, follow_final=False)  # a link is removed, not its target

        def remove() -> None:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target) if recursive else target.rmdir()
            else:
                target.unlink()

        try:
            await asyncio.to_thread(remove)
        except FileNotFoundError as error:
            if recursive:
                return
            result = ExecResult(stdout=b"", stderr=str(error).encode(), exit_code=1)
            raise ExecNonZeroError(result, command=("rm", "--", str(target)), cause=error) from error
        except OSError as error:
            raise WorkspaceArchiveWriteError(path=target, cause=error) from error

    async def _create_symlink(self, target: str, link: Path) -> None:
        host_link = self._host_path(link, for_write=True, follow_final=False)
        # Checked again where the link really is: a parent that is itself a link can make a harmless-looking
        # relative target point above the root.
        self._host_path(host_link.parent / target)
        await asyncio.to_thread(os.symlink, target, host_link)

    async def running(self) -> bool:
        return self._running and await asyncio.to_thread(self._root.is_dir)

    async def persist_workspace(self) -> io.IOBase:
        skip = {path.as_posix() for path in self._persist_workspace_skip_relpaths()}

        def archive() -> IO[bytes]:
            spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115  (returned to the caller)
            with tarfile.open(fileobj=spool, mode="w") as tar:
                for child in sorted(self._root.iterdir()):
                    if child.name not in skip:
                        tar.add(child, arcname=child.name, filter=lambda m: None if m.name in skip else m)
            spool.seek(0)
            return spool

        try:
            return cast(io.IOBase, await asyncio.to_thread(archive))
        except OSError as error:
            raise WorkspaceArchiveReadError(path=self._root, cause=error) from error

    async def hydrate_workspace(self, data: io.IOBase) -> None:
        await asyncio.to_thread(self._root.mkdir, parents=True, exist_ok=True)
        with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
            await asyncio.to_thread(shutil.copyfileobj, data, spool)
            spool.seek(0)
            await extract_into(self, self._root, spool, "tar", self._archive_limits, error_path=self._root)


class UnixLocalSandboxClient(BaseSandboxClient[UnixLocalSandboxClientOptions | None]):
    """Makes sessions on this machine; ``delete()`` removes the workspace directory if the client created it."""

    backend_id = "unix_local"
    supports_default_options = True

    def __init__(
        self,
        *,
        instrumentation: object | None = None,
        dependencies: DependencyProvider | None = None,
        inherit_host_environment: bool = True,
        host_environment_allowlist: Collection[str] | None = None,
    ) -> None:
        """``inherit_host_environment`` / ``host_environment_allowlist``: see ``unix_local_env``."""
        self._host_environment = host_environment_policy(inherit_host_environment, host_environment_allowlist)
        if instrumentation is not None:
            raise UserError(
                "UnixLocalSandboxClient(instrumentation=...) (the SDK's sandbox event sinks) is not supported: "
                "sandbox work is traced as OpenTelemetry spans instead"
            )
        self._dependencies = dependencies

    async def create(
        self,
        *,
        snapshot: SnapshotSpec | SnapshotBase | None = None,
        manifest: Manifest | None = None,
        options: UnixLocalSandboxClientOptions | None = None,
    ) -> SandboxSession:
        options = options if options is not None else UnixLocalSandboxClientOptions()
        if not isinstance(options, UnixLocalSandboxClientOptions):
            raise TypeError(f"UnixLocalSandboxClient.create expects UnixLocalSandboxClientOptions, got {options!r}")
        manifest = manifest if manifest is not None else Manifest()
        if not isinstance(manifest, Manifest):
            raise TypeError(f"manifest must be a Manifest, got {type(manifest).__name__}")
        _refuse_host_path_grants(manifest)
        owned = manifest.root == DEFAULT_MANIFEST_ROOT
        if owned:  # the SDK's default root means "a fresh directory of our own", never this machine's /workspace
            root = await asyncio.to_thread(tempfile.mkdtemp, prefix="agents-otel-sandbox-")
            manifest = manifest.model_copy(update={"root": root}, deep=True)
        session_id = uuid.uuid4()
        state = UnixLocalSandboxSessionState(
            session_id=session_id, manifest=manifest, snapshot=resolve_snapshot(snapshot, str(session_id)),
            workspace_root_owned=owned, exposed_ports=options.exposed_ports,
        )  # fmt: skip
        return self._wrap_session(self._session(state))

    def _session(self, state: UnixLocalSandboxSessionState) -> UnixLocalSandboxSession:
        inner = UnixLocalSandboxSession.from_state(state)
        inner._host_environment = self._host_environment  # the client's policy, whatever the state says
        return inner

    async def delete(self, session: SandboxSession) -> SandboxSession:
        inner = session._inner if isinstance(session, SandboxSession) else session
        if not isinstance(inner, UnixLocalSandboxSession):
            raise TypeError("UnixLocalSandboxClient.delete expects a session it created")
        if inner.state.workspace_root_owned:
            await asyncio.to_thread(shutil.rmtree, inner.state.manifest.root, True)
        return session

    async def resume(self, state: SandboxSessionState) -> SandboxSession:
        if not isinstance(state, UnixLocalSandboxSessionState):
            got = type(state).__name__
            raise TypeError(f"UnixLocalSandboxClient.resume expects a UnixLocalSandboxSessionState, got {got}")
        _refuse_host_path_grants(state.manifest)
        return self._wrap_session(self._session(state))

    def deserialize_session_state(self, payload: object) -> SandboxSessionState:
        if not isinstance(payload, dict):
            raise TypeError("a session state payload must be a dict")
        return UnixLocalSandboxSessionState.model_validate(payload)


def _refuse_host_path_grants(manifest: Manifest) -> None:
    grant = next((g for g in manifest.extra_path_grants if g.host_path is not None), None)
    if grant is not None:
        raise ValueError(
            f"UnixLocalSandboxClient does not support a path grant's host_path (for {grant.path!r}): here the "
            "sandbox path is the host path; omit host_path"
        )
