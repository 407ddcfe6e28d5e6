"""Hosted tool search and programmatic tool calling (OpenAI Responses API only), with the SDK's classes.

Why hosted tools: OpenAI runs both. ``ToolSearchTool`` lets the model load deferred tools (``defer_loading=True``,
``tool_namespace(...)``) on demand; its ``tool_search_call`` / ``tool_search_output`` output items are shown as
``ToolSearchCallItem`` / ``ToolSearchOutputItem`` (streamed as ``tool_search_called`` /
``tool_search_output_created``) and go back to the model as they came. ``ProgrammaticToolCallingTool`` lets code the
model writes call the tools whose ``allowed_callers`` include ``"programmatic"``; such calls run here
(:mod:`agents_otel.programmatic_calls`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .exceptions import UserError
from .items import RawInputItem, RunItemBase

if TYPE_CHECKING:
    from .stream_events import RunItemEventName

_EXECUTIONS = ("server", "client")


@dataclass
class ToolSearchTool:
    """Hosted tool search over the agent's deferred tools. ``execution="client"`` is refused by a run (as in the
    SDK: the runner does not answer client-side searches); ``parameters`` is the client search's JSON schema."""

    description: str | None = None
    execution: Literal["server", "client"] | None = None
    parameters: object | None = None

    def __post_init__(self) -> None:
        if self.execution is not None and self.execution not in _EXECUTIONS:
            raise UserError(f"ToolSearchTool execution must be 'server', 'client' or None, got {self.execution!r}")
        if self.description is not None and not isinstance(self.description, str):
            raise UserError("ToolSearchTool description must be a string or None")

    @property
    def name(self) -> str:
        return "tool_search"

    @property
    def include(self) -> str | None:
        return None

    def tool_param(self) -> dict[str, Any]:
        param: dict[str, Any] = {"type": "tool_search"}
        if self.description is not None:
            param["description"] = self.description
        if self.execution is not None:
            param["execution"] = self.execution
        if self.parameters is not None:
            param["parameters"] = self.parameters
        return param


@dataclass
class ProgrammaticToolCallingTool:
    """Lets code the model writes (run by OpenAI) call the tools whose ``allowed_callers`` include
    ``"programmatic"``."""

    @property
    def name(self) -> str:
        return "programmatic_tool_calling"

    @property
    def include(self) -> str | None:
        return None

    def tool_param(self) -> dict[str, Any]:
        return {"type": "programmatic_tool_calling"}


def replayable(data: dict[str, Any]) -> dict[str, Any]:
    """A tool search item as model input: without ``created_by``, which only the API's output carries."""
    return {key: value for key, value in data.items() if key != "created_by"}


@dataclass(slots=True)
class ToolSearchCallItem(RunItemBase):
    """The model searched its deferred tools (a ``tool_search_call``, run by OpenAI). ``raw_item`` is the item as it
    came (a dict); ``to_input_item()`` returns it to the model."""

    raw: dict[str, Any]
    agent_name: str
    type: Literal["tool_search_call_item"] = field(default="tool_search_call_item", init=False)
    event_name: ClassVar[RunItemEventName] = "tool_search_called"

    def conversation_item(self) -> RawInputItem:
        return RawInputItem(replayable(self.raw))

    def _raw_item(self) -> Any:
        return self.raw


@dataclass(slots=True)
class ToolSearchOutputItem(RunItemBase):
    """What a tool search loaded (a ``tool_search_output``: the tools now offered to the model)."""

    raw: dict[str, Any]
    agent_name: str
    type: Literal["tool_search_output_item"] = field(default="tool_search_output_item", init=False)
    event_name: ClassVar[RunItemEventName] = "tool_search_output_created"

    def conversation_item(self) -> RawInputItem:
        return RawInputItem(replayable(self.raw))

    def _raw_item(self) -> Any:
        return self.raw


TOOL_SEARCH_ITEM_TYPES = frozenset(("tool_search_call", "tool_search_output"))

__all__ = [
    "TOOL_SEARCH_ITEM_TYPES",
    "ProgrammaticToolCallingTool",
    "ToolSearchCallItem",
    "ToolSearchOutputItem",
    "ToolSearchTool",
]
