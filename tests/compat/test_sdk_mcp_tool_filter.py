"""Compatibility: the OpenAI Agents SDK's dynamic MCP tool filters (``tool_filter=callable``, ``ToolFilterContext``),
with the official ``mcp`` server over stdio and Streamable HTTP (no mocks).

What the SDK pins: the callable gets ``(ToolFilterContext(run_context, agent, server_name), tool)`` for each listed
tool, sync or async, every time the tools are listed (so per turn, and for the agent asking); ``cache_tools_list``
caches the server's listing, not the filter's verdict; the tool it sees is a copy (mutating it changes nothing);
a filter that raises drops that tool and the others stay; ``list_tools()`` without ``run_context`` and ``agent``
is a ``UserError`` for a callable filter; the types import from ``agents.mcp`` and ``agents.mcp.util``.

Ours, decided here: the raising filter is not only logged but recorded as an ``mcp.tool_filter.error`` event on
the agent's span; a filter returning anything but a bool is a ``UserError`` (the SDK takes its truthiness); a
``tool_filter`` that is neither a dict, a callable nor ``None`` is a ``UserError`` when the server is built.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp_support.servers import stdio_params
from support import Tracing

from agents_otel import Agent, RunContextWrapper, RunHooks, Runner, UserError
from agents_otel.mcp import (
    MCPServer,
    MCPServerStdio,
    MCPServerStreamableHttp,
    ToolFilterContext,
    create_static_tool_filter,
)
from agents_otel.mcp.util import ToolFilterCallable
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=["stdio", "http"])
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    yield request.param


def make_server(transport: str, request: pytest.FixtureRequest, tool_filter: Any, **kwargs: Any) -> MCPServer:
    if transport == "stdio":
        params: Any = stdio_params()
        return MCPServerStdio(params=params, name="filtered", tool_filter=tool_filter, **kwargs)
    url = request.getfixturevalue("http_url")
    return MCPServerStreamableHttp(params={"url": url}, name="filtered", tool_filter=tool_filter, **kwargs)


def offered(model: ScriptedModel, turn: int = 0) -> set[str]:
    return {spec.name for spec in model.calls[turn].tools}


async def test_the_filter_sees_run_agent_and_server_and_decides_per_turn(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing
) -> None:
    seen: list[tuple[Any, str, str]] = []

    async def only_what_the_context_allows(context: ToolFilterContext, tool: Any) -> bool:
        seen.append((context.run_context.context, context.agent.name, context.server_name))
        return str(tool.name) in context.run_context.context["allowed"]

    allowed = {"allowed": {"add"}}
    server = make_server(transport, request, only_what_the_context_allows, cache_tools_list=True)
    model = ScriptedModel([[function_call("add", {"a": 1, "b": 2}, call_id="c1")], [assistant_message("3")]])

    class Widen(RunHooks[Any]):
        async def on_tool_end(self, *args: Any) -> None:
            allowed["allowed"].add("count")

    async with server:
        agent = Agent(name="filtering", mcp_servers=[server], model=model)
        result = await Runner.run(agent, "x", context=allowed, hooks=Widen(), run_config=tracing.config)
    assert result.final_output == "3"
    assert offered(model, 0) == {"add"}
    assert offered(model, 1) == {"add", "count"}  # asked again on the second turn, though the listing is cached
    assert {(name, server_name) for _, name, server_name in seen} == {("filtering", "filtered")}
    assert all(context is allowed for context, _, _ in seen)


async def test_a_sync_filter_and_a_mutating_filter_leave_the_cache_alone(
    transport: str, request: pytest.FixtureRequest
) -> None:
    def rename_and_keep_add(context: ToolFilterContext, tool: Any) -> bool:
        keep = tool.name == "add"
        tool.name = "renamed"
        return keep

    server = make_server(transport, request, rename_and_keep_add, cache_tools_list=True)
    async with server:
        agent = Agent(name="a", mcp_servers=[server])
        wrapper = RunContextWrapper(None)
        assert [t.name for t in await server.list_tools(wrapper, agent)] == ["add"]
        assert [t.name for t in await server.list_tools(wrapper, agent)] == ["add"]
        assert [t.name for t in await agent.get_mcp_tools(wrapper)] == ["add"]


async def test_a_raising_filter_drops_its_tool_loudly_and_the_run_goes_on(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_for_count(context: ToolFilterContext, tool: Any) -> bool:
        if tool.name == "count":
            raise RuntimeError("filter broke on count")
        return tool.name in ("count", "add")

    server = make_server(transport, request, broken_for_count)
    model = ScriptedModel([[assistant_message("ok")]])
    with caplog.at_level(logging.WARNING, logger="agents_otel"):
        async with server:
            result = await Runner.run(
                Agent(name="a", mcp_servers=[server], model=model), "x", run_config=tracing.config
            )
    assert result.final_output == "ok"
    assert offered(model) == {"add"}
    assert "tool_filter of server 'filtered' raised for tool 'count'" in caplog.text
    events = [e for s in tracing.spans() for e in s.events if e.name == "mcp.tool_filter.error"]
    (event,) = events
    attributes = dict(event.attributes or {})
    assert attributes["gen_ai.tool.name"] == "count"
    assert attributes["mcp.server.name"] == "filtered"
    assert attributes["exception.type"] == "RuntimeError"
    assert attributes["exception.message"] == "filter broke on count"
    (listing,) = tracing.named("tools/list")  # the agent's listing of the server, under its span
    (agent_span,) = tracing.named("invoke_agent")
    assert listing.parent is not None and listing.parent.span_id == agent_span.context.span_id
    assert any(e.name == "mcp.tool_filter.error" for e in listing.events)
    assert listing.attributes is not None and listing.attributes["agents_otel.mcp.server.name"] == "filtered"


async def test_a_filter_returning_a_non_bool_is_a_user_error(transport: str, request: pytest.FixtureRequest) -> None:
    server = make_server(transport, request, lambda context, tool: "yes")
    async with server:
        agent = Agent(name="a", mcp_servers=[server], model=ScriptedModel([[assistant_message("x")]]))
        with pytest.raises(UserError, match="tool_filter returned str"):
            await Runner.run(agent, "x")


async def test_list_tools_without_run_and_agent_is_a_user_error_for_a_callable_filter(
    transport: str, request: pytest.FixtureRequest
) -> None:
    keep_all: ToolFilterCallable = lambda context, tool: True  # noqa: E731
    server = make_server(transport, request, keep_all)
    async with server:
        with pytest.raises(UserError, match="run_context and agent"):
            await server.list_tools()


async def test_static_filters_still_need_no_run(transport: str, request: pytest.FixtureRequest) -> None:
    server = make_server(transport, request, create_static_tool_filter(allowed_tool_names=["add", "fail"]))
    async with server:
        assert sorted(t.name for t in await server.list_tools()) == ["add", "fail"]


def test_a_filter_of_another_type_is_refused_when_the_server_is_built() -> None:
    with pytest.raises(UserError, match="tool_filter must be"):
        MCPServerStdio(params={"command": "x"}, tool_filter=["add"])  # type: ignore[arg-type]


def test_the_types_import_from_the_sdk_paths() -> None:
    from agents_otel.mcp import ToolFilter, ToolFilterCallable, ToolFilterStatic
    from agents_otel.mcp.util import ToolFilterContext as FromUtil

    assert FromUtil is ToolFilterContext
    assert ToolFilter is not None and ToolFilterCallable is not None and ToolFilterStatic is not None
