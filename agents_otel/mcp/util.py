"""The SDK's ``agents.mcp.util`` path: tool filters (static and callable) and the ``_meta`` resolver's types.

Not offered, and said at the import: the SDK's ``MCPUtil`` (its internal conversion of listed tools into function
tools; here an agent's run lists and converts them, and ``await server.list_tools()`` gives a server's tools),
``custom_data_extractor``'s MCP context, and HTTP client factories.
"""

from __future__ import annotations

from .._sdk_paths import not_supported
from .tool_filters import (
    MCPToolMetaContext,
    MCPToolMetaResolver,
    ToolFilter,
    ToolFilterCallable,
    ToolFilterContext,
    ToolFilterStatic,
    create_static_tool_filter,
)

__all__ = [
    "MCPToolMetaContext",
    "MCPToolMetaResolver",
    "ToolFilter",
    "ToolFilterCallable",
    "ToolFilterContext",
    "ToolFilterStatic",
    "create_static_tool_filter",
]

_CUSTOM_DATA = "MCP servers' custom_data_extractor (SDK-only data on MCP tool output items) is not supported"

__getattr__ = not_supported(
    __name__,
    {
        "MCPToolCustomDataContext": _CUSTOM_DATA,
        "MCPToolCustomDataExtractor": _CUSTOM_DATA,
        "HttpClientFactory": "MCP servers' HTTP client factories are not supported",
        "MCPUtil": (
            "the SDK's conversion helpers are its internals; an agent's MCP tools are listed and converted by the run "
            "(Agent(mcp_servers=[...]); agent.get_mcp_tools(run_context) gives them as FunctionTools), and "
            "await server.list_tools() gives a server's tools"
        ),
    },
)
