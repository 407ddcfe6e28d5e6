"""Compatibility: the OpenAI Agents SDK's MCP prompt and resource methods (``list_prompts``, ``get_prompt``,
``list_resources``, ``list_resource_templates``, ``read_resource``), against the official ``mcp`` server in a
subprocess over stdio, Streamable HTTP and HTTP+SSE (no mocks).

What the SDK pins: the results are the ``mcp`` SDK's own types; a call before ``connect()`` is a ``UserError``.
Ours: each request is a CLIENT span ``{method} {target}`` on the tool-call path (MCP semantic conventions), under the
``execute_tool`` span of the run's tool call that sent it; the server's JSON-RPC error is an ``MCPServerError``.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from mcp_support.fixtures import OFFICIAL_TRANSPORTS, official_server
from opentelemetry.trace import SpanKind, StatusCode
from support import Tracing

from agents_otel import Agent, Runner, ToolContext, UserError, function_tool
from agents_otel.mcp import (
    MCPServer,
    MCPServerError,
    MCPServerStdio,
    MCPServerStreamableHttp,
    _sdk,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=OFFICIAL_TRANSPORTS)
def official(request: pytest.FixtureRequest) -> MCPServer:
    return official_server(request)


def _mcp_clients(tracing: Tracing) -> list[Any]:
    """The MCP CLIENT spans (the model's calls are CLIENT spans too)."""
    spans = tracing.spans()
    return [s for s in spans if s.kind is SpanKind.CLIENT and "mcp.method.name" in (s.attributes or {})]


def _text(contents: list[Any]) -> list[str]:
    return [str(content.text) for content in contents]


async def test_prompts_and_resources_come_back_as_the_sdks_types(official: MCPServer) -> None:
    from mcp import types

    async with official as server:
        prompts = await server.list_prompts()
        prompt = await server.get_prompt("review", {"topic": "the plan"})
        resources = await server.list_resources()
        templates = await server.list_resource_templates()
        readme = await server.read_resource("notes://readme")
        topic = await server.read_resource("notes://topics/otel")

    assert isinstance(prompts, types.ListPromptsResult) and [p.name for p in prompts.prompts] == ["review"]
    assert _sdk.next_cursor(prompts) is None
    assert isinstance(prompt, types.GetPromptResult)
    assert [m.content.text for m in prompt.messages] == ["Please review the plan."]  # type: ignore[union-attr]
    assert isinstance(resources, types.ListResourcesResult)
    assert [str(r.uri) for r in resources.resources] == ["notes://readme"]
    assert isinstance(templates, types.ListResourceTemplatesResult)
    listed = templates.model_dump(by_alias=True)["resourceTemplates"]  # by alias: mcp 1.x and 2.x alike
    assert [t["uriTemplate"] for t in listed] == ["notes://topics/{topic}"]
    assert isinstance(readme, types.ReadResourceResult)
    assert _text(readme.contents) == ["read me first"]
    assert _text(topic.contents) == ["notes on otel"]


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.list_prompts(),
        lambda s: s.get_prompt("review", {"topic": "x"}),
        lambda s: s.list_resources(),
        lambda s: s.list_resource_templates(),
        lambda s: s.read_resource("notes://readme"),
    ],
)
async def test_a_request_before_connect_is_a_user_error(call: Any) -> None:
    server = MCPServerStdio(params={"command": sys.executable}, name="never-connected")
    with pytest.raises(UserError, match="not connected"):
        await call(server)


async def test_a_servers_json_rpc_error_is_a_typed_error_and_an_error_span(http_url: str, tracing: Tracing) -> None:
    seen: list[BaseException] = []

    @function_tool
    async def read_notes(ctx: ToolContext[Any], uri: str) -> str:
        """Read a resource of the notes server."""
        try:
            return "; ".join(_text((await notes.read_resource(uri)).contents))
        except MCPServerError as exc:
            seen.append(exc)
            raise

    notes = MCPServerStreamableHttp(params={"url": http_url}, name="notes")
    calls = [[function_call("read_notes", {"uri": "notes://missing"}, call_id="c1")], [assistant_message("ok")]]
    model = ScriptedModel(calls)
    async with notes:
        await Runner.run(Agent(name="A", tools=[read_notes], model=model), "read", run_config=tracing.config)

    (error,) = seen
    assert "notes" in str(error) and "resources/read" in str(error)
    (client,) = _mcp_clients(tracing)
    assert client.name == "resources/read"
    assert client.status.status_code is StatusCode.ERROR
    attributes = dict(client.attributes or {})
    assert attributes["mcp.resource.uri"] == "notes://missing"
    assert attributes["error.type"] not in ("", None)


async def test_requests_from_a_runs_tool_are_client_spans_under_its_execute_tool_span(
    http_url: str, tracing: Tracing
) -> None:
    @function_tool
    async def prepare(ctx: ToolContext[Any]) -> str:
        """Fetch the review prompt and the readme."""
        prompt = await notes.get_prompt("review", {"topic": "spans"})
        readme = await notes.read_resource("notes://readme")
        prompts = await notes.list_prompts()
        return f"{prompt.messages[0].content.text} {_text(readme.contents)[0]} {len(prompts.prompts)}"  # type: ignore[union-attr]

    notes = MCPServerStreamableHttp(params={"url": http_url}, name="notes")
    model = ScriptedModel([[function_call("prepare", {}, call_id="c1")], [assistant_message("ok")]])
    async with notes:
        await Runner.run(Agent(name="A", tools=[prepare], model=model), "go", run_config=tracing.config)
        session_id = notes.session_id

    assert model.calls[1].input[-1].output == "Please review spans. read me first 1"  # type: ignore[union-attr]
    tool_span = tracing.tool_span("c1")
    clients = _mcp_clients(tracing)
    assert [s.name for s in clients] == ["prompts/get review", "resources/read", "prompts/list"]
    for span in clients:
        assert span.parent is not None and span.parent.span_id == tool_span.context.span_id
        attributes = dict(span.attributes or {})
        assert attributes["network.transport"] == "tcp"
        assert attributes["server.address"] == "127.0.0.1"
        assert session_id and attributes["mcp.session.id"] == session_id
        assert "error.type" not in attributes
    get, read, listed = (dict(s.attributes or {}) for s in clients)
    assert (get["mcp.method.name"], get["gen_ai.prompt.name"]) == ("prompts/get", "review")
    assert (read["mcp.method.name"], read["mcp.resource.uri"]) == ("resources/read", "notes://readme")
    assert listed["mcp.method.name"] == "prompts/list"
    if _sdk.MCP_MAJOR >= 2:  # the SDK's own span is folded into ours: the request id is copied onto it
        assert all("jsonrpc.request.id" in (s.attributes or {}) for s in clients)
