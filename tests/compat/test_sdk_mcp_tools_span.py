"""Compatibility: an agent's listing of an MCP server's tools is traced, as the SDK's run traces it with
``mcp_tools_span`` — one ``tools/list`` span per server per turn (a cached listing included), under the agent's span,
with the server's name and, under content capture, the names it listed; an SDK trace processor receives it as
``MCPListToolsSpanData``. Ours is a CLIENT span with the MCP conventions' request attributes too, and the W3C context
the ``mcp`` client sends with the request is this span's. Against the official ``mcp`` server in a subprocess (no
mocks)."""

from __future__ import annotations

from typing import Any

import pytest
from mcp_support.servers import stdio_params
from opentelemetry.trace import SpanKind, StatusCode
from support import Tracing

from agents_otel import Agent, MCPListToolsSpanData, Runner, Span, TracingProcessor, UserError, set_trace_processors
from agents_otel.mcp import MCPServer, MCPServerStdio, MCPServerStreamableHttp
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing import Trace

pytestmark = pytest.mark.timeout(60)


class Ended(TracingProcessor):
    def __init__(self) -> None:
        self.spans: list[Span[Any]] = []

    def on_trace_start(self, trace: Trace) -> None: ...

    def on_trace_end(self, trace: Trace) -> None: ...

    def on_span_start(self, span: Span[Any]) -> None: ...

    def on_span_end(self, span: Span[Any]) -> None:
        self.spans.append(span)

    def shutdown(self) -> None: ...

    def force_flush(self) -> None: ...


def server_over(transport: str, request: pytest.FixtureRequest, **kwargs: Any) -> MCPServer:
    if transport == "stdio":
        return MCPServerStdio(params=stdio_params(), name="calc", **kwargs)  # type: ignore[arg-type]
    return MCPServerStreamableHttp(params={"url": request.getfixturevalue("http_url")}, name="calc", **kwargs)


def two_turns() -> ScriptedModel:
    return ScriptedModel([[function_call("add", {"a": 2, "b": 3}, call_id="c1")], [assistant_message("5")]])


@pytest.mark.parametrize("cache_tools_list", [False, True])
async def test_each_turn_lists_in_a_tools_list_span_under_the_agent(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing, cache_tools_list: bool, monkeypatch: Any
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    server = server_over(transport, request, cache_tools_list=cache_tools_list)
    async with server:
        agent = Agent(name="A", mcp_servers=[server], model=two_turns())
        result = await Runner.run(agent, "2+3?", run_config=tracing.config)
    assert result.final_output == "5"

    (agent_span,) = tracing.named("invoke_agent")
    listings = tracing.named("tools/list")
    assert len(listings) == 2, "one per turn, a cached listing too (as the SDK's span wraps list_tools)"
    call = tracing.tool_span("c1")
    (client_call,) = [s for s in tracing.named("tools/call") if s.kind is SpanKind.CLIENT]
    assert client_call.parent is not None and client_call.parent.span_id == call.context.span_id
    for listing in listings:
        assert listing.kind is SpanKind.CLIENT
        assert listing.parent is not None and listing.parent.span_id == agent_span.context.span_id
        assert listing.status.status_code is not StatusCode.ERROR
        attributes = dict(listing.attributes or {})
        assert attributes["mcp.method.name"] == "tools/list"
        assert attributes["agents_otel.mcp.server.name"] == "calc"
        assert attributes["network.transport"] == ("pipe" if transport == "stdio" else "tcp")
        assert "add" in attributes["agents_otel.mcp.tools"]
    # The listing precedes the model call it feeds, and the tool call follows the first one.
    assert listings[0].end_time is not None and call.start_time is not None
    assert listings[0].end_time <= call.start_time


async def test_listed_names_stay_out_of_the_trace_without_content_capture(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing, monkeypatch: Any
) -> None:
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    server = server_over(transport, request)
    async with server:
        await Runner.run(Agent(name="A", mcp_servers=[server], model=two_turns()), "2+3?", run_config=tracing.config)
    for listing in tracing.named("tools/list"):
        assert "agents_otel.mcp.tools" not in (listing.attributes or {})
        assert (listing.attributes or {})["agents_otel.mcp.server.name"] == "calc"


async def test_an_sdk_trace_processor_receives_mcp_list_tools_span_data(
    http_url: str, tracing: Tracing, monkeypatch: Any
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    ended = Ended()
    set_trace_processors([ended])
    try:
        async with MCPServerStreamableHttp(params={"url": http_url}, name="calc") as server:
            await Runner.run(
                Agent(name="A", mcp_servers=[server], model=two_turns()), "2+3?", run_config=tracing.config
            )
    finally:
        set_trace_processors([])
    listed = [s for s in ended.spans if isinstance(s.span_data, MCPListToolsSpanData)]
    assert len(listed) == 2
    for span in listed:
        assert span.span_data.server == "calc"
        assert span.span_data.result is not None and "add" in span.span_data.result
        assert span.span_data.type == "mcp_tools"


async def test_a_listing_that_fails_ends_its_span_with_the_error(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing
) -> None:
    server = server_over(transport, request, tool_filter=lambda context, tool: "yes")  # not a bool: a UserError
    async with server:
        with pytest.raises(UserError):
            await Runner.run(Agent(name="A", mcp_servers=[server], model=two_turns()), "x", run_config=tracing.config)
    (listing,) = tracing.named("tools/list")
    assert listing.status.status_code is StatusCode.ERROR
    assert (listing.attributes or {})["error.type"] == "agents_otel.exceptions.UserError"


async def test_a_direct_list_tools_call_makes_no_span_as_in_the_sdk(http_url: str, tracing: Tracing) -> None:
    """Only an agent's listing is traced (the SDK's ``MCPUtil`` opens the span, not ``MCPServer.list_tools``)."""
    async with MCPServerStreamableHttp(params={"url": http_url}, name="calc") as server:
        assert "add" in {tool.name for tool in await server.list_tools()}
    assert tracing.named("tools/list") == []
