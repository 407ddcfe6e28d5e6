"""An MCP server with a slow tool that reports progress: agents_otel tools served by ``create_mcp_server``.

Run it yourself with ``python examples/mcp/slow_server.py`` (stdio) or, the same tools from the command line,
``agents-otel mcp slow_server:tools --transport streamable-http --port 8765`` from this directory.
"""

from __future__ import annotations

import asyncio

import anyio

from agents_otel import ToolContext, function_tool
from agents_otel.mcp import create_mcp_server, serve_stdio


@function_tool
async def crawl_site(ctx: ToolContext, url: str, pages: int = 5) -> str:
    """Crawl a site page by page.

    Args:
        url: Where to start.
        pages: How many pages to fetch.
    """
    for page in range(1, pages + 1):
        await asyncio.sleep(0.1)  # ... fetch one page ...
        ctx.send_progress({"progress": page, "total": pages, "message": f"fetched page {page} of {url}"})
    return f"crawled {pages} pages of {url} (trace {ctx.trace_id})"


tools = [crawl_site]

if __name__ == "__main__":
    anyio.run(serve_stdio, create_mcp_server(tools, name="crawler"))
