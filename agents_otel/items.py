"""The items a run works with.

Two families live here because they are two views of one conversation: *conversation items* are what a model
reads and writes (provider-neutral, converted by each Model), and *run items* are what the application sees in
``RunResult.new_items`` and in ``RunItemStreamEvent``s, enriched with trace identity so a UI can link to the trace.

They are plain (not frozen) slotted dataclasses: a frozen dataclass pays ``object.__setattr__`` per field, and
several are built per tool call. Treat them as read-only; the same item object may reach several streams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# ---- conversation items (model input and output) ----------------------------------------------------------


@dataclass(slots=True)
class UserMessage:
    content: str
    type: Literal["user_message"] = field(default="user_message", init=False)


@dataclass(slots=True)
class AssistantMessage:
    content: str
    type: Literal["assistant_message"] = field(default="assistant_message", init=False)


@dataclass(slots=True)
class FunctionCall:
    """A tool call requested by the model. ``call_id`` is the model's own id, used unchanged everywhere."""

    name: str
    arguments: str
    call_id: str
    type: Literal["function_call"] = field(default="function_call", init=False)


@dataclass(slots=True)
class FunctionCallOutput:
    call_id: str
    output: str
    type: Literal["function_call_output"] = field(default="function_call_output", init=False)


ConversationItem = UserMessage | AssistantMessage | FunctionCall | FunctionCallOutput
ModelOutputItem = AssistantMessage | FunctionCall

# ---- run items (what the application sees) ----------------------------------------------------------------


@dataclass(slots=True)
class ToolCallItem:
    """A tool call has started. ``trace_id``/``span_id`` (hex) identify its ``execute_tool`` span."""

    call_id: str
    tool_name: str
    arguments: str
    agent_name: str
    trace_id: str
    span_id: str
    parent_tool_call_id: str | None = None
    type: Literal["tool_call_item"] = field(default="tool_call_item", init=False)


@dataclass(slots=True)
class ToolCallOutputItem:
    """A tool call has finished. ``output`` is the tool's return value as returned (the model gets it as text)."""

    call_id: str
    tool_name: str
    output: Any
    agent_name: str
    trace_id: str
    span_id: str
    is_error: bool = False
    error_type: str | None = None
    parent_tool_call_id: str | None = None
    type: Literal["tool_call_output_item"] = field(default="tool_call_output_item", init=False)


@dataclass(slots=True)
class MessageOutputItem:
    text: str
    agent_name: str
    type: Literal["message_output_item"] = field(default="message_output_item", init=False)


@dataclass(slots=True)
class HandoffCallItem:
    """The model asked to hand the conversation to another agent (a ``transfer_to_<agent>`` call)."""

    call_id: str
    tool_name: str
    arguments: str
    agent_name: str
    type: Literal["handoff_call_item"] = field(default="handoff_call_item", init=False)


@dataclass(slots=True)
class HandoffOutputItem:
    """The handoff happened: ``target_agent`` now runs. ``output`` is what the model read for the call."""

    call_id: str
    tool_name: str
    output: str
    source_agent: Any
    target_agent: Any
    agent_name: str
    type: Literal["handoff_output_item"] = field(default="handoff_output_item", init=False)


RunItem = ToolCallItem | ToolCallOutputItem | MessageOutputItem | HandoffCallItem | HandoffOutputItem
