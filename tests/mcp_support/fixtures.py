"""Fixtures the MCP tests share (registered in tests/conftest.py): one official Streamable HTTP server per test
module, and the transport a parametrized test runs over."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mcp_support.servers import http_server


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    """The URL of an official MCP server over Streamable HTTP, started once for the test module."""
    with http_server() as (url, _):
        yield url


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    """``stdio`` or ``http``: the test runs once over each (a module may define its own)."""
    return str(request.param)
