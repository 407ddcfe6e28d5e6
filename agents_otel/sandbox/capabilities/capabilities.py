"""``Capabilities.default()``: what a ``SandboxAgent`` has unless told otherwise."""

from __future__ import annotations

from .capability import Capability
from .compaction import Compaction
from .filesystem import Filesystem
from .shell import Shell


class Capabilities:
    @classmethod
    def default(cls) -> list[Capability]:
        """``Filesystem``, ``Shell`` and ``Compaction``, as in the SDK, fresh objects each time (an agent's
        capabilities are its own). ``Compaction`` asks the Responses API to compact a long context in place; list the
        capabilities yourself to leave it out (a Chat Completions model rejects ``context_management``)."""
        return [Filesystem(), Shell(), Compaction()]
