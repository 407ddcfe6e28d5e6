"""Compatibility: the OpenAI Agents SDK's MCP ``custom_data_extractor`` (``MCPToolCustomDataContext``,
``MCPToolCustomDataExtractor``), with the official ``mcp`` server over stdio and Streamable HTTP (no mocks).

What the SDK pins: after a call of one of the server's tools the extractor (sync or async) gets the call's context,
the server's name, the tool's own and public names, the arguments, the result's ``_meta`` and ``structuredContent``
and the output the model reads; its mapping is the ``ToolCallOutputItem.custom_data`` (never sent to the model); a
value that is not a JSON-compatible mapping is a ``UserError``. Ours: it runs on the function tools' own path, so a
raising extractor ends the run with its exception, recorded on the call's ``execute_tool`` span (the SDK hands it to
the server's ``failure_error_function``, so by default the model reads it as the tool's error).
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp_support.servers import stdio_params
from opentelemetry.trace import StatusCode
from support import Tracing

from agents_otel import Agent, Runner, ToolCallOutputItem, UserError
from agents_otel.mcp import MCPServer, MCPServerStdio, MCPServerStreamableHttp
from agents_otel.mcp.util import MCPToolCustomDataContext, MCPToolCustomDataExtractor
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


def make_server(
    transport: str, request: pytest.FixtureRequest, extractor: MCPToolCustomDataExtractor | None, **kwargs: Any
) -> MCPServer:
    if transport == "stdio":
        return MCPServerStdio(stdio_params(), name="charts", custom_data_extractor=extractor, **kwargs)
    url = request.getfixturevalue("http_url")
    return MCPServerStreamableHttp({"url": url}, name="charts", custom_data_extractor=extractor, **kwargs)


def agent_for(server: MCPServer, *calls: Any) -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([list(calls), [assistant_message("done")]])
    return Agent(name="A", mcp_servers=[server], model=model), model


def outputs(items: list[Any]) -> list[ToolCallOutputItem]:
    return [item for item in items if isinstance(item, ToolCallOutputItem)]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_the_extractor_reads_the_results_meta_and_its_value_lands_on_the_tool_output(
    is_async: bool, transport: str, request: pytest.FixtureRequest
) -> None:
    seen: list[MCPToolCustomDataContext] = []

    def extract(context: MCPToolCustomDataContext) -> dict[str, Any]:
        seen.append(context)
        return {"chart": dict(context.result_meta or {})["chart"], "tenant": context.run_context.context["tenant"]}

    async def extract_async(context: MCPToolCustomDataContext) -> dict[str, Any]:
        return extract(context)

    server = make_server(transport, request, extract_async if is_async else extract)
    async with server:
        agent, model = agent_for(server, function_call("charted", {"label": "sales"}, call_id="c1"))
        result = await Runner.run(agent, "go", context={"tenant": "acme"})
    (output,) = outputs(result.new_items)
    assert output.custom_data == {"chart": {"type": "line", "label": "sales"}, "tenant": "acme"}
    (context,) = seen
    assert (context.server_name, context.tool_name, context.tool_display_name) == ("charts", "charted", "charted")
    assert dict(context.arguments) == {"label": "sales"}
    assert dict(context.structured_content or {}) == {"label": "sales", "points": [1, 2, 3]}
    assert context.is_error is False
    assert context.tool_output == "chart sales"  # what the model read
    sent = [item for item in model.calls[1].input if getattr(item, "type", "") == "function_call_output"]
    assert sent and all("custom_data" not in repr(item) for item in sent)


async def test_a_result_without_meta_gives_none_and_an_empty_mapping_gives_no_custom_data(
    transport: str, request: pytest.FixtureRequest
) -> None:
    seen: list[MCPToolCustomDataContext] = []

    def extract(context: MCPToolCustomDataContext) -> dict[str, Any]:
        seen.append(context)
        return {}

    server = make_server(transport, request, extract)
    async with server:
        agent, _ = agent_for(server, function_call("add", {"a": 2, "b": 3}, call_id="c1"))
        result = await Runner.run(agent, "go")
    (output,) = outputs(result.new_items)
    assert output.custom_data is None
    (context,) = seen
    assert context.result_meta is None and context.tool_output == "5"


async def test_run_streamed_carries_the_custom_data_on_the_streamed_item(request: pytest.FixtureRequest) -> None:
    server = make_server("stdio", request, lambda context: {"meta": dict(context.result_meta or {})})
    async with server:
        agent, _ = agent_for(server, function_call("charted", {"label": "q3"}, call_id="c1"))
        streamed = Runner.run_streamed(agent, "go")
        items = [event.item async for event in streamed.stream_events() if event.type == "run_item_stream_event"]
    (streamed_output,) = outputs(items)
    expected = {"meta": {"chart": {"type": "line", "label": "q3"}}}
    assert streamed_output.custom_data == expected
    (final_output,) = outputs(streamed.new_items)
    assert final_output.custom_data == expected


async def test_the_public_name_is_the_prefixed_one(request: pytest.FixtureRequest) -> None:
    seen: list[MCPToolCustomDataContext] = []
    server = make_server("stdio", request, lambda context: seen.append(context) or {"ok": True})
    async with server:
        model = ScriptedModel(
            [[function_call("mcp_charts__charted", {"label": "x"}, call_id="c1")], [assistant_message("done")]]
        )
        agent = Agent(name="A", mcp_servers=[server], mcp_config={"include_server_in_tool_names": True}, model=model)
        result = await Runner.run(agent, "go")
    assert outputs(result.new_items)[0].custom_data == {"ok": True}
    (context,) = seen
    assert (context.tool_name, context.tool_display_name) == ("charted", "mcp_charts__charted")


async def test_a_raising_extractor_ends_the_run_and_its_span_records_it(
    request: pytest.FixtureRequest, tracing: Tracing
) -> None:
    def extract(context: MCPToolCustomDataContext) -> dict[str, Any]:
        raise RuntimeError("no renderer")

    server = make_server("stdio", request, extract)
    async with server:
        agent, _ = agent_for(server, function_call("charted", {"label": "x"}, call_id="c1"))
        with pytest.raises(RuntimeError, match="no renderer"):
            await Runner.run(agent, "go", run_config=tracing.config)
    span = tracing.tool_span("c1")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes and span.attributes["error.type"] == "RuntimeError"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("chart", "must return a mapping or None"),
        ({1: "x"}, "string keys"),
        ({"bad": object()}, "JSON-compatible"),
        ({"score": float("nan")}, "JSON-compatible"),
    ],
    ids=["not-a-mapping", "int-key", "object", "nan"],
)
async def test_a_value_that_is_not_json_data_is_a_user_error(
    value: Any, message: str, request: pytest.FixtureRequest
) -> None:
    server = make_server("stdio", request, lambda context: value)
    async with server:
        agent, _ = agent_for(server, function_call("charted", {"label": "x"}, call_id="c1"))
        with pytest.raises(UserError, match=message):
            await Runner.run(agent, "go")


async def test_a_failed_call_does_not_ask_the_extractor(request: pytest.FixtureRequest) -> None:
    seen: list[MCPToolCustomDataContext] = []
    server = make_server("stdio", request, lambda context: seen.append(context) or {"ok": True})
    async with server:
        agent, _ = agent_for(server, function_call("fail", {"reason": "broken"}, call_id="c1"))
        result = await Runner.run(agent, "go")
    (output,) = outputs(result.new_items)
    assert "broken" in str(output.output) and output.custom_data is None
    assert seen == []


def test_an_extractor_that_is_not_callable_is_refused() -> None:
    with pytest.raises(UserError, match="custom_data_extractor must be callable"):
        MCPServerStdio(stdio_params(), name="charts", custom_data_extractor="extract")  # type: ignore[arg-type]
