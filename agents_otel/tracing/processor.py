"""The SpanProcessor that turns tool spans into the run's live stream.

This is the one place where tool stream events are made. ``on_start`` of an ``execute_tool`` span becomes the
call's ``tool_called`` event, each progress record becomes a ``ToolProgressStreamEvent``, each stall a
``ToolStalledStreamEvent``, and ``on_end`` becomes ``tool_output``; the trace and the stream are two views of the
same records.

Two facts of the OTel SDK shape the rest:

* No processor hook fires on ``span.add_event``. ``ToolCall.progress`` therefore records the span event and then
  hands the very same record (sequence, timestamp, data) to :meth:`ToolStreamProcessor.tool_progress`.
* Processors never see spans the sampler dropped, nor any span when no SDK provider is installed. The stream must
  not depend on those decisions, so when a tool span is not recording, the runtime calls the same three methods
  itself (``ToolCall`` notices that ``on_start`` did not fire). Either way, each event is built here, once.

The runtime finds its call record in ``parent_context`` (under a private context key) rather than in span
attributes, so spans of other instrumentations cost one dict lookup and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opentelemetry.context import Context, create_key
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import SpanContext

from ..items import ToolCallItem, ToolCallOutputItem
from ..stream_events import RunItemStreamEvent, ToolProgressStreamEvent, ToolStalledStreamEvent

if TYPE_CHECKING:
    from ..tool_call import ToolCall

TOOL_CALL_CONTEXT_KEY = create_key("agents_otel.tool_call")
"""Context key under which the runtime passes the ToolCall record to ``start_span`` (never to child spans)."""


class ToolStreamProcessor(SpanProcessor):
    """Forwards tool span lifecycle and progress records into the owning run's stream.

    Registered once on each SDK ``TracerProvider`` the runtime uses (it exports nothing and never changes
    other processors). Safe to share between providers: its only state is the set of tool spans still open.
    """

    def __init__(self) -> None:
        self._open: dict[int, ToolCall] = {}

    # ---- SpanProcessor -----------------------------------------------------------------------------------
    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if parent_context is None:
            return
        call = parent_context.get(TOOL_CALL_CONTEXT_KEY)
        if call is None:
            return
        ctx = span.get_span_context()
        self._open[ctx.span_id] = call  # type: ignore[assignment]
        self.tool_started(call, ctx)  # type: ignore[arg-type]

    def on_end(self, span: ReadableSpan) -> None:
        ctx = span.context
        if ctx is None or not self._open:
            return
        call = self._open.pop(ctx.span_id, None)
        if call is not None:
            self.tool_ended(call)

    def shutdown(self) -> None:
        self._open.clear()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True

    # ---- the three records, also called directly for spans the pipeline does not process ------------------
    def tool_started(self, call: ToolCall, span_context: SpanContext) -> None:
        call.bind_ids(span_context)
        run = call.run
        item = ToolCallItem(
            call.call_id,
            call.tool_name,
            call.arguments,
            call.agent_name,
            call.trace_id,
            call.span_id,
            run.parent_tool_call_id,
        )
        run.items.append(item)
        if run.listening:
            run.emit_tool_event(RunItemStreamEvent("tool_called", item))

    def tool_progress(self, call: ToolCall, sequence: int, data: object, timestamp: int) -> None:
        run = call.run
        if run.listening:
            run.emit_progress(
                ToolProgressStreamEvent(
                    call.tool_name,
                    call.call_id,
                    data,
                    sequence,
                    timestamp,
                    call.agent_name,
                    call.trace_id,
                    call.span_id,
                    run.parent_tool_call_id,
                )
            )

    def tool_stalled(self, call: ToolCall, stalled_for: float, stall_timeout: float, timestamp: int) -> None:
        """The watchdog found the call quiet past its stall timeout (the span event is already recorded).

        Sent like a lifecycle event, never coalesced: there is at most one per quiet period of a call.
        """
        run = call.run
        if run.listening:
            run.emit_tool_event(
                ToolStalledStreamEvent(
                    call.tool_name,
                    call.call_id,
                    stalled_for,
                    stall_timeout,
                    call.sequence,
                    timestamp,
                    call.agent_name,
                    call.trace_id,
                    call.span_id,
                    run.parent_tool_call_id,
                )
            )

    def tool_ended(self, call: ToolCall) -> None:
        call.end_reported = True
        run = call.run
        item = ToolCallOutputItem(
            call.call_id,
            call.tool_name,
            call.output,
            call.agent_name,
            call.trace_id,
            call.span_id,
            call.error_type is not None,
            call.error_type,
            run.parent_tool_call_id,
        )
        run.items.append(item)
        if run.listening:
            run.emit_tool_event(RunItemStreamEvent("tool_output", item))


STREAM_PROCESSOR = ToolStreamProcessor()
"""The process-wide instance the runtime registers on each TracerProvider it uses."""
