"""MCP both ways: agents use tools of MCP servers, and agents_otel tools are served over MCP.

Client: ``MCPServerStdio`` / ``MCPServerStreamableHttp`` / ``MCPServerSse``, ``MCPServerManager`` and
``Agent(mcp_servers=[...])``. Server:
``create_mcp_server(agent_or_tools)`` and ``agents-otel mcp MODULE:ATTR``. Needs the ``mcp`` extra
(``pip install 'agents_otel[mcp]'``): the official ``mcp`` SDK, 2.x, or 1.30 for the client side. See docs/mcp.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..tool_sources import ToolNameCollisionError
from . import _sdk_spans
from ._sdk import MCP_MAJOR, MCP_VERSION
from .client import MCPServer
from .custom_data import MCPToolCustomDataContext, MCPToolCustomDataExtractor
from .errors import (
    MCPConnectionError,
    MCPRequestError,
    MCPServerError,
    MCPServerStartError,
    MCPToolError,
)
from .manager import MCPServerManager
from .policies import LocalMCPApprovalCallable, RequireApprovalSetting
from .tool_filters import (
    MCPToolMetaContext,
    MCPToolMetaResolver,
    ToolFilter,
    ToolFilterCallable,
    ToolFilterContext,
    ToolFilterStatic,
    create_static_tool_filter,
)
from .transports import (
    MCPServerSse,
    MCPServerSseParams,
    MCPServerStdio,
    MCPServerStdioParams,
    MCPServerStreamableHttp,
    MCPServerStreamableHttpParams,
)

if TYPE_CHECKING:
    from .server import create_mcp_server
    from .serving import serve_stdio, serve_streamable_http

_SERVER_SIDE = {"create_mcp_server": "server", "serve_stdio": "serving", "serve_streamable_http": "serving"}

_sdk_spans.install()


def __getattr__(name: str) -> Any:
    """The server side is imported on first use: it needs the SDK's 2.x server API, the client works without."""
    module = _SERVER_SIDE.get(name)
    if module is None:
        if name in ("MCPUtil", "HttpClientFactory"):  # at agents.mcp.util in the SDK: the same object / refusal
            return getattr(importlib.import_module(f"{__name__}.util"), name)
        raise AttributeError(f"module 'agents_otel.mcp' has no attribute {name!r}")
    if MCP_MAJOR < 2:
        raise ImportError(f"agents_otel.mcp.{name} needs the mcp SDK 2.x; mcp {MCP_VERSION} is installed")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "MCP_MAJOR",
    "MCP_VERSION",
    "LocalMCPApprovalCallable",
    "MCPConnectionError",
    "MCPRequestError",
    "MCPServer",
    "MCPServerError",
    "MCPServerManager",
    "MCPServerSse",
    "MCPServerSseParams",
    "MCPServerStartError",
    "MCPServerStdio",
    "MCPServerStdioParams",
    "MCPServerStreamableHttp",
    "MCPServerStreamableHttpParams",
    "MCPToolCustomDataContext",
    "MCPToolCustomDataExtractor",
    "MCPToolError",
    "MCPToolMetaContext",
    "MCPToolMetaResolver",
    "RequireApprovalSetting",
    "ToolFilter",
    "ToolFilterCallable",
    "ToolFilterContext",
    "ToolFilterStatic",
    "ToolNameCollisionError",
    "create_mcp_server",
    "create_static_tool_filter",
    "serve_stdio",
    "serve_streamable_http",
]
