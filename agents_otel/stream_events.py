"""The events ``RunResultStreaming.stream_events()`` yields.

Names and ``type`` discriminators follow the OpenAI Agents SDK so existing consumers keep working; the tool
events additionally carry the trace and span ids of the ``execute_tool`` span they were derived from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .items import RunItem, ToolCallIdentified, ToolCallIdentity

if TYPE_CHECKING:
    from .agent import Agent

RunItemEventName = Literal[
    "tool_called",
    "tool_output",
    "message_output_created",
    "handoff_requested",
    "handoff_occured",
    "reasoning_item_created",
    "mcp_approval_requested",
    "mcp_approval_response",
    "mcp_list_tools",
    "tool_search_called",
    "tool_search_output_created",
]
"""``handoff_occured`` is spelled as the OpenAI Agents SDK spells it, so consumers written for it keep working."""


@dataclass(slots=True)
class RawResponsesStreamEvent:
    """One event of the model's OpenAI Responses API stream, as in the OpenAI Agents SDK: the provider's own events
    (``response.created``, ``response.output_item.added``, ``response.function_call_arguments.delta``,
    ``response.completed``, ...; a Chat Completions stream's converted to them). Text arrives as a
    ``ResponseTextDeltaEvent`` (``data.type == "response.output_text.delta"``, ``data.delta``) from every model."""

    data: Any
    agent_name: str = ""
    type: Literal["raw_response_event"] = field(default="raw_response_event", init=False)

    @property
    def text_delta(self) -> str | None:
        """The text this event adds to the answer; ``None`` for any other raw event. What the protocol adapters
        read, so none of them needs the provider's types."""
        data = self.data
        if getattr(data, "type", None) == "response.output_text.delta":
            delta = getattr(data, "delta", None)
            return delta if isinstance(delta, str) else None
        return None


@dataclass(slots=True)
class RunItemStreamEvent:
    """A run item was created: a tool was called, a tool returned, or the model wrote a message."""

    name: RunItemEventName
    item: RunItem
    type: Literal["run_item_stream_event"] = field(default="run_item_stream_event", init=False)

    @property
    def tool_call_id(self) -> str | None:
        """The tool call this item belongs to; ``None`` for a message."""
        call = getattr(self.item, "call", None)
        return call.tool_call_id if call is not None else None


def new_run_item_event(name: RunItemEventName, item: RunItem) -> RunItemStreamEvent:
    """``RunItemStreamEvent(name, item)`` for the tool call hot path: slot stores, not the generated ``__init__``."""
    event: RunItemStreamEvent = object.__new__(RunItemStreamEvent)
    event.name = name
    event.item = item
    event.type = "run_item_stream_event"
    return event


@dataclass(slots=True)
class AgentUpdatedStreamEvent:
    """The agent now running: emitted when a run starts and once for each agent that takes over by a handoff."""

    new_agent: Agent[Any]
    type: Literal["agent_updated_stream_event"] = field(default="agent_updated_stream_event", init=False)


@dataclass(slots=True, kw_only=True)
class ToolProgressStreamEvent(ToolCallIdentified):
    """One ``ToolContext.send_progress`` call, as recorded on the tool span.

    ``call`` says which tool call (``tool_call_id``, ``tool_name``, ``agent_name``, ``trace_id``, ``span_id`` and
    ``parent_tool_call_id`` read through). ``sequence`` counts from 1 per tool call; ``timestamp`` is Unix time in
    nanoseconds, identical to the span event's ``time_unix_nano``. ``coalesced`` is how many earlier progress
    events of this call were replaced by this one because the consumer fell behind (see docs/stream-events.md).
    """

    call: ToolCallIdentity
    data: Any
    sequence: int
    timestamp: int
    coalesced: int = 0
    type: Literal["tool_progress_stream_event"] = field(default="tool_progress_stream_event", init=False)


@dataclass(slots=True, kw_only=True)
class ToolStalledStreamEvent(ToolCallIdentified):
    """A running tool call sent no progress for its stall timeout (``function_tool(stall_timeout=...)`` or
    ``RunConfig.tool_stall_timeout``). Emitted once per stall; the call's next progress event ends the stall,
    and a later quiet period of the same length is a new stall. Like lifecycle events it is never coalesced.

    ``stalled_for`` is seconds since the last progress (or the start of the call); ``last_sequence`` is that
    progress event's sequence (0: none yet). The span gets the same record as an ``agents_otel.tool.stalled``
    event at ``timestamp`` (Unix nanoseconds).
    """

    call: ToolCallIdentity
    stalled_for: float
    stall_timeout: float
    last_sequence: int
    timestamp: int
    type: Literal["tool_stalled_stream_event"] = field(default="tool_stalled_stream_event", init=False)


@dataclass(slots=True)
class GuardrailTripwireStreamEvent:
    """A guardrail's tripwire fired; the run ends with ``InputGuardrailTripwireTriggered`` or
    ``OutputGuardrailTripwireTriggered`` (an agent's guardrail), ``ToolInputGuardrailTripwireTriggered`` or
    ``ToolOutputGuardrailTripwireTriggered`` (a tool's) right after this event. (Ours: the SDK only raises.)"""

    guardrail_name: str
    guardrail_type: Literal["input", "output", "tool_input", "tool_output"]
    agent_name: str
    output_info: Any
    type: Literal["guardrail_tripwire_triggered"] = field(default="guardrail_tripwire_triggered", init=False)


StreamEvent = (
    RawResponsesStreamEvent
    | RunItemStreamEvent
    | AgentUpdatedStreamEvent
    | ToolProgressStreamEvent
    | ToolStalledStreamEvent
    | GuardrailTripwireStreamEvent
)
