"""Where a path a model wrote lands in the session: relative paths start at the run's ``cwd`` (``SandboxRunConfig``)
and every path is confined to the workspace by the session's own ``normalize_path`` (which refuses an escape)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...session.base_sandbox_session import BaseSandboxSession


def anchored(path: str, cwd: str | None) -> str:
    """``path`` as the session reads it: absolute paths as given, relative ones under ``cwd`` when there is one."""
    if cwd is None or cwd == "." or PurePosixPath(path).is_absolute():
        return path
    return (PurePosixPath(cwd) / path).as_posix()


def model_path(session: BaseSandboxSession, path: str, cwd: str | None) -> str:
    """The absolute, confined path of ``path`` in ``session``'s workspace."""
    return str(session.normalize_path(anchored(path, cwd)))
