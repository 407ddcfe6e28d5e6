"""Compatibility: the OpenAI Agents SDK's ``MCPServerSse`` (``MCPServerSseParams``), the HTTP+SSE transport, against
the official ``mcp`` server's SSE app in a subprocess (no mocks).

What the SDK pins: ``params`` mirrors ``sse_client``'s (``url``, ``headers``, ``timeout``, ``sse_read_timeout``);
the default name is ``"sse: <url>"``; the server is used like the other transports (``async with``,
``Agent(mcp_servers=[...])``). Ours, as for every MCP call here: the call is an ``execute_tool`` span with a CLIENT
``tools/call`` child (``network.transport`` ``tcp``, ``server.address``, the session id the server put in its
endpoint URL as ``mcp.session.id``), progress arrives as span events and stream events. An ``mcp`` without
``mcp.client.sse`` makes the constructor a ``UserError`` (the SDK would fail at import).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from mcp_support.servers import sse_server
from opentelemetry.trace import SpanKind
from support import Tracing

from agents_otel import Agent, Runner, ToolProgressStreamEvent, UserError
from agents_otel.mcp import MCPServerSse, MCPServerSseParams, MCPServerStartError, _sdk
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def sse_url() -> Iterator[str]:
    with sse_server() as (url, _):
        yield url


async def test_an_agent_calls_a_tool_over_sse_traced_with_progress(sse_url: str, tracing: Tracing) -> None:
    params: MCPServerSseParams = {"url": sse_url, "headers": {"x-test": "1"}, "timeout": 5, "sse_read_timeout": 30}
    async with MCPServerSse(params, cache_tools_list=True) as server:
        assert server.name == f"sse: {sse_url}"
        assert "count" in [t.name for t in await server.list_tools()]
        model = ScriptedModel([[function_call("count", {"n": 2}, call_id="c1")], [assistant_message("done")]])
        agent = Agent(name="sse-user", mcp_servers=[server], model=model)
        result = Runner.run_streamed(agent, "count", run_config=tracing.config)
        progress = [e async for e in result.stream_events() if isinstance(e, ToolProgressStreamEvent)]
        session_id = server.session_id

    assert result.final_output == "done"
    assert [e.data["message"] for e in progress] == ["step 1", "step 2"]
    assert json.loads(model.calls[1].input[-1].output)["counted"] == 2  # type: ignore[union-attr]
    tool_span = tracing.tool_span("c1")
    (client,) = [s for s in tracing.spans() if s.kind is SpanKind.CLIENT and s.name.startswith("tools/call")]
    assert client.name == "tools/call count" and client.parent is not None
    assert client.parent.span_id == tool_span.context.span_id
    attributes = dict(client.attributes or {})
    assert attributes["network.transport"] == "tcp"
    assert attributes["server.address"] == "127.0.0.1"
    assert session_id and attributes["mcp.session.id"] == session_id


async def test_raw_call_tool_works_outside_a_run(sse_url: str) -> None:
    async with MCPServerSse({"url": sse_url}, name="raw") as server:
        result = await server.call_tool("add", {"a": 2, "b": 5})
    assert "7" in result.content[0].text


def test_params_need_a_url() -> None:
    bad: Any = {"headers": {}}
    with pytest.raises(UserError, match="url"):
        MCPServerSse(bad)


async def test_a_server_that_is_not_there_is_a_typed_start_error(refused_openai_base_url: str) -> None:
    server = MCPServerSse({"url": f"{refused_openai_base_url}/sse", "timeout": 2}, connect_timeout_seconds=5)
    with pytest.raises(MCPServerStartError, match="failed to start"):
        await server.connect()
    await server.cleanup()


def test_an_mcp_without_the_sse_client_refuses_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sdk, "HAS_SSE", False)
    with pytest.raises(UserError, match=r"mcp\.client\.sse"):
        MCPServerSse({"url": "http://127.0.0.1:1/sse"})


@pytest.mark.parametrize("key", ["auth", "httpx_client_factory"])
def test_an_http_client_param_that_could_never_work_is_refused_at_construction(key: str) -> None:
    # An object is neither an httpx(2).Auth nor a factory; tests/compat/test_sdk_mcp_http_client_factory.py has more.
    params: Any = {"url": "http://127.0.0.1:1/sse", key: object()}
    with pytest.raises(UserError, match=key):
        MCPServerSse(params)
