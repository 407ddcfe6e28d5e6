"""Workspace snapshots: where ``stop()`` saves the workspace (a tar stream) and where a resumed session restores it
from. ``LocalSnapshot`` keeps it as a file on this machine, ``RemoteSnapshot`` hands it to a client the session's
dependencies provide, ``NoopSnapshot`` (the default) keeps nothing.

The specs (``LocalSnapshotSpec``, ...) say how to build one per session; ``resolve_snapshot`` turns a spec, a
snapshot or None into the session's snapshot. File IO runs in a worker thread so a large workspace never blocks the
event loop.
"""

from __future__ import annotations

import abc
import asyncio
import inspect
import io
import shutil
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import ClassVar, Literal, Protocol, cast

from pydantic import ConfigDict

from .errors import SnapshotNotRestorableError, SnapshotPersistError, SnapshotRestoreError
from .type_tagged import Tagged, TypeTagged


class DependencyProvider(Protocol):
    """What a snapshot asks of the session's dependencies: a named client."""

    async def require(self, key: str, *, consumer: str) -> object: ...


class SnapshotBase(TypeTagged, abc.ABC):
    """A snapshot of one session's workspace, polymorphic by ``type`` so session state round-trips through JSON."""

    model_config = ConfigDict(frozen=True)
    _family: ClassVar[str] = "snapshot"
    id: str

    @classmethod
    def parse(cls, payload: object) -> SnapshotBase:
        return SnapshotBase.parse_tagged(payload)

    @abc.abstractmethod
    async def persist(self, data: io.IOBase, *, dependencies: DependencyProvider | None = None) -> None: ...

    @abc.abstractmethod
    async def restore(self, *, dependencies: DependencyProvider | None = None) -> io.IOBase: ...

    @abc.abstractmethod
    async def restorable(self, *, dependencies: DependencyProvider | None = None) -> bool: ...


def _write_atomically(path: Path, data: io.IOBase) -> None:
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temp.open("wb") as out:
            shutil.copyfileobj(data, out)
        temp.replace(path)
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise


class LocalSnapshot(SnapshotBase):
    """The workspace as ``<base_path>/<id>.tar``, replaced atomically on each persist."""

    type: Literal["local"] = "local"
    base_path: Path

    async def persist(self, data: io.IOBase, *, dependencies: DependencyProvider | None = None) -> None:
        path = self._path()
        try:
            await asyncio.to_thread(_write_atomically, path, data)
        except OSError as error:
            raise SnapshotPersistError(snapshot_id=self.id, path=path, cause=error) from error

    async def restore(self, *, dependencies: DependencyProvider | None = None) -> io.IOBase:
        path = self._path()
        try:
            return await asyncio.to_thread(path.open, "rb")
        except OSError as error:
            raise SnapshotRestoreError(snapshot_id=self.id, path=path, cause=error) from error

    async def restorable(self, *, dependencies: DependencyProvider | None = None) -> bool:
        return await asyncio.to_thread(self._path().is_file)

    def _path(self) -> Path:
        # The id names one file in base_path: a separator or '..' in it would write elsewhere.
        if self.id in {"", ".", ".."} or "/" in self.id or "\\" in self.id:
            raise ValueError("LocalSnapshot id must be a single path segment")
        return self.base_path / f"{self.id}.tar"


class NoopSnapshot(SnapshotBase):
    """No snapshot: persisting keeps nothing, and there is nothing to restore."""

    type: Literal["noop"] = "noop"

    async def persist(self, data: io.IOBase, *, dependencies: DependencyProvider | None = None) -> None:
        return None

    async def restore(self, *, dependencies: DependencyProvider | None = None) -> io.IOBase:
        raise SnapshotNotRestorableError(snapshot_id=self.id, path=Path("<noop>"))

    async def restorable(self, *, dependencies: DependencyProvider | None = None) -> bool:
        return False


async def _maybe_await(value: object) -> object:
    return await cast(Awaitable[object], value) if inspect.isawaitable(value) else value


class RemoteSnapshot(SnapshotBase):
    """The workspace handed to a client (``upload`` / ``download`` / ``exists``, sync or async) found in the session's
    dependencies under ``client_dependency_key``."""

    type: Literal["remote"] = "remote"
    client_dependency_key: str

    async def persist(self, data: io.IOBase, *, dependencies: DependencyProvider | None = None) -> None:
        try:
            upload = await self._method("upload", dependencies)
            await _maybe_await(upload(self.id, data))
        except Exception as error:
            raise SnapshotPersistError(snapshot_id=self.id, path=self._where(), cause=error) from error

    async def restore(self, *, dependencies: DependencyProvider | None = None) -> io.IOBase:
        try:
            download = await self._method("download", dependencies)
            restored = await _maybe_await(download(self.id))
        except Exception as error:
            raise SnapshotRestoreError(snapshot_id=self.id, path=self._where(), cause=error) from error
        if not isinstance(restored, io.IOBase):
            cause = TypeError("a remote snapshot client's download() must return an io.IOBase stream")
            raise SnapshotRestoreError(snapshot_id=self.id, path=self._where(), cause=cause)
        return restored

    async def restorable(self, *, dependencies: DependencyProvider | None = None) -> bool:
        exists = await self._method("exists", dependencies)
        return bool(await _maybe_await(exists(self.id)))

    async def _method(self, name: str, dependencies: DependencyProvider | None) -> Callable[..., object]:
        if dependencies is None:
            raise RuntimeError(f"RemoteSnapshot needs session dependencies providing `{self.client_dependency_key}`")
        client = await dependencies.require(self.client_dependency_key, consumer="RemoteSnapshot")
        method = getattr(client, name, None)
        if not callable(method):
            raise TypeError(f"the remote snapshot client must implement `{name}(snapshot_id, ...)`")
        return cast(Callable[..., object], method)

    def _where(self) -> Path:
        return Path(f"<remote:{self.client_dependency_key}>")


class SnapshotSpec(Tagged, abc.ABC):
    """How to build a session's snapshot from its id."""

    @abc.abstractmethod
    def build(self, snapshot_id: str) -> SnapshotBase: ...


class LocalSnapshotSpec(SnapshotSpec):
    type: Literal["local"] = "local"
    base_path: Path

    def build(self, snapshot_id: str) -> SnapshotBase:
        return LocalSnapshot(id=snapshot_id, base_path=self.base_path)


class NoopSnapshotSpec(SnapshotSpec):
    type: Literal["noop"] = "noop"

    def build(self, snapshot_id: str) -> SnapshotBase:
        return NoopSnapshot(id=snapshot_id)


class RemoteSnapshotSpec(SnapshotSpec):
    type: Literal["remote"] = "remote"
    client_dependency_key: str

    def build(self, snapshot_id: str) -> SnapshotBase:
        return RemoteSnapshot(id=snapshot_id, client_dependency_key=self.client_dependency_key)


def resolve_snapshot(spec: SnapshotBase | SnapshotSpec | None, snapshot_id: str) -> SnapshotBase:
    """The session's snapshot: a snapshot as given, a spec built with ``snapshot_id``, None a ``NoopSnapshot``."""
    if isinstance(spec, SnapshotBase):
        return spec
    if spec is not None and not isinstance(spec, SnapshotSpec):
        raise TypeError(f"snapshot must be a SnapshotSpec, a SnapshotBase or None, got {type(spec).__name__}")
    return (spec or NoopSnapshotSpec()).build(snapshot_id)
