"""``Memory``: a capability that gives a ``SandboxAgent`` what earlier runs in the workspace learned, as the SDK's
``agents.sandbox.capabilities.memory`` does.

Reading (``read``): the ``memory_summary.md`` of its memories directory goes into the agent's prompt, with how to
search ``MEMORY.md`` and whether it may fix stale memories in place (``read.live_update``). Generating
(``generate``, the default): each run's conversation is recorded and turned into those files when the sandbox
session closes (``agents_otel.sandbox.memory``; the runtime drives it, this record only configures it).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import Field

from ..config import MemoryGenerateConfig, MemoryLayoutConfig, MemoryReadConfig
from ..errors import WorkspaceReadNotFoundError
from ..manifest import Manifest
from .capability import Capability

MAX_SUMMARY_CHARS = 60_000
"""About the SDK's 15 000 tokens, counted in characters (no tokenizer is a dependency here)."""

_READ_ONLY = (
    "Treat the memory folder as read-only: do not change its files, even when something in them is out of date; "
    "say so in your answer instead."
)
_LIVE_UPDATE = (
    "When you find that a memory is wrong or out of date, fix it in place under `{memory_dir}` (keep the change "
    "small and factual), so the next run starts from the truth."
)
_PROMPT = """## Memory

Earlier runs in this workspace left notes in the folder `{memory_dir}`: conventions, decisions, and what worked. \
Reading them first can save you work and keep you consistent with what was done before.

{update}

When to use it: skip it only for requests that need nothing from the workspace's history (a one-line command, a \
rewrite of a given sentence). Otherwise, and whenever the request touches something the summary below mentions, \
asks about earlier decisions, or is ambiguous, do a short memory pass:

1. Pick keywords from the summary below (it is the file `{memory_dir}/memory_summary.md`: do not open it again).
2. Search `{memory_dir}/MEMORY.md`, the index of all memories, for them.
3. Open at most one or two files it points to (under `{memory_dir}/rollout_summaries/` or `{memory_dir}/skills/`).
4. Nothing relevant: go on without memory. Keep the pass to a handful of steps; do it again if you get stuck.

Memories can be stale: check a fact that is cheap to check before relying on it, and when you answer from memory \
alone, say so.

### Memory summary

{summary}"""


def _relative_dir(name: str, value: str) -> None:
    path = PurePosixPath(value)
    if path.is_absolute():
        raise ValueError(f"{name} must be relative to the sandbox workspace root, got: {value}")
    if ".." in path.parts:
        raise ValueError(f"{name} must not escape root, got: {value}")
    if path.parts in ((), (".",)):
        raise ValueError(f"{name} must be non-empty")


class Memory(Capability):
    """Reads ``<layout.memories_dir>/memory_summary.md`` into the prompt (``read``: needs ``Shell``, and ``Filesystem``
    with ``live_update``) and generates memories from the run (``generate``); at least one of them."""

    type: Literal["memory"] = "memory"
    layout: MemoryLayoutConfig = Field(default_factory=MemoryLayoutConfig)
    read: MemoryReadConfig | None = Field(default_factory=MemoryReadConfig)
    generate: MemoryGenerateConfig | None = Field(default_factory=MemoryGenerateConfig)

    def model_post_init(self, context: object, /) -> None:
        if self.read is None and self.generate is None:
            raise ValueError("Memory requires at least one of `read` or `generate`.")
        _relative_dir("layout.memories_dir", self.layout.memories_dir)
        _relative_dir("layout.sessions_dir", self.layout.sessions_dir)

    def clone(self) -> Memory:
        return self.model_copy(deep=False, update={"session": None})

    def required_capability_types(self) -> set[str]:
        if self.read is None:
            return set()
        return {"filesystem", "shell"} if self.read.live_update else {"shell"}

    async def instructions(self, manifest: Manifest) -> str | None:
        if self.read is None:
            return None
        if self.session is None:
            raise ValueError("Memory capability is not bound to a SandboxSession")
        memory_dir = PurePosixPath(self.layout.memories_dir)
        try:
            handle = await self.session.read(Path(memory_dir / "memory_summary.md"), user=self.run_as)
        except (WorkspaceReadNotFoundError, FileNotFoundError):
            return None  # no memories yet
        try:
            payload = handle.read()
        finally:
            handle.close()
        text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
        summary = text.strip()
        if not summary:
            return None
        if len(summary) > MAX_SUMMARY_CHARS:
            summary = summary[:MAX_SUMMARY_CHARS] + "\n[... memory summary truncated ...]"
        # relative paths would start from the run's cwd: with one, the directory is named whole
        shown = self.workspace_scope.model_resource_path(
            workspace_root=manifest.root, workspace_relative_path=memory_dir
        ).as_posix()
        update = (_LIVE_UPDATE if self.read.live_update else _READ_ONLY).replace("{memory_dir}", shown)
        return _PROMPT.replace("{memory_dir}", shown).replace("{update}", update).replace("{summary}", summary)
