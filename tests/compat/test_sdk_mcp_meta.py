"""Compatibility: the OpenAI Agents SDK's ``tool_meta_resolver`` (``MCPToolMetaContext``, ``MCPToolMetaResolver``):
the ``_meta`` of each ``tools/call``, with the official ``mcp`` server over stdio and Streamable HTTP (no mocks).

What the SDK pins: the resolver (sync or async) gets ``MCPToolMetaContext(run_context, server_name, tool_name,
arguments)`` before each call, arguments as a copy (changing them changes nothing sent); its dict is the call's
``_meta``, ``None`` sends none of its own; a listed tool's own ``_meta`` is sent with its calls and wins over the
resolver's on the same key; a resolver returning something else is an error. Ours: that error is a ``UserError``
(the SDK raises ``TypeError``), read by the model like any failed call unless ``failure_error_function=None``;
our CLIENT span's W3C ``traceparent`` is in ``_meta`` as always, whatever the resolver says.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp_support.servers import stdio_params
from support import Tracing

from agents_otel import Agent, Runner
from agents_otel.mcp import MCPServer, MCPServerStdio, MCPServerStreamableHttp, MCPToolMetaContext
from agents_otel.mcp.util import MCPToolMetaResolver
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


def make_server(transport: str, request: pytest.FixtureRequest, resolver: Any, **kwargs: Any) -> MCPServer:
    if transport == "stdio":
        params: Any = stdio_params()
        return MCPServerStdio(params, name="meta", tool_meta_resolver=resolver, **kwargs)
    url = request.getfixturevalue("http_url")
    return MCPServerStreamableHttp({"url": url}, name="meta", tool_meta_resolver=resolver, **kwargs)


async def run_calls(server: MCPServer, *calls: Any, context: Any = None, tracing: Tracing | None = None) -> list[str]:
    model = ScriptedModel([list(calls), [assistant_message("done")]])
    config = tracing.config if tracing is not None else None
    await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go", context=context, run_config=config)
    return [str(item.output) for item in model.calls[1].input if getattr(item, "type", "") == "function_call_output"]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_the_resolvers_meta_reaches_the_server_with_the_listed_tools_own(
    is_async: bool, transport: str, request: pytest.FixtureRequest, tracing: Tracing
) -> None:
    seen: list[MCPToolMetaContext] = []

    def resolve(context: MCPToolMetaContext) -> dict[str, Any]:
        seen.append(context)
        return {"tenant": context.run_context.context["tenant"], "listed": "by the resolver"}

    async def resolve_async(context: MCPToolMetaContext) -> dict[str, Any]:
        return resolve(context)

    server = make_server(transport, request, resolve_async if is_async else resolve)
    async with server:
        (shown,) = await run_calls(
            server, function_call("show_meta", {}, call_id="c1"), context={"tenant": "acme"}, tracing=tracing
        )
    assert json.loads(shown) == {"tenant": "acme", "listed": "by the server"}
    (context,) = seen
    assert (context.server_name, context.tool_name, context.arguments) == ("meta", "show_meta", {})
    (client,) = tracing.named("tools/call show_meta")
    assert client.attributes and client.attributes["mcp.method.name"] == "tools/call"


async def test_the_resolver_gets_a_copy_of_the_arguments_and_traceparent_stays_ours(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing
) -> None:
    def meddle(context: MCPToolMetaContext) -> dict[str, Any]:
        assert context.arguments is not None
        context.arguments["n"] = 99
        return {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01", "who": context.tool_name}

    async with make_server(transport, request, meddle) as server:
        (counted,) = await run_calls(server, function_call("count", {"n": 1}, call_id="c1"), tracing=tracing)
    found = json.loads(counted)
    assert found["counted"] == 1
    (client,) = tracing.named("tools/call count")
    assert found["traceparent"].split("-")[2] == f"{client.context.span_id:016x}"


async def test_none_sends_no_meta_of_its_own(transport: str, request: pytest.FixtureRequest) -> None:
    resolver: MCPToolMetaResolver = lambda context: None  # noqa: E731
    async with make_server(transport, request, resolver) as server:
        (shown,) = await run_calls(server, function_call("show_meta", {}, call_id="c1"))
    assert json.loads(shown) == {"listed": "by the server"}


async def test_a_resolver_returning_something_else_is_a_user_error(
    transport: str, request: pytest.FixtureRequest
) -> None:
    async with make_server(transport, request, lambda context: ["not", "a", "dict"]) as server:
        (read,) = await run_calls(server, function_call("add", {"a": 1, "b": 2}, call_id="c1"))
        # a UserError the default failure message words (SDK 0.23)
        generic = "An error occurred while running the tool."
        assert read == generic
        assert await server.call_tool("add", {"a": 1, "b": 2})  # the server was never asked (and is fine)


def test_a_resolver_that_is_not_callable_is_refused() -> None:
    from agents_otel import UserError

    with pytest.raises(UserError, match="tool_meta_resolver must be callable"):
        MCPServerStdio({"command": "x"}, tool_meta_resolver={"tenant": "acme"})  # type: ignore[arg-type]
