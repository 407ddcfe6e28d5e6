"""``RunConfig(sandbox=SandboxRunConfig(...))``: where a ``SandboxAgent``'s workspace comes from, as in the OpenAI
Agents SDK (``agents.run_config.SandboxRunConfig``).

Why a records module of its own, apart from ``run_config``: the engine reads these fields (one ``is not None``
check per agent span), while the sandbox package (``agents_otel.sandbox``) that acts on them sits above the engine;
the records here name the package's types for the type checker only, so importing ``agents_otel`` never imports
the sandbox package, and a run without ``sandbox`` pays nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any

from .exceptions import UserError

if TYPE_CHECKING:
    from .sandbox.manifest import Manifest
    from .sandbox.session.base_sandbox_session import BaseSandboxSession
    from .sandbox.session.sandbox_client import BaseSandboxClient
    from .sandbox.session.sandbox_session_state import SandboxSessionState

DEFAULT_MAX_MANIFEST_ENTRY_CONCURRENCY = 4
DEFAULT_MAX_LOCAL_DIR_FILE_CONCURRENCY = 4
DEFAULT_MAX_ARCHIVE_INPUT_BYTES = 1024 * 1024 * 1024
DEFAULT_MAX_ARCHIVE_EXTRACTED_BYTES = 4 * 1024 * 1024 * 1024
DEFAULT_MAX_ARCHIVE_MEMBERS = 100_000


def _at_least_one(owner: str, **limits: int | None) -> None:
    for name, value in limits.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise UserError(f"{owner}.{name} must be an int or None, got {type(value).__name__}")
        if value < 1:
            raise ValueError(f"{owner}.{name} must be at least 1")


@dataclass
class SandboxConcurrencyLimits:
    """How much of a manifest is materialized at once (``None``: no limit)."""

    manifest_entries: int | None = DEFAULT_MAX_MANIFEST_ENTRY_CONCURRENCY
    local_dir_files: int | None = DEFAULT_MAX_LOCAL_DIR_FILE_CONCURRENCY

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        limits = {"manifest_entries": self.manifest_entries, "local_dir_files": self.local_dir_files}
        _at_least_one("concurrency_limits", **limits)


@dataclass
class SandboxArchiveLimits:
    """Bounds on what ``BaseSandboxSession.extract()`` accepts (``None``: no bound), so an archive a model or a user
    hands over cannot fill the disk."""

    max_input_bytes: int | None = DEFAULT_MAX_ARCHIVE_INPUT_BYTES
    max_extracted_bytes: int | None = DEFAULT_MAX_ARCHIVE_EXTRACTED_BYTES
    max_members: int | None = DEFAULT_MAX_ARCHIVE_MEMBERS

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _at_least_one(
            "archive_limits",
            max_input_bytes=self.max_input_bytes,
            max_extracted_bytes=self.max_extracted_bytes,
            max_members=self.max_members,
        )


@dataclass
class SandboxRunConfig:
    """The sandbox of a run: a ``client`` that creates (or resumes) a session for each ``SandboxAgent``, or a live
    ``session`` the caller owns and the run only uses. ``session_state`` resumes a session an earlier run left
    (the client's ``serialize_session_state``); a resumed ``RunState`` carries its own and wins over it.
    ``manifest`` replaces the agent's ``default_manifest`` for a fresh session; ``snapshot`` is what the fresh
    session persists to and restores from. ``cwd``: where the model's relative paths start (relative to the
    workspace root; it must exist)."""

    client: BaseSandboxClient[Any] | None = None
    options: Any | None = None
    session: BaseSandboxSession | None = None
    session_state: SandboxSessionState | None = None
    manifest: Manifest | None = None
    snapshot: Any | None = None
    concurrency_limits: SandboxConcurrencyLimits = field(default_factory=SandboxConcurrencyLimits)
    archive_limits: SandboxArchiveLimits | None = None
    cwd: str | PurePath | None = None

    def __post_init__(self) -> None:
        if self.client is None and self.session is None:
            raise UserError("SandboxRunConfig needs a client (to create sessions) or a live session")
        if self.client is not None and not callable(getattr(self.client, "create", None)):
            raise UserError(f"SandboxRunConfig client must be a BaseSandboxClient, got {type(self.client).__name__}")
        if self.session is not None and not callable(getattr(self.session, "exec", None)):
            raise UserError(f"SandboxRunConfig session must be a BaseSandboxSession, got {type(self.session).__name__}")
        self.concurrency_limits = _coerce(self.concurrency_limits, SandboxConcurrencyLimits, "concurrency_limits")
        if self.archive_limits is not None:
            self.archive_limits = _coerce(self.archive_limits, SandboxArchiveLimits, "archive_limits")
        if self.cwd is not None:
            self.cwd = _normal_cwd(self.cwd)


def _coerce(value: Any, cls: type[Any], name: str) -> Any:
    """A dict of the fields, as the SDK takes it; anything else is a ``UserError`` naming the field."""
    if isinstance(value, cls):
        value.validate()
        return value
    if not isinstance(value, dict):
        raise UserError(f"SandboxRunConfig {name} must be a {cls.__name__} or a dict, got {type(value).__name__}")
    unknown = set(value) - {f.name for f in fields(cls)}
    if unknown:
        raise UserError(f"SandboxRunConfig {name}: unknown field(s) {sorted(unknown)}")
    return cls(**value)


def _normal_cwd(cwd: str | PurePath) -> str:
    """``cwd`` as a POSIX path relative to the workspace root: ``..`` that would leave the root is refused."""
    if not isinstance(cwd, str | PurePath):
        raise UserError(f"SandboxRunConfig cwd must be a path, got {type(cwd).__name__}")
    path = PurePosixPath(str(cwd).replace("\\", "/"))
    parts: list[str] = []
    for part in path.parts:
        if part in ("/", "."):
            continue
        if part == "..":
            if not parts:
                raise UserError(f"SandboxRunConfig cwd {str(cwd)!r} leaves the workspace root")
            parts.pop()
            continue
        parts.append(part)
    if path.is_absolute() and str(cwd).strip() != "/":
        raise UserError(f"SandboxRunConfig cwd must be relative to the workspace root, got {str(cwd)!r}")
    return "/".join(parts) or "."
