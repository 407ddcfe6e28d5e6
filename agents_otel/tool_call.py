"""One running tool call: its identity, its span, and the progress it records.

A ``ToolCall`` is the source of truth that both views read. ``progress`` records the span event and hands the
same record to ``tool_events`` (the one place stream events are built), under one lock so the sequence order
on the span and in the stream agree even when several threads of one tool report at once. Ending the call
(``finish``) takes the same lock, so a late ``send_progress`` from a straggling worker thread is dropped and
counted, never attributed to anything else.

The span does not get every progress event: ``ProgressSampling`` keeps the first few, a rate-limited middle and
always the last (held back and recorded at ``close`` with its own timestamp). The stream gets every event. The
stall watchdog reads ``last_activity`` (a monotonic timestamp written here) and calls back ``mark_stalled`` /
``expire_idle``; both take the same lock, so a stall is never reported for a call that has just ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import INVALID_SPAN, INVALID_SPAN_CONTEXT, Span, SpanContext

from . import redaction, tool_events
from .items import ToolCallIdentity, new_identity
from .progress_payload import encode_payload, scalar_fields, truncate
from .progress_sampling import ProgressSampler
from .tool_context import ToolContext
from .tracing.attributes import (
    GEN_AI_TOOL_CALL_ID,
    PROGRESS_DATA,
    PROGRESS_DATA_PREFIX,
    PROGRESS_DROPPED,
    PROGRESS_EMITTED,
    PROGRESS_EVENT,
    PROGRESS_ORIGINAL_BYTES,
    PROGRESS_RECORDED,
    PROGRESS_SEQUENCE,
    PROGRESS_TRUNCATED,
    STALL_TIMEOUT,
    STALLED_EVENT,
    STALLED_FOR,
)
from .tracing.ids import span_id_hex

if TYPE_CHECKING:
    from .agent import Agent
    from .items import FunctionCall
    from .run_runtime import RunRuntime


class _Supervision:
    """A supervised call's timeouts and scope (only calls with a stall or idle timeout have one)."""

    __slots__ = ("idle_expired", "idle_timeout", "scope", "stall_timeout")

    def __init__(self, scope: asyncio.Timeout, stall_timeout: float | None, idle_timeout: float | None) -> None:
        self.scope = scope
        self.stall_timeout = stall_timeout
        self.idle_timeout = idle_timeout
        self.idle_expired = False


class _Held:
    """The newest progress event sampling left off the span, recorded at ``close`` if it turns out to be the last.
    One per call, refilled by each held-back event (``sequence`` 0: none held)."""

    __slots__ = ("data", "raw", "sequence", "timestamp")

    def __init__(self, sequence: int, timestamp: int, data: Any, raw: bytes) -> None:
        self.sequence = sequence
        self.timestamp = timestamp
        self.data = data
        self.raw = raw

    def clear(self) -> None:
        """Nothing held (``sequence`` 0): the event was recorded after all, or a newer one was."""
        self.sequence = 0
        self.data = None
        self.raw = b""


_CONTEXT_LOCK = threading.Lock()
"""Guards making a call's ``ToolContext`` on first use. Not the call's own lock: ``current_tool_context()`` may be
asked from user code that runs under that one (a ``redact`` hook while a progress event is recorded)."""

_LOCK_LOCK = threading.Lock()
"""Guards making a call's own lock on first use: most calls never report progress and never need one."""


class ToolCall:
    """Built once per tool call, so only what every call needs is set here; the sampling and supervision state of
    the few calls that use them lives in objects created on first use (``_sampler``, ``_held``, ``_supervision``)."""

    __slots__ = (
        "_context",
        "_held",
        "_identity",
        "_lock",
        "_sampler",
        "_supervision",
        "agent",
        "call",
        "custom_data",
        "end_reported",
        "ended",
        "error_type",
        "items_made",
        "last_activity",
        "output",
        "reporting",
        "run",
        "sequence",
        "span",
        "span_context",
        "stalled",
        "start_reported",
        "started",
    )

    def __init__(self, run: RunRuntime, call: FunctionCall, agent: Agent[Any]) -> None:
        self.run = run
        self.call = call
        """The model's own call object (``ToolContext.tool_call``)."""
        self.agent = agent
        self._identity: ToolCallIdentity | None = None
        self._context: ToolContext[Any] | None = None
        self.span: Span = INVALID_SPAN
        """The call's span while it runs; released when the call ends (a run keeps its calls' records until it ends,
        and holding a hundred finished SDK spans costs the garbage collector on every call). ``span_context`` stays."""
        self.span_context: SpanContext = INVALID_SPAN_CONTEXT
        self.sequence = 0
        self.ended = False
        self.reporting = False
        """Some thread has entered :meth:`progress`: from then on :meth:`close` settles the call under the lock."""
        self.start_reported = False
        """``tool_called`` was created (by the processor's ``on_start``, or by :meth:`start` for an unseen span)."""
        self.end_reported = False
        self.items_made = 0
        self.custom_data: dict[str, Any] | None = None  # the tool's custom_data_extractor's, for tool_output
        """How many of the call's two run items ``tool_events.materialize`` has built (runs nobody streams)."""
        # ``output`` and ``error_type`` are first set by finish(), before anything reads them (the end is reported
        # from there): not storing them here saves two stores on every call.
        self.output: Any
        self.error_type: str | None
        self.started = 0.0
        self.last_activity = 0.0
        """``time.monotonic()`` of the last progress (or the start): what the stall watchdog compares."""
        self.stalled = False
        self._supervision: _Supervision | None = None
        self._sampler: ProgressSampler | None = None
        self._held: _Held | None = None
        self._lock: threading.Lock | None = None
        """Made by :meth:`_guard` on first use."""

    @property
    def stall_timeout(self) -> float | None:
        supervision = self._supervision
        return supervision.stall_timeout if supervision is not None else None

    @property
    def idle_timeout(self) -> float | None:
        supervision = self._supervision
        return supervision.idle_timeout if supervision is not None else None

    @property
    def idle_expired(self) -> bool:
        """The idle timeout ended this call (its scope was expired by the watchdog)."""
        supervision = self._supervision
        return supervision is not None and supervision.idle_expired

    @property
    def identity(self) -> ToolCallIdentity:
        """Shared with every item and event of this call; its trace ids are filled in when the span starts (or, in
        a run nobody streams, by :meth:`identified`). Made on first use: such a run may never need it."""
        identity = self._identity
        if identity is None:
            call = self.call
            identity = new_identity(call.call_id, call.name, self.agent, self.run.parent_tool_call_id)
            self._identity = identity
        return identity

    @property
    def arguments(self) -> str:
        return self.call.arguments

    @property
    def tool_name(self) -> str:
        return self.call.name

    @property
    def tool_call_id(self) -> str:
        return self.call.call_id

    @property
    def agent_name(self) -> str:
        return self.agent.name

    def identified(self) -> ToolCallIdentity:
        """The identity with its hex trace ids filled in, the one place they are: when the span starts in a streamed
        run, when asked in a run nobody streams (items read, ``ToolContext.trace_id``)."""
        identity = self.identity
        if not identity.span_id and self.start_reported:
            span_context = self.span_context
            identity.trace_id = self.run.trace_id_hex(span_context.trace_id)
            identity.span_id = span_id_hex(span_context.span_id)
        return identity

    def tool_context(self) -> ToolContext[Any]:
        """The call's ``ToolContext``, made on first use: most tools never take one, and nothing else needs it
        unless a hook, an error handler or ``current_tool_context()`` asks."""
        context = self._context
        if context is None:
            with _CONTEXT_LOCK:  # threads of one call asking at once get the same object (it compares by identity)
                context = self._context
                if context is None:
                    run = self.run
                    context = ToolContext.for_call(
                        self, self.agent, run.context, run.usage, self.call, run.tool_input
                    )
                    self._context = context
        return context

    # ---- the span's lifecycle, as the trace pipeline saw it (``SpanLifecycleListener``) --------------------------
    # The processor calls tool_events itself, one call less per span (the functions take the call as ``self``):
    # ``span_started`` claims the first span offered (the call's own) and declines any other; each reports once.
    span_started = tool_events.started
    span_ended = tool_events.ended

    def start(self, span: Span) -> None:
        """Attach the started span; report the start ourselves if no processor forwarded it (a run nobody streams
        starts its spans without the listener; or sampled out, no SDK)."""
        self.span = span
        self.started = self.last_activity = time.monotonic()
        if not self.start_reported:  # not forwarded: unstreamed run, sampled out, or no SDK
            tool_events.started(self, span.get_span_context())

    def supervise(self, scope: asyncio.Timeout, stall_timeout: float | None, idle_timeout: float | None) -> None:
        """Hand the call to the run's stall watchdog; ``scope`` is the timeout an idle expiry reschedules."""
        self._supervision = _Supervision(scope, stall_timeout, idle_timeout)
        self.run.watchdog().watch(self)
        if stall_timeout is not None:
            self.run.metrics.tool_supervised(self)  # the stall series starts at 0, so the first stall alerts

    def _guard(self) -> threading.Lock:
        """The call's lock, made on first use (by whichever thread asks first; every thread gets the same one)."""
        with _LOCK_LOCK:
            lock = self._lock
            if lock is None:
                lock = self._lock = threading.Lock()
        return lock

    # ---- progress (any thread) ---------------------------------------------------------------------------
    def progress(self, data: Any) -> bool:
        raw = encode_payload(data, self.tool_name)
        now = time.monotonic()
        self.reporting = True  # before the lock, and before ``ended`` is read: see close()
        with self._lock or self._guard():
            if self.ended:
                self.run.progress_dropped += 1
                return False
            self.sequence = sequence = self.sequence + 1
            timestamp = time.time_ns()
            self.last_activity = now
            if self.stalled:
                self.stalled = False
                self.run.watchdog().poke(self)
            if sequence <= self.run.sampling.first:
                self._record(sequence, timestamp, data, raw)
            else:
                sampler = self._sampler
                if sampler is None:
                    sampler = self._sampler = ProgressSampler(self.run.sampling, sequence - 1, now)
                held = self._held
                if sampler.admit(now):
                    if held is not None:
                        held.clear()
                    self._record(sequence, timestamp, data, raw)
                elif held is None:  # the newest unrecorded event waits for close(): it may turn out to be the last
                    self._held = _Held(sequence, timestamp, data, raw)
                else:  # a flood holds back most events: one object per call, refilled
                    held.sequence = sequence
                    held.timestamp = timestamp
                    held.data = data
                    held.raw = raw
            tool_events.progress(self, sequence, data, timestamp)
        return True

    def _record(self, sequence: int, timestamp: int, data: Any, raw: bytes) -> None:
        """One progress span event; the caller holds the lock."""
        run = self.run
        if run.redact is not None:
            data = redaction.apply(run.redact, "progress", self.tool_name, data)
            try:
                raw = encode_payload(data, self.tool_name)
            except TypeError:
                data = redaction.REDACTION_FAILED
                raw = b'"[redaction failed]"'
        truncated = len(raw) > run.payload_cap
        attributes: dict[str, Any] = {
            GEN_AI_TOOL_CALL_ID: self.call.call_id,
            PROGRESS_SEQUENCE: sequence,
            PROGRESS_DATA: truncate(raw, run.payload_cap) if truncated else raw.decode(),
        }
        if truncated:
            attributes[PROGRESS_TRUNCATED] = True
            attributes[PROGRESS_ORIGINAL_BYTES] = len(raw)
        fields = scalar_fields(data, truncated)
        if fields:
            for key, value in fields.items():
                attributes[PROGRESS_DATA_PREFIX + key] = value
        self.span.add_event(PROGRESS_EVENT, attributes, timestamp)

    # ---- the watchdog (loop thread) ------------------------------------------------------------------------
    def mark_stalled(self, now: float) -> None:
        with self._lock or self._guard():
            timeout = self.stall_timeout
            quiet = now - self.last_activity
            if self.ended or self.stalled or timeout is None or quiet < timeout:
                return  # ended, already reported, or progress arrived since the watchdog looked
            self.stalled = True
            timestamp = time.time_ns()
            self.span.add_event(
                STALLED_EVENT,
                {
                    GEN_AI_TOOL_CALL_ID: self.call.call_id,
                    STALLED_FOR: quiet,
                    STALL_TIMEOUT: timeout,
                    PROGRESS_SEQUENCE: self.sequence,
                },
                timestamp,
            )
            tool_events.stalled(self, quiet, timeout, timestamp)
        self.run.metrics.tool_stalled(self)

    def expire_idle(self) -> None:
        """End the call now as an idle timeout: its ``asyncio.timeout`` scope fires and cancels the tool."""
        supervision = self._supervision
        if self.ended or supervision is None or supervision.idle_expired:
            return
        supervision.idle_expired = True
        with contextlib.suppress(RuntimeError):  # the scope is already expiring or exited: the call is ending anyway
            supervision.scope.reschedule(asyncio.get_running_loop().time())

    # ---- the end -------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Refuse further progress and settle the trace record: the held-back last event and the totals.

        Called before the span gets its error, so the last progress precedes the exception event.

        Most calls never report progress, and for them this takes no lock: ``ended`` is stored first, ``reporting``
        read second, while :meth:`progress` stores ``reporting`` first and reads ``ended`` second (under the lock).
        Whichever store comes first (the interpreter orders them), one side sees the other's: either this sees
        ``reporting`` and settles under the lock, or that progress call sees ``ended`` and is dropped, so no
        progress slips onto the span after its totals.
        """
        if not self.ended:
            self.ended = True
            if self.reporting:  # else nothing emitted, nothing in flight: no totals to record
                self._settle()

    def _settle(self) -> None:
        with self._lock or self._guard():  # waits out a progress call already past its ``ended`` check
            emitted = self.sequence
            if not emitted:
                return
            sampler = self._sampler
            recorded = emitted if sampler is None else sampler.recorded
            held = self._held
            if held is not None and held.sequence:
                self._record(held.sequence, held.timestamp, held.data, held.raw)
                held.clear()
                recorded += 1
        self.span.set_attributes(
            {PROGRESS_EMITTED: emitted, PROGRESS_RECORDED: recorded, PROGRESS_DROPPED: emitted - recorded}
        )

    def finish(self, output: Any, error_type: str | None) -> None:
        """Close the call to further progress, then end its span (which reports ``tool_output``)."""
        if not self.ended:  # close(), inline: this runs on every call
            self.ended = True
            if self.reporting:
                self._settle()
        self.output = output
        self.error_type = error_type
        if self._supervision is not None:
            self.run.watchdog().unwatch(self)
        self.span.end()
        self.span = INVALID_SPAN
        if not self.end_reported:  # not forwarded: unstreamed run, sampled out, or no SDK
            tool_events.ended(self)
        self.run.metrics.tool_finished(self, time.monotonic() - self.started)
