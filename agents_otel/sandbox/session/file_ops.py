"""The session file API the SDK added in 0.23 / 0.24 — ``mv``, ``same_file``, ``read_bounded``, ``apply_patch`` —
and its small session hooks (persist-skip paths, manifest accounts, Docker volume mounts), as a mixin of
``BaseSandboxSession``.

Why a mixin of its own: these are built from the session's primitives (``exec``, ``read``, ``write``, ``rm``), so
every backend has them, and a backend that can do better overrides one. Paths go through ``_confined_path`` — the
workspace policy's lexical check here; a backend with the files at hand (``UnixLocal``) resolves symlinks there —
so none of them reaches outside the workspace.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from ...exceptions import UserError
from ...local_tools import ApplyPatchOperation
from ..errors import (
    ExecNonZeroError,
    SandboxError,
    WorkspaceArchiveReadError,
    WorkspaceReadNotFoundError,
)
from ..workspace_paths import relative_entry_path, sandbox_path_str

if TYPE_CHECKING:
    from ..types import User
    from .base_sandbox_session import BaseSandboxSession

_MOVE_SCRIPT = (
    'if [ ! -L "$1" ] && [ ! -f "$1" ]; then echo "Move source must be a regular file or symlink" >&2; exit 1; fi; '
    'exec mv -fT -- "$1" "$2"'
)
"""Refuses a directory or special-file source, then renames; ``-T`` never moves the source into a directory that
appeared at the destination (no check-then-act race)."""


class SessionFileOps:
    """Mixed into ``BaseSandboxSession``; ``self`` is always one."""

    _persist_skip_paths: set[Path] | None = None

    def _confined_path(self, path: Path | str, *, for_write: bool = False, follow_final: bool = True) -> Path:
        """``path`` checked to stay in the workspace (``follow_final=False``: a final symlink is the entry itself)."""
        return cast("BaseSandboxSession", self).normalize_path(path, for_write=for_write)

    async def mv(self, source: Path | str, destination: Path | str, *, user: str | User | None = None) -> None:
        """Rename a regular file or symlink, replacing what is at ``destination`` (an existing directory there is
        an ``ExecNonZeroError``); a directory or special-file source is refused before anything moves."""
        session = cast("BaseSandboxSession", self)
        src = sandbox_path_str(self._confined_path(source, for_write=True, follow_final=False))
        dst = sandbox_path_str(self._confined_path(destination, for_write=True, follow_final=False))
        result = await session.exec("sh", "-c", _MOVE_SCRIPT, "sh", src, dst, shell=False, user=user)
        if not result.ok():
            raise ExecNonZeroError(result, command=("sh", "-c", "<mv>", src, dst))

    async def same_file(
        self, left: Path | str, right: Path | str, *, follow_symlinks: bool = True, user: str | User | None = None
    ) -> bool:
        """Whether two paths are one file, as the sandbox's filesystem says (``test -ef``: device and inode), so a
        case-folding filesystem's two spellings are one file. ``follow_symlinks=False``: false when either is a
        symlink. A check that could not be made is an ``ExecNonZeroError``, never a "no"."""
        session = cast("BaseSandboxSession", self)
        a = sandbox_path_str(self._confined_path(left, follow_final=follow_symlinks))
        b = sandbox_path_str(self._confined_path(right, follow_final=follow_symlinks))
        test = '[ "$1" -ef "$2" ]' if follow_symlinks else '[ ! -L "$1" ] && [ ! -L "$2" ] && [ "$1" -ef "$2" ]'
        result = await session.exec("sh", "-c", test, "sh", a, b, shell=False, user=user)
        if result.exit_code in (0, 1):  # `[` answers 0 / 1; 2 and up are its own failures
            return result.exit_code == 0
        raise ExecNonZeroError(result, command=("sh", "-c", "<same_file>", a, b))

    async def read_bounded(self, path: Path, *, max_bytes: int) -> bytes:
        """At most ``max_bytes`` from the start of the file, read as ``read(path)`` reads (exactly ``max_bytes``
        does not mean the file ended). Missing: ``WorkspaceReadNotFoundError``; any other failure a
        ``WorkspaceArchiveReadError`` without the backend's payload, as in the SDK."""
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        reason, retryable = "bounded_read_failed", None
        try:
            return await self._read_bounded(path, max_bytes=max_bytes)
        except (FileNotFoundError, WorkspaceReadNotFoundError):
            raise WorkspaceReadNotFoundError(path=Path(path)) from None
        except SandboxError as error:
            retryable = error.retryable
            if error.context.get("reason") == "bounded_read_wire_limit":
                reason = "bounded_read_wire_limit"
        except Exception:
            pass  # a provider's error may hold the file's bytes: not carried on
        raise WorkspaceArchiveReadError(path=Path(path), context={"reason": reason}, retryable=retryable)

    async def _read_bounded(self, path: Path, *, max_bytes: int) -> bytes:
        """Reads no further than ``max_bytes`` from ``read()``'s stream (a backend whose ``read`` fetches the whole
        file should override this)."""
        stream = await cast("BaseSandboxSession", self).read(path)
        try:
            found = bytearray()
            while len(found) < max_bytes:
                chunk = stream.read(max_bytes - len(found))
                if not chunk:
                    break
                found.extend(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk))
            return bytes(found[:max_bytes])
        finally:
            stream.close()

    async def apply_patch(
        self,
        operations: ApplyPatchOperation | Mapping[str, object] | list[ApplyPatchOperation | Mapping[str, object]],
        *,
        patch_format: Literal["v4a"] = "v4a",
    ) -> str:
        """Apply file operations (``create_file`` / ``update_file`` with a V4A ``diff``, ``delete_file``; dicts of
        those fields too), as the ``apply_patch`` tool does: every path is checked before any file changes.
        Returns ``"Done!"``, as the SDK's."""
        from ..capabilities.tools.apply_patch_tool import SandboxApplyPatchEditor

        if patch_format != "v4a":
            raise UserError(f"apply_patch supports patch_format='v4a' only, got {patch_format!r}")
        listed = operations if isinstance(operations, list) else [operations]
        ops = [_operation(item) for item in listed]
        editor = SandboxApplyPatchEditor(cast("BaseSandboxSession", self))
        for op in ops:
            editor.resolve(op.path)
            if op.move_to is not None:
                editor.resolve(op.move_to)
        for op in ops:
            apply = {"create_file": editor.create_file, "update_file": editor.update_file}.get(op.type)
            await (apply or editor.delete_file)(op)
        return "Done!"

    def register_persist_workspace_skip_path(self, path: Path | str) -> Path:
        """Leave a workspace-relative path this session made (output of its own, not the user's work) out of
        every later ``persist_workspace``; returns it relative to the root."""
        rel = Path(relative_entry_path(path).as_posix())
        if rel in (Path(""), Path(".")):
            raise ValueError("Persist workspace skip paths must target a concrete relative path.")
        if self._persist_skip_paths is None:
            self._persist_skip_paths = set()
        self._persist_skip_paths.add(rel)
        return rel

    def _persist_workspace_skip_relpaths(self) -> set[Path]:
        """What ``persist_workspace`` leaves out: the manifest's ephemeral entries and the registered paths."""
        skip = cast("BaseSandboxSession", self).state.manifest.ephemeral_persistence_paths()
        return skip | (self._persist_skip_paths or set())

    def supports_docker_volume_mounts(self) -> bool:
        """No backend here attaches Docker volumes (there is no Docker backend)."""
        return False

    async def provision_manifest_accounts(self) -> None:
        """The SDK creates the manifest's users and groups in the sandbox; no backend here can, so a manifest with
        any is a ``UserError`` (nothing to do without)."""
        manifest = cast("BaseSandboxSession", self).state.manifest
        if manifest.users or manifest.groups:
            raise UserError(
                "this sandbox backend does not create manifest users or groups; create them in the sandbox image "
                "or leave Manifest.users / groups empty"
            )

    def should_provision_manifest_accounts_on_resume(self) -> bool:
        """Whether a resumed session must create its accounts again: when its system state was not kept."""
        return not cast("BaseSandboxSession", self)._start_workspace_state_preserved


def _operation(item: object) -> ApplyPatchOperation:
    if isinstance(item, ApplyPatchOperation):
        return item
    if not isinstance(item, Mapping):
        raise UserError(f"apply_patch takes ApplyPatchOperation objects or dicts, got {type(item).__name__}")
    unknown = sorted(str(key) for key in item if key not in ("type", "path", "diff", "move_to"))
    kind, path = item.get("type"), item.get("path")
    if unknown or kind not in ("create_file", "update_file", "delete_file") or not isinstance(path, str):
        raise UserError(f"apply_patch: not an operation (type create_file / update_file / delete_file, a path): "
                        f"{dict(item)!r}")  # fmt: skip
    diff, move_to = item.get("diff"), item.get("move_to")
    if (diff is not None and not isinstance(diff, str)) or (move_to is not None and not isinstance(move_to, str)):
        raise UserError("apply_patch: an operation's diff and move_to are strings")
    if kind != "delete_file" and diff is None:
        raise UserError(f"apply_patch: {kind} of {path} needs a diff")
    return ApplyPatchOperation(type=kind, path=path, diff=diff, move_to=move_to)


__all__ = ["SessionFileOps"]
