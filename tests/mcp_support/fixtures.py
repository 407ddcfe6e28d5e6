"""Fixtures the MCP tests share (registered in tests/conftest.py): one official Streamable HTTP server and one
HTTP+SSE server per test module, the transport a parametrized test runs over, and the official server reached over
any of the three."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from mcp_support.servers import http_server, sse_server, stdio_params

if TYPE_CHECKING:
    from agents_otel.mcp import MCPServer


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    """The URL of an official MCP server over Streamable HTTP, started once for the test module."""
    with http_server() as (url, _):
        yield url


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    """``stdio`` or ``http``: the test runs once over each (a module may define its own)."""
    return str(request.param)


@pytest.fixture(scope="module")
def sse_url() -> Iterator[str]:
    """The URL of an official MCP server over HTTP+SSE, started once for the test module."""
    with sse_server() as (url, _):
        yield url


OFFICIAL_TRANSPORTS = ["stdio", "http", "sse"]
"""Every transport the SDK's MCP clients speak: the params of a module's ``official`` fixture."""


def official_server(request: pytest.FixtureRequest) -> MCPServer:
    """The official server as an SDK-shaped client over ``request.param`` (one of :data:`OFFICIAL_TRANSPORTS`),
    not yet connected: a module's ``official`` fixture decides whether its tests connect it themselves. The HTTP
    transports reach the module's shared server (the ``http_url`` / ``sse_url`` fixtures)."""
    from agents_otel.mcp import MCPServerSse, MCPServerStdio, MCPServerStreamableHttp

    if request.param == "stdio":
        return MCPServerStdio(params=stdio_params(), name="official")  # type: ignore[arg-type]
    if request.param == "sse":
        return MCPServerSse(params={"url": request.getfixturevalue("sse_url")}, name="official")
    return MCPServerStreamableHttp(params={"url": request.getfixturevalue("http_url")}, name="official")
