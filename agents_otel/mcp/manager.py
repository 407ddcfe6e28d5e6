"""The SDK's ``agents.mcp.manager`` path.

``MCPServerManager`` (connecting and reconnecting a group of servers, dropping the failed ones) is not built here:
the import says so, rather than a bare "cannot import name".
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

__getattr__ = not_supported(
    __name__,
    {
        "MCPServerManager": (
            "not built yet; connect each server with `async with MCPServerStdio(...)` (or `await server.connect()`) "
            "and pass the connected servers to Agent(mcp_servers=[...])"
        ),
    },
)
