"""Paged MCP listings (``tools/list``, ``prompts/list``): every page followed, within ``max_list_pages``.

A listing is only useful whole: an agent offered half a server's tools, or a caller shown half its prompts, would
act on a wrong picture without knowing it. So a listing that stops short (the page budget spent while the server
still names a next page, or a cursor the server already gave: it would page forever) is a ``UserError``, and nothing
of it is returned or cached. A page that fails is sent again (``max_retry_attempts``, for ``tools/list`` as in the
SDK) from where the listing stood: pages already fetched are kept and still count against the budget.

An agent's listing of a server's tools (each turn, through ``function_tools``) is one ``tools/list`` CLIENT span, as
the SDK's ``mcp_tools_span``: under the agent's span, the listed names under content capture, a cached listing
included (the trace shows what the model was offered each turn, and an SDK trace processor gets the span it expects).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..exceptions import UserError
from ..tracing.sdk_spans import mcp_tools_span
from . import _sdk
from .client_call import request_attributes, retry_pause
from .policies import may_retry

if TYPE_CHECKING:
    from .client import MCPServer

PageFetcher = Callable[[str | None], Awaitable[Any]]
"""Sends one page request: ``None`` for the first page, else the cursor the previous page named."""


def check_max_list_pages(value: object) -> int | None:
    """``max_list_pages`` as the SDK takes it: a positive int or ``None`` (a bool or float is a ``TypeError``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_list_pages must be a positive integer or None, got {value!r}")
    if value < 1:
        raise ValueError(f"max_list_pages must be a positive integer or None, got {value!r}")
    return value


async def collect_pages(
    server: MCPServer, method: str, field: str, fetch: PageFetcher, *, retry: bool
) -> tuple[list[Any], Any]:
    """Every page's ``field`` entries, in order, and the first page (the caller may rebuild a result from it)."""
    entries: list[Any] = []
    first: Any = None
    seen: set[str | None] = set()
    cursor: str | None = None
    noun = field.removesuffix("s")
    while True:
        if server.max_list_pages is not None and len(seen) >= server.max_list_pages:
            raise UserError(
                f"MCP {noun} listing of server {server.name!r} exceeded max_list_pages={server.max_list_pages}: "
                "increase max_list_pages to allow more pages, or check the server's pagination"
            )
        page = await (_with_retries(server, method, fetch, cursor) if retry else fetch(cursor))
        if first is None:
            first = page
        entries.extend(getattr(page, field))
        seen.add(cursor)
        cursor = _sdk.next_cursor(page)
        if cursor is None:
            return entries, first
        if cursor in seen:
            raise UserError(f"MCP server {server.name!r} returned a repeated cursor while listing {field}")


async def _with_retries(server: MCPServer, method: str, fetch: PageFetcher, cursor: str | None) -> Any:
    retries = 0
    while True:
        try:
            return await fetch(cursor)
        except Exception as exc:
            if not retryable(exc) or not may_retry(server.max_retry_attempts, retries):
                raise
            retries += 1
            await retry_pause(server, method, retries, exc)


def retryable(exc: Exception) -> bool:
    """A request that may succeed if sent again: a JSON-RPC error or a timeout, not a lost connection."""
    return isinstance(exc, _sdk.SDKError | TimeoutError) and not _sdk.connection_closed(exc)


async def timed(server: MCPServer, request: Awaitable[Any]) -> Any:
    """One request, bounded by the server's ``client_session_timeout_seconds`` (``TimeoutError`` past it)."""
    async with asyncio.timeout(server.client_session_timeout_seconds):
        return await request


async def listed_in_span(server: MCPServer, listing: Awaitable[list[Any]]) -> list[Any]:
    """``listing`` (the server's tools, for an agent's turn) inside its ``tools/list`` span, which also carries the
    request attributes of the MCP conventions (transport, session, address) the SDK's span data has no room for."""
    with mcp_tools_span(server=server.name) as span:
        span.span.set_attributes(request_attributes(server, "tools/list", {}))
        tools = await listing
        span.span_data.result = [str(tool.name) for tool in tools]
    return tools
