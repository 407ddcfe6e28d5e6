"""A hosted tool's call in the model's answer as a run item (``WebSearchTool`` and the other tools the provider runs).

Why apart from the agent loop: the item needs a trace identity, and a hosted call has no ``execute_tool`` span of
its own (it ran on the provider's side, inside the model call); its identity is the ``chat`` span that returned it,
where the call is also recorded as an event.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .exceptions import ModelBehaviorError
from .hosted_tools import HostedToolCallItem, hosted_tool_name
from .items import ToolCallIdentity, made_by
from .tool_search import TOOL_SEARCH_ITEM_TYPES, ToolSearchCallItem, ToolSearchOutputItem
from .tracing.ids import span_id_hex

if TYPE_CHECKING:
    from .agent import Agent
    from .run_runtime import RunRuntime


_HOSTED_REQUEST_KEYS = ("action", "queries", "code", "container_id")
"""The parts of a hosted call item that say what the model asked the tool for (its ``arguments``); results stay out."""


def hosted_call_item(
    data: dict[str, Any], agent: Agent[Any], run: RunRuntime, name: str | None = None
) -> HostedToolCallItem | ToolSearchCallItem | ToolSearchOutputItem | None:
    """The run item for a hosted call in the model's answer (``None``: the item is not a hosted call). Its trace
    identity is the ``chat`` span that made it, where the call is recorded as an event. A tool search's call and
    output are items of their own, as in the SDK. ``name``: the tool's, for a call whose item type alone does not
    say it ran on the provider's side (a hosted-environment shell's ``shell_call``)."""
    kind = data.get("type")
    if kind in TOOL_SEARCH_ITEM_TYPES:
        return _tool_search_item(data, agent)
    name = name or hosted_tool_name(data)
    if name is None:
        return None
    context = run.chat_span.get_span_context() if run.chat_span is not None else None
    call = ToolCallIdentity(
        tool_call_id=str(data.get("id", "")),
        tool_name=name,
        agent_name=agent.name,
        trace_id=run.trace_id_hex(context.trace_id) if context is not None and context.is_valid else "",
        span_id=span_id_hex(context.span_id) if context is not None and context.is_valid else "",
        parent_tool_call_id=run.parent_tool_call_id,
    )
    call._agent = agent
    arguments = data.get("arguments")  # an mcp_call's: the MCP tool's arguments, JSON text as a function call's
    if not isinstance(arguments, str):
        arguments = json.dumps({k: data[k] for k in _HOSTED_REQUEST_KEYS if k in data})
    item = HostedToolCallItem(call=call, arguments=arguments, data=data)
    return made_by(item, agent)


def _tool_search_item(data: dict[str, Any], agent: Agent[Any]) -> ToolSearchCallItem | ToolSearchOutputItem:
    if data.get("type") == "tool_search_output":
        return made_by(ToolSearchOutputItem(data, agent.name), agent)
    if data.get("execution") == "client":  # as the SDK: nothing here would answer it, and the run would wait forever
        raise ModelBehaviorError(
            "The model made a client-executed tool_search call, which the runner does not execute: handle the "
            "tool_search_call yourself and send a tool_search_output with the same call_id"
        )
    return made_by(ToolSearchCallItem(data, agent.name), agent)
