"""Compatibility: ``ToolOrigin`` / ``ToolOriginType`` on tool run items, and ``MCPToolCancellationError``.

As in the SDK (its ``test_tool_origin.py`` and ``mcp/util.py``): a function tool's ``ToolCallItem`` and
``ToolCallOutputItem`` carry ``ToolOrigin(type=FUNCTION)``, an MCP server's tool ``ToolOrigin(MCP,
mcp_server_name=...)`` (a URL-derived name without credentials, query or fragment), an agent used as a tool
``ToolOrigin(AGENT_AS_TOOL, agent_name=..., agent_tool_name=...)``; a ``ToolApprovalItem`` carries its tool's origin;
items of no function tool have none. An MCP ``tools/call`` that the MCP client cancels (not the run) is the call's
``MCPToolCancellationError``, told to the model through ``failure_error_function``; cancelling the run still
cancels. The MCP server is the official one over stdio, no mocks, except the cancelled request.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from mcp_support.servers import stdio_params
from support import Tracing

from agents_otel import (
    Agent,
    MCPToolCancellationError,
    Runner,
    ToolApprovalItem,
    ToolCallItem,
    ToolCallOutputItem,
    ToolOrigin,
    ToolOriginType,
    function_tool,
)
from agents_otel.mcp import MCPServerStdio
from agents_otel.mcp import client_call as mcp_call
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


@function_tool
def lookup_account() -> str:
    """Look the account up."""
    return "account"


def items_of(result: Any, call_id: str) -> list[Any]:
    return [i for i in result.new_items if getattr(i, "call_id", None) == call_id]


async def test_a_function_tools_items_say_function() -> None:
    model = ScriptedModel([[function_call("lookup_account", {}, call_id="c1")], [assistant_message("done")]])
    result = await Runner.run(Agent(name="a", model=model, tools=[lookup_account]), "hello")
    call, output = items_of(result, "c1")
    assert isinstance(call, ToolCallItem) and isinstance(output, ToolCallOutputItem)
    assert call.tool_origin == output.tool_origin == ToolOrigin(type=ToolOriginType.FUNCTION)  # type: ignore[attr-defined]


async def test_an_agent_used_as_a_tool_says_so() -> None:
    inner = Agent(name="Researcher", model=ScriptedModel([[assistant_message("found")]]))
    model = ScriptedModel([[function_call("research", {"input": "q"}, call_id="c1")], [assistant_message("done")]])
    outer = Agent(name="lead", model=model, tools=[inner.as_tool(tool_name="research", tool_description="Research.")])
    result = await Runner.run(outer, "hello")
    expected = ToolOrigin(ToolOriginType.AGENT_AS_TOOL, agent_name="Researcher", agent_tool_name="research")
    assert [i.tool_origin for i in items_of(result, "c1")] == [expected, expected]


async def test_an_approval_item_carries_its_tools_origin_and_a_rejected_output_keeps_it() -> None:
    @function_tool(needs_approval=True)
    def approval_tool() -> str:
        """Needs a person."""
        raise AssertionError("rejected: never runs")

    model = ScriptedModel([[function_call("approval_tool", {}, call_id="c1")], [assistant_message("done")]])
    agent = Agent(name="a", model=model, tools=[approval_tool])
    first = await Runner.run(agent, "hello")
    (waiting,) = first.interruptions
    assert isinstance(waiting, ToolApprovalItem) and waiting.tool_origin == ToolOrigin(ToolOriginType.FUNCTION)  # type: ignore[attr-defined]
    state = first.to_state()
    state.reject(waiting)
    resumed = await Runner.run(agent, state)
    (output,) = [i for i in resumed.new_items if isinstance(i, ToolCallOutputItem)]
    assert output.tool_origin == ToolOrigin(ToolOriginType.FUNCTION)  # type: ignore[attr-defined]


def test_origin_json_round_trip_and_what_is_not_an_origin() -> None:
    origin = ToolOrigin(ToolOriginType.MCP, mcp_server_name="docs")
    assert origin.to_json_dict() == {"type": "mcp", "mcp_server_name": "docs"}
    assert ToolOrigin.from_json_dict(json.loads(json.dumps(origin.to_json_dict()))) == origin
    assert ToolOrigin.from_json_dict({"type": "nope"}) is None and ToolOrigin.from_json_dict("mcp") is None
    assert ToolOriginType("agent_as_tool") is ToolOriginType.AGENT_AS_TOOL and ToolOriginType.MCP == "mcp"


async def test_an_mcp_tools_items_name_the_server_without_credentials() -> None:
    model = ScriptedModel([[function_call("add", {"a": 2, "b": 3}, call_id="c1")], [assistant_message("5")]])
    name = "streamable_http: https://user:s3cr3t@mcp.example.test:8443/mcp?api_key=SECRET#frag"
    async with MCPServerStdio(params=stdio_params(), name=name) as server:  # type: ignore[arg-type]
        result = await Runner.run(Agent(name="a", model=model, mcp_servers=[server]), "add")
    expected = ToolOrigin(ToolOriginType.MCP, mcp_server_name="streamable_http: https://mcp.example.test:8443/mcp")
    assert [i.tool_origin for i in items_of(result, "c1")] == [expected, expected]


async def test_an_mcp_call_cancelled_by_the_client_is_the_calls_error(
    monkeypatch: pytest.MonkeyPatch, tracing: Tracing
) -> None:
    async def cancelled_by_the_session(*args: Any, **kwargs: Any) -> Any:
        raise asyncio.CancelledError  # what the MCP client raises when its task group ends the request

    monkeypatch.setattr(mcp_call._sdk, "call_tool", cancelled_by_the_session)
    model = ScriptedModel([[function_call("add", {"a": 2, "b": 3}, call_id="c1")], [assistant_message("sorry")]])
    async with MCPServerStdio(params=stdio_params(), name="official") as server:  # type: ignore[arg-type]
        agent = Agent(name="a", model=model, mcp_servers=[server])
        result = await Runner.run(agent, "add", run_config=tracing.config)
    (output,) = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert result.final_output == "sorry" and output.is_error
    # worded by the default failure function, without the error (SDK 0.23)
    generic = "An error occurred while running the tool."
    assert output.output == generic
    error_type = (tracing.tool_span("c1").attributes or {})["error.type"]
    assert error_type == f"{MCPToolCancellationError.__module__}.MCPToolCancellationError"


async def test_cancelling_the_run_still_cancels_an_mcp_call() -> None:
    model = ScriptedModel([[function_call("hang", {}, call_id="c1")]], check_calls=False)
    async with MCPServerStdio(params=stdio_params(), name="official") as server:  # type: ignore[arg-type]
        result = Runner.run_streamed(Agent(name="a", model=model, mcp_servers=[server]), "go")
        async for event in result.stream_events():
            if getattr(event, "name", None) == "tool_called":
                result.cancel()
    assert result.cancelled
