"""``ToolApprovalItem``: a run item for a tool call that waits for a person's decision (human-in-the-loop).

A module of its own because ``items`` is at its size limit; ``items.RunItem`` names it by forward reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .items import FunctionCall, RunItemBase
from .responses_format import function_call_object

if TYPE_CHECKING:
    from openai.types.responses import ResponseFunctionToolCall


@dataclass(slots=True, eq=False)
class ToolApprovalItem(RunItemBase):
    """A tool call that waits for a person's decision: the run stopped before running it (``result.interruptions``).

    Approve or reject it on ``result.to_state()`` and pass that state back to ``Runner.run``. ``raw_item`` is the
    model's ``function_call``, as in the SDK. Compared by identity, as in the SDK: two calls with the same
    arguments are two decisions.
    """

    tool_call: FunctionCall
    agent_name: str
    type: Literal["tool_approval_item"] = field(default="tool_approval_item", init=False)

    @property
    def tool_name(self) -> str:
        return self.tool_call.name

    @property
    def name(self) -> str:
        """The SDK's other name for :attr:`tool_name`."""
        return self.tool_call.name

    @property
    def arguments(self) -> str:
        """The model's arguments, as JSON text."""
        return self.tool_call.arguments

    @property
    def call_id(self) -> str:
        return self.tool_call.call_id

    def conversation_item(self) -> FunctionCall:
        return self.tool_call

    def _raw_item(self) -> ResponseFunctionToolCall:
        call = self.tool_call
        return function_call_object(call.call_id, call.name, call.arguments)


__all__ = ["ToolApprovalItem"]
