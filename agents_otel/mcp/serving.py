"""Running a server from ``create_mcp_server`` over stdio or Streamable HTTP (what ``agents-otel mcp`` does)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server


async def serve_stdio(server: Server[Any]) -> None:
    """Serve on this process's stdin/stdout until the client closes them."""
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


async def serve_streamable_http(
    server: Server[Any], host: str = "127.0.0.1", port: int = 8000, *, sock: socket.socket | None = None
) -> None:
    """Serve Streamable HTTP at ``http://host:port/mcp`` with uvicorn; ``sock``: an already bound socket.

    Cancelling the task that awaits this shuts the server down gracefully (open sessions closed, lifespan run).
    """
    import uvicorn

    app = server.streamable_http_app(host=host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    http = uvicorn.Server(config)
    serving = asyncio.ensure_future(http.serve(sockets=[sock] if sock is not None else None))
    try:
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        http.should_exit = True
        await serving
        raise


def bind(host: str, port: int) -> socket.socket:
    """Bind and listen before announcing, so the printed address is connectable at once (``port=0``: any)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections queue until the server accepts: no start-up race for early clients
    sock.set_inheritable(True)
    return sock
