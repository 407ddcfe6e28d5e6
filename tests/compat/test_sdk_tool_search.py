"""Compatibility: the OpenAI Agents SDK's hosted tool search (``ToolSearchTool``, ``tool_namespace(...)``,
``defer_loading``) and the declaration side of programmatic tool calling (``ProgrammaticToolCallingTool``,
``allowed_callers``), over the real wire (official client <-> fake server).

What the SDK does and this runtime must do too: namespaced functions become one ``{"type": "namespace"}`` entry where
the first stood, ``defer_loading`` / ``allowed_callers`` join the function's entry, ``ToolSearchTool`` is
``{"type": "tool_search"}``; the SDK's configuration rules fail before any request (deferred tools without a search,
a search with nothing to search, programmatic-only tools without the programmatic tool); these features on Chat
Completions are a ``UserError``; ``tool_search_call`` / ``tool_search_output`` items are ``ToolSearchCallItem`` /
``ToolSearchOutputItem`` (streamed as ``tool_search_called`` / ``tool_search_output_created``) and go back without
``created_by``; a client-executed search is a ``ModelBehaviorError``. A function call made by model-written code
(``caller.type == "program"``) is read with its caller (run: test_sdk_programmatic_tool_calling.py).
"""

from __future__ import annotations

import copy
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseFunctionToolCall
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    HostedMCPTool,
    ModelBehaviorError,
    ProgrammaticToolCallingTool,
    RunItemStreamEvent,
    Runner,
    ToolSearchCallItem,
    ToolSearchOutputItem,
    ToolSearchTool,
    UserError,
    function_tool,
    tool_namespace,
)
from agents_otel.items import FunctionCall, RawInputItem
from agents_otel.models._openai_responses_output import output_items


@function_tool
def get_invoice(invoice_id: str) -> str:
    """Fetch an invoice."""
    return f"invoice {invoice_id}: paid"


@function_tool
def list_customers() -> str:
    """List customers."""
    return "ada, bob"


@function_tool(defer_loading=True)
def weather(city: str) -> str:
    """Weather for a city."""
    return f"{city}: sunny"


SEARCH_CALL = {
    "type": "tool_search_call",
    "id": "ts_1",
    "call_id": "tsc_1",
    "arguments": {"query": "invoices"},
    "execution": "server",
    "status": "completed",
    "created_by": "server",
}
SEARCH_OUTPUT = {
    "type": "tool_search_output",
    "id": "tso_1",
    "call_id": "tsc_1",
    "execution": "server",
    "status": "completed",
    "tools": [],
    "created_by": "server",
}


def agent_with(client: openai.AsyncOpenAI, tools: list[Any], api: str = "responses") -> Agent[Any]:
    return Agent("A", tools=tools, model=wire_model(api, client))


async def test_namespaces_deferred_functions_and_the_search_are_their_tools_entries(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    billing = tool_namespace(name="billing", description="Billing tools.", tools=[get_invoice, list_customers])
    assert get_invoice.qualified_name == "get_invoice"  # the tools given are not changed: copies are namespaced
    assert [t.qualified_name for t in billing] == ["billing.get_invoice", "billing.list_customers"]
    fake_openai.enqueue(text="Done.")
    tools = [weather, billing[0], ToolSearchTool(description="Find tools."), billing[1]]
    await Runner.run(agent_with(client, tools), "go", run_config=tracing.config)
    sent = fake_openai.last_request.body["tools"]
    assert [t["type"] for t in sent] == ["function", "namespace", "tool_search"]
    assert sent[0]["name"] == "weather" and sent[0]["defer_loading"] is True
    assert sent[1]["name"] == "billing" and sent[1]["description"] == "Billing tools."
    assert [t["name"] for t in sent[1]["tools"]] == ["get_invoice", "list_customers"]
    assert all(t["type"] == "function" and "defer_loading" not in t for t in sent[1]["tools"])
    assert sent[2] == {"type": "tool_search", "description": "Find tools."}


async def test_the_search_tool_takes_its_execution_and_parameters(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Done.")
    search = ToolSearchTool(execution="server", parameters={"type": "object", "properties": {}})
    await Runner.run(agent_with(client, [weather, search]), "go", run_config=tracing.config)
    assert fake_openai.last_request.body["tools"][1] == {
        "type": "tool_search",
        "execution": "server",
        "parameters": {"type": "object", "properties": {}},
    }
    with pytest.raises(UserError, match="execution"):
        ToolSearchTool(execution="remote")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tools", "message"),
    [
        ([weather], "need a ToolSearchTool"),
        ([get_invoice, ToolSearchTool()], "needs something to search"),
        ([weather, ToolSearchTool(), ToolSearchTool()], "two tools named .tool_search."),
        (
            [HostedMCPTool(tool_config={"type": "mcp", "server_label": "s", "server_url": "http://x", "defer_loading": True})],  # noqa: E501
            "need a ToolSearchTool",
        ),
    ],
)
async def test_a_broken_search_configuration_fails_before_any_request(
    tools: list[Any], message: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    with pytest.raises(UserError, match=message):
        await Runner.run(agent_with(client, tools), "go", run_config=tracing.config)
    assert fake_openai.requests_to("/v1/responses") == []


def test_namespaces_are_checked_when_made() -> None:
    with pytest.raises(UserError, match="name"):
        tool_namespace(name=" ", description="d", tools=[get_invoice])
    with pytest.raises(UserError, match="description"):
        tool_namespace(name="billing", description="", tools=[get_invoice])
    with pytest.raises(UserError, match="FunctionTool"):
        tool_namespace(name="billing", description="d", tools=[ToolSearchTool()])  # type: ignore[list-item]


async def test_a_namespace_with_two_descriptions_is_refused(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    one = tool_namespace(name="billing", description="One.", tools=[get_invoice])
    two = tool_namespace(name="billing", description="Two.", tools=[list_customers])
    with pytest.raises(UserError, match="share one description"):
        await Runner.run(agent_with(client, [*one, *two, ToolSearchTool()]), "go", run_config=tracing.config)


@pytest.mark.parametrize(
    "tool",
    [
        weather,
        tool_namespace(name="billing", description="d", tools=[get_invoice])[0],
        function_tool(lambda: "x", name_override="ptc", allowed_callers=["direct"]),
    ],
)
async def test_chat_completions_refuses_responses_only_function_features(
    tool: Any, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    with pytest.raises(UserError, match="only OpenAI Responses models support"):
        await Runner.run(agent_with(client, [tool], api="chat"), "go", run_config=tracing.config)
    assert fake_openai.requests_to("/v1/chat/completions") == []


# ---- the hosted search's items --------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
async def test_search_items_are_their_run_items_and_go_back_without_created_by(
    streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[SEARCH_CALL, SEARCH_OUTPUT], tool_calls=[("weather", {"city": "Oslo"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    agent = agent_with(client, [weather, ToolSearchTool()])
    if streamed:
        run = Runner.run_streamed(agent, "go", run_config=tracing.config)
        names = [e.name async for e in run.stream_events() if isinstance(e, RunItemStreamEvent)]
        assert names == [
            "tool_search_called",
            "tool_search_output_created",
            "tool_called",
            "tool_output",
            "message_output_created",
        ]
        items = run.new_items
    else:
        items = (await Runner.run(agent, "go", run_config=tracing.config)).new_items
    call, output = items[0], items[1]
    assert isinstance(call, ToolSearchCallItem) and call.type == "tool_search_call_item"
    assert isinstance(output, ToolSearchOutputItem) and output.type == "tool_search_output_item"
    replay = {k: v for k, v in SEARCH_CALL.items() if k != "created_by"}
    assert call.raw_item == replay and call.agent is agent
    assert call.to_input_item() == replay
    sent = fake_openai.last_request.body["input"]
    assert replay in sent and {k: v for k, v in SEARCH_OUTPUT.items() if k != "created_by"} in sent
    assert not any(i.get("created_by") for i in sent)


async def test_a_client_executed_search_is_a_model_behavior_error(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[{**SEARCH_CALL, "execution": "client"}])
    with pytest.raises(ModelBehaviorError, match="client-executed tool_search"):
        await Runner.run(agent_with(client, [weather, ToolSearchTool()]), "go", run_config=tracing.config)


# ---- programmatic tool calling: the declaration -------------------------------------------------------------


async def test_allowed_callers_and_the_programmatic_tool_are_their_entries(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    @function_tool(allowed_callers=["programmatic"])
    def add(a: int, b: int) -> str:  # a tool programs call declares an object result, or none (str / Any)
        """Add."""
        return str(a + b)

    fake_openai.enqueue(text="3")
    await Runner.run(agent_with(client, [add, ProgrammaticToolCallingTool()]), "go", run_config=tracing.config)
    sent = fake_openai.last_request.body["tools"]
    assert sent[0]["name"] == "add" and sent[0]["allowed_callers"] == ["programmatic"]
    assert sent[1] == {"type": "programmatic_tool_calling"}


@pytest.mark.parametrize(
    ("tools", "message"),
    [
        (
            [function_tool(lambda: "x", name_override="only_code", allowed_callers=["programmatic"])],
            "only programmatic",
        ),
        ([ProgrammaticToolCallingTool()], "needs a tool whose allowed_callers"),
    ],
)
async def test_a_broken_programmatic_configuration_fails_before_any_request(
    tools: list[Any], message: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    with pytest.raises(UserError, match=message):
        await Runner.run(agent_with(client, tools), "go", run_config=tracing.config)
    assert fake_openai.requests_to("/v1/responses") == []


def test_allowed_callers_are_checked_when_the_tool_is_made() -> None:
    with pytest.raises(UserError, match="allowed_callers"):
        function_tool(lambda: "x", name_override="t", allowed_callers=["direct", "direct"])
    with pytest.raises(UserError, match="allowed_callers"):
        function_tool(lambda: "x", name_override="t", allowed_callers="direct")  # type: ignore[arg-type]


def test_a_call_from_model_written_code_is_kept_with_its_caller() -> None:
    call = ResponseFunctionToolCall.model_validate(
        {
            "type": "function_call",
            "call_id": "c1",
            "name": "add",
            "arguments": "{}",
            "caller": {"type": "program", "caller_id": "prog_1"},
        }
    )
    (kept,) = output_items([call])  # run by programmatic_calls, answered with the same caller
    assert isinstance(kept, RawInputItem) and kept.data["caller"] == {"type": "program", "caller_id": "prog_1"}
    direct = copy.deepcopy(call)
    direct.caller = None
    assert output_items([direct]) == [FunctionCall("add", "{}", "c1")]
