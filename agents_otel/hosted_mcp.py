"""``HostedMCPTool``: a remote MCP server that OpenAI's Responses API calls itself, with the OpenAI Agents SDK's
class, approval callback and run items.

Why apart from ``hosted_tools``: besides its ``tools`` entry, a hosted MCP server puts three kinds of item in the
model's answer that are not tool calls: ``mcp_list_tools`` (the server's tools, as the API listed them),
``mcp_approval_request`` (the API waits for the program's decision before calling a tool) and, from the program,
``mcp_approval_response``. Each is a run item of its own here, as in the SDK, and goes back to the model as it came.
An ``mcp_call`` is a tool call like the other hosted ones (``HostedToolCallItem``).

Approvals: ``on_approval_request`` decides each request while the run goes on (the decision is sent on the next
model call). Without it the run stops with the request as an interruption (a ``ToolApprovalItem``), as in the SDK:
``RunState.approve`` / ``reject`` decide it and the resumed run sends the decision.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, NotRequired, TypeAlias, TypedDict

from .exceptions import UserError
from .items import RawInputItem, RunItemBase
from .responses_format import hosted_call_object

if TYPE_CHECKING:
    from openai.types.responses.tool_param import Mcp

    from .context_wrapper import RunContextWrapper

MCP_LIST_TOOLS: Final = "mcp_list_tools"
MCP_APPROVAL_REQUEST: Final = "mcp_approval_request"
MCP_APPROVAL_RESPONSE: Final = "mcp_approval_response"
MCP_ITEM_TYPES: Final = frozenset((MCP_LIST_TOOLS, MCP_APPROVAL_REQUEST))
"""Output item types of a hosted MCP server that are not tool calls (an ``mcp_call`` is one: ``hosted_tools``)."""


@dataclass
class MCPToolApprovalRequest:
    """What ``on_approval_request`` is asked: the run's context and the API's ``mcp_approval_request`` item (the
    ``openai`` object: ``id``, ``server_label``, ``name``, ``arguments``)."""

    ctx_wrapper: RunContextWrapper[Any]
    data: Any


class MCPToolApprovalFunctionResult(TypedDict):
    """``on_approval_request``'s answer: approve or not, and for a rejection an optional reason the model reads."""

    approve: bool
    reason: NotRequired[str]


MCPToolApprovalFunction: TypeAlias = Callable[
    [MCPToolApprovalRequest], "MCPToolApprovalFunctionResult | Awaitable[MCPToolApprovalFunctionResult]"
]
"""Decides one approval request, sync or async."""


@dataclass
class HostedMCPTool:
    """A remote MCP server the model uses through the Responses API (only that API takes it), e.g.
    ``HostedMCPTool(tool_config={"type": "mcp", "server_label": "docs", "server_url": "https://...",
    "require_approval": "never"})``. ``tool_config`` is the API's ``mcp`` tool entry, sent as given.

    With approvals required, ``on_approval_request`` decides each call the server would make; without it such a
    request stops the run for a person's decision (``result.interruptions``). Several servers may sit on one agent,
    told apart by ``server_label`` (which must differ)."""

    tool_config: Mcp
    on_approval_request: MCPToolApprovalFunction | None = None

    def __post_init__(self) -> None:
        config = self.tool_config
        if not isinstance(config, Mapping) or config.get("type") != "mcp":
            raise UserError(f'HostedMCPTool tool_config must be a dict with "type": "mcp", got {config!r}')
        label = config.get("server_label")
        if not isinstance(label, str) or not label:
            raise UserError("HostedMCPTool tool_config needs a server_label (a non-empty string)")
        if not config.get("server_url") and not config.get("connector_id"):
            raise UserError(f"HostedMCPTool {label!r}: tool_config needs a server_url or a connector_id")
        if self.on_approval_request is not None and not callable(self.on_approval_request):
            raise UserError(f"HostedMCPTool {label!r}: on_approval_request must be a function or None")
        self.tool_config = dict(config)  # type: ignore[assignment]

    @property
    def name(self) -> str:
        return "hosted_mcp"

    @property
    def server_label(self) -> str:
        return str(self.tool_config["server_label"])

    @property
    def include(self) -> str | None:
        return None

    def tool_param(self) -> dict[str, Any]:
        return dict(self.tool_config)


class _MCPItem(RunItemBase):
    """What the three items share: the API item as JSON (``data``), sent back unchanged."""

    __slots__ = ()
    data: dict[str, Any]

    @property
    def server_label(self) -> str | None:
        label = self.data.get("server_label")
        return label if isinstance(label, str) else None

    def conversation_item(self) -> RawInputItem:
        return RawInputItem(self.data)

    def _raw_item(self) -> Any:
        return hosted_call_object(self.data)


@dataclass(slots=True)
class MCPListToolsItem(_MCPItem):
    """The tools a hosted MCP server offers, as the API listed them (streamed as ``mcp_list_tools``); ``raw_item``
    is the ``openai`` ``McpListTools``."""

    data: dict[str, Any]
    agent_name: str
    type: Literal["mcp_list_tools_item"] = field(default="mcp_list_tools_item", init=False)


@dataclass(slots=True)
class MCPApprovalRequestItem(_MCPItem):
    """The API asks whether a hosted MCP server may call one of its tools (streamed as ``mcp_approval_requested``);
    ``raw_item`` is the ``openai`` ``McpApprovalRequest``. An ``MCPApprovalResponseItem`` answers it."""

    data: dict[str, Any]
    agent_name: str
    type: Literal["mcp_approval_request_item"] = field(default="mcp_approval_request_item", init=False)


@dataclass(slots=True)
class MCPApprovalResponseItem(_MCPItem):
    """The program's decision on an approval request (streamed as ``mcp_approval_response``), sent to the model on
    its next call; ``raw_item`` is the ``mcp_approval_response`` input item (a dict, as in the SDK)."""

    data: dict[str, Any]
    agent_name: str
    type: Literal["mcp_approval_response_item"] = field(default="mcp_approval_response_item", init=False)

    @property
    def approved(self) -> bool:
        return self.data.get("approve") is True

    def _raw_item(self) -> Any:
        return dict(self.data)


__all__ = [
    "MCP_ITEM_TYPES",
    "HostedMCPTool",
    "MCPApprovalRequestItem",
    "MCPApprovalResponseItem",
    "MCPListToolsItem",
    "MCPToolApprovalFunction",
    "MCPToolApprovalFunctionResult",
    "MCPToolApprovalRequest",
]
