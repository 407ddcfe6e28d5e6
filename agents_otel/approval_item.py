"""``ToolApprovalItem``: a run item for a tool call that waits for a person's decision (human-in-the-loop).

A module of its own because ``items`` is at its size limit; ``items.RunItem`` names it by forward reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .items import FunctionCall, RawInputItem, RunItemBase
from .responses_format import function_call_object, hosted_call_object

if TYPE_CHECKING:
    from openai.types.responses import ResponseFunctionToolCall


@dataclass(slots=True, eq=False)
class ToolApprovalItem(RunItemBase):
    """A tool call that waits for a person's decision: the run stopped before running it (``result.interruptions``).

    Approve or reject it on ``result.to_state()`` and pass that state back to ``Runner.run``. ``raw_item`` is the
    model's ``function_call``, as in the SDK. Compared by identity, as in the SDK: two calls with the same
    arguments are two decisions.

    A hosted MCP server's approval request (a ``HostedMCPTool`` without ``on_approval_request``) waits as one too:
    ``raw_item`` is then the ``openai`` ``McpApprovalRequest``, ``tool_name`` / ``arguments`` / ``call_id`` its
    ``name`` / ``arguments`` / ``id``, and ``server_label`` names its server.
    """

    tool_call: FunctionCall
    agent_name: str
    type: Literal["tool_approval_item"] = field(default="tool_approval_item", init=False)
    mcp_request: dict[str, Any] | None = None
    """The ``mcp_approval_request`` output item as it came, for a hosted MCP approval; ``None`` for a function
    call."""

    def __init__(
        self,
        tool_call: Any = None,
        agent_name: Any = None,
        mcp_request: Any = None,
        *,
        agent: Any = None,
        raw_item: Any = None,
        tool_name: str | None = None,
    ) -> None:
        """Ours, ``ToolApprovalItem(call, agent_name)``, or the SDK's, ``ToolApprovalItem(agent, raw_item,
        tool_name)`` (positional or by keyword; ``raw_item`` a ``ResponseFunctionToolCall``, its dict, or a hosted
        MCP ``mcp_approval_request``), as SDK code builds one to decide a call early (``context.approve_tool``)."""
        self.type = "tool_approval_item"
        if raw_item is None and isinstance(agent_name, str):
            self.tool_call, self.agent_name, self.mcp_request = tool_call, agent_name, mcp_request
            if agent is not None:
                self._agent = agent
            return
        agent = agent if agent is not None else tool_call
        raw = raw_item if raw_item is not None else agent_name
        name = tool_name if tool_name is not None else (mcp_request if isinstance(mcp_request, str) else None)
        fields = raw if isinstance(raw, dict) else getattr(raw, "model_dump", lambda **_: None)(exclude_unset=True)
        if not isinstance(fields, dict) and isinstance(raw, FunctionCall):
            fields = {"type": "function_call", "name": raw.name, "arguments": raw.arguments, "call_id": raw.call_id}
        if not isinstance(fields, dict) or not isinstance(getattr(agent, "name", None), str):
            raise TypeError(
                "ToolApprovalItem(agent, raw_item) takes the agent and the model's function_call (a "
                f"ResponseFunctionToolCall or its dict), got {type(agent).__name__} and {type(raw).__name__}"
            )
        self.agent_name, self._agent = agent.name, agent
        self.mcp_request = fields if fields.get("type") == "mcp_approval_request" else None
        call_id = fields.get("id") if self.mcp_request is not None else fields.get("call_id")
        self.tool_call = FunctionCall(
            str(name if name is not None else fields.get("name", "")), str(fields.get("arguments", "")), str(call_id)
        )

    @classmethod
    def for_mcp_request(cls, request: dict[str, Any], agent_name: str) -> ToolApprovalItem:
        """The waiting item of a hosted MCP approval request (the API's ``mcp_approval_request`` dict)."""
        call = FunctionCall(str(request.get("name", "")), str(request.get("arguments", "")), str(request.get("id", "")))
        return cls(call, agent_name, request)

    @property
    def server_label(self) -> str | None:
        """The hosted MCP server asking (``None`` for a function call)."""
        label = self.mcp_request.get("server_label") if self.mcp_request is not None else None
        return label if isinstance(label, str) else None

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

    def conversation_item(self) -> FunctionCall | RawInputItem:
        if self.mcp_request is not None:
            return RawInputItem(self.mcp_request)
        return self.tool_call

    def _raw_item(self) -> ResponseFunctionToolCall | Any:
        if self.mcp_request is not None:
            return hosted_call_object(self.mcp_request)
        call = self.tool_call
        return function_call_object(call.call_id, call.name, call.arguments)


__all__ = ["ToolApprovalItem"]
