"""The JSON form of a run's stream events, as sent over SSE (the schema is documented in docs/server.md).

Flat objects with a short ``type`` rather than the Python classes' nested shape, because the consumers are
browsers: a page switches on ``type`` and reads ``tool_call_id`` directly. Trace and span ids made of zeros
(no tracing SDK installed) become ``null`` so a page never links to a trace that does not exist.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..items import (
    HandoffCallItem,
    HandoffOutputItem,
    MessageOutputItem,
    ReasoningItem,
    ToolCallIdentity,
    ToolCallItem,
    ToolCallOutputItem,
)
from ..safe_json import to_jsonable
from ..stream_events import (
    AgentUpdatedStreamEvent,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    StreamEvent,
    ToolProgressStreamEvent,
)
from .reasoning_stream import ReasoningAdded, ReasoningDone, SummaryDelta, read_reasoning
from .tool_input import InputDelta, InputDone, InputStarted, read_tool_input


def jsonable(value: Any) -> Any:
    """Tool outputs and final outputs are whatever the code returned: :mod:`agents_otel.safe_json` makes any of
    them valid JSON without raising, so one odd return value never breaks the stream."""
    return to_jsonable(value)


def recorded_id(value: str | None) -> str | None:
    """A trace or span id as a page may link to it: ``None`` for the all-zero id of a trace nobody records."""
    if not value or value.count("0") == len(value):
        return None
    return value


def event_to_json(event: StreamEvent) -> dict[str, Any] | None:
    """One stream event as a JSON-able dict, or ``None`` for raw model events other than text deltas, a function
    call's input and a reasoning summary (provider specific, not part of the schema). Returning ``None`` keeps an
    event out of the replay buffer, the broker and the UI protocols' subscriptions alike (``RunRegistry``'s
    consumer)."""
    if isinstance(event, ToolProgressStreamEvent):
        return _tool_event(
            "tool_progress",
            event.call,
            sequence=event.sequence,
            data=jsonable(event.data),
            timestamp=event.timestamp,
            coalesced=event.coalesced,
        )
    if isinstance(event, RawResponsesStreamEvent):
        delta = event.text_delta
        if delta is not None:
            return {"type": "text_delta", "delta": delta, "agent_name": event.agent_name}
        return _tool_input_json(event) or _reasoning_json(event)
    if isinstance(event, RunItemStreamEvent):
        return _item_json(event)
    if isinstance(event, AgentUpdatedStreamEvent):
        return {"type": "agent_updated", "agent_name": event.new_agent.name}
    return _generic_json(event)


def _tool_input_json(event: RawResponsesStreamEvent) -> dict[str, Any] | None:
    """A function call's input as the model writes it (:mod:`.tool_input`): the call's start names it, its deltas
    and end name its ``output_index`` in the model's answer. ``function_call_arguments.done`` is left out (not
    every stream sends it; the item's end, which every stream sends, carries the same arguments)."""
    read = read_tool_input(event)
    common = {"agent_name": event.agent_name}
    if isinstance(read, InputStarted):
        return {
            "type": "tool_input_started",
            "tool_call_id": read.call_id,
            "tool_name": read.tool_name,
            "output_index": read.output_index,
            **common,
        }
    if isinstance(read, InputDelta):
        return {"type": "tool_input_delta", "output_index": read.output_index, "delta": read.delta, **common}
    if isinstance(read, InputDone) and read.item_done:
        return {
            "type": "tool_input_done",
            "tool_call_id": read.call_id,
            "output_index": read.output_index,
            "arguments": read.arguments,
            **common,
        }
    return None


def _reasoning_json(event: RawResponsesStreamEvent) -> dict[str, Any] | None:
    """A reasoning summary as the model writes it (:mod:`.reasoning_stream`): the item's start, each delta of a
    summary part (``summary_index``), the item's end with the whole summary (never the encrypted reasoning)."""
    read = read_reasoning(event)
    common = {"output_index": getattr(read, "output_index", None), "agent_name": event.agent_name}
    if isinstance(read, ReasoningAdded):
        return {"type": "reasoning_started", **common}
    if isinstance(read, SummaryDelta):
        return {"type": "reasoning_delta", "summary_index": read.summary_index, "delta": read.delta, **common}
    if isinstance(read, ReasoningDone):
        return {"type": "reasoning_done", "summary": "".join(read.summary), **common}
    return None


def _generic_json(event: Any) -> dict[str, Any] | None:
    """Event kinds added to the runtime after this schema (e.g. ``tool_stalled``) pass through with their own
    fields, so a server never fails a run over an event it does not know; ``*_stream_event`` loses its suffix."""
    if not dataclasses.is_dataclass(event):
        return None
    kind = str(getattr(event, "type", type(event).__name__)).removesuffix("_stream_event")
    payload: dict[str, Any] = {"type": kind}
    for f in dataclasses.fields(event):
        if f.name == "type":
            continue
        value = getattr(event, f.name)
        if isinstance(value, ToolCallIdentity):
            payload.update(_identity_json(value))
        else:
            payload[f.name] = recorded_id(value) if f.name in ("trace_id", "span_id") else jsonable(value)
    return payload


def _identity_json(call: ToolCallIdentity) -> dict[str, Any]:
    """The fields every tool event shares: which call, and where it is in the trace."""
    return {
        "tool_name": call.tool_name,
        "tool_call_id": call.tool_call_id,
        "parent_tool_call_id": call.parent_tool_call_id,
        "agent_name": call.agent_name,
        "trace_id": recorded_id(call.trace_id),
        "span_id": recorded_id(call.span_id),
    }


def _tool_event(kind: str, call: ToolCallIdentity, **fields: Any) -> dict[str, Any]:
    return {"type": kind, **_identity_json(call), **fields}


def _item_json(event: RunItemStreamEvent) -> dict[str, Any]:
    item = event.item
    if isinstance(item, ToolCallItem):
        return _tool_event("tool_called", item.call, arguments=item.arguments)
    if isinstance(item, ToolCallOutputItem):
        return _tool_event(
            "tool_output",
            item.call,
            output=jsonable(item.output),
            is_error=item.is_error,
            error_type=item.error_type,
        )
    if isinstance(item, MessageOutputItem):  # annotations (a search's citations, Responses form) when it has any
        message: dict[str, Any] = {"type": "message_output_created", "text": item.text, "agent_name": item.agent_name}
        if item.annotations:
            message["annotations"] = [jsonable(dict(a)) for a in item.annotations]
        return message
    if isinstance(item, HandoffCallItem):
        return {
            "type": "handoff_requested",
            "tool_call_id": item.call_id,
            "tool_name": item.tool_name,
            "arguments": item.arguments,
            "agent_name": item.agent_name,
        }
    if isinstance(item, ReasoningItem):  # the summary a UI can show; not the model's opaque (encrypted) state
        return {"type": "reasoning_item_created", "summary": item.summary_text, "agent_name": item.agent_name}
    if isinstance(item, HandoffOutputItem):
        return {
            "type": "handoff_occured",
            "tool_call_id": item.call_id,
            "tool_name": item.tool_name,
            "from_agent": item.source_agent.name,
            "to_agent": item.target_agent.name,
            "agent_name": item.agent_name,
        }
    return {**(_generic_json(item) or {}), "type": event.name}
