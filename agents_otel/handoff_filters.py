"""Ready-made handoff input filters (``handoff(agent, input_filter=...)``), as in the SDK's ``handoff_filters``
(which also offers the nested-history functions, so they are here too)."""

from __future__ import annotations

from typing import Any

from .approval_item import ToolApprovalItem
from .handoff_history import default_handoff_history_mapper, nest_handoff_history
from .handoffs import HandoffInputData
from .hosted_mcp import MCPApprovalRequestItem, MCPApprovalResponseItem, MCPListToolsItem
from .items import (
    FunctionCall,
    FunctionCallOutput,
    HandoffCallItem,
    HandoffOutputItem,
    RawInputItem,
    ReasoningItem,
    ToolCallItem,
    ToolCallOutputItem,
)

_TOOL_ITEM_TYPES = frozenset(
    {
        "function_call",
        "function_call_output",
        "computer_call",
        "computer_call_output",
        "file_search_call",
        "web_search_call",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "mcp_approval_response",
        "local_shell_call",
        "local_shell_call_output",
        "custom_tool_call",
        "custom_tool_call_output",
        "shell_call",
        "shell_call_output",
        "apply_patch_call",
        "apply_patch_call_output",
        "code_interpreter_call",
        "image_generation_call",
        "tool_search_call",
        "tool_search_output",
        "hosted_tool_call",
        "reasoning",  # as the SDK's filter: reasoning about tool calls goes with them
    }
)
_TOOL_RUN_ITEMS = (
    HandoffCallItem,
    HandoffOutputItem,
    ToolCallItem,
    ToolCallOutputItem,
    ReasoningItem,
    MCPListToolsItem,
    MCPApprovalRequestItem,
    MCPApprovalResponseItem,
    ToolApprovalItem,
)


def remove_all_tools(handoff_input_data: HandoffInputData) -> HandoffInputData:
    """The next agent sees the conversation without any tool or handoff calls, their outputs and the reasoning
    items that went with them."""
    history = handoff_input_data.input_history
    input_items = handoff_input_data.input_items
    if input_items is not None:
        input_items = tuple(i for i in input_items if not isinstance(i, _TOOL_RUN_ITEMS))
    if not isinstance(history, str):
        history = tuple(item for item in history if not _is_tool_input_item(item))
    return handoff_input_data.clone(
        input_history=history,
        pre_handoff_items=tuple(i for i in handoff_input_data.pre_handoff_items if not isinstance(i, _TOOL_RUN_ITEMS)),
        new_items=tuple(i for i in handoff_input_data.new_items if not isinstance(i, _TOOL_RUN_ITEMS)),
        # filtered too, so a filter chained after nest_handoff_history neither drops nor brings back tool items
        input_items=input_items,
    )


def _is_tool_input_item(item: Any) -> bool:
    if isinstance(item, FunctionCall | FunctionCallOutput):
        return True
    if isinstance(item, RawInputItem):
        item = item.data
    return isinstance(item, dict) and item.get("type") in _TOOL_ITEM_TYPES


__all__ = ["default_handoff_history_mapper", "nest_handoff_history", "remove_all_tools"]
