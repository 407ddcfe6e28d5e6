"""Compatibility: a hosted MCP server's approval request without ``on_approval_request`` pauses the run, as in the
OpenAI Agents SDK, driven over the real wire (the official ``openai`` client talking HTTP to the local
OpenAI-compatible server, which records each request body).

What the SDK does and this runtime must do too: the run stops before another model call with a ``ToolApprovalItem``
in ``result.interruptions`` whose ``raw_item`` is the ``McpApprovalRequest`` and ``tool_name`` its tool;
``state.approve`` / ``state.reject(rejection_message=...)`` decide it; the resumed run sends an
``mcp_approval_response`` (``approve``, and the message as ``reason``; no ``reason`` without one) and calls the model
again; ``always_approve`` decides that server's later requests for the same tool, never another server's; the state
survives ``to_json`` / ``from_json``; a turn with a function call that needs approval too pauses once, with both.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses.response_output_item import McpApprovalRequest
from support import Tracing

from agents_otel import (
    Agent,
    HostedMCPTool,
    MCPApprovalResponseItem,
    OpenAIResponsesModel,
    Runner,
    RunResult,
    RunState,
    Tool,
    ToolApprovalItem,
    UserError,
    function_tool,
)
from agents_otel.items import RawInputItem
from agents_otel.testing import ScriptedModel, assistant_message, function_call

CONFIG: Any = {
    "type": "mcp",
    "server_label": "dice",
    "server_url": "https://dice.example/mcp",
    "require_approval": "always",
}
REQUEST = {
    "type": "mcp_approval_request",
    "id": "mcpr_1",
    "server_label": "dice",
    "name": "roll",
    "arguments": '{"sides": 6}',
}
MCP_CALL = {
    "type": "mcp_call",
    "id": "mcp_1",
    "server_label": "dice",
    "name": "roll",
    "arguments": '{"sides": 6}',
    "output": "4",
    "approval_request_id": "mcpr_1",
}



def agent_with(client: openai.AsyncOpenAI, *tools: Tool) -> Agent[Any]:
    return Agent("A", tools=list(tools), model=OpenAIResponsesModel("gpt-test", openai_client=client))


async def run(agent: Agent[Any], input: Any, streamed: bool, tracing: Tracing) -> Any:
    if streamed:
        result = Runner.run_streamed(agent, input, run_config=tracing.config)
        async for _ in result.stream_events():
            pass
        return result
    return await Runner.run(agent, input, run_config=tracing.config)


def answers(fake_openai: FakeOpenAIServer) -> list[dict[str, Any]]:
    """The ``mcp_approval_response`` items of the last request."""
    return [i for i in fake_openai.last_request.body["input"] if i.get("type") == "mcp_approval_response"]


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_request_without_a_callback_stops_the_run_with_an_interruption(
    streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="I need approval.", hosted_calls=[REQUEST])
    result = await run(agent_with(client, HostedMCPTool(CONFIG)), "Roll", streamed, tracing)

    assert result.final_output is None and len(fake_openai.requests) == 1
    (item,) = result.interruptions
    assert isinstance(item, ToolApprovalItem)
    assert isinstance(item.raw_item, McpApprovalRequest) and item.raw_item.id == "mcpr_1"
    assert (item.tool_name, item.name, item.call_id, item.arguments) == ("roll", "roll", "mcpr_1", '{"sides": 6}')
    assert item.server_label == "dice" and item.agent.name == "A"
    assert item.to_input_item() == REQUEST
    assert [i.type for i in result.new_items] == [
        "mcp_approval_request_item",
        "message_output_item",
        "tool_approval_item",
    ]
    assert result.to_state().interruptions == [item]

    (span,) = tracing.named("invoke_agent")
    assert span.attributes["agents_otel.approvals.pending"] == 1
    (event,) = [e for e in span.events if e.name == "agents_otel.tool.approval_requested"]
    assert dict(event.attributes or {}) == {
        "gen_ai.tool.name": "roll",
        "gen_ai.tool.call.id": "mcpr_1",
        "agents_otel.server_tool_call.server_label": "dice",
    }


@pytest.mark.parametrize("streamed", [False, True])
async def test_an_approved_request_is_answered_on_the_resumed_runs_model_call(
    streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[REQUEST])
    fake_openai.enqueue(text="You rolled 4.", hosted_calls=[MCP_CALL])
    agent = agent_with(client, HostedMCPTool(CONFIG))
    first = await run(agent, "Roll", streamed, tracing)
    state = first.to_state()
    state.approve(first.interruptions[0])

    result = await run(agent, state, streamed, tracing)
    assert result.final_output == "You rolled 4." and result.interruptions == []
    assert len(fake_openai.requests) == 2
    expected = {"approval_request_id": "mcpr_1", "approve": True, "type": "mcp_approval_response"}
    sent = fake_openai.last_request.body["input"]
    assert sent[1:] == [REQUEST, expected]  # the request as it came, then the decision
    kinds = [i.type for i in result.new_items]
    assert kinds == [
        "mcp_approval_request_item",
        "mcp_approval_response_item",
        "tool_call_item",
        "message_output_item",
    ]
    answer = result.new_items[1]
    assert isinstance(answer, MCPApprovalResponseItem) and answer.raw_item == expected

    resumed = [s for s in tracing.named("invoke_agent") if s.attributes.get("agents_otel.run.resumed")]
    (decision,) = [e for s in resumed for e in s.events if e.name == "agents_otel.hosted_mcp.approval"]
    assert decision.attributes is not None and decision.attributes["agents_otel.tool.approval"] == "approved"
    assert decision.attributes["gen_ai.tool.call.id"] == "mcpr_1"


@pytest.mark.parametrize(("message", "reason"), [("Not on Sundays.", {"reason": "Not on Sundays."}), (None, {})])
async def test_a_rejection_is_sent_with_its_message_as_the_reason(
    message: str | None,
    reason: dict[str, str],
    fake_openai: FakeOpenAIServer,
    client: openai.AsyncOpenAI,
    tracing: Tracing,
) -> None:
    fake_openai.enqueue(hosted_calls=[REQUEST])
    fake_openai.enqueue(text="I may not roll.")
    agent = agent_with(client, HostedMCPTool(CONFIG))
    first = await Runner.run(agent, "Roll", run_config=tracing.config)
    state = first.to_state()
    state.reject(first.interruptions[0], rejection_message=message)
    result = await Runner.run(agent, state, run_config=tracing.config)
    assert result.final_output == "I may not roll."
    assert answers(fake_openai) == [
        {"approval_request_id": "mcpr_1", "approve": False, "type": "mcp_approval_response", **reason}
    ]


async def test_the_paused_run_survives_json_and_resumes_in_a_new_process(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[REQUEST])
    fake_openai.enqueue(text="You rolled 4.")
    first = await Runner.run(agent_with(client, HostedMCPTool(CONFIG)), "Roll", run_config=tracing.config)
    stored = json.dumps(first.to_state().to_json())

    agent = agent_with(client, HostedMCPTool(CONFIG))  # another process: new objects, found by name
    state = await RunState.from_string(agent, stored)
    (item,) = state.interruptions
    assert item.server_label == "dice" and item.call_id == "mcpr_1"
    assert isinstance(item.raw_item, McpApprovalRequest)
    state.reject(item, always_reject=True, rejection_message="no")
    again = await RunState.from_json(agent, state.to_json())  # the standing decision is stored too
    result = await Runner.run(agent, again, run_config=tracing.config)
    assert result.final_output == "You rolled 4."
    assert answers(fake_openai) == [
        {"approval_request_id": "mcpr_1", "approve": False, "type": "mcp_approval_response", "reason": "no"}
    ]


async def test_always_approve_decides_the_servers_later_requests_for_that_tool_only(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    coins: Any = {**CONFIG, "server_label": "coins", "server_url": "https://coins.example/mcp"}
    fake_openai.enqueue(hosted_calls=[REQUEST])
    fake_openai.enqueue(hosted_calls=[{**REQUEST, "id": "mcpr_2"}])  # same server and tool: decided already
    fake_openai.enqueue(hosted_calls=[{**REQUEST, "id": "mcpr_3", "server_label": "coins"}])  # another server
    agent = agent_with(client, HostedMCPTool(CONFIG), HostedMCPTool(coins))
    first = await Runner.run(agent, "Roll", run_config=tracing.config)
    state = first.to_state()
    state.approve(first.interruptions[0], always_approve=True)
    state = await RunState.from_json(agent, state.to_json())

    second = await Runner.run(agent, state, run_config=tracing.config)
    assert len(fake_openai.requests) == 3
    assert [a["approval_request_id"] for a in answers(fake_openai)] == ["mcpr_1", "mcpr_2"]
    (item,) = second.interruptions
    assert (item.server_label, item.call_id) == ("coins", "mcpr_3")


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_function_approval_and_a_hosted_mcp_request_in_one_turn_pause_once(
    streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    ran: list[str] = []

    @function_tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        ran.append(path)
        return f"deleted {path}"

    fake_openai.enqueue(hosted_calls=[REQUEST], tool_calls=[("delete_file", {"path": "a"}, "call_1")])
    fake_openai.enqueue(text="Done.")
    agent = agent_with(client, HostedMCPTool(CONFIG), delete_file)
    first = await run(agent, "Roll and clean", streamed, tracing)
    assert len(fake_openai.requests) == 1 and ran == []
    mcp, call = first.interruptions
    assert (mcp.server_label, mcp.call_id) == ("dice", "mcpr_1")
    assert (call.server_label, call.call_id, call.tool_name) == (None, "call_1", "delete_file")
    (span,) = tracing.named("invoke_agent")
    assert span.attributes["agents_otel.approvals.pending"] == 2

    # one decided: the resumed run stops again at once, before any model call, with the other
    state = first.to_state()
    state.approve(call)
    partly: RunResult = await Runner.run(agent, state, run_config=tracing.config)
    assert len(fake_openai.requests) == 1 and ran == ["a"]
    assert [i.call_id for i in partly.interruptions] == ["mcpr_1"]

    state = partly.to_state()
    state.reject(partly.interruptions[0], rejection_message="no dice")
    result = await run(agent, state, streamed, tracing)
    assert result.final_output == "Done." and ran == ["a"]
    assert len(fake_openai.requests) == 2
    sent = fake_openai.last_request.body["input"]
    assert {"type": "function_call_output", "call_id": "call_1", "output": "deleted a"} in sent
    assert answers(fake_openai) == [
        {"approval_request_id": "mcpr_1", "approve": False, "type": "mcp_approval_response", "reason": "no dice"}
    ]


async def test_an_interruption_of_another_server_or_call_is_refused(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[REQUEST])
    first = await Runner.run(agent_with(client, HostedMCPTool(CONFIG)), "Roll", run_config=tracing.config)
    other = ToolApprovalItem.for_mcp_request({**REQUEST, "server_label": "coins"}, "A")
    with pytest.raises(UserError, match="not waiting"):
        first.to_state().approve(other)


async def test_a_stored_request_that_cannot_be_answered_is_a_user_error(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[REQUEST])
    agent = agent_with(client, HostedMCPTool(CONFIG))
    data = (await Runner.run(agent, "Roll", run_config=tracing.config)).to_state().to_json()
    del data["turn"]["mcp_pending"][0]["id"]
    with pytest.raises(UserError, match=r"state\.turn\.mcp_pending\[0\]\.id is missing"):
        await RunState.from_json(agent, data)
    data["turn"]["mcp_pending"] = []
    with pytest.raises(UserError, match=r"state\.turn\.pending must name calls of the turn, or .*mcp_pending"):
        await RunState.from_json(agent, data)


async def test_a_request_inside_an_agent_tool_stops_the_outer_run_and_resumes_there() -> None:
    inner_model = ScriptedModel([[RawInputItem(dict(REQUEST))], [assistant_message("rolled")]])
    inner = Agent("Inner", tools=[HostedMCPTool(CONFIG)], model=inner_model)
    outer = Agent(
        "Outer",
        tools=[inner.as_tool("inner", "Inner.")],
        model=ScriptedModel([[function_call("inner", {"input": "q"}, call_id="o1")], [assistant_message("done")]]),
    )
    first = await Runner.run(outer, "go")
    (item,) = first.interruptions
    assert (item.tool_name, item.server_label, item.agent) == (REQUEST["name"], REQUEST["server_label"], inner)
    state = first.to_state()
    state.reject(item, rejection_message="no")

    result = await Runner.run(outer, state)

    assert result.final_output == "done"
    answers = [i for i in inner_model.calls[1].input if isinstance(i, RawInputItem)]
    assert answers[-1].data["type"] == "mcp_approval_response" and answers[-1].data["approve"] is False
