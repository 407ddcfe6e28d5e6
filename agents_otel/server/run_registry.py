"""The runs a server started: one background task per run drives it and feeds its replay buffer.

Watchers never touch the run itself, only its buffer, so a slow or vanished watcher costs the run nothing
(policy: a run goes on when its watchers disconnect, even all of them; only ``cancel`` stops it). Finished runs
stay readable for ``retention_seconds`` and are then forgotten; expiry is checked whenever the registry is
used, against an injectable clock, so no timer task is needed and tests need not wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from opentelemetry import context as context_api
from opentelemetry.context import Context

from ..agent import Agent
from ..result import RunResultStreaming
from ..run import DEFAULT_MAX_TURNS, Runner
from ..run_config import RunConfig
from .errors import RunFinishedError, RunNotFoundError
from .event_json import event_to_json, hex_id, jsonable
from .replay_buffer import DEFAULT_REPLAY_BUFFER_SIZE, ReplayBuffer
from .trace_parent import parent_trace_id

DEFAULT_RETENTION_SECONDS = 300.0

RunStatus = Literal["running", "completed", "failed", "cancelled"]
AgentSource = Agent[Any] | Callable[[], Agent[Any]]
"""An agent shared by all runs, or a factory called once per run (for agents holding per-run state)."""


def new_run_id() -> str:
    return uuid.uuid4().hex


@dataclass(eq=False)
class ServedRun:
    id: str
    result: RunResultStreaming
    buffer: ReplayBuffer
    trace_id: str | None
    status: RunStatus = "running"
    finished_at: float | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    ready: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    """Set once the run's first event (which follows the start of its root span) is buffered, or it ended."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "trace_id": self.trace_id,
            "last_event_id": self.buffer.last_id,
            "final_output": jsonable(self.result.final_output) if self.status == "completed" else None,
        }


class RunRegistry:
    def __init__(
        self,
        agent: AgentSource,
        *,
        run_config: RunConfig | None = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        replay_buffer_size: int = DEFAULT_REPLAY_BUFFER_SIZE,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if replay_buffer_size < 1:
            raise ValueError("replay_buffer_size must be at least 1")
        if retention_seconds < 0:
            raise ValueError("retention_seconds must not be negative")
        self._agent = agent
        self._run_config = run_config or RunConfig()
        self._max_turns = max_turns
        self.replay_buffer_size = replay_buffer_size
        self.retention_seconds = retention_seconds
        self._clock = clock
        self._runs: dict[str, ServedRun] = {}

    def start(self, input: str, parent: Context | None = None, *, run_id: str | None = None) -> ServedRun:
        """Start a run now (in ``parent``'s trace when given) and its consumer task; return at once.

        ``run_id`` is given when the id was announced to a broker before the run started (``new_run_id()``)."""
        self._expire()
        agent = self._agent if isinstance(self._agent, Agent) else self._agent()
        # The run task copies the current context when run_streamed creates it, so attaching the parent around
        # that call is what makes the invoke_agent span its child.
        token = context_api.attach(parent) if parent is not None else None
        try:
            result = Runner.run_streamed(agent, input, max_turns=self._max_turns, run_config=self._run_config)
            trace_id = parent_trace_id(None)
        finally:
            if token is not None:
                context_api.detach(token)
        run = ServedRun(run_id or new_run_id(), result, ReplayBuffer(self.replay_buffer_size), trace_id)
        run.task = asyncio.get_running_loop().create_task(self._consume(run), name=f"agents_otel-run-{run.id}")
        self._runs[run.id] = run
        return run

    def get(self, run_id: str) -> ServedRun:
        self._expire()
        run = self._runs.get(run_id)
        if run is None:
            raise RunNotFoundError(
                f"no run {run_id!r} (unknown, or finished more than {self.retention_seconds:g} s ago)"
            )
        return run

    def cancel(self, run_id: str) -> ServedRun:
        run = self.get(run_id)
        if run.status != "running" or run.result.is_complete:
            raise RunFinishedError(f"run {run_id!r} has already ended ({run.status})", status=run.status)
        run.result.cancel()
        return run

    def discard(self, run_id: str) -> None:
        """Stop serving a run from here and cancel it if it still runs: another replica's record of it prevails
        (it presumed this replica lost and ended the run), and a run must not go on after it was reported ended."""
        run = self._runs.pop(run_id, None)
        if run is not None and run.status == "running" and not run.result.is_complete:
            run.result.cancel()

    def __len__(self) -> int:
        return len(self._runs)

    async def aclose(self) -> None:
        """Cancel every running run and wait for each to record its end (for the host app's shutdown)."""
        tasks = [run.task for run in self._runs.values() if run.task is not None and not run.task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _consume(self, run: ServedRun) -> None:
        """The one reader of the run's stream; it also drives the run (``stream_events`` is what advances it)."""
        buffer = run.buffer
        try:
            async for event in run.result.stream_events():
                payload = event_to_json(event)
                if payload is None:
                    continue
                if not run.ready.is_set():
                    self._announce(run)
                buffer.append(payload)
        except asyncio.CancelledError:  # shutdown: leaving stream_events() has cancelled the run
            self._finish(run, "cancelled", {"type": "run_cancelled"})
            raise
        except Exception as exc:
            self._finish(run, "failed", {"type": "run_failed", "error_type": type(exc).__name__, "message": str(exc)})
        else:
            if run.result.cancelled:
                self._finish(run, "cancelled", {"type": "run_cancelled"})
            else:
                final = {"type": "run_completed", "final_output": jsonable(run.result.final_output)}
                self._finish(run, "completed", final, hex_id(run.result.trace_id))

    def _announce(self, run: ServedRun) -> None:
        """``run_started``, once the run's root span has started (its first event) or the run ended before any:
        from then on the trace id is known even when the request carried no traceparent."""
        run.trace_id = run.trace_id or hex_id(run.result.trace_id)
        run.buffer.append({"type": "run_started", "run_id": run.id, "trace_id": run.trace_id})
        run.ready.set()

    def _finish(self, run: ServedRun, status: RunStatus, event: dict[str, Any], trace_id: str | None = None) -> None:
        run.trace_id = run.trace_id or trace_id
        if not run.ready.is_set():
            self._announce(run)
        run.status = status
        run.finished_at = self._clock()
        run.buffer.append({**event, "trace_id": run.trace_id})
        run.buffer.close()

    def _expire(self) -> None:
        deadline = self._clock() - self.retention_seconds
        expired = [r.id for r in self._runs.values() if r.finished_at is not None and r.finished_at <= deadline]
        for run_id in expired:
            del self._runs[run_id]
