"""Extracting an archive into the workspace, for ``extract()`` and ``hydrate_workspace()``: the one place an
untrusted archive meets the filesystem, so everything is checked before anything is written.

Refused with ``WorkspaceArchiveWriteError`` (``context["reason"]`` says why): input over ``max_input_bytes``, more
than ``max_members`` members, declared sizes over ``max_extracted_bytes``, an absolute member name or one with
``..``, a hard link, a device or FIFO, and a symlink whose target leaves the destination. Members are then written
through the session's own ``mkdir`` / ``write`` (so the workspace's path confinement applies once more), the
archive read in a worker thread.
"""

from __future__ import annotations

import asyncio
import io
import posixpath
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Literal, cast

from ..errors import InvalidCompressionSchemeError, WorkspaceArchiveWriteError
from .archive_limits import DEFAULT_ARCHIVE_LIMITS, ArchiveLimits

if TYPE_CHECKING:
    from .base_sandbox_session import BaseSandboxSession

Kind = Literal["dir", "file", "symlink"]


class UnsafeArchiveError(ValueError):
    def __init__(self, reason: str, member: str | None = None, **context: object) -> None:
        super().__init__(f"{reason}: {member}" if member else reason)
        self.reason = reason
        self.context = {"reason": reason, **({"member": member} if member else {}), **context}


@dataclass(frozen=True)
class PlannedMember:
    rel: PurePosixPath
    kind: Kind
    name: str
    link_target: str | None = None


def scheme_for(path: Path, given: str | None) -> Literal["tar", "zip"]:
    name = path.name.lower()
    scheme = given or ("zip" if name.endswith(".zip") else "tar" if ".tar" in name or name.endswith(".tgz") else None)
    if scheme not in {"tar", "zip"}:
        raise InvalidCompressionSchemeError(path=path, scheme=scheme)
    return "tar" if scheme == "tar" else "zip"


def spool_input(data: IO[bytes], limits: ArchiveLimits) -> IO[bytes]:
    """The archive copied to a seekable spool, counting bytes against ``max_input_bytes`` as it goes."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115  (returned open, closed by the caller)
    total, limit = 0, limits.max_input_bytes
    while chunk := data.read(1 << 16):
        total += len(chunk)
        if limit is not None and total > limit:
            spool.close()
            raise UnsafeArchiveError("archive input size exceeds limit", limit=limit, actual=total)
        spool.write(chunk)
    spool.seek(0)
    return spool


def _safe_rel(name: str) -> PurePosixPath | None:
    """A member name as a path inside the destination; None for the destination itself."""
    if name.startswith("/") or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError("absolute member path", name)
    parts = [part for part in PurePosixPath(name).parts if part not in {"", "."}]
    if ".." in parts:
        raise UnsafeArchiveError("member path escapes the destination", name)
    return PurePosixPath(*parts) if parts else None


def _check_link(rel: PurePosixPath, target: str, name: str) -> None:
    if target.startswith("/") or not target:
        raise UnsafeArchiveError("symlink target is absolute", name, target=target)
    resolved = posixpath.normpath(posixpath.join(rel.parent.as_posix(), target))
    if resolved == ".." or resolved.startswith("../"):
        raise UnsafeArchiveError("symlink target escapes the destination", name, target=target)


def _check_counts(count: int, total: int, limits: ArchiveLimits, name: str) -> None:
    if limits.max_members is not None and count > limits.max_members:
        raise UnsafeArchiveError("archive member count exceeds limit", limit=limits.max_members, actual=count)
    if limits.max_extracted_bytes is not None and total > limits.max_extracted_bytes:
        raise UnsafeArchiveError("archive extracted size exceeds limit", name, limit=limits.max_extracted_bytes,
                                 actual=total)  # fmt: skip


def plan_tar(archive: tarfile.TarFile, limits: ArchiveLimits) -> list[tuple[PlannedMember, tarfile.TarInfo]]:
    planned: list[tuple[PlannedMember, tarfile.TarInfo]] = []
    total = 0
    for count, member in enumerate(archive, start=1):
        rel = _safe_rel(member.name)
        total += member.size if member.isreg() else 0
        _check_counts(count, total, limits, member.name)
        if member.islnk():
            raise UnsafeArchiveError("hard links are not extracted", member.name)
        if not (member.isdir() or member.isreg() or member.issym()):
            raise UnsafeArchiveError("special files are not extracted", member.name)
        if rel is None:
            if not member.isdir():
                raise UnsafeArchiveError("member path is the destination itself", member.name)
            continue
        if member.issym():
            _check_link(rel, member.linkname, member.name)
        kind: Kind = "dir" if member.isdir() else "symlink" if member.issym() else "file"
        planned.append((PlannedMember(rel, kind, member.name, member.linkname if member.issym() else None), member))
    return planned


def plan_zip(archive: zipfile.ZipFile, limits: ArchiveLimits) -> list[tuple[PlannedMember, zipfile.ZipInfo]]:
    planned: list[tuple[PlannedMember, zipfile.ZipInfo]] = []
    total = 0
    for count, info in enumerate(archive.infolist(), start=1):
        rel = _safe_rel(info.filename)
        total += info.file_size
        _check_counts(count, total, limits, info.filename)
        mode = info.external_attr >> 16
        if mode and (mode & 0o170000) not in {0, 0o040000, 0o100000}:
            raise UnsafeArchiveError("links and special files are not extracted from zip archives", info.filename)
        if rel is not None:
            planned.append((PlannedMember(rel, "dir" if info.is_dir() else "file", info.filename), info))
    return planned


async def extract_into(
    session: BaseSandboxSession, destination: Path, data: IO[bytes], scheme: Literal["tar", "zip"],
    limits: ArchiveLimits | None, *, error_path: Path,
) -> None:  # fmt: skip
    """Check the whole archive (``data`` seekable), then write its members under ``destination``."""
    limits = limits if limits is not None else DEFAULT_ARCHIVE_LIMITS
    try:
        if scheme == "tar":
            tar = await asyncio.to_thread(tarfile.open, fileobj=data, mode="r:*")
            with tar:
                tar_plan = await asyncio.to_thread(plan_tar, tar, limits)
                for planned, info in tar_plan:
                    await _write_member(session, destination, planned, partial(tar.extractfile, info))
        else:
            archive = await asyncio.to_thread(zipfile.ZipFile, data)
            with archive:
                zip_plan = await asyncio.to_thread(plan_zip, archive, limits)
                for planned, zinfo in zip_plan:
                    await _write_member(session, destination, planned, partial(archive.open, zinfo))
    except UnsafeArchiveError as error:
        raise WorkspaceArchiveWriteError(path=error_path, context=error.context, cause=error) from error
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as error:
        context: dict[str, object] = {"reason": "unreadable archive"}
        raise WorkspaceArchiveWriteError(path=error_path, context=context, cause=error) from error


async def _write_member(
    session: BaseSandboxSession, destination: Path, planned: PlannedMember, opener: Callable[[], IO[bytes] | None]
) -> None:
    dest = destination / planned.rel.as_posix()
    if planned.kind == "dir":
        await session.mkdir(dest, parents=True)
        return
    await session.mkdir(dest.parent, parents=True)
    if planned.kind == "symlink":
        assert planned.link_target is not None
        await session._create_symlink(planned.link_target, dest)
        return
    stream = opener()
    if stream is None:
        raise UnsafeArchiveError("member has no payload", planned.name)
    with stream:
        await session.write(dest, cast(io.IOBase, stream))


async def extract_archive(
    session: BaseSandboxSession, path: Path | str, data: io.IOBase, *,
    compression_scheme: Literal["tar", "zip"] | None, limits: ArchiveLimits | None,
) -> None:  # fmt: skip
    """The SDK's ``extract()``: the archive is written at ``path`` and its members extracted beside it."""
    archive_path = session.normalize_path(path, for_write=True)
    scheme = scheme_for(Path(path), compression_scheme)
    effective = limits if limits is not None else DEFAULT_ARCHIVE_LIMITS
    try:
        spool = await asyncio.to_thread(spool_input, data, effective)  # type: ignore[arg-type]
    except UnsafeArchiveError as error:
        raise WorkspaceArchiveWriteError(path=archive_path, context=error.context, cause=error) from error
    with spool:
        await session.write(archive_path, spool)  # type: ignore[arg-type]
        spool.seek(0)
        await extract_into(session, archive_path.parent, spool, scheme, effective, error_path=archive_path)


def copy_stream(source: IO[bytes], target: IO[bytes]) -> None:
    shutil.copyfileobj(source, target, 1 << 16)
