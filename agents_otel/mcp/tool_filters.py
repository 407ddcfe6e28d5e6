"""Which of a server's tools an agent is offered (static lists or a callable asked per listing), and the ``_meta``
a ``tools/call`` carries (the SDK's ``tool_meta_resolver``): the SDK's ``agents.mcp.util`` types, our own code.

A callable filter sees a detached copy of each tool (a filter that mutates it cannot change the cached listing).
One that raises drops its tool, as in the SDK, but not quietly: the error is logged and recorded on the current
span (the agent's, during a run) as an ``mcp.tool_filter.error`` event with the exception. One that returns
something other than a bool is a :class:`~agents_otel.exceptions.UserError`, not a truthiness guess.
"""

from __future__ import annotations

import copy
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NotRequired, TypeAlias, TypedDict

from opentelemetry import trace

from ..exceptions import UserError

if TYPE_CHECKING:
    from ..agent import AgentBase
    from ..context_wrapper import RunContextWrapper

logger = logging.getLogger("agents_otel")

TOOL_FILTER_ERROR_EVENT = "mcp.tool_filter.error"


class ToolFilterStatic(TypedDict):
    allowed_tool_names: NotRequired[list[str]]
    blocked_tool_names: NotRequired[list[str]]


def create_static_tool_filter(
    allowed_tool_names: list[str] | None = None, blocked_tool_names: list[str] | None = None
) -> ToolFilterStatic | None:
    """As in the OpenAI Agents SDK: a filter that keeps ``allowed_tool_names`` and drops ``blocked_tool_names``."""
    if allowed_tool_names is None and blocked_tool_names is None:
        return None
    found: ToolFilterStatic = {}
    if allowed_tool_names is not None:
        found["allowed_tool_names"] = allowed_tool_names
    if blocked_tool_names is not None:
        found["blocked_tool_names"] = blocked_tool_names
    return found


@dataclass
class ToolFilterContext:
    """What a callable ``tool_filter`` is told besides the tool: the run, the agent listing, the server."""

    run_context: RunContextWrapper[Any]
    agent: AgentBase[Any]
    server_name: str


ToolFilterCallable: TypeAlias = Callable[[ToolFilterContext, Any], "bool | Awaitable[bool]"]
"""``(context, tool) -> bool`` (sync or async), asked for each listed tool (the ``mcp`` SDK's ``Tool``)."""

ToolFilter: TypeAlias = "ToolFilterCallable | ToolFilterStatic | None"


@dataclass
class MCPToolMetaContext:
    """What a ``tool_meta_resolver`` is told about the call it adds ``_meta`` to."""

    run_context: RunContextWrapper[Any]
    server_name: str
    tool_name: str
    arguments: dict[str, Any] | None


MCPToolMetaResolver: TypeAlias = Callable[
    [MCPToolMetaContext], "dict[str, Any] | Awaitable[dict[str, Any] | None] | None"
]
"""``(MCPToolMetaContext) -> dict | None`` (sync or async): the ``_meta`` of each ``tools/call`` of a server."""


def check_tool_filter(tool_filter: object) -> None:
    if tool_filter is not None and not isinstance(tool_filter, dict) and not callable(tool_filter):
        raise UserError(
            "tool_filter must be a dict (see create_static_tool_filter), a callable (context, tool) -> bool, or "
            f"None; got {type(tool_filter).__name__}"
        )


def keep_static(tool_filter: ToolFilterStatic, name: str) -> bool:
    allowed = tool_filter.get("allowed_tool_names")
    if allowed is not None and name not in allowed:
        return False
    return name not in tool_filter.get("blocked_tool_names", ())


async def apply_tool_filter(
    tool_filter: ToolFilter, tools: list[Any], server_name: str, run_context: Any, agent: Any
) -> list[Any]:
    """The tools ``tool_filter`` keeps, in order."""
    if tool_filter is None:
        return tools
    if isinstance(tool_filter, dict):
        return [t for t in tools if keep_static(tool_filter, str(t.name))]
    if run_context is None or agent is None:
        raise UserError(
            f"MCP server {server_name!r} has a callable tool_filter: list_tools() needs run_context and agent "
            "(an agent's run passes them)"
        )
    context = ToolFilterContext(run_context=run_context, agent=agent, server_name=server_name)
    kept: list[Any] = []
    for tool in tools:
        try:
            verdict = tool_filter(context, tool.model_copy(deep=True))
            if inspect.isawaitable(verdict):
                verdict = await verdict
        except Exception as exc:
            _record_filter_error(server_name, str(tool.name), exc)
            continue
        if not isinstance(verdict, bool):
            raise UserError(
                f"MCP server {server_name!r}: tool_filter returned {type(verdict).__name__} for tool "
                f"{tool.name!r}, expected a bool"
            )
        if verdict:
            kept.append(tool)
    return kept


def _record_filter_error(server_name: str, tool_name: str, exc: Exception) -> None:
    logger.warning(
        "agents_otel.mcp: tool_filter of server %r raised for tool %r; the tool is not offered",
        server_name,
        tool_name,
        exc_info=exc,
    )
    span = trace.get_current_span()
    span.add_event(
        TOOL_FILTER_ERROR_EVENT,
        {
            "mcp.server.name": server_name,
            "gen_ai.tool.name": tool_name,
            "exception.type": type(exc).__qualname__,
            "exception.message": str(exc),
        },
    )


async def resolve_meta(
    resolver: MCPToolMetaResolver | None,
    static: dict[str, Any] | None,
    run_context: Any,
    server_name: str,
    tool_name: str,
    arguments: dict[str, Any],
) -> dict[str, Any]:
    """The ``_meta`` of one call: the resolver's, then the listed tool's own ``_meta`` over it (as in the SDK)."""
    meta: dict[str, Any] = {}
    if resolver is not None:
        context = MCPToolMetaContext(
            run_context=run_context, server_name=server_name, tool_name=tool_name, arguments=copy.deepcopy(arguments)
        )
        found = resolver(context)
        if inspect.isawaitable(found):
            found = await found
        if found is not None and not isinstance(found, dict):
            raise UserError(
                f"MCP server {server_name!r}: tool_meta_resolver returned {type(found).__name__}, expected a dict "
                "or None"
            )
        meta.update(copy.deepcopy(found or {}))
    if static:
        meta.update(copy.deepcopy(static))
    return meta


def static_meta(tool: Any) -> dict[str, Any] | None:
    """A listed tool's own ``_meta``, if it has one."""
    found = getattr(tool, "meta", None)
    return found if isinstance(found, dict) and found else None
