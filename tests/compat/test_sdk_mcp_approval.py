"""Compatibility: the OpenAI Agents SDK's ``require_approval`` on MCP servers (local MCP tools, not hosted ones),
with the official ``mcp`` server over stdio and Streamable HTTP (no mocks).

What the SDK pins: ``"always"`` / ``"never"`` / a bool, a ``{tool: "always" | "never"}`` mapping (a tool may be
named ``always``), ``{"always": {"tool_names": [...]}, "never": {"tool_names": [...]}}``, and a callable
``(run_context, agent, tool) -> bool`` (sync or async) asked per call; a gated call stops the run with a
``ToolApprovalItem`` in ``result.interruptions`` and nothing reaches the server until ``state.approve`` (the resumed
run calls it) or ``state.reject`` (the model reads the rejection, the server never sees the call); a misspelt
policy, a misspelt value or a name in both lists is a ``UserError`` when the server is built (never "no approval").

Ours: a callable's answer must be a bool (the approval machinery's rule for every tool): anything else is a
``UserError``; the paused state survives ``to_string`` / ``from_string`` like any other.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp_support.servers import stdio_params
from support import Tracing

from agents_otel import Agent, RunContextWrapper, Runner, RunState, ToolApprovalItem, UserError
from agents_otel.mcp import MCPServer, MCPServerStdio, MCPServerStreamableHttp
from agents_otel.mcp.policies import approval_policy
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


def make_server(transport: str, request: pytest.FixtureRequest, require_approval: Any) -> MCPServer:
    if transport == "stdio":
        params: Any = stdio_params()
        return MCPServerStdio(params=params, name="gated", require_approval=require_approval)
    url = request.getfixturevalue("http_url")
    return MCPServerStreamableHttp(params={"url": url}, name="gated", require_approval=require_approval)


async def calls_seen(server: MCPServer, key: str) -> int:
    """How many ``flaky(key, ...)`` calls reached the server (asked outside any run)."""
    result = await server.call_tool("attempts", {"key": key})
    return int(result.content[0].text)


def flaky_call(key: str, call_id: str = "c1") -> Any:
    return function_call("flaky", {"key": key, "failures": 0}, call_id=call_id)


async def test_always_pauses_before_the_server_sees_the_call_and_resumes_after_approval(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing
) -> None:
    key = f"approve-{transport}"
    model = ScriptedModel([[flaky_call(key)], [assistant_message("done")]])
    async with make_server(transport, request, "always") as server:
        agent = Agent(name="A", mcp_servers=[server], model=model)
        first = await Runner.run(agent, "go", run_config=tracing.config)
        (item,) = first.interruptions
        assert isinstance(item, ToolApprovalItem)
        assert (item.tool_name, item.call_id) == ("flaky", "c1")
        assert first.final_output is None
        assert await calls_seen(server, key) == 0
        assert not tracing.named("tools/call flaky")

        state = await RunState.from_string(agent, first.to_state().to_string())
        state.approve(state.interruptions[0])
        resumed = await Runner.run(agent, state, run_config=tracing.config)
        assert resumed.final_output == "done" and resumed.interruptions == []
        assert await calls_seen(server, key) == 1
    assert model.calls[1].input[-1].output == f"{key} answered on attempt 1"  # type: ignore[union-attr]
    assert len(tracing.named("tools/call flaky")) == 1


async def test_a_rejected_call_never_reaches_the_server_and_the_model_reads_why(
    transport: str, request: pytest.FixtureRequest
) -> None:
    key = f"reject-{transport}"
    model = ScriptedModel([[flaky_call(key)], [assistant_message("ok then")]])
    async with make_server(transport, request, True) as server:
        agent = Agent(name="A", mcp_servers=[server], model=model)
        first = await Runner.run(agent, "go")
        state = first.to_state()
        state.reject(first.interruptions[0], rejection_message="not today")
        resumed = await Runner.run(agent, state)
        assert resumed.final_output == "ok then"
        assert await calls_seen(server, key) == 0
    assert "not today" in model.calls[1].input[-1].output  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "policy",
    [
        {"always": {"tool_names": ["flaky"]}, "never": {"tool_names": ["add"]}},
        {"flaky": "always", "add": "never"},
        {"flaky": True},
    ],
    ids=["tool lists", "mapping", "mapping of bools"],
)
async def test_per_tool_policies_gate_only_the_named_tools(
    policy: Any, transport: str, request: pytest.FixtureRequest
) -> None:
    model = ScriptedModel(
        [[function_call("add", {"a": 1, "b": 2}, call_id="c_add"), flaky_call(f"per-tool-{transport}", "c_flaky")]]
    )
    async with make_server(transport, request, policy) as server:
        result = await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go")
    assert [i.tool_name for i in result.interruptions] == ["flaky"]
    outputs = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert [(o.call_id, o.output) for o in outputs] == [("c_add", "3")]


@pytest.mark.parametrize("setting", ["never", False, None, {"always": "never"}])
async def test_never_and_its_spellings_do_not_gate(
    setting: Any, transport: str, request: pytest.FixtureRequest
) -> None:
    model = ScriptedModel([[function_call("add", {"a": 1, "b": 1}, call_id="c1")], [assistant_message("2")]])
    async with make_server(transport, request, setting) as server:
        result = await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go")
    assert result.interruptions == [] and result.final_output == "2"


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_callable_policy_is_asked_per_call_with_run_context_agent_and_tool(
    is_async: bool, transport: str, request: pytest.FixtureRequest
) -> None:
    asked: list[tuple[Any, str, str]] = []

    def decide(run_context: RunContextWrapper[Any], agent: Agent[Any], tool: Any) -> bool:
        asked.append((run_context.context, agent.name, str(tool.name)))
        return str(tool.name) in run_context.context["gated"]

    async def decide_async(run_context: RunContextWrapper[Any], agent: Agent[Any], tool: Any) -> bool:
        return decide(run_context, agent, tool)

    model = ScriptedModel(
        [[function_call("add", {"a": 1, "b": 2}, call_id="c_add"), flaky_call(f"callable-{transport}", "c_flaky")]]
    )
    context = {"gated": {"flaky"}}
    async with make_server(transport, request, decide_async if is_async else decide) as server:
        result = await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go", context=context)
    assert [i.tool_name for i in result.interruptions] == ["flaky"]
    assert sorted(name for _, _, name in asked) == ["add", "flaky"]
    assert {(agent, id(ctx)) for ctx, agent, _ in asked} == {("A", id(context))}


async def test_a_callable_policy_answering_a_non_bool_is_a_user_error(
    transport: str, request: pytest.FixtureRequest
) -> None:
    model = ScriptedModel([[function_call("add", {"a": 1, "b": 2}, call_id="c1")], [assistant_message("x")]])
    async with make_server(transport, request, lambda ctx, agent, tool: "yes") as server:
        with pytest.raises(UserError, match="needs_approval returned str"):
            await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go")


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("alwyas", "expected 'always' or 'never'"),
        ({"delete": "alwyas"}, "delete"),
        ({"always": {"tool_names": ["delete"]}, "never": {"tool_names": ["delete"]}}, "both always and never"),
        ({"always": {"tool_names": "delete"}}, "list of strings"),
        ({"always": {"tool_names": []}, "sometimes": {}}, "unexpected keys"),
        (3, "require_approval must be"),
    ],
)
def test_a_misspelt_policy_is_refused_when_the_server_is_built(setting: Any, message: str) -> None:
    with pytest.raises(UserError, match=message):
        MCPServerStdio(params={"command": "x"}, require_approval=setting)


def test_a_tool_may_be_named_like_a_policy_keyword() -> None:
    assert approval_policy({"always": "never", "never": "always"}) == {"always": False, "never": True}
