"""An MCP server built with the official SDK only, that tells a client which HTTP headers reached it.

Its tool ``seen_headers(names)`` answers with the JSON object ``{name: value or null}`` read from the HTTP request
that carried the call (``params["headers"]``, an ``httpx_client_factory``'s own headers and an ``auth``'s are checked
on the server side this way). Run with ``--http`` (Streamable HTTP) or ``--sse`` (HTTP+SSE): it prints
``PORT <n>`` once its socket is bound, as official_server.py does (tests/mcp_support/servers.py starts both).
"""

from __future__ import annotations

import json
from typing import Any

import anyio

try:  # mcp 2.x
    from mcp.server.mcpserver import Context, MCPServer
except ImportError:  # mcp 1.x: the same server under its old name
    from mcp.server.fastmcp import Context  # type: ignore[no-redef,import-not-found,unused-ignore]
    from mcp.server.fastmcp import FastMCP as MCPServer

server = MCPServer("header-test-server")


@server.tool()
async def seen_headers(names: list[str], ctx: Context) -> str:
    """The named headers of the HTTP request this call came in (null for a missing one), as JSON."""
    request: Any = ctx.request_context.request
    headers = request.headers if request is not None else {}
    return json.dumps({name: headers.get(name) for name in names}, sort_keys=True)


if __name__ == "__main__":
    from official_server import serve_http  # its directory is this script's: first on sys.path

    anyio.run(serve_http, server)
