"""The archive limits ``extract()`` / ``hydrate_workspace()`` enforce, as a protocol.

Why a protocol: the SDK's ``SandboxArchiveLimits`` record lives with the run configuration (``RunConfig.sandbox``);
the session only reads its three numbers, so it accepts that record or any object with the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ArchiveLimits(Protocol):
    @property
    def max_input_bytes(self) -> int | None: ...

    @property
    def max_extracted_bytes(self) -> int | None: ...

    @property
    def max_members(self) -> int | None: ...


@dataclass(frozen=True)
class DefaultArchiveLimits:
    """The limits when none are configured: generous for a workspace, finite for a hostile archive."""

    max_input_bytes: int | None = 1 << 30
    max_extracted_bytes: int | None = 4 << 30
    max_members: int | None = 100_000


DEFAULT_ARCHIVE_LIMITS = DefaultArchiveLimits()
