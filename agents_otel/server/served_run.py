"""A run the server started, as its registry holds it: the run, its replay buffer, who owns it, how it ended.

A module of its own so the registry module holds the registry (``run_registry`` re-exports both names).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from ..event_stream import EventStream
from ..result import RunResultStreaming
from .auth import ANONYMOUS
from .event_json import jsonable
from .replay_buffer import ReplayBuffer

RunStatus = Literal["running", "completed", "failed", "cancelled", "interrupted"]


@dataclass(eq=False)
class ServedRun:
    id: str
    result: RunResultStreaming
    buffer: ReplayBuffer
    trace_id: str | None
    principal: str = ANONYMOUS
    status: RunStatus = "running"
    finished_at: float | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    ready: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    """Set once the run's first event (which follows the start of its root span) is buffered, or it ended."""
    outcome: dict[str, Any] | None = None
    """The final event (``run_completed``, ``run_interrupted``, ...) once the run has ended."""
    interruptions: list[dict[str, Any]] | None = None
    """The calls an ``interrupted`` run waits on (``interruptions_json``)."""
    subscribers: list[EventStream] = field(default_factory=list, repr=False)
    conversation_id: str | None = None
    """The UI protocol's thread id the run was started for (a resumed run keeps it)."""

    def subscribe(self) -> EventStream:
        """The run's stream events themselves (not their JSON), for a protocol adapter serving the request that
        started the run. Subscribe before yielding to the loop after ``start`` to see every event. Bounded like
        the run's own stream: a slow reader gets progress coalesced, never lifecycle events dropped. Closed when
        the run ends; ``outcome`` then says how."""
        stream = EventStream(asyncio.get_running_loop())
        self.subscribers.append(stream)
        return stream

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "trace_id": self.trace_id,
            "last_event_id": self.buffer.last_id,
            "final_output": jsonable(self.result.final_output) if self.status == "completed" else None,
            **({"interruptions": self.interruptions} if self.interruptions is not None else {}),
        }


__all__ = ["RunStatus", "ServedRun"]
