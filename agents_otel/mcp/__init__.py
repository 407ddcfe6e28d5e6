"""MCP both ways: agents use tools of MCP servers, and agents_otel tools are served over MCP.

Client: ``MCPServerStdio`` / ``MCPServerStreamableHttp`` and ``Agent(mcp_servers=[...])``. Server:
``create_mcp_server(agent_or_tools)`` and ``agents-otel mcp MODULE:ATTR``. Needs the ``mcp`` extra
(``pip install 'agents_otel[mcp]'``), i.e. the official ``mcp`` SDK 2.x. See docs/mcp.md.
"""

from __future__ import annotations

from ..tool_sources import ToolNameCollisionError
from . import _sdk_spans
from ._sdk import MCP_VERSION
from .client import MCPServer, ToolFilterStatic, create_static_tool_filter
from .errors import (
    MCPConnectionError,
    MCPRequestError,
    MCPServerError,
    MCPServerStartError,
    MCPToolError,
)
from .server import create_mcp_server
from .serving import serve_stdio, serve_streamable_http
from .transports import MCPServerStdio, MCPServerStdioParams, MCPServerStreamableHttp, MCPServerStreamableHttpParams

_sdk_spans.install()

__all__ = [
    "MCP_VERSION",
    "MCPConnectionError",
    "MCPRequestError",
    "MCPServer",
    "MCPServerError",
    "MCPServerStartError",
    "MCPServerStdio",
    "MCPServerStdioParams",
    "MCPServerStreamableHttp",
    "MCPServerStreamableHttpParams",
    "MCPToolError",
    "ToolFilterStatic",
    "ToolNameCollisionError",
    "create_mcp_server",
    "create_static_tool_filter",
    "serve_stdio",
    "serve_streamable_http",
]
