"""The SDK's ``agents.mcp.util`` path: tool filters (static and callable), the ``_meta`` resolver's and the
``custom_data_extractor``'s types, and ``HttpClientFactory`` (the shape of ``params["httpx_client_factory"]``).

Not offered, and said at the import: the SDK's ``MCPUtil`` (its internal conversion of listed tools into function
tools; here an agent's run lists and converts them, and ``await server.list_tools()`` gives a server's tools).
"""

from __future__ import annotations

from .._sdk_paths import not_supported
from .custom_data import MCPToolCustomDataContext, MCPToolCustomDataExtractor
from .http_clients import HttpClientFactory
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
    "HttpClientFactory",
    "MCPToolCustomDataContext",
    "MCPToolCustomDataExtractor",
    "MCPToolMetaContext",
    "MCPToolMetaResolver",
    "ToolFilter",
    "ToolFilterCallable",
    "ToolFilterContext",
    "ToolFilterStatic",
    "create_static_tool_filter",
]

__getattr__ = not_supported(
    __name__,
    {
        "MCPUtil": (
            "the SDK's conversion helpers are its internals; an agent's MCP tools are listed and converted by the run "
            "(Agent(mcp_servers=[...]); agent.get_mcp_tools(run_context) gives them as FunctionTools), and "
            "await server.list_tools() gives a server's tools"
        ),
    },
)
