"""The runs a server started: one background task per run drives it and feeds its replay buffer.

Watchers never touch the run itself, only its buffer, so a slow or vanished watcher costs the run nothing
(policy: a run goes on when its watchers disconnect, even all of them; only ``cancel`` stops it). Finished runs
stay readable for ``retention_seconds`` and are then forgotten; expiry is checked whenever the registry is
used, against an injectable clock, so no timer task is needed and tests need not wait. Runs finish in the order
they are put in the ``_finished`` queue and all share one retention period, so expiry pops from its front and
never scans the runs that stay.

Every run belongs to the principal that started it (:mod:`.auth`); asked for by anybody else it does not exist
(``404 run_not_found``, the same answer as for an unknown id, so ids cannot be probed). Capacity is bounded by
configuration: ``max_running_runs`` (503 ``server_busy``), ``max_running_runs_per_principal`` (429
``too_many_runs``) and ``max_retained_runs`` finished runs (the oldest is forgotten early to make room). A run
stopped for tool approvals ends ``interrupted``, kept to resume in ``paused`` (:mod:`.paused_runs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from opentelemetry import context as context_api
from opentelemetry.context import Context
from opentelemetry.sdk.trace import SpanProcessor

from .. import redaction
from ..agent import Agent
from ..items import ConversationItem
from ..run import DEFAULT_MAX_TURNS, Runner
from ..run_config import RunConfig
from ..run_resume_state import RunState
from ..stream_events import ToolProgressStreamEvent
from ..tracing.provider import resolve_tracer_provider
from .auth import ANONYMOUS
from .errors import (
    RunFinishedError,
    RunNotFoundError,
    ServerBusyError,
    TooManyRunsError,
)
from .event_json import event_to_json, jsonable, recorded_id
from .event_size import DEFAULT_MAX_EVENT_BYTES
from .paused_runs import (
    DEFAULT_MAX_PAUSED_RUNS,
    DEFAULT_PAUSED_SECONDS,
    Decision,
    PausedEntry,
    PausedRuns,
    resumed_state,
)
from .replay_buffer import DEFAULT_REPLAY_BUFFER_BYTES, DEFAULT_REPLAY_BUFFER_SIZE, ReplayBuffer
from .served_run import RunStatus as RunStatus
from .served_run import ServedRun as ServedRun
from .trace_parent import parent_trace_id

DEFAULT_RETENTION_SECONDS = 300.0
DEFAULT_MAX_RUNNING_RUNS = 100
DEFAULT_MAX_RETAINED_RUNS = 1000
RETRY_AFTER_SECONDS = 1
YIELD_EVERY = 64

AgentSource = Agent[Any] | Callable[[], Agent[Any]]
"""An agent shared by all runs, or a factory called once per run (for agents holding per-run state)."""

logger = logging.getLogger("agents_otel.server")


def new_run_id() -> str:
    return uuid.uuid4().hex


class RunRegistry:
    def __init__(
        self,
        agent: AgentSource,
        *,
        run_config: RunConfig | None = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        replay_buffer_size: int = DEFAULT_REPLAY_BUFFER_SIZE,
        replay_buffer_bytes: int = DEFAULT_REPLAY_BUFFER_BYTES,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        max_running_runs: int = DEFAULT_MAX_RUNNING_RUNS,
        max_running_runs_per_principal: int | None = None,
        max_retained_runs: int = DEFAULT_MAX_RETAINED_RUNS,
        paused_seconds: float = DEFAULT_PAUSED_SECONDS,
        max_paused_runs: int = DEFAULT_MAX_PAUSED_RUNS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if replay_buffer_size < 1:
            raise ValueError("replay_buffer_size must be at least 1")
        if retention_seconds < 0:
            raise ValueError("retention_seconds must not be negative")
        if max_running_runs < 1 or (max_running_runs_per_principal is not None and max_running_runs_per_principal < 1):
            raise ValueError("max_running_runs and max_running_runs_per_principal must be at least 1")
        if max_retained_runs < 0:
            raise ValueError("max_retained_runs must not be negative")
        self.paused = PausedRuns(paused_seconds, max_paused_runs, clock)
        """Runs stopped for tool approvals, kept to be resumed."""
        self.max_running_runs = max_running_runs
        self.max_running_runs_per_principal = max_running_runs_per_principal
        self.max_retained_runs = max_retained_runs
        self._running: dict[str, int] = {}
        """Running runs per principal."""
        self._running_total = 0
        self._finished: OrderedDict[str, ServedRun] = OrderedDict()
        """Finished runs, oldest first: the expiry queue."""
        self._agent = agent
        self._run_config = run_config or RunConfig()
        self._max_turns = max_turns
        self.replay_buffer_size = replay_buffer_size
        self.replay_buffer_bytes = replay_buffer_bytes
        self.max_event_bytes = max_event_bytes
        ReplayBuffer(replay_buffer_size, max_bytes=replay_buffer_bytes, max_event_bytes=max_event_bytes)  # validates
        self.retention_seconds = retention_seconds
        self._clock = clock
        self._runs: dict[str, ServedRun] = {}
        self._span_processors: list[SpanProcessor] = []
        self._processors_attached = False

    def add_span_processor(self, processor: SpanProcessor) -> None:
        """Add ``processor`` to the runs' TracerProvider when the first run starts (not before: resolving the
        provider may install the zero-config default, which an app setting its own provider later would not want).
        Nothing happens for a provider without ``add_span_processor`` (no tracing SDK)."""
        self._span_processors.append(processor)
        self._processors_attached = False

    def start(
        self,
        input: str | list[ConversationItem],
        parent: Context | None = None,
        *,
        principal: str = ANONYMOUS,
        conversation_id: str | None = None,
        run_id: str | None = None,
        resume: tuple[PausedEntry, list[Decision]] | None = None,
    ) -> ServedRun:
        """Start a run now for ``principal`` (in ``parent``'s trace when given) and its consumer task; return at
        once. Raises :class:`ServerBusyError` or :class:`TooManyRunsError` at capacity, before anything starts.

        ``input`` is a message or a conversation to continue; ``conversation_id`` (a UI protocol's thread id)
        becomes the run's ``gen_ai.conversation.id``; ``run_id`` is given when the id was announced to a broker
        before the run started (``new_run_id()``). ``resume``: a paused run taken from ``paused`` and the
        (checked) decisions to resume it with; ``input`` and ``parent`` are then ignored (its trace goes on)."""
        self._expire()
        self._check_capacity(principal)
        if not self._processors_attached:
            self._attach_span_processors()
        agent = self._agent if isinstance(self._agent, Agent) else self._agent()
        run_input: str | list[ConversationItem] | RunState[Any] = input
        if resume is not None:
            run_input = resumed_state(agent, *resume)
            parent = None  # the state carries the paused run's trace
        config = self._run_config
        if conversation_id is not None:
            config = dataclasses.replace(config, conversation_id=conversation_id)
        # The run task copies the current context when run_streamed creates it, so attaching the parent around
        # that call is what makes the invoke_agent span its child.
        token = context_api.attach(parent) if parent is not None else None
        try:
            result = Runner.run_streamed(agent, run_input, max_turns=self._max_turns, run_config=config)
            trace_id = parent_trace_id(None)
        finally:
            if token is not None:
                context_api.detach(token)
        run = ServedRun(run_id or new_run_id(), result, self._new_buffer(), trace_id, principal)
        run.conversation_id = conversation_id
        self._runs[run.id] = run
        self._running[principal] = self._running.get(principal, 0) + 1
        self._running_total += 1
        run.task = asyncio.get_running_loop().create_task(self._consume(run), name=f"agents_otel-run-{run.id}")
        return run

    def new_buffer(self) -> ReplayBuffer:
        """An empty buffer with this registry's limits (a broker's mirror of another replica's run uses one)."""
        return self._new_buffer()

    def _attach_span_processors(self) -> None:
        add = getattr(resolve_tracer_provider(self._run_config), "add_span_processor", None)
        if add is not None:
            for processor in self._span_processors:
                add(processor)
        self._span_processors.clear()
        self._processors_attached = True

    def _new_buffer(self) -> ReplayBuffer:
        return ReplayBuffer(
            self.replay_buffer_size, max_bytes=self.replay_buffer_bytes, max_event_bytes=self.max_event_bytes
        )

    def get(self, run_id: str, principal: str | None = None) -> ServedRun:
        """The run, if it exists and (when ``principal`` is given) belongs to ``principal``."""
        self._expire()
        run = self._runs.get(run_id)
        if run is None or (principal is not None and run.principal != principal):
            raise RunNotFoundError(
                f"no run {run_id!r} (unknown, not yours, or finished more than {self.retention_seconds:g} s ago)"
            )
        return run

    def running_count(self, principal: str | None = None) -> int:
        return self._running_total if principal is None else self._running.get(principal, 0)

    def cancel(self, run_id: str, principal: str | None = None) -> ServedRun:
        run = self.get(run_id, principal)
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

    def cancel_all(self) -> None:
        """Cancel every running run now (server shutdown); each ends with ``run_cancelled`` in its buffer."""
        for run in list(self._runs.values()):
            if run.task is not None and not run.task.done():
                run.task.cancel()

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
            count = 0
            async for event in run.result.stream_events():
                payload = event_to_json(event)
                if payload is None:
                    continue
                if not run.ready.is_set():
                    self._announce(run)
                buffer.append(payload)
                for subscriber in run.subscribers:
                    if isinstance(event, ToolProgressStreamEvent):
                        subscriber.put_progress(event)
                    else:
                        subscriber.put(event)
                count += 1
                if count % YIELD_EVERY == 0:
                    # stream_events() does not suspend while events are queued: let watchers run
                    await asyncio.sleep(0)
        except asyncio.CancelledError:  # shutdown: leaving stream_events() has cancelled the run
            self._finish(run, "cancelled", {"type": "run_cancelled"})
            raise
        except Exception as exc:
            failed = {"type": "run_failed", "error_type": type(exc).__name__, "message": self._message(exc)}
            # The operator's record of it, not only the client's: with a redact hook the message is redacted and
            # the traceback (whose frames may hold secrets) left out.
            logger.error(
                "agents_otel server: run %s failed: %s: %s (trace %s)",
                run.id,
                failed["error_type"],
                failed["message"],
                run.trace_id or recorded_id(run.result.trace_id) or "-",
                exc_info=exc if self._run_config.redact is None else None,
            )
            self._finish(run, "failed", failed)
        else:
            if run.result.cancelled:
                self._finish(run, "cancelled", {"type": "run_cancelled"})
            elif run.result.interruptions:
                self._pause(run)
            else:
                final = {"type": "run_completed", "final_output": jsonable(run.result.final_output)}
                self._finish(run, "completed", final, recorded_id(run.result.trace_id))

    def _pause(self, run: ServedRun) -> None:
        """The run stopped for approvals: keep its state to resume, and end it ``interrupted``, never as a
        ``run_completed`` with no output a client could not tell from an answer."""
        try:
            entry = self.paused.pause(run.id, run.principal, run.result, run.conversation_id)
        except Exception as exc:  # e.g. a context the state cannot hold: the run cannot be resumed, say so
            message = f"the run stopped for tool approvals but its state cannot be kept: {self._message(exc)}"
            failed = {"type": "run_failed", "error_type": type(exc).__name__, "message": message}
            self._finish(run, "failed", failed, recorded_id(run.result.trace_id))
            return
        run.interruptions = entry.interruptions
        event = {"type": "run_interrupted", "interruptions": entry.interruptions}
        self._finish(run, "interrupted", event, recorded_id(run.result.trace_id))

    def _message(self, exc: Exception) -> str:
        """The failure's message as the stream may carry it: through ``redact`` unless the app opted out."""
        config = self._run_config
        if config.redact is None or not config.redact_stream:
            return str(exc)
        return redaction.redact_text(config.redact, "run", str(exc))

    def _announce(self, run: ServedRun) -> None:
        """``run_started``, once the run's root span has started (its first event) or the run ended before any:
        from then on the trace id is known even when the request carried no traceparent."""
        run.trace_id = run.trace_id or recorded_id(run.result.trace_id)
        run.buffer.append({"type": "run_started", "run_id": run.id, "trace_id": run.trace_id})
        run.ready.set()

    def _finish(self, run: ServedRun, status: RunStatus, event: dict[str, Any], trace_id: str | None = None) -> None:
        run.trace_id = run.trace_id or trace_id
        if not run.ready.is_set():
            self._announce(run)
        run.status = status
        run.finished_at = self._clock()
        self._running_total -= 1
        left = self._running[run.principal] - 1
        if left:
            self._running[run.principal] = left
        else:
            del self._running[run.principal]
        self._finished[run.id] = run
        run.outcome = {**event, "trace_id": run.trace_id}
        run.buffer.append(run.outcome)
        run.buffer.close()
        for subscriber in run.subscribers:
            subscriber.close()
        self._expire()

    def check_capacity(self, principal: str) -> None:
        """Raise as ``start`` would at capacity (so an app can refuse before announcing the run elsewhere)."""
        self._check_capacity(principal)

    def _check_capacity(self, principal: str) -> None:
        if self._running_total >= self.max_running_runs:
            raise ServerBusyError(
                f"the server is running {self._running_total} runs, its limit (max_running_runs); retry later",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                limit=self.max_running_runs,
            )
        limit = self.max_running_runs_per_principal
        if limit is not None and self._running.get(principal, 0) >= limit:
            raise TooManyRunsError(
                f"you have {limit} runs going, the limit per client (max_running_runs_per_principal); "
                "retry when one ends",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                limit=limit,
            )

    def _expire(self) -> None:
        """Forget finished runs past retention, and the oldest beyond ``max_retained_runs``: O(runs forgotten)."""
        deadline = self._clock() - self.retention_seconds
        finished = self._finished
        while finished:
            oldest = next(iter(finished.values()))
            assert oldest.finished_at is not None
            if oldest.finished_at > deadline and len(finished) <= self.max_retained_runs:
                break
            finished.popitem(last=False)
            self._runs.pop(oldest.id, None)  # a run discarded (fenced off by a broker) is already gone

