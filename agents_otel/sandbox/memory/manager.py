"""``MemoryGenerationManager``: memory generation for one memory layout of one sandbox session.

During the session each run segment is appended to its rollout file (:meth:`record`); when the session closes (its
pre-stop hook: the run's cleanup of a session it owns, or ``aclose()`` of the caller's session) :meth:`flush`
runs phase one for each rollout, then one phase two, under a ``sandbox.generate_memory`` span. A failure does not
take the run's result away (the session closes after the run has it): it becomes a ``MemoryGenerationError``,
recorded on that span and logged, as the SDK logs it; one rollout's failed phase one does not stop the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import posixpath
import weakref
from typing import TYPE_CHECKING, Any, Final

from ...exceptions import UserError
from ...tracing.spans import record_outcome
from ..sandbox_spans import SANDBOX_SESSION_ID, lifecycle_span
from .interface import MemoryGenerationError, MemoryPhase
from .phases import checked_artifacts, phase_one_prompt, run_phase_one, run_phase_two
from .rollouts import dump_line, rollout_file_name, rollout_id_of, segment_payload
from .storage import MemoryStorage, SelectionItem, raw_memory_record

if TYPE_CHECKING:
    from ...agent import Agent
    from ...agent_loop import AgentLoop
    from ...run_runtime import RunRuntime
    from ..capabilities.memory import Memory
    from ..config import MemoryGenerateConfig
    from ..session.base_sandbox_session import BaseSandboxSession

logger = logging.getLogger(__name__)

OP_GENERATE_MEMORY: Final = "sandbox.generate_memory"
MEMORIES_DIR: Final = "agents_otel.sandbox.memory.memories_dir"
ROLLOUT_COUNT: Final = "agents_otel.sandbox.memory.rollout_count"
"""How many rollouts the flush processed (phase one calls)."""
CONSOLIDATED: Final = "agents_otel.sandbox.memory.consolidated"
"""Whether phase two ran and succeeded."""

_Layout = tuple[str, str]
_MANAGERS: weakref.WeakKeyDictionary[BaseSandboxSession, dict[_Layout, MemoryGenerationManager]] = (
    weakref.WeakKeyDictionary()
)


class MemoryGenerationManager:
    def __init__(self, session: BaseSandboxSession, memory: Memory, run: RunRuntime, agent: Agent[Any],
                 backend: str | None) -> None:  # fmt: skip
        assert memory.generate is not None
        self.session = session
        self.memory = memory
        self.config: MemoryGenerateConfig = memory.generate
        self.storage = MemoryStorage(session, memory.layout)
        self.run, self.agent_name, self.backend = run, agent.name, backend
        """The run that made the manager: its tracer and settings serve the flush, which may come after it."""
        self.sandbox_agent = next(c for c in type(agent).__mro__ if "_sandbox_runtime_factory" in vars(c))
        """The ``SandboxAgent`` class (the one that defines the sandbox factory), for the phase-two agent."""
        self._lock = asyncio.Lock()
        self._rollouts: dict[str, str] = {}
        self._stopped = False
        session.register_pre_stop_hook(self.flush)

    async def record(self, loop: AgentLoop, error: BaseException | None) -> None:
        """Append the segment ``loop`` ran to its rollout file (nothing once the session has flushed)."""
        async with self._lock:
            if self._stopped:
                return
            rollout_id = rollout_id_of(loop)
            name = rollout_file_name(rollout_id)
            await self.storage.ensure_layout()
            line = dump_line(segment_payload(loop, error, rollout_id.strip()))
            await self.storage.append_line(self.storage.sessions_dir / name, line)
            self._rollouts[rollout_id.strip()] = name

    async def flush(self) -> None:
        """Phase one for each rollout recorded in this session, then phase two; once."""
        async with self._lock:
            if self._stopped:
                return
            self._stopped = True
            try:
                if self._rollouts:
                    await self._generate()
            finally:
                _forget(self)

    async def _generate(self) -> None:
        with lifecycle_span(self.run, OP_GENERATE_MEMORY, self.agent_name, self.backend) as scope:
            span = scope.span
            span.set_attribute(MEMORIES_DIR, self.memory.layout.memories_dir)
            span.set_attribute(ROLLOUT_COUNT, len(self._rollouts))
            span.set_attribute(SANDBOX_SESSION_ID, str(self.session.state.session_id))
            failures: list[MemoryGenerationError] = []
            extracted = 0
            for rollout_id, name in sorted(self._rollouts.items()):
                try:
                    extracted += await self._phase_one(rollout_id, name)
                except Exception as exc:
                    failures.append(_failure("phase_one", exc, rollout_id))
            consolidated = False
            if extracted:
                try:
                    consolidated = await self._phase_two()
                except Exception as exc:
                    failures.append(_failure("phase_two", exc))
            span.set_attribute(CONSOLIDATED, consolidated)
            scrub = scope._scrub  # the run's redact hook: the log holds no more than the span does
            for failure in failures:
                record_outcome(span, failure, scrub)
                if scrub is None:
                    logger.error("agents_otel: %s", failure, exc_info=failure)
                else:
                    logger.error("agents_otel: %s (%s)", scrub(str(failure)), type(failure.__cause__).__name__)

    async def _phase_one(self, rollout_id: str, name: str) -> int:
        rollout_path = self.storage.sessions_dir / name
        contents = await self.storage.read_text(rollout_path)
        if contents is None:
            raise FileNotFoundError(f"the rollout file {rollout_path} is gone")
        artifacts = checked_artifacts(await run_phase_one(self.config, phase_one_prompt(contents), self.run))
        if artifacts is None:
            return 0  # nothing worth remembering
        last = _last_segment(contents)
        terminal = last.get("terminal_metadata")
        state = terminal.get("terminal_state") if isinstance(terminal, dict) else None
        item = SelectionItem(
            rollout_id=rollout_id,
            updated_at=str(last.get("updated_at") or "unknown"),
            rollout_path=rollout_path.as_posix(),
            rollout_summary_file=f"rollout_summaries/{rollout_id}_{artifacts.rollout_slug}.md",
            terminal_state=str(state or "unknown"),
        )
        memories = self.storage.memories_dir
        await self.storage.write_text(memories / "raw_memories" / f"{rollout_id}.md",
                                      raw_memory_record(item, artifacts.raw_memory))  # fmt: skip
        summary = (
            f"session_id: {self.session.state.session_id}\nupdated_at: {item.updated_at}\n"
            f"rollout_path: {item.rollout_path}\nterminal_state: {item.terminal_state}\n\n"
            f"{artifacts.rollout_summary.rstrip()}\n"
        )
        await self.storage.write_text(memories / item.rollout_summary_file, summary)
        return 1

    async def _phase_two(self) -> bool:
        selection = await self.storage.selection(self.config.max_raw_memories_for_consolidation)
        if not await self.storage.write_raw_memories(selection.selected):
            return False
        root = self.memory.layout.memories_dir
        await run_phase_two(self.config, root, selection, self.run, self.session, self.sandbox_agent)
        await self.storage.save_selection(selection.selected)
        return True


def _last_segment(contents: str) -> dict[str, object]:
    lines = [line for line in contents.splitlines() if line.strip()]
    record = json.loads(lines[-1]) if lines else {}
    return record if isinstance(record, dict) else {}


def _failure(phase: MemoryPhase, error: Exception, rollout_id: str | None = None) -> MemoryGenerationError:
    where = f" for rollout {rollout_id!r}" if rollout_id is not None else ""
    step = "phase one (extraction)" if phase == "phase_one" else "phase two (consolidation)"
    failure = MemoryGenerationError(phase, f"sandbox memory {step} failed{where}: {error}", rollout_id)
    failure.__cause__ = error
    return failure


def _layout_key(memory: Memory) -> _Layout:
    return posixpath.normpath(memory.layout.memories_dir), posixpath.normpath(memory.layout.sessions_dir)


def manager_for(session: BaseSandboxSession, memory: Memory, run: RunRuntime, agent: Agent[Any],
                backend: str | None) -> MemoryGenerationManager:  # fmt: skip
    """The session's manager for ``memory``'s layout, made on first use. Capabilities sharing a layout share it (and
    must agree on ``generate``); two layouts may not share a memories or a sessions directory (``UserError``)."""
    by_layout = _MANAGERS.setdefault(session, {})
    key = _layout_key(memory)
    existing = by_layout.get(key)
    if existing is not None:
        if existing.memory.generate != memory.generate:
            raise UserError("Sandbox session already has a different Memory generation config for this memory layout")
        return existing
    for memories_dir, sessions_dir in by_layout:
        if memories_dir == key[0] or sessions_dir == key[1]:
            shared = f"memories_dir={memories_dir!r}" if memories_dir == key[0] else f"sessions_dir={sessions_dir!r}"
            raise UserError(
                f"Sandbox session already has a Memory generation capability for {shared}: use the same layout to "
                "share memory, or different directories to keep memories apart"
            )
    manager = by_layout[key] = MemoryGenerationManager(session, memory, run, agent, backend)
    return manager


def _forget(manager: MemoryGenerationManager) -> None:
    by_layout = _MANAGERS.get(manager.session)
    if by_layout is not None and by_layout.get(_layout_key(manager.memory)) is manager:
        del by_layout[_layout_key(manager.memory)]
        if not by_layout:
            del _MANAGERS[manager.session]

