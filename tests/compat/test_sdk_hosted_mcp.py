"""Compatibility: the OpenAI Agents SDK's ``HostedMCPTool`` (a remote MCP server the Responses API calls itself),
driven over the real wire: the official ``openai`` client talking HTTP to the local OpenAI-compatible server, which
records each request body and answers with scripted ``mcp_list_tools`` / ``mcp_call`` / ``mcp_approval_request``
items.

What the SDK does and this runtime must do too: ``tool_config`` is the ``tools`` entry as given; ``mcp_list_tools``
is an ``MCPListToolsItem`` (stream event ``mcp_list_tools``), ``mcp_call`` a ``ToolCallItem`` named by the MCP tool
(``tool_called``), ``mcp_approval_request`` an ``MCPApprovalRequestItem`` (``mcp_approval_requested``) that
``on_approval_request`` answers with an ``MCPApprovalResponseItem`` (``mcp_approval_response``) sent on another
model call; every item goes back to the model as it came, ``to_input_list()`` included; an exception from the
callback ends the run; Chat Completions refuses the tool before sending. A request for a server without
``on_approval_request`` pauses the run: test_sdk_hosted_mcp_approvals.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses.response_output_item import McpApprovalRequest, McpCall, McpListTools
from support import Tracing

from agents_otel import (
    Agent,
    HostedMCPTool,
    HostedToolCallItem,
    MCPApprovalRequestItem,
    MCPApprovalResponseItem,
    MCPListToolsItem,
    MCPToolApprovalFunctionResult,
    MCPToolApprovalRequest,
    ModelBehaviorError,
    ModelRequest,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    RunContextWrapper,
    RunItemStreamEvent,
    Runner,
    Tool,
    ToolCallItem,
    UserError,
    WebSearchTool,
)
from agents_otel.handoff_filters import remove_all_tools
from agents_otel.handoffs import HandoffInputData
from agents_otel.run_state_codec import Node
from agents_otel.run_state_items import decode_run_item, encode_run_item
from agents_otel.tool_sources import ToolNameCollisionError

CONFIG: Any = {
    "type": "mcp",
    "server_label": "dice",
    "server_url": "https://dice.example/mcp",
    "require_approval": "always",
}
LIST_TOOLS = {
    "type": "mcp_list_tools",
    "id": "mcpl_1",
    "server_label": "dice",
    "tools": [{"name": "roll", "input_schema": {"type": "object"}, "description": "Roll dice."}],
}
MCP_CALL = {
    "type": "mcp_call",
    "id": "mcp_1",
    "server_label": "dice",
    "name": "roll",
    "arguments": '{"sides": 6}',
    "output": "4",
}
APPROVAL_REQUEST = {
    "type": "mcp_approval_request",
    "id": "mcpr_1",
    "server_label": "dice",
    "name": "roll",
    "arguments": '{"sides": 6}',
}



def agent_with(client: openai.AsyncOpenAI, *tools: Tool, **kwargs: Any) -> Agent[Any]:
    return Agent("A", tools=list(tools), model=OpenAIResponsesModel("gpt-test", openai_client=client), **kwargs)


# ---- the request ---------------------------------------------------------------------------------------------------


async def test_tool_config_is_the_tools_entry_as_given_beside_other_servers_and_hosted_tools(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Done.")
    other: Any = {"type": "mcp", "server_label": "docs", "connector_id": "connector_gmail", "authorization": "tok"}
    agent = agent_with(client, HostedMCPTool(CONFIG), HostedMCPTool(other), WebSearchTool())
    await Runner.run(agent, "go", run_config=tracing.config)
    body = fake_openai.last_request.body
    assert body["tools"][:2] == [CONFIG, other]
    assert body["tools"][2]["type"] == "web_search"


def test_tool_choice_mcp_is_sent_as_the_sdk_sends_it() -> None:
    model = OpenAIResponsesModel("gpt-test", openai_client=openai.AsyncOpenAI(api_key="unused"))
    request = ModelRequest(None, [], [], ModelSettings(tool_choice="mcp"), hosted_tools=[HostedMCPTool(CONFIG)])
    assert model.request_params(request)["tool_choice"] == {"type": "mcp"}


@pytest.mark.parametrize(
    "config",
    [
        {"server_label": "x", "server_url": "https://x"},  # no type
        {"type": "mcp", "server_url": "https://x"},  # no label
        {"type": "mcp", "server_label": "x"},  # neither a URL nor a connector
    ],
)
def test_a_config_the_api_would_reject_fails_when_built(config: Any) -> None:
    with pytest.raises(UserError, match="HostedMCPTool"):
        HostedMCPTool(config)


async def test_two_servers_with_one_label_are_a_collision_before_sending(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    agent = agent_with(client, HostedMCPTool(CONFIG), HostedMCPTool({**CONFIG, "server_url": "https://b"}))
    with pytest.raises(ToolNameCollisionError, match="dice"):
        await Runner.run(agent, "go", run_config=tracing.config)
    assert fake_openai.requests == []


async def test_chat_completions_refuses_a_hosted_mcp_server_before_sending(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    agent = Agent("A", tools=[HostedMCPTool(CONFIG)], model=OpenAIChatCompletionsModel("m", openai_client=client))
    with pytest.raises(UserError, match="HostedMCPTool"):
        await Runner.run(agent, "go", run_config=tracing.config)
    assert fake_openai.requests == []


# ---- listings and calls --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_listing_and_a_call_are_run_items_and_go_back_as_they_came(
    streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="You rolled 4.", hosted_calls=[LIST_TOOLS, MCP_CALL])
    agent = agent_with(client, HostedMCPTool({**CONFIG, "require_approval": "never"}))
    if streamed:
        run = Runner.run_streamed(agent, "Roll a die", run_config=tracing.config)
        events = [e async for e in run.stream_events() if isinstance(e, RunItemStreamEvent)]
        assert [e.name for e in events] == ["mcp_list_tools", "tool_called", "message_output_created"]
        items, output, to_input = run.new_items, run.final_output, run.to_input_list()
    else:
        result = await Runner.run(agent, "Roll a die", run_config=tracing.config)
        items, output, to_input = result.new_items, result.final_output, result.to_input_list()
    assert output == "You rolled 4."
    assert [i.type for i in items] == ["mcp_list_tools_item", "tool_call_item", "message_output_item"]
    listing, call = items[0], items[1]
    assert isinstance(listing, MCPListToolsItem) and listing.agent is agent
    assert isinstance(listing.raw_item, McpListTools) and listing.raw_item.tools[0].name == "roll"
    assert isinstance(call, ToolCallItem) and isinstance(call, HostedToolCallItem)
    assert isinstance(call.raw_item, McpCall) and call.raw_item.output == "4"
    assert (call.tool_name, call.call_id, call.arguments) == ("roll", "mcp_1", '{"sides": 6}')  # the SDK's names
    assert call.result()["output"] == "4"  # what the UI protocols show as the call's result
    assert listing.to_input_item() == LIST_TOOLS and call.to_input_item() == MCP_CALL
    assert to_input[1:3] == [LIST_TOOLS, MCP_CALL]

    fake_openai.enqueue(text="Again: 2.")
    await Runner.run(agent, [*to_input, {"role": "user", "content": "Again"}], run_config=tracing.config)
    assert fake_openai.last_request.body["input"][1:3] == [LIST_TOOLS, MCP_CALL]  # exactly as the API returned them


async def test_the_chat_span_records_the_listing_and_the_call_with_the_server_label(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="4.", hosted_calls=[LIST_TOOLS, {**MCP_CALL, "status": "completed"}])
    agent = agent_with(client, HostedMCPTool({**CONFIG, "require_approval": "never"}))
    await Runner.run(agent, "Roll", run_config=RunConfig(tracer_provider=tracing.provider, capture_content=True))
    (chat,) = tracing.named("chat")
    events = [dict(e.attributes or {}) for e in chat.events if e.name == "agents_otel.server_tool_call"]
    assert events == [
        {
            "agents_otel.server_tool_call.type": "mcp_list_tools",
            "gen_ai.tool.call.id": "mcpl_1",
            "agents_otel.server_tool_call.server_label": "dice",
        },
        {
            "agents_otel.server_tool_call.type": "mcp_call",
            "gen_ai.tool.name": "roll",
            "gen_ai.tool.call.id": "mcp_1",
            "agents_otel.server_tool_call.status": "completed",
            "agents_otel.server_tool_call.server_label": "dice",
        },
    ]
    assert tracing.named("execute_tool") == []  # the MCP server was called by OpenAI, not here


# ---- approvals -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
async def test_an_approved_request_is_answered_on_a_second_model_call_and_the_run_finishes(
    streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    asked: list[MCPToolApprovalRequest] = []

    def approve(request: MCPToolApprovalRequest) -> MCPToolApprovalFunctionResult:
        asked.append(request)
        return {"approve": True}

    # the model asks; its text in the same answer is not the final output: the run goes on with the decision
    fake_openai.enqueue(text="Waiting for approval.", hosted_calls=[LIST_TOOLS, APPROVAL_REQUEST])
    fake_openai.enqueue(text="You rolled 4.", hosted_calls=[{**MCP_CALL, "approval_request_id": "mcpr_1"}])
    agent = agent_with(client, HostedMCPTool(CONFIG, on_approval_request=approve))
    if streamed:
        run = Runner.run_streamed(agent, "Roll", run_config=tracing.config, context={"user": "ann"})
        names = [e.name async for e in run.stream_events() if isinstance(e, RunItemStreamEvent)]
        assert names == [
            "mcp_list_tools",
            "mcp_approval_requested",
            "message_output_created",
            "mcp_approval_response",
            "tool_called",
            "message_output_created",
        ]
        items, output = run.new_items, run.final_output
    else:
        result = await Runner.run(agent, "Roll", run_config=tracing.config, context={"user": "ann"})
        items, output = result.new_items, result.final_output

    assert output == "You rolled 4."
    assert len(fake_openai.requests) == 2
    (request,) = asked
    assert isinstance(request.data, McpApprovalRequest) and request.data.name == "roll"
    assert isinstance(request.ctx_wrapper, RunContextWrapper) and request.ctx_wrapper.context == {"user": "ann"}
    kinds = [i.type for i in items]
    assert kinds[:4] == [
        "mcp_list_tools_item",
        "mcp_approval_request_item",
        "message_output_item",
        "mcp_approval_response_item",
    ]
    asked_item, answer = items[1], items[3]
    assert isinstance(asked_item, MCPApprovalRequestItem) and isinstance(asked_item.raw_item, McpApprovalRequest)
    assert isinstance(answer, MCPApprovalResponseItem) and answer.approved
    expected = {"approval_request_id": "mcpr_1", "approve": True, "type": "mcp_approval_response"}
    assert answer.raw_item == answer.to_input_item() == expected
    sent = fake_openai.last_request.body["input"]
    kinds = [i.get("type", i.get("role")) for i in sent[1:]]
    assert kinds == ["mcp_list_tools", "mcp_approval_request", "assistant", "mcp_approval_response"]
    assert sent[2] == APPROVAL_REQUEST and sent[4] == expected


async def test_a_rejection_with_a_reason_reaches_the_model_and_the_trace_under_content_capture(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    async def reject(request: MCPToolApprovalRequest) -> MCPToolApprovalFunctionResult:
        return {"approve": False, "reason": "No dice on Sundays."}

    fake_openai.enqueue(hosted_calls=[APPROVAL_REQUEST])
    fake_openai.enqueue(text="I may not roll today.")
    agent = agent_with(client, HostedMCPTool(CONFIG, on_approval_request=reject))
    for capture in (False, True):
        config = RunConfig(tracer_provider=tracing.provider, capture_content=capture)
        result = await Runner.run(agent, "Roll", run_config=config)
        assert result.final_output == "I may not roll today."
        answer = fake_openai.last_request.body["input"][-1]
        assert answer == {
            "approval_request_id": "mcpr_1",
            "approve": False,
            "type": "mcp_approval_response",
            "reason": "No dice on Sundays.",
        }
        if not capture:
            fake_openai.enqueue(hosted_calls=[APPROVAL_REQUEST])
            fake_openai.enqueue(text="I may not roll today.")
    spans = tracing.named("invoke_agent")
    decisions = [
        dict(e.attributes or {}) for s in spans for e in s.events if e.name == "agents_otel.hosted_mcp.approval"
    ]
    base = {
        "agents_otel.server_tool_call.server_label": "dice",
        "agents_otel.tool.approval": "rejected",
        "gen_ai.tool.name": "roll",
        "gen_ai.tool.call.id": "mcpr_1",
    }
    assert decisions == [base, {**base, "agents_otel.hosted_mcp.approval.reason": "No dice on Sundays."}]


async def test_an_exception_from_the_callback_ends_the_run_as_in_the_sdk(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    class Refused(Exception):
        pass

    def broken(request: MCPToolApprovalRequest) -> MCPToolApprovalFunctionResult:
        raise Refused("policy service down")

    fake_openai.enqueue(hosted_calls=[APPROVAL_REQUEST])
    with pytest.raises(Refused, match="policy service down"):
        await Runner.run(agent_with(client, HostedMCPTool(CONFIG, on_approval_request=broken)), "Roll")
    assert len(fake_openai.requests) == 1  # nothing decided, nothing sent


@pytest.mark.parametrize("answer", [True, None, {"approve": "yes"}, {"approve": False, "reason": 3}])
async def test_a_callback_answer_that_is_not_a_decision_is_a_user_error(
    answer: Any, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[APPROVAL_REQUEST])
    agent = agent_with(client, HostedMCPTool(CONFIG, on_approval_request=lambda request: answer))
    with pytest.raises(UserError, match="on_approval_request"):
        await Runner.run(agent, "Roll", run_config=tracing.config)


async def test_a_request_for_a_server_the_agent_lacks_is_a_model_behavior_error(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[{**APPROVAL_REQUEST, "server_label": "other"}])
    agent = agent_with(client, HostedMCPTool(CONFIG, on_approval_request=lambda r: {"approve": True}))
    with pytest.raises(ModelBehaviorError, match="'other' not found"):
        await Runner.run(agent, "Roll", run_config=tracing.config)


# ---- the items elsewhere -------------------------------------------------------------------------------------------


def test_the_items_survive_a_stored_run_state_and_remove_all_tools_drops_them() -> None:
    agent = Agent("A", tools=[HostedMCPTool(CONFIG)])
    answer = {"approval_request_id": "mcpr_1", "approve": True, "type": "mcp_approval_response"}
    items = [
        MCPListToolsItem(LIST_TOOLS, "A"),
        MCPApprovalRequestItem(APPROVAL_REQUEST, "A"),
        MCPApprovalResponseItem(answer, "A"),
    ]
    for item in items:
        back = decode_run_item(Node(encode_run_item(item), "item"), lambda name, path: agent)
        assert back == item and back.agent is agent
    history = (LIST_TOOLS, APPROVAL_REQUEST, answer, {"role": "user", "content": "hi"})
    filtered = remove_all_tools(HandoffInputData(input_history=history, pre_handoff_items=(), new_items=tuple(items)))
    assert filtered.input_history == ({"role": "user", "content": "hi"},) and filtered.new_items == ()
