"""A low-level MCP server (``mcp`` 2.x, stdio) whose tools and prompts come in pages: the far side of the paging
tests (the official high-level server never pages).

``python paging_server.py PAGES [--repeat] [--fail-once CURSOR]``: ``PAGES`` pages of one tool (``tool_<i>``) and
one prompt (``prompt_<i>``) each, the page after ``page-<i>`` named by cursor ``page-<i+1>``. ``--repeat``: every
page names ``page-1`` as the next (a server that would page forever). ``--fail-once CURSOR``: the first request for
that page is a JSON-RPC error. The tool ``requests`` (callable, never listed) answers with the cursors of every
listing request so far, as JSON (``null`` for a first page).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

PAGES = int(sys.argv[1])
REPEAT = "--repeat" in sys.argv
FAIL_ONCE = sys.argv[sys.argv.index("--fail-once") + 1] if "--fail-once" in sys.argv else None
requested: list[str | None] = []


def _page(params: types.PaginatedRequestParams | None) -> tuple[int, str | None]:
    """The page asked for, and the cursor of the next one (``None`` after the last)."""
    global FAIL_ONCE
    cursor = params.cursor if params is not None else None
    requested.append(cursor)
    if cursor is not None and cursor == FAIL_ONCE:
        FAIL_ONCE = None
        raise MCPError(-32603, f"page {cursor} failed once")
    index = 0 if cursor is None else int(cursor.removeprefix("page-"))
    if REPEAT:
        return index, "page-1"
    return index, (f"page-{index + 1}" if index + 1 < PAGES else None)


async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
    index, cursor = _page(params)
    tool = types.Tool(name=f"tool_{index}", input_schema={"type": "object", "properties": {}})
    return types.ListToolsResult(tools=[tool], next_cursor=cursor)


async def list_prompts(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListPromptsResult:
    index, cursor = _page(params)
    return types.ListPromptsResult(
        prompts=[types.Prompt(name=f"prompt_{index}")], next_cursor=cursor, _meta={"page": index}
    )


async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=json.dumps(requested))])


async def main() -> None:
    server: Server[Any] = Server(
        "paging-test-server", on_list_tools=list_tools, on_list_prompts=list_prompts, on_call_tool=call_tool
    )
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
