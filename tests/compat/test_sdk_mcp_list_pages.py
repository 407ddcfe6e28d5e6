"""Compatibility: the OpenAI Agents SDK's ``max_list_pages`` (0.23, "configurable MCP listing page limits"), against
a paging MCP server in a subprocess (``mcp_support/paging_server.py``, the ``mcp`` 2.x low-level server; no mocks).

What the SDK pins: ``list_tools()`` and ``list_prompts()`` follow every page; ``max_list_pages=n`` allows ``n``
requests (a last page at the limit succeeds), and a listing that needs more, or a server repeating a cursor, is a
``UserError`` with nothing returned or cached; a failed page is retried (``max_retry_attempts``, tools only) from
where the listing stood, without resetting the budget; a run whose listing fails stops before the model is asked;
``list_prompts()`` gives the first page's result holding every prompt. ``max_list_pages`` must be a positive int or
``None`` (``TypeError`` / ``ValueError`` when the server is built).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp_support.servers import stdio_params

from agents_otel import Agent, Runner, UserError
from agents_otel.mcp import MCPServerSse, MCPServerStdio, MCPServerStreamableHttp, _sdk, policies
from agents_otel.testing import ScriptedModel, assistant_message

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(_sdk.MCP_MAJOR < 2, reason="the paging server is built on mcp 2.x's low-level server"),
]

PAGING_SERVER = Path(__file__).parent.parent / "mcp_support" / "paging_server.py"


def paging(pages: int, *flags: str, **kwargs: Any) -> MCPServerStdio:
    return MCPServerStdio(stdio_params(PAGING_SERVER, str(pages), *flags), name="pages", **kwargs)  # type: ignore[arg-type]


async def requested(server: MCPServerStdio) -> list[str | None]:
    """The cursors of every listing request the server got (``None``: a first page)."""
    result = await server.call_tool("requests", {})
    return list(json.loads(result.content[0].text))


@pytest.mark.parametrize("make", [MCPServerStdio, MCPServerStreamableHttp, MCPServerSse])
@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (-1, ValueError), (True, TypeError), (1.5, TypeError)])
def test_max_list_pages_is_checked_when_the_server_is_built(make: Any, value: Any, error: type[Exception]) -> None:
    params = {"command": "x"} if make is MCPServerStdio else {"url": "http://127.0.0.1:1/mcp"}
    with pytest.raises(error, match="max_list_pages must be a positive integer or None"):
        make(params, max_list_pages=value)


@pytest.mark.parametrize("limit", [None, 3, 4])
async def test_every_page_is_listed_when_the_budget_allows(limit: int | None) -> None:
    async with paging(3, max_list_pages=limit, cache_tools_list=True) as server:
        tools = await server.list_tools()
        prompts = await server.list_prompts()
        assert await server.list_tools() == tools  # cached: no new request
        seen = await requested(server)

    assert [t.name for t in tools] == ["tool_0", "tool_1", "tool_2"]
    assert [p.name for p in prompts.prompts] == ["prompt_0", "prompt_1", "prompt_2"]
    assert _sdk.next_cursor(prompts) is None and prompts.meta == {"page": 0}
    assert seen == [None, "page-1", "page-2"] * 2


@pytest.mark.parametrize("method", ["list_tools", "list_prompts"])
async def test_a_listing_past_the_budget_is_a_user_error_with_nothing_kept(method: str) -> None:
    async with paging(4, max_list_pages=2, cache_tools_list=True) as server:
        with pytest.raises(UserError, match="exceeded max_list_pages=2"):
            await getattr(server, method)()
        seen = await requested(server)
        assert server._tools is None  # nothing cached

    assert seen == [None, "page-1"]


@pytest.mark.parametrize("method", ["list_tools", "list_prompts"])
async def test_a_repeated_cursor_is_a_user_error_not_an_endless_listing(method: str) -> None:
    async with paging(4, "--repeat") as server:
        with pytest.raises(UserError, match="repeated cursor"):
            await getattr(server, method)()
        assert await requested(server) == [None, "page-1"]


async def test_a_failed_page_is_retried_in_place_and_still_counts_against_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def no_wait(seconds: float) -> None:
        return None

    monkeypatch.setattr(policies, "sleep", no_wait)
    async with paging(3, "--fail-once", "page-1", max_retry_attempts=2, max_list_pages=2) as server:
        with pytest.raises(UserError, match="exceeded max_list_pages"):
            await server.list_tools()
        assert await requested(server) == [None, "page-1", "page-1"]  # page 0 not asked again

    async with paging(2, "--fail-once", "page-1", max_retry_attempts=1, max_list_pages=2) as server:
        assert [t.name for t in await server.list_tools()] == ["tool_0", "tool_1"]
        assert await requested(server) == [None, "page-1", "page-1"]


async def test_a_run_whose_listing_exceeds_the_budget_stops_before_the_model_is_asked() -> None:
    model = ScriptedModel([[assistant_message("never")]])
    async with paging(2, max_list_pages=1) as server:
        with pytest.raises(UserError, match="exceeded max_list_pages"):
            await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "hi")
    assert model.calls == []
