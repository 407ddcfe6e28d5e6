"""The SDK's ``agents.mcp.util`` path: static tool filters, and why the dynamic ones fail to import.

agents_otel filters an MCP server's tools with static allow / block lists only; a callable filter, per-call
``_meta`` resolvers and the SDK's ``MCPUtil`` conversion helpers are not offered, and importing their types says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported
from .client import ToolFilterStatic, create_static_tool_filter

__all__ = ["ToolFilterStatic", "create_static_tool_filter"]

_DYNAMIC = (
    "MCP servers take static tool filters only (a dict, see create_static_tool_filter); a callable filter is a "
    "UserError"
)
_META = "per-call MCP _meta / custom data resolvers are not supported"

__getattr__ = not_supported(
    __name__,
    {
        "ToolFilter": _DYNAMIC,
        "ToolFilterCallable": _DYNAMIC,
        "ToolFilterContext": _DYNAMIC,
        "MCPToolMetaContext": _META,
        "MCPToolMetaResolver": _META,
        "MCPToolCustomDataContext": _META,
        "MCPToolCustomDataExtractor": _META,
        "HttpClientFactory": "MCP servers' HTTP client factories are not supported",
        "MCPUtil": (
            "the SDK's conversion helpers are its internals; an agent's MCP tools are listed by the run "
            "(Agent(mcp_servers=[...])), and await server.list_tools() gives a server's tools"
        ),
    },
)
