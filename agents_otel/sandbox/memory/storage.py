"""The memory files of one ``MemoryLayoutConfig`` in a sandbox workspace, with the SDK's names:
``<sessions_dir>/<rollout_id>.jsonl``; under ``memories_dir``: ``MEMORY.md``, ``memory_summary.md``,
``raw_memories/<rollout_id>.md``, ``raw_memories.md``, ``rollout_summaries/<rollout_id>_<slug>.md``, ``skills/`` and
``phase_two_selection.json`` (which rollouts the last successful consolidation saw: how phase two is told what is
new and what was forgotten)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import WorkspaceReadNotFoundError

if TYPE_CHECKING:
    from ..config import MemoryLayoutConfig
    from ..session.base_sandbox_session import BaseSandboxSession

_FIELDS = ("rollout_id", "updated_at", "rollout_path", "rollout_summary_file", "terminal_state")


@dataclass(frozen=True)
class SelectionItem:
    """One rollout's raw memory as phase two sees it: the header lines of ``raw_memories/<rollout_id>.md``."""

    rollout_id: str
    updated_at: str
    rollout_path: str
    rollout_summary_file: str
    terminal_state: str

    def describe(self) -> str:
        return (
            f"rollout_id={self.rollout_id}, rollout_summary_file={self.rollout_summary_file}, "
            f"updated_at={self.updated_at or 'unknown'}"
        )

    @classmethod
    def parse(cls, values: dict[str, Any]) -> SelectionItem | None:
        fields = {name: str(values.get(name) or "").strip() for name in _FIELDS}
        if not fields["rollout_id"] or not fields["rollout_summary_file"]:
            return None
        return cls(**fields)


@dataclass(frozen=True)
class PhaseTwoSelection:
    selected: list[SelectionItem]
    retained: set[str] = field(default_factory=set)
    """Rollout ids the last successful consolidation saw too."""
    removed: list[SelectionItem] = field(default_factory=list)
    """What the last consolidation saw and this one does not (beyond ``max_raw_memories_for_consolidation``)."""


def raw_memory_record(item: SelectionItem, raw_memory: str) -> str:
    header = "".join(f"{name}: {getattr(item, name)}\n" for name in _FIELDS)
    return f"{header}\n{raw_memory.rstrip()}\n"


def _header(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        name, sep, value = line.partition(":")
        if sep:
            values.setdefault(name.strip(), value.strip())
    return values


def _recency(item: SelectionItem) -> tuple[int, str, str]:
    known = item.updated_at not in ("", "unknown")
    return (int(known), item.updated_at if known else "", item.rollout_id)


class MemoryStorage:
    def __init__(self, session: BaseSandboxSession, layout: MemoryLayoutConfig) -> None:
        self.session = session
        self.sessions_dir = Path(layout.sessions_dir)
        self.memories_dir = Path(layout.memories_dir)

    @property
    def raw_memories_dir(self) -> Path:
        return self.memories_dir / "raw_memories"

    async def ensure_layout(self) -> None:
        for directory in (self.sessions_dir, self.raw_memories_dir, self.memories_dir / "rollout_summaries",
                          self.memories_dir / "skills"):  # fmt: skip
            await self.session.mkdir(directory, parents=True)
        for name in ("MEMORY.md", "memory_summary.md"):
            if await self.read_text(self.memories_dir / name) is None:
                await self.write_text(self.memories_dir / name, "")

    async def read_text(self, path: Path) -> str | None:
        """The file's text, or ``None`` when it does not exist."""
        try:
            handle = await self.session.read(path)
        except (WorkspaceReadNotFoundError, FileNotFoundError):
            return None
        try:
            payload = handle.read()
        finally:
            handle.close()
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)

    async def write_text(self, path: Path, text: str) -> None:
        await self.session.write(path, io.BytesIO(text.encode("utf-8")))

    async def append_line(self, path: Path, line: str) -> None:
        prior = await self.read_text(path)
        await self.write_text(path, (prior or "") + line)

    async def selection(self, limit: int) -> PhaseTwoSelection:
        """The newest ``limit`` raw memories (unknown times last), compared with the last consolidation's."""
        items: list[SelectionItem] = []
        for entry in await self.session.ls(self.raw_memories_dir):
            path = Path(entry.path)
            if entry.is_dir() or path.suffix != ".md":
                continue
            text = await self.read_text(self.raw_memories_dir / path.name)
            item = SelectionItem.parse(_header(text)) if text is not None else None
            if item is not None:
                items.append(item)
        selected = sorted(items, key=_recency, reverse=True)[:limit]
        prior = await self.last_selection()
        ids = {item.rollout_id for item in selected}
        prior_ids = {item.rollout_id for item in prior}
        return PhaseTwoSelection(selected, ids & prior_ids, [item for item in prior if item.rollout_id not in ids])

    async def write_raw_memories(self, selected: list[SelectionItem]) -> bool:
        """``raw_memories.md``: the selected raw memories, newest first. ``False`` when there is none."""
        chunks = []
        for item in selected:
            text = await self.read_text(self.raw_memories_dir / f"{item.rollout_id}.md")
            if text is not None:
                chunks.append(text.rstrip("\n"))
        if not chunks:
            return False
        await self.write_text(self.memories_dir / "raw_memories.md", "\n\n".join(chunks) + "\n")
        return True

    async def last_selection(self) -> list[SelectionItem]:
        text = await self.read_text(self.memories_dir / "phase_two_selection.json")
        try:
            payload = json.loads(text) if text is not None else None
        except json.JSONDecodeError:
            return []  # a damaged bookkeeping file: consolidate as if for the first time
        entries = payload.get("selected") if isinstance(payload, dict) else None
        if not isinstance(entries, list):
            return []
        parsed = (SelectionItem.parse(entry) for entry in entries if isinstance(entry, dict))
        return [item for item in parsed if item is not None]

    async def save_selection(self, selected: list[SelectionItem]) -> None:
        payload = {
            "version": 1,
            "updated_at": datetime.now(tz=UTC).isoformat(),
            "selected": [{name: getattr(item, name) for name in _FIELDS} for item in selected],
        }
        await self.write_text(self.memories_dir / "phase_two_selection.json", json.dumps(payload, indent=2) + "\n")
