"""``Capabilities.default()``: what a ``SandboxAgent`` has unless told otherwise."""

from __future__ import annotations

from .capability import Capability
from .filesystem import Filesystem
from .shell import Shell


class Capabilities:
    @classmethod
    def default(cls) -> list[Capability]:
        """``Filesystem`` and ``Shell``, fresh objects each time (an agent's capabilities are its own)."""
        return [Filesystem(), Shell()]
