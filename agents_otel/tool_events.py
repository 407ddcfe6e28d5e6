"""The one place where a tool call's records become run items and stream events.

A tool call has four records — started, progress, stalled, ended — and each reaches the application exactly once,
built here: ``tool_called`` / ``tool_output`` run items (appended to ``RunResult.new_items`` and streamed as
``RunItemStreamEvent``), ``ToolProgressStreamEvent`` and ``ToolStalledStreamEvent``. Nothing else builds tool
items or events, and nothing else puts tool events on a run's stream, so the stream, the run items and everything
derived from them (SSE, protocol adapters) agree with the trace by construction.

Who calls in (the path is one-way: records flow from ``ToolCall`` to here, never back):

* ``started`` / ``ended``: the ``execute_tool`` span's lifecycle, as the trace pipeline sees it — forwarded by
  :class:`~agents_otel.tracing.processor.ToolStreamProcessor` from the SDK's ``on_start`` / ``on_end``. When the
  pipeline never sees the span (sampled out, or no SDK provider), ``ToolCall`` calls them itself; its
  ``start_reported`` / ``end_reported`` flags make each fire once either way. A run nobody streams has no stream
  to forward to, so its tool spans start without the listener and ``ToolCall`` reports them itself, the same way.
* ``progress`` / ``stalled``: ``ToolCall`` right after it recorded the same record as a span event. No SDK hook
  fires on ``span.add_event``, so there is nothing to forward from.

A run nobody streams (``Runner.run``) has no events to build, and its items are read only when the run (or a
handoff filter, or a ``tool_use_behavior``) asks for them: there ``started`` and ``ended`` append the ``ToolCall``
itself as a placeholder, and :func:`materialize` builds the two items (and the call's hex trace ids) in place,
from the same record, when ``RunState.run_items()`` is read. Same items, same order, built here either way; a
run with a hundred calls and no reader of its items pays for none of them per call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_args

from opentelemetry.trace import SpanContext

from . import redaction
from .admitted_input import InputItem
from .approval_item import ToolApprovalItem
from .compaction_item import CompactionItem
from .hosted_mcp import MCPApprovalRequestItem, MCPApprovalResponseItem, MCPListToolsItem
from .hosted_tools import HostedToolCallItem
from .items import RunItem, new_identity, new_tool_call_item, new_tool_call_output_item
from .stream_events import ToolProgressStreamEvent, ToolStalledStreamEvent, new_run_item_event
from .tool_search import ToolSearchCallItem, ToolSearchOutputItem
from .tracing.ids import span_id_hex

if TYPE_CHECKING:
    from .agent import Agent
    from .items import FunctionCall
    from .redaction import RedactionKind
    from .run_runtime import RunRuntime
    from .tool_call import ToolCall


def started(call: ToolCall, span_context: SpanContext) -> bool:
    """The call's span has started: its identity learns the trace ids; ``tool_called`` is created (or, in a run
    nobody streams, placed to be made when the items are read). ``False`` (nothing done) if the start was already
    reported: the span offered is one the call's body started, not the call's own."""
    if call.start_reported:
        return False
    call.start_reported = True
    call.span_context = span_context
    run = call.run
    if not run.listening:
        run.items.append(call)
        run.pending_items = True
        return True
    identity = call.identified()
    item = new_tool_call_item(identity, call.arguments)
    run.items.append(item)
    if run.stream_redact is not None:  # the stream leaves the process; new_items (and the model) keep raw values
        item = new_tool_call_item(identity, _redacted_text(run, "tool_arguments", call, call.arguments))
    run.emit_tool_event(new_run_item_event("tool_called", item))
    return True


def progress(call: ToolCall, sequence: int, data: Any, timestamp: int) -> None:
    """One ``send_progress`` record (already on the span, or held back by sampling): always streamed."""
    run = call.run
    if run.listening:
        if run.stream_redact is not None:
            data = redaction.apply(run.stream_redact, "progress", call.tool_name, data)
        event = ToolProgressStreamEvent(call=call.identity, data=data, sequence=sequence, timestamp=timestamp)
        run.emit_progress(event)


def stalled(call: ToolCall, stalled_for: float, stall_timeout: float, timestamp: int) -> None:
    """The watchdog found the call quiet past its stall timeout (the span event is already recorded).

    Sent like a lifecycle event, never coalesced: there is at most one per quiet period of a call.
    """
    run = call.run
    if run.listening:
        run.emit_tool_event(
            ToolStalledStreamEvent(
                call=call.identity,
                stalled_for=stalled_for,
                stall_timeout=stall_timeout,
                last_sequence=call.sequence,
                timestamp=timestamp,
            )
        )


def ended(call: ToolCall) -> None:
    """The call's span has ended: ``tool_output`` is created from the outcome ``ToolCall.finish`` recorded (once)."""
    if call.end_reported:
        return
    call.end_reported = True
    run = call.run
    if not run.listening:
        run.items.append(call)
        run.pending_items = True
        return
    item = new_tool_call_output_item(call.identity, call.output, call.error_type)
    item.custom_data = call.custom_data
    run.items.append(item)
    if run.stream_redact is not None and call.output is not None:
        output = redaction.apply(run.stream_redact, "tool_result", call.tool_name, call.output)
        item = new_tool_call_output_item(call.identity, output, call.error_type)
        item.custom_data = call.custom_data
    run.emit_tool_event(new_run_item_event("tool_output", item))


def refused(run: RunRuntime, call: FunctionCall, agent: Agent[Any], text: str) -> None:
    """A call the runtime answered without running anything (a second handoff in one answer: the first wins): its
    ``tool_output`` item and event, as the SDK makes them, so every call the model made has an output. No span ran,
    so the identity has no trace ids; the event stays in this run's stream, as the handoff events do."""
    identity = new_identity(call.call_id, call.name, agent, run.parent_tool_call_id)
    item = new_tool_call_output_item(identity, text, None)
    run.items.append(item)
    run.emit(new_run_item_event("tool_output", item))


def handoff_failed(
    run: RunRuntime, call: FunctionCall, agent: Agent[Any], text: str, error_type: str, span: SpanContext
) -> None:
    """A handoff whose invocation failed and whose ``failure_error_function`` worded it: the call's ``tool_output``
    item (an error, ``error_type`` set) and event, as a function tool's failure makes them; the identity points at
    the ``handoff`` span that recorded the exception. The stream's copy goes through ``RunConfig(redact=)`` as a
    tool result does."""
    identity = new_identity(call.call_id, call.name, agent, run.parent_tool_call_id)
    identity.trace_id = run.trace_id_hex(span.trace_id)
    identity.span_id = span_id_hex(span.span_id)
    item = new_tool_call_output_item(identity, text, error_type)
    run.items.append(item)
    if run.stream_redact is not None:
        item = new_tool_call_output_item(
            identity, redaction.apply(run.stream_redact, "tool_result", call.name, text), error_type
        )
    run.emit(new_run_item_event("tool_output", item))


def materialize(entries: list[RunItem | ToolCall]) -> list[RunItem]:
    """``entries`` with each placeholder ``ToolCall`` replaced, in place, by its item: the first placeholder of a
    call by ``tool_called``, the second by ``tool_output`` (a call's start always precedes its end in the list)."""
    for index, entry in enumerate(entries):
        if type(entry) in _RUN_ITEM_TYPES:
            continue
        call: ToolCall = entry  # type: ignore[assignment]
        identity = call.identified()
        if call.items_made == 0:
            entries[index] = new_tool_call_item(identity, call.arguments)
            call.items_made = 1
        else:
            item = entries[index] = new_tool_call_output_item(identity, call.output, call.error_type)
            item.custom_data = call.custom_data
            call.items_made = 2
    return entries  # type: ignore[return-value]


_RUN_ITEM_TYPES = frozenset(
    {
        *(t for t in get_args(RunItem) if isinstance(t, type)),
        ToolApprovalItem,
        InputItem,
        CompactionItem,
        HostedToolCallItem,
        ToolSearchCallItem,
        ToolSearchOutputItem,
        MCPListToolsItem,
        MCPApprovalRequestItem,
        MCPApprovalResponseItem,
    }
)
"""The run item classes (``RunItem`` names ``ToolApprovalItem`` and the hosted MCP items by forward reference, so
they are added here; a ``HostedToolCallItem`` is a ``ToolCallItem`` subclass, matched by exact type)."""


def _redacted_text(run: RunRuntime, kind: RedactionKind, call: ToolCall, text: str) -> str:
    assert run.stream_redact is not None
    return redaction.redact_text(run.stream_redact, call.tool_name, text, kind)
