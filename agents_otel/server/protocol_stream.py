"""Serving one run over a UI protocol (AG-UI, the AI SDK's UI message stream): the plumbing both share.

The run is started in the app's registry like any ``POST /runs`` run, so it is listed at ``/runs/{id}``, can be
cancelled there and watched by other clients; the request that started it also reads the run's stream events
themselves (a registry subscription) and hands each to the protocol's mapping, which alone decides what goes on
the wire. The frames are written as the mapping encodes them (sse-starlette passes bytes through untouched; its
keep-alive pings use LF like the frames, since AG-UI's client splits the stream on ``\\n\\n`` only).

Unlike a ``/runs`` watcher, this client owns the run: when it goes away (it aborted the request, or the
connection dropped, or it stopped reading: one send waited ``send_timeout`` seconds) the run is cancelled, which
is how both protocols' clients stop a run. On server shutdown the run is cancelled too, and the stream ends with
the protocol's own cancellation (within ``shutdown_grace`` seconds, after which sse-starlette cuts it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import anyio
from sse_starlette import EventSourceResponse
from sse_starlette.sse import SendTimeoutError
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..event_stream import EventStream
from ..items import ToolCallIdentity, ToolCallOutputItem
from ..stream_events import StreamEvent
from ..tracing.attributes import ERROR_CANCELLED
from .errors import RunFinishedError
from .event_json import jsonable, recorded_id
from .run_registry import RunRegistry, ServedRun
from .sse import DEFAULT_SEND_TIMEOUT, DEFAULT_SHUTDOWN_GRACE, PING_SECONDS

logger = logging.getLogger(__name__)


class ProtocolMapping(Protocol):
    """Turns one run's stream events into encoded frames of one protocol."""

    def opening(self) -> list[bytes]:
        """Frames before the first stream event."""

    def on_event(self, event: StreamEvent) -> list[bytes]:
        """Frames for one stream event (often none: not every event has a counterpart)."""

    def closing(self, outcome: Mapping[str, Any]) -> list[bytes]:
        """Frames once the run ended; ``outcome`` is its final ``/runs`` event (``run_completed`` etc.)."""


def protocol_response(
    runs: RunRegistry,
    run: ServedRun,
    events: EventStream,
    mapping: ProtocolMapping,
    headers: Mapping[str, str],
    *,
    send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
    shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE,
) -> Response:
    """Stream the frames of ``events``, the run's subscription (``run.subscribe()`` right after ``runs.start``,
    before awaiting anything, so that no event is missed)."""

    async def frames() -> AsyncIterator[bytes]:
        try:
            for frame in mapping.opening():
                yield frame
            while batch := await events.get_batch():
                for event in batch:
                    for frame in mapping.on_event(event):
                        yield frame
            outcome = run.outcome or {"type": "run_failed", "error_type": "Unknown", "message": "the run ended"}
            for frame in mapping.closing(outcome):
                yield frame
        finally:
            if run.status == "running":
                with contextlib.suppress(RunFinishedError):
                    runs.cancel(run.id)

    shutdown = anyio.Event()

    async def cancel_on_shutdown() -> None:
        await shutdown.wait()
        if run.status == "running":
            with contextlib.suppress(RunFinishedError):
                runs.cancel(run.id)

    return _ProtocolResponse(
        frames(),
        ping=PING_SECONDS,
        sep="\n",
        send_timeout=send_timeout,
        headers={"Cache-Control": "no-store", **headers},
        shutdown_event=shutdown,
        shutdown_grace_period=shutdown_grace,
        data_sender_callable=cancel_on_shutdown,
    )


class _ProtocolResponse(EventSourceResponse):
    """A client that stopped reading is an ordinary end (its run is cancelled), not an error to report."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except SendTimeoutError:
            logger.info(_STOPPED_READING, self.send_timeout)
        except BaseExceptionGroup as group:
            _, rest = group.split(SendTimeoutError)
            if rest is not None:
                raise rest from None
            logger.info(_STOPPED_READING, self.send_timeout)


_STOPPED_READING = "closed a protocol stream whose client stopped reading (send timeout %s s)"


def run_metadata(served_run_id: str, trace_id: str | None) -> dict[str, str]:
    """What the opening event (AG-UI's ``RUN_STARTED.metadata``, the AI SDK's ``messageMetadata``) says about the
    run: its registry id (``/runs/{id}``) and, when one is recorded, its trace."""
    metadata = {"agentsOtelRunId": served_run_id}
    if trace_id:
        metadata["traceId"] = trace_id
    return metadata


def output_text(output: Any) -> str:
    """A tool's output where a protocol wants text (AG-UI's result ``content``, the AI SDK's ``errorText``):
    strings as they are, anything else as JSON."""
    if isinstance(output, str):
        return output
    return json.dumps(jsonable(output), ensure_ascii=False)


def result_text(item: ToolCallOutputItem) -> str:
    """A finished call's output where a protocol wants text. A call that failed with no output for the model (it
    was cancelled, or its error failed the run) says what ended it: a UI shows that, never ``null``."""
    if item.output is None and item.is_error:
        if item.error_type == ERROR_CANCELLED:
            return "the tool call was cancelled"
        return f"the tool call failed ({item.error_type or 'error'}) and the run stopped"
    return output_text(item.output)


def tool_value(call: ToolCallIdentity, **fields: Any) -> dict[str, Any]:
    """A tool call's progress or stall as both protocols carry it (AG-UI's ``CUSTOM`` value, the AI SDK's
    ``data-*`` part): which call, then ``fields``, then where the call is in the trace (:func:`trace_link`)."""
    return {"toolCallId": call.tool_call_id, "toolName": call.tool_name, **fields, **trace_link(call)}


def trace_link(call: ToolCallIdentity) -> dict[str, str]:
    """Where a call is, in both protocols' camelCase: ``parentToolCallId`` for a call made by an agent used as a
    tool, ``traceId``/``spanId`` of its ``execute_tool`` span (left out when no tracing SDK records a trace)."""
    link: dict[str, str] = {}
    if call.parent_tool_call_id is not None:
        link["parentToolCallId"] = call.parent_tool_call_id
    for key, ident in (("traceId", recorded_id(call.trace_id)), ("spanId", recorded_id(call.span_id))):
        if ident is not None:
            link[key] = ident
    return link


def new_id() -> str:
    """A message, text or result id for a protocol event: unique, and meaningless outside this stream."""
    return uuid.uuid4().hex


def run_headers(run: ServedRun, status_path: str) -> dict[str, str]:
    """Where the run can also be found: its registry id, its status URL and its trace."""
    headers = {"x-agents-otel-run-id": run.id, "Content-Location": status_path}
    if run.trace_id:
        headers["x-agents-otel-trace-id"] = run.trace_id
    return headers
