"""The items a run works with.

Two families meet here because they are two views of one conversation: *conversation items* are what a model reads
and writes (defined in ``conversation_items``, re-exported here), and *run items* are what the application sees in
``RunResult.new_items`` and in ``RunItemStreamEvent``s, enriched with trace identity so a UI can link to the trace.
Plain (not frozen) slotted dataclasses: a frozen one pays ``object.__setattr__`` per field, and several are built
per tool call. Treat them as read-only; the same item object may reach several streams."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar, Union

from .computer import ComputerCallText, ComputerScreenshot
from .conversation_items import (
    AssistantMessage as AssistantMessage,
)
from .conversation_items import (
    ConversationItem as ConversationItem,
)
from .conversation_items import (
    FunctionCall as FunctionCall,
)
from .conversation_items import (
    FunctionCallOutput as FunctionCallOutput,
)
from .conversation_items import (
    ModelOutputItem as ModelOutputItem,
)
from .conversation_items import (
    ProgramCall as ProgramCall,
)
from .conversation_items import (
    ProviderDataCall as ProviderDataCall,
)
from .conversation_items import (
    RawInputItem as RawInputItem,
)
from .conversation_items import (
    SystemMessage as SystemMessage,
)
from .conversation_items import (
    UserMessage as UserMessage,
)
from .conversation_items import (
    input_dict as input_dict,
)
from .exceptions import UserError
from .responses_format import function_call_object, hosted_call_object, output_message_object, reasoning_object
from .tool_call_identity import _DERIVED_SLOTS as _DERIVED_SLOTS
from .tool_call_identity import ToolCallIdentified as ToolCallIdentified
from .tool_call_identity import ToolCallIdentity as ToolCallIdentity
from .tool_call_identity import _AgentSlot as _AgentSlot
from .tool_call_identity import new_identity as new_identity
from .tool_call_identity import program_of as program_of
from .tool_output_types import model_output

Built = TypeVar("Built", bound="RunItemBase")

if TYPE_CHECKING:
    from openai.types.responses import (
        Response,
        ResponseFunctionToolCall,
        ResponseOutputItem,
        ResponseOutputMessage,
        ResponseReasoningItem,
        ResponseStreamEvent,
    )

    from .admitted_input import InputItem as InputItem
    from .approval_item import ToolApprovalItem as ToolApprovalItem
    from .compaction_item import CompactionItem as CompactionItem
    from .hosted_mcp import MCPApprovalRequestItem as MCPApprovalRequestItem
    from .hosted_mcp import MCPApprovalResponseItem as MCPApprovalResponseItem
    from .hosted_mcp import MCPListToolsItem as MCPListToolsItem
    from .item_helpers import ItemHelpers as ItemHelpers
    from .models.interface import ModelResponse as ModelResponse
    from .models.openai_responses import TResponseInputItem as TResponseInputItem
    from .tool_search import ToolSearchCallItem as ToolSearchCallItem
    from .tool_search import ToolSearchOutputItem as ToolSearchOutputItem

    TResponse: TypeAlias = Response
    TResponseOutputItem: TypeAlias = ResponseOutputItem
    TResponseStreamEvent: TypeAlias = ResponseStreamEvent

_new = object.__new__


# ---- run items (what the application sees) ----------------------------------------------------------------


class RunItemBase(_AgentSlot):
    """What every run item offers as the OpenAI Agents SDK's ``RunItemBase`` does: ``agent``, ``raw_item`` (the
    Responses API object the item stands for) and ``to_input_item()`` (that item as model input).
    Why derived, not stored: this runtime keeps one provider-neutral record per item, and SDK code reads
    ``item.raw_item`` / ``item.agent.name`` in nearly every stream loop. Both views are built from the record on first
    read (``raw_item`` then kept, the same object on every read), through :mod:`agents_otel.responses_format`, so they
    hold exactly what the model was sent: a tool's output as the text the model read (a computer call's, its
    ``computer_call_output``), an assistant message without a provider id (``__fake_id__`` where one is required)."""

    __slots__ = ("_raw",)
    _raw: Any

    def conversation_item(self) -> ConversationItem:
        """The item as the model reads it (a handoff input filter's result goes back into the conversation so)."""
        raise NotImplementedError

    def to_input_item(self) -> dict[str, Any]:
        """The item in the Responses API's input format, as ``to_input_list()`` gives it."""
        return input_dict(self.conversation_item())

    def _raw_item(self) -> Any:
        return self.to_input_item()

    @property
    def raw_item(self) -> Any:
        try:
            return self._raw
        except AttributeError:
            raw = self._raw = self._raw_item()
            return raw


@dataclass(slots=True, kw_only=True)
class ToolCallItem(ToolCallIdentified, RunItemBase):
    """A tool call has started; ``arguments`` is the model's raw JSON."""

    call: ToolCallIdentity
    arguments: str
    type: Literal["tool_call_item"] = field(default="tool_call_item", init=False)

    def conversation_item(self) -> FunctionCall | RawInputItem:
        if isinstance(self.arguments, ComputerCallText):  # a computer call: the model's own computer_call item
            return RawInputItem(self.arguments.item)
        if (program := program_of(self.call)) is not None:  # a program's call: as the model wrote it, caller and all
            call = program[0]
            fields = {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments}
            return RawInputItem(dict(call.item) or {**fields, "caller": dict(call.caller)})
        return FunctionCall(self.call.tool_name, self.arguments, self.call.tool_call_id)

    def _raw_item(self) -> Any:
        if isinstance(self.arguments, ComputerCallText):
            return hosted_call_object(self.arguments.item)
        if program_of(self.call) is not None:
            return hosted_call_object(self.to_input_item())
        return function_call_object(self.call.tool_call_id, self.call.tool_name, self.arguments)


@dataclass(slots=True, kw_only=True)
class ToolCallOutputItem(ToolCallIdentified, RunItemBase):
    """A tool call has finished. ``output`` is the tool's return value as returned (what the model got, text or
    content parts, is in ``raw_item``, a ``function_call_output`` dict as in the SDK)."""

    call: ToolCallIdentity
    output: Any
    is_error: bool = False
    error_type: str | None = None
    custom_data: dict[str, Any] | None = None  # the tool's custom_data_extractor's (JSON-safe), never sent
    type: Literal["tool_call_output_item"] = field(default="tool_call_output_item", init=False)

    def conversation_item(self) -> FunctionCallOutput | RawInputItem:
        if isinstance(self.output, ComputerScreenshot):  # a computer call's: its computer_call_output item
            return RawInputItem(self.output.item)
        if (program := program_of(self.call)) is not None:  # a program's call: answered as the program read it
            from .tool_output_schema import program_answer_dict, program_output

            call, schema = program
            text = model_output(self.output)
            with suppress(UserError):  # not the JSON object its schema declares: the run failed on it; text as it was
                text = program_output(text, schema, call.failed, call.name)
            return RawInputItem(program_answer_dict(call, text))
        return FunctionCallOutput(self.call.tool_call_id, model_output(self.output))


def new_tool_call_item(call: ToolCallIdentity, arguments: str) -> ToolCallItem:
    """``ToolCallItem(call=..., arguments=...)`` for the hot path (see :func:`new_identity`)."""
    item: ToolCallItem = _new(ToolCallItem)
    item.call = call
    item.arguments = arguments
    item.type = "tool_call_item"
    return item


def new_tool_call_output_item(call: ToolCallIdentity, output: Any, error_type: str | None) -> ToolCallOutputItem:
    """``ToolCallOutputItem(call=..., output=..., is_error=..., error_type=...)`` for the hot path."""
    item: ToolCallOutputItem = _new(ToolCallOutputItem)
    item.call = call
    item.output = output
    item.is_error = error_type is not None
    item.error_type = error_type
    item.custom_data = None
    item.type = "tool_call_output_item"
    return item


@dataclass(slots=True)
class MessageOutputItem(RunItemBase):
    """The model wrote a message (a run item, streamed as ``message_output_created``); ``raw_item`` is the SDK's
    ``ResponseOutputMessage``. ``refusal``: its refusal text (a ``refusal`` part in ``raw_item``), or ``""``.
    ``annotations``: its text's (``AssistantMessage.annotations``), in ``raw_item.content[0].annotations``."""

    text: str
    agent_name: str
    refusal: str = ""
    annotations: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    type: Literal["message_output_item"] = field(default="message_output_item", init=False)

    def conversation_item(self) -> AssistantMessage:
        return AssistantMessage(self.text, self.refusal, self.annotations)

    def _raw_item(self) -> ResponseOutputMessage:
        return output_message_object(self.text, self.refusal, self.annotations)


@dataclass(slots=True)
class HandoffCallItem(RunItemBase):
    """The model asked to hand the conversation to another agent (a ``transfer_to_<agent>`` call)."""

    call_id: str
    tool_name: str
    arguments: str
    agent_name: str
    type: Literal["handoff_call_item"] = field(default="handoff_call_item", init=False)

    def conversation_item(self) -> FunctionCall:
        return FunctionCall(self.tool_name, self.arguments, self.call_id)

    def _raw_item(self) -> ResponseFunctionToolCall:
        return function_call_object(self.call_id, self.tool_name, self.arguments)


@dataclass(slots=True)
class HandoffOutputItem(RunItemBase):
    """The handoff happened: ``target_agent`` now runs. ``output`` is what the model read for the call."""

    call_id: str
    tool_name: str
    output: str
    source_agent: Any
    target_agent: Any
    agent_name: str
    type: Literal["handoff_output_item"] = field(default="handoff_output_item", init=False)

    @property
    def agent(self) -> Any:
        """The agent that handed off (``source_agent``), as in the SDK."""
        return self.source_agent

    def conversation_item(self) -> FunctionCallOutput:
        return FunctionCallOutput(self.call_id, self.output)


@dataclass(slots=True)
class ReasoningItem(RunItemBase):
    """A reasoning model's ``reasoning`` output item, as in the SDK (streamed as ``reasoning_item_created``).
    ``data`` is the Responses API item as JSON (``id``, ``summary`` parts, ``encrypted_content`` when requested);
    it goes back to the model on the next turn unchanged, so the model keeps its reasoning across tool calls."""

    data: dict[str, Any]
    agent_name: str
    type: Literal["reasoning_item"] = field(default="reasoning_item", init=False)

    @property
    def summary_text(self) -> str:
        """The summary's text parts, joined ("" when the model gave no summary)."""
        parts = self.data.get("summary") or ()
        return "".join(p.get("text", "") for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))

    def conversation_item(self) -> RawInputItem:
        return RawInputItem(self.data)

    def _raw_item(self) -> ResponseReasoningItem:
        return reasoning_object(self.data)


def made_by(item: Built, agent: Any) -> Built:
    """``item`` with the agent whose run made it (read back as ``item.agent``)."""
    item._agent = agent
    return item


# ``Union`` for the forward references: ``approval_item``, ``hosted_mcp``, ``compaction_item`` build on this module.
RunItem = Union[
    ToolCallItem, ToolCallOutputItem, MessageOutputItem, HandoffCallItem, HandoffOutputItem, ReasoningItem,
    "ToolApprovalItem", "MCPListToolsItem", "MCPApprovalRequestItem", "MCPApprovalResponseItem", "CompactionItem",
    "InputItem",
]


_ELSEWHERE = {
    "CompactionItem": (".compaction_item", "CompactionItem"),
    "InputItem": (".admitted_input", "InputItem"),
    "ItemHelpers": (".item_helpers", "ItemHelpers"),
    "MCPApprovalRequestItem": (".hosted_mcp", "MCPApprovalRequestItem"),
    "MCPApprovalResponseItem": (".hosted_mcp", "MCPApprovalResponseItem"),
    "MCPListToolsItem": (".hosted_mcp", "MCPListToolsItem"),
    "ModelResponse": (".models.interface", "ModelResponse"),
    "TResponse": ("openai.types.responses", "Response"),
    "TResponseInputItem": (".models.openai_responses", "TResponseInputItem"),
    "TResponseOutputItem": ("openai.types.responses", "ResponseOutputItem"),
    "TResponseStreamEvent": ("openai.types.responses", "ResponseStreamEvent"),
    "ToolApprovalItem": (".approval_item", "ToolApprovalItem"),
    "ToolSearchCallItem": (".tool_search", "ToolSearchCallItem"),
    "ToolSearchOutputItem": (".tool_search", "ToolSearchOutputItem"),
}
"""Names SDK code imports from ``agents.items`` whose modules import this one (or ``openai``, which a run on a
scripted model never loads): loaded on first use (PEP 562), so ``from agents_otel.items import ModelResponse``
gives the root's very object without an import cycle."""


def __getattr__(name: str) -> Any:
    where = _ELSEWHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(where[0], __package__), where[1])
    globals()[name] = value
    return value
