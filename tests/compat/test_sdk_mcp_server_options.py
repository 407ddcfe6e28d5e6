"""Compatibility: the OpenAI Agents SDK's MCP server options of 0.23/0.24 against the official ``mcp`` server in a
subprocess (no mocks): ``tool_input_guardrails`` / ``tool_output_guardrails`` (on every tool of the server),
``message_handler``, ``FunctionTool.mcp_annotations`` (#5356), ``create_streams()``, and ``MCPServerSse`` taking
its parameters by name like the other transports.

What the SDK pins: a server's input guardrail judges each call of its tools before the server is asked (a rejection
is what the model reads, and the server never sees the call), its output guardrail judges the result before the
model does; ``message_handler`` is awaited with what the session receives; a converted tool's ``mcp_annotations`` is
a copy of the listed ``ToolAnnotations`` (``None`` without any, and for non-MCP tools) that no reader can change;
``create_streams()`` is the transport a subclass may replace (yielding ``(read, write)`` or
``(read, write, get_session_id)``), and the SDK's parameters come in its order.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp_support.servers import stdio_params

from agents_otel import (
    Agent,
    FunctionTool,
    RunHooks,
    Runner,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrailData,
    ToolOutputGuardrailData,
    UserError,
    function_tool,
    tool_input_guardrail,
    tool_output_guardrail,
)
from agents_otel.mcp import MCPServer, MCPServerSse, MCPServerStdio, MCPServerStreamableHttp, _sdk
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


def official(**kwargs: Any) -> MCPServerStdio:
    return MCPServerStdio(stdio_params(), name="official", **kwargs)  # type: ignore[arg-type]


async def test_a_servers_input_guardrail_answers_for_its_tools_and_the_server_never_sees_the_call() -> None:
    seen: list[tuple[str, str]] = []

    @tool_input_guardrail
    def no_flaky(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        seen.append((data.context.tool_name, data.context.tool_arguments))
        return ToolGuardrailFunctionOutput.reject_content("blocked by policy")

    model = ScriptedModel(
        [[function_call("flaky", {"key": "guarded", "failures": 0}, call_id="c1")], [assistant_message("done")]]
    )
    async with official(tool_input_guardrails=[no_flaky]) as server:
        result = await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go")
        attempts = await server.call_tool("attempts", {"key": "guarded"})

    assert result.final_output == "done"
    assert seen == [("flaky", '{"key": "guarded", "failures": 0}')]
    assert len(result.tool_input_guardrail_results) == 1
    assert model.calls[1].input[-1].output == "blocked by policy"  # type: ignore[union-attr]
    assert attempts.content[0].text == "0"  # the server never got the call


async def test_a_servers_output_guardrail_judges_each_result_before_the_model_reads_it() -> None:
    seen: list[Any] = []

    @tool_output_guardrail
    def hide_sums(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
        seen.append(data.output)
        return ToolGuardrailFunctionOutput.reject_content("sum withheld")

    model = ScriptedModel([[function_call("add", {"a": 2, "b": 3}, call_id="c1")], [assistant_message("done")]])
    async with official(tool_output_guardrails=[hide_sums]) as server:
        tools = await server.function_tools()
        result = await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go")

    assert seen == ["5"]  # the text the model would have read
    assert len(result.tool_output_guardrail_results) == 1
    assert model.calls[1].input[-1].output == "sum withheld"  # type: ignore[union-attr]
    assert all(t.tool_output_guardrails == [hide_sums] and t.tool_input_guardrails is None for t in tools)


@pytest.mark.parametrize("stage", ["input", "output"])
def test_guardrails_that_are_not_guardrails_are_refused_when_the_server_is_built(stage: str) -> None:
    with pytest.raises(UserError, match=f"tool_{stage}_guardrails must be a list"):
        official(**{f"tool_{stage}_guardrails": [lambda data: None]})


async def test_the_message_handler_gets_what_the_session_receives() -> None:
    received: list[Any] = []

    async def handler(message: Any) -> None:
        received.append(message)

    model = ScriptedModel([[function_call("count", {"n": 2}, call_id="c1")], [assistant_message("done")]])
    async with official(message_handler=handler) as server:
        result = Runner.run_streamed(Agent(name="A", mcp_servers=[server], model=model), "go")
        progress = [e async for e in result.stream_events() if e.type == "tool_progress_stream_event"]

    assert len(progress) == 2  # agents_otel still reads the progress it hands on
    found = [_sdk.progress_notification(m) for m in received]
    assert [(f[1], f[3]) for f in found if f is not None] == [(1.0, "step 1"), (2.0, "step 2")]
    with pytest.raises(UserError, match="message_handler"):
        official(message_handler="not callable")


async def test_converted_tools_carry_a_copy_of_the_listed_annotations_for_hooks() -> None:
    observed: dict[str, Any] = {}

    class Hooks(RunHooks[Any]):
        async def on_tool_start(self, context: Any, agent: Any, tool: FunctionTool) -> None:
            observed[tool.name] = tool.mcp_annotations

    calls = [function_call("add", {"a": 1, "b": 1}, call_id="c1"), function_call("count", {"n": 1}, call_id="c2")]
    model = ScriptedModel([calls, [assistant_message("done")]])
    async with official() as server:
        tools = {t.name: t for t in await server.function_tools()}
        await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go", hooks=Hooks())

    add = tools["add"].mcp_annotations
    assert add.model_dump(by_alias=True, exclude_none=True) == {"readOnlyHint": True, "idempotentHint": True}
    add.title = "a reader's edit"
    assert tools["add"].mcp_annotations.title is None  # a copy each time
    assert tools["count"].mcp_annotations is None
    assert observed["add"].model_dump(by_alias=True)["readOnlyHint"] is True and observed["count"] is None

    @function_tool
    def local() -> str:
        return "x"

    assert local.mcp_annotations is None


def test_every_transport_takes_the_sdks_parameters_by_name_in_its_order() -> None:
    sdk_order = [
        "params", "cache_tools_list", "name", "client_session_timeout_seconds", "tool_filter",
        "use_structured_content", "max_retry_attempts", "retry_backoff_seconds_base", "message_handler",
        "require_approval", "failure_error_function", "tool_meta_resolver", "custom_data_extractor",
        "retry_backoff_seconds_max",
    ]  # fmt: skip
    keyword_only = ["tool_input_guardrails", "tool_output_guardrails", "max_list_pages", "connect_timeout_seconds"]
    for transport in (MCPServerStdio, MCPServerStreamableHttp, MCPServerSse):
        parameters = inspect.signature(transport).parameters.values()
        positional = [p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        assert positional == sdk_order
        assert [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY] == keyword_only
    with pytest.raises(TypeError):
        MCPServerSse({"url": "http://127.0.0.1:1/sse"}, no_such_option=1)  # type: ignore[call-arg]
    with pytest.raises(UserError, match="unsupported keys"):
        MCPServerSse({"url": "http://127.0.0.1:1/sse", "verify": False})  # type: ignore[typeddict-unknown-key]


async def test_a_subclass_brings_its_own_transport_through_create_streams() -> None:
    from mcp import StdioServerParameters, stdio_client

    entered: list[str] = []

    class Wrapped(MCPServerStdio):
        @asynccontextmanager
        async def create_streams(self) -> AsyncIterator[Any]:  # type: ignore[override]
            entered.append("streams")
            async with stdio_client(StdioServerParameters(command=sys.executable, args=stdio_params()["args"])) as s:
                yield s  # the SDK's (read, write): no session id

    async with Wrapped({"command": "unused"}, name="wrapped") as server:
        assert isinstance(server, MCPServer)
        result = await server.call_tool("add", {"a": 2, "b": 2})
        assert server.session_id is None

    assert entered == ["streams"]
    assert result.content[0].text == "4"


async def test_create_streams_is_the_transport_an_mcp_client_session_can_use(http_url: str) -> None:
    from mcp import ClientSession

    server = MCPServerStreamableHttp({"url": http_url})
    async with server.create_streams() as (read, write, session_id), ClientSession(read, write) as session:
        await session.initialize()
        assert "add" in [t.name for t in (await session.list_tools()).tools]
        assert session_id()
