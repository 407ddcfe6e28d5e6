"""The manifest's content entries: ``File`` (inline bytes), ``Dir`` (a directory and its children), ``LocalFile`` and
``LocalDir`` (copied from this machine), ``GitRepo`` (cloned with the ``git`` CLI).

A host source must lie under the process's working directory or a ``SandboxPathGrant`` (as in the SDK), with no
symlink on the way down to it. Host reads happen in a worker thread (``asyncio.to_thread``) so a large copy never
blocks the event loop, and a host source never leads out of itself: a symlink in a ``LocalDir`` that points outside
its source directory, or a ``LocalFile`` that is not a regular file, is a ``LocalDirReadError`` /
``LocalFileReadError``.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import stat
import uuid
from collections.abc import Mapping
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_serializer, field_validator

from ..errors import (
    GitCloneError,
    GitCopyError,
    GitMissingInImageError,
    GitSubpathError,
    LocalDirReadError,
    LocalFileReadError,
)
from ..materialization import MaterializedFile, gather_in_order
from ..types import ExecResult, User
from ..workspace_paths import SandboxPathGrant
from .base import BaseEntry

if TYPE_CHECKING:
    from ..session.base_sandbox_session import BaseSandboxSession


def parse_entry_mapping(value: object) -> dict[str | Path, BaseEntry]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"manifest entries must be a mapping, got {type(value).__name__}")
    return {key: BaseEntry.parse(entry) for key, entry in value.items()}


def dump_entry_mapping(entries: Mapping[str | Path, BaseEntry]) -> dict[str, object]:
    return {(k.as_posix() if isinstance(k, Path) else str(k)): e.model_dump(mode="json") for k, e in entries.items()}


class Dir(BaseEntry):
    """A directory, created with its ``children`` (entries keyed by relative path)."""

    type: Literal["dir"] = "dir"
    is_dir: bool = True
    children: dict[str | Path, BaseEntry] = Field(default_factory=dict)

    _parse_children = field_validator("children", mode="before")(classmethod(lambda cls, v: parse_entry_mapping(v)))

    @field_serializer("children", when_used="json")
    def _serialize_children(self, children: Mapping[str | Path, BaseEntry]) -> dict[str, object]:
        return dump_entry_mapping(children)

    def model_post_init(self, context: object, /) -> None:
        self.permissions.directory = True

    async def apply(self, session: BaseSandboxSession, dest: Path, base_dir: Path) -> list[MaterializedFile]:
        await session.mkdir(dest, parents=True)
        await self._apply_metadata(session, dest)
        children = [(dest / session._entry_rel_path(rel), entry) for rel, entry in self.children.items()]
        return await session._apply_entry_batch(children, base_dir=base_dir)


class File(BaseEntry):
    """A file with the given bytes."""

    type: Literal["file"] = "file"
    content: bytes

    async def apply(self, session: BaseSandboxSession, dest: Path, base_dir: Path) -> list[MaterializedFile]:
        await session.write(dest, io.BytesIO(self.content))
        await self._apply_metadata(session, dest)
        return []


def _read_regular_file(src: Path) -> bytes:
    """A host file's bytes: a final symlink is not followed (``O_NOFOLLOW``) and only a regular file is read."""
    fd = os.open(src, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(f"not a regular file: {src}")
        return handle.read()


def confined_source(
    src: Path, base_dir: Path, grants: tuple[SandboxPathGrant, ...], error: type[LocalFileReadError | LocalDirReadError]
) -> Path:
    """A host source as an absolute path under ``base_dir`` (the process's working directory) or a path grant,
    with no symlink on the way down from that root: a manifest cannot copy in what the application did not open.
    """
    absolute = Path(os.path.abspath(base_dir / src))
    roots = [Path(os.path.abspath(base_dir))] + [Path(os.path.abspath(g.host_path or g.path)) for g in grants]
    root = next((r for r in roots if absolute == r or r in absolute.parents), None)
    if root is None:
        context: dict[str, object] = {"reason": "outside_base_dir", "base_dir": str(roots[0])}
        if grants:
            context["extra_path_grants"] = [g.path for g in grants]
        raise error(src=absolute, context=context)
    current = root
    for part in absolute.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise error(src=absolute, context={"reason": "symlink_not_supported", "child": str(current)})
    return absolute


class LocalFile(BaseEntry):
    """A file copied from this machine (``src`` relative to the manifest's base directory, or absolute)."""

    type: Literal["local_file"] = "local_file"
    src: Path

    async def apply(self, session: BaseSandboxSession, dest: Path, base_dir: Path) -> list[MaterializedFile]:
        grants = session.state.manifest.extra_path_grants
        src = await asyncio.to_thread(confined_source, self.src, base_dir, grants, LocalFileReadError)
        try:
            data = await asyncio.to_thread(_read_regular_file, src)
        except OSError as error:
            raise LocalFileReadError(src=src, cause=error) from error
        await session.mkdir(dest.parent, parents=True)
        await session.write(dest, io.BytesIO(data))
        await self._apply_metadata(session, dest)
        return [MaterializedFile(path=dest, sha256=hashlib.sha256(data).hexdigest())]


class _EscapingLink(OSError):
    pass


def _list_local_dir(src_root: Path) -> list[Path]:
    """Every file under ``src_root`` (relative paths); a symlink leading outside the root is an error."""
    if src_root.is_symlink() or not src_root.is_dir():
        raise NotADirectoryError(str(src_root))
    resolved_root = src_root.resolve()
    found: list[Path] = []
    for current, dirs, files in os.walk(src_root, followlinks=False):
        here = Path(current)
        for name in [*dirs, *files]:
            path = here / name
            if path.is_symlink():
                target = path.resolve()
                if target != resolved_root and resolved_root not in target.parents:
                    raise _EscapingLink(f"symlink leads outside the source directory: {path}")
                if target.is_file():
                    found.append(path.relative_to(src_root))
            elif name in files and path.is_file():
                found.append(path.relative_to(src_root))
    return sorted(found)


class LocalDir(BaseEntry):
    """A directory copied recursively from this machine (``src``), or an empty directory when ``src`` is None."""

    type: Literal["local_dir"] = "local_dir"
    is_dir: bool = True
    src: Path | None = Field(default=None)

    def model_post_init(self, context: object, /) -> None:
        self.permissions.directory = True

    async def apply(
        self, session: BaseSandboxSession, dest: Path, base_dir: Path, *, user: str | User | None = None
    ) -> list[MaterializedFile]:
        """Copy the source under ``dest``. ``user`` (as in the SDK): the directories and files are made as that
        sandbox user, so its permission checks apply and it owns them; the entry's permissions and group are then
        left as that user's umask and group made them (changing them is the session's, not the user's, to do)."""
        await session.mkdir(dest, parents=True, user=user)
        files: list[MaterializedFile] = []
        if self.src is not None:
            grants = session.state.manifest.extra_path_grants
            src_root = await asyncio.to_thread(confined_source, self.src, base_dir, grants, LocalDirReadError)
            try:
                children = await asyncio.to_thread(_list_local_dir, src_root)
            except _EscapingLink as error:
                reason: dict[str, object] = {"reason": "symlink_escapes_source"}
                raise LocalDirReadError(src=src_root, context=reason, cause=error) from error
            except OSError as error:
                raise LocalDirReadError(src=src_root, cause=error) from error

            async def copy(rel: Path) -> MaterializedFile:
                try:
                    data = await asyncio.to_thread((src_root / rel).read_bytes)
                except OSError as error:
                    raise LocalDirReadError(src=src_root, context={"child": rel.as_posix()}, cause=error) from error
                await session.mkdir((dest / rel).parent, parents=True, user=user)
                await session.write(dest / rel, io.BytesIO(data), user=user)
                return MaterializedFile(path=dest / rel, sha256=hashlib.sha256(data).hexdigest())

            # RunConfig.sandbox.concurrency_limits.local_dir_files: how many files are copied at once
            limit = session._max_local_dir_file_concurrency
            files = await gather_in_order([partial(copy, rel) for rel in children], max_concurrency=limit)
        if user is None:
            await self._apply_metadata(session, dest)
        return files


_COMMIT_REF = re.compile(r"[0-9a-fA-F]{7,40}")
GIT_TIMEOUT_S = 300.0


class GitRepo(BaseEntry):
    """A git repository cloned into the workspace at ``ref`` (a branch, tag or commit), optionally one ``subpath``.

    Cloned with the ``git`` CLI from ``https://{host}/{repo}.git``. An extension of the SDK: ``host=""`` clones from
    the absolute local path ``repo`` (a repository on this machine, confined as ``LocalDir``'s source is).
    """

    type: Literal["git_repo"] = "git_repo"
    is_dir: bool = True
    host: str = "github.com"
    repo: str
    ref: str
    subpath: str | None = None

    def model_post_init(self, context: object, /) -> None:
        self.permissions.directory = True

    def url(self) -> str:
        if not self.host:
            if not self.repo.startswith("/"):
                raise GitCloneError(url=self.repo, ref=self.ref, context={"reason": "a local repo must be absolute"})
            return self.repo
        if self.host.startswith("-") or "/" in self.host:
            raise GitCloneError(url=self.host, ref=self.ref, context={"reason": "invalid host"})
        return f"https://{self.host}/{self.repo}.git"

    def _subpath(self) -> PurePosixPath | None:
        if self.subpath is None or self.subpath == "":
            return None
        text = self.subpath.strip()
        reason: Literal["absolute", "empty", "parent_traversal", "windows_path"] | None = None
        if not text:
            reason = "empty"
        elif text.startswith("/"):
            reason = "absolute"
        elif "\\" in text or (len(text) > 1 and text[1] == ":"):
            reason = "windows_path"
        elif ".." in PurePosixPath(text).parts:
            reason = "parent_traversal"
        if reason is not None:
            raise GitSubpathError(repo=self.repo, subpath=self.subpath, reason=reason)
        path = PurePosixPath(text)
        return None if path.as_posix() == "." else path

    async def apply(self, session: BaseSandboxSession, dest: Path, base_dir: Path) -> list[MaterializedFile]:
        subpath = self._subpath()
        url = self.url()
        if not self.host:  # a local repository is a host source like LocalDir's: the same confinement
            grants = session.state.manifest.extra_path_grants
            try:
                await asyncio.to_thread(confined_source, Path(url), base_dir, grants, LocalDirReadError)
            except LocalDirReadError as error:
                raise GitCloneError(url=url, ref=self.ref, context=error.context) from error
        if not (await session.exec("command -v git >/dev/null 2>&1")).ok():
            raise GitMissingInImageError(context={"repo": self.repo, "ref": self.ref})
        tmp_dir = f"/tmp/sandbox-git-{session.state.session_id.hex}-{uuid.uuid4().hex}"
        try:
            clone = await self._clone(session, url, tmp_dir)
            if not clone.ok():
                stderr = clone.stderr.decode("utf-8", errors="replace")
                raise GitCloneError(url=url, ref=self.ref, stderr=stderr, context={"repo": self.repo})
            src_root = f"{tmp_dir}/{subpath.as_posix()}" if subpath is not None else tmp_dir
            await session.mkdir(dest, parents=True)
            copy = await session.exec("cp", "-R", "--", f"{src_root}/.", f"{dest}/", shell=False)
            if not copy.ok():
                stderr = copy.stderr.decode("utf-8", errors="replace")
                raise GitCopyError(src_root=src_root, dest=dest, stderr=stderr, context={"repo": self.repo})
        finally:
            await session.exec("rm", "-rf", "--", tmp_dir, shell=False)
        await self._apply_metadata(session, dest)
        return []

    async def _clone(self, session: BaseSandboxSession, url: str, tmp_dir: str) -> ExecResult:
        if _COMMIT_REF.fullmatch(self.ref):
            steps = [
                ("git", "init", "--quiet", "--", tmp_dir),
                ("git", "-C", tmp_dir, "remote", "add", "origin", "--", url),
                ("git", "-C", tmp_dir, "fetch", "--depth", "1", "--no-tags", "origin", self.ref),
                ("git", "-C", tmp_dir, "checkout", "--quiet", "--detach", "FETCH_HEAD"),
            ]
            for step in steps:
                result = await session.exec(*step, shell=False, timeout=GIT_TIMEOUT_S)
                if not result.ok():
                    break
            else:
                return result
            await session.exec("rm", "-rf", "--", tmp_dir, shell=False)
        # --branch takes the ref as its value, so a ref starting with '-' is never read as an option.
        clone = ("git", "clone", "--quiet", "--depth", "1", "--no-tags", "--branch", self.ref, "--", url, tmp_dir)
        return await session.exec(*clone, shell=False, timeout=GIT_TIMEOUT_S)
