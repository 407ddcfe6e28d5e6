"""Compatibility: the OpenAI Agents SDK's ``mcp_config`` keys ``include_server_in_tool_names`` and
``failure_error_function``, with the official ``mcp`` server (stdio and Streamable HTTP), no mocks.

What the SDK pins and this runtime must do too:

- ``include_server_in_tool_names=True`` offers each MCP tool as ``mcp_{server}__{tool}``: only ASCII letters,
  digits, ``_`` and ``-``, at most 64 characters, with an 8-character hash when needed to stay unique (too long,
  two names that clean up the same, a name the agent's own tools or enabled handoffs already use); the same tools
  get the same names whichever server is listed first; a server named after its URL loses the credentials, query
  and fragment. A call of the prefixed name goes to that server's tool by its own name, and the run items'
  ``tool_origin`` names that server. Without it, same-named tools of two servers are a collision whose error
  names the option.
- ``failure_error_function`` words a failed MCP tool call (a JSON-RPC error, a lost connection) for the model;
  ``None`` makes the failure end the run; unset keeps our default ``Error: ...`` text. A result the server flagged
  ``isError`` is the tool's answer, not a failed call: the model reads its text either way.

Ours, decided here: the ``execute_tool`` span's ``gen_ai.tool.name`` is the prefixed name (what the model called);
the MCP CLIENT span keeps its attributes, named by the tool's name on the server (``tools/call add``).
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp_support.servers import OFFICIAL_TOOLS, stdio_params
from support import Tracing

from agents_otel import (
    Agent,
    RunContextWrapper,
    Runner,
    ToolContext,
    ToolProgressStreamEvent,
    UserError,
    function_tool,
    handoff,
)
from agents_otel.mcp import (
    MCPConnectionError,
    MCPServer,
    MCPServerStdio,
    MCPServerStreamableHttp,
    ToolNameCollisionError,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tool_origin import ToolOrigin, ToolOriginType
from agents_otel.tool_sources import public_names

pytestmark = pytest.mark.timeout(60)

PREFIXED: Any = {"include_server_in_tool_names": True}


@pytest.fixture
async def servers(http_url: str) -> AsyncIterator[tuple[MCPServer, MCPServer]]:
    """The same official server twice, under two names: ``alpha`` over stdio (``network.transport=pipe`` on its
    CLIENT spans) and ``beta`` over HTTP (``tcp``), so a span tells which one a call reached."""
    alpha = MCPServerStdio(params=stdio_params(), name="alpha")  # type: ignore[arg-type]
    beta = MCPServerStreamableHttp(params={"url": http_url}, name="beta")
    async with alpha, beta:
        yield alpha, beta


def offered(model: ScriptedModel, turn: int = 0) -> list[str]:
    return [spec.name for spec in model.calls[turn].tools]


# ---- include_server_in_tool_names, against real servers -------------------------------------------------------------


async def test_same_named_tools_of_two_servers_collide_and_the_error_names_the_option(
    servers: tuple[MCPServer, MCPServer],
) -> None:
    agent = Agent("A", mcp_servers=list(servers), model=ScriptedModel([]))
    with pytest.raises(ToolNameCollisionError, match="include_server_in_tool_names"):
        await agent.get_all_tools()


async def test_prefixed_names_are_offered_and_a_call_reaches_its_own_server(
    servers: tuple[MCPServer, MCPServer], tracing: Tracing
) -> None:
    model = ScriptedModel(
        [[function_call("mcp_beta__add", {"a": 2, "b": 3}, call_id="c_beta")], [assistant_message("5")]]
    )
    agent = Agent("A", mcp_servers=list(servers), mcp_config=PREFIXED, model=model)
    result = await Runner.run(agent, "add", run_config=tracing.config)

    assert offered(model) == [f"mcp_{server}__{tool}" for server in ("alpha", "beta") for tool in OFFICIAL_TOOLS]
    (output,) = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert output.output == "5"
    (call,) = [i for i in result.new_items if i.type == "tool_call_item"]
    assert call.tool_origin == ToolOrigin(ToolOriginType.MCP, mcp_server_name="beta")

    tool_span = tracing.tool_span("c_beta")
    assert (tool_span.attributes or {})["gen_ai.tool.name"] == "mcp_beta__add"  # what the model called
    (client,) = [s for s in tracing.spans() if s.name.startswith("tools/call")]
    assert client.name == "tools/call add"  # the tool's own name, on the server that has it
    assert (client.attributes or {})["gen_ai.tool.name"] == "add"
    assert (client.attributes or {})["network.transport"] == "tcp"  # beta, not alpha
    assert client.parent is not None and client.parent.span_id == tool_span.context.span_id


async def test_the_agents_own_tools_and_enabled_handoffs_keep_their_names(
    servers: tuple[MCPServer, MCPServer],
) -> None:
    @function_tool(name_override="mcp_alpha__add")
    def own_add(a: int, b: int) -> int:
        """Add, locally."""
        return a + b

    helper = Agent("helper")
    agent = Agent(
        "A",
        tools=[own_add],
        handoffs=[
            handoff(helper, tool_name_override="mcp_beta__add"),
            handoff(helper, tool_name_override="mcp_beta__fail", is_enabled=False),
        ],
        mcp_servers=list(servers),
        mcp_config=PREFIXED,
    )
    names = [t.name for t in await agent.get_all_tools(RunContextWrapper(None))]
    assert names[0] == "mcp_alpha__add"  # the agent's own
    mcp_names = names[1:]
    assert len(mcp_names) == 2 * len(OFFICIAL_TOOLS) == len(set(mcp_names))
    assert "mcp_alpha__add" not in mcp_names and "mcp_beta__add" not in mcp_names
    assert sum(n.startswith("mcp_alpha__add_") for n in mcp_names) == 1
    assert sum(n.startswith("mcp_beta__add_") for n in mcp_names) == 1
    assert "mcp_beta__fail" in mcp_names  # a disabled handoff reserves nothing
    assert all(len(n) <= 64 for n in mcp_names)


async def test_a_hashed_name_still_calls_the_right_tool(servers: tuple[MCPServer, MCPServer]) -> None:
    @function_tool(name_override="mcp_alpha__add")
    def own_add(a: int, b: int) -> int:
        """Add, locally."""
        return 1000

    agent = Agent("A", tools=[own_add], mcp_servers=[servers[0]], mcp_config=PREFIXED)
    (hashed,) = [n for n in [t.name for t in await agent.get_mcp_tools()] if n.startswith("mcp_alpha__add_")]
    model = ScriptedModel([[function_call(hashed, {"a": 1, "b": 2}, call_id="c1")], [assistant_message("ok")]])
    result = await Runner.run(agent.clone(model=model), "x")
    (output,) = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert output.output == "3"  # the server's add, not the agent's


async def test_get_mcp_tools_prefixes_too_and_the_servers_keep_their_names(
    servers: tuple[MCPServer, MCPServer],
) -> None:
    agent = Agent("A", mcp_servers=list(servers), mcp_config=PREFIXED)
    tools = await agent.get_mcp_tools()
    assert [t.name for t in tools][:2] == ["mcp_alpha__count", "mcp_alpha__slow_count"]
    assert [t.name for t in await servers[0].function_tools()][:2] == ["count", "slow_count"]


# ---- the naming rules (the SDK's cases) -----------------------------------------------------------------------------


def test_non_ascii_server_and_tool_names_fall_back_to_safe_words() -> None:
    assert public_names([("天気サーバー", ["search"]), ("docs", ["検索"])]) == [
        ["mcp_server__search"],
        ["mcp_docs__tool"],
    ]


def test_long_names_are_shortened_with_a_deterministic_hash() -> None:
    listing = [("server_" + "a" * 100, ["tool_" + "b" * 100])] * 2
    first = public_names(listing)
    names = [n for row in first for n in row]
    assert len(set(names)) == 2
    assert all(len(n) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in n) for n in names)
    assert public_names(listing) == first


def test_names_that_clean_up_the_same_all_get_hashes_stably() -> None:
    names = [row[0] for row in public_names([(s, ["create_issue"]) for s in ("foo", "foo!", "foo_0beec7b5")])]
    assert len(set(names)) == 3
    assert "mcp_foo__create_issue" not in names
    assert "mcp_foo_0beec7b5__create_issue" in names
    assert sum(n.startswith("mcp_foo__create_issue_") for n in names) == 2
    forward = public_names([("foo", ["create_issue"]), ("foo!", ["create_issue"])])
    backward = public_names([("foo!", ["create_issue"]), ("foo", ["create_issue"])])
    assert forward == backward[::-1]
    (row,) = public_names([("docs", ["search", "search!"])])
    (reversed_row,) = public_names([("docs", ["search!", "search"])])
    assert row == reversed_row[::-1]
    assert all(n.startswith("mcp_docs__search_") for n in row)


def test_a_reserved_name_is_never_given() -> None:
    ((name,),) = public_names([("docs", ["search"])], reserved={"mcp_docs__search"})
    assert name.startswith("mcp_docs__search_") and len(name) <= 64


def test_a_url_named_server_loses_its_credentials_in_the_name() -> None:
    server = "streamable_http: https://user:s3cr3t_pw@mcp.example.test:8443/mcp?api_key=SECRET_QS_KEY#SECRET_FRAGMENT"
    ((name,),) = public_names([(server, ["search"])])
    assert name == "mcp_streamable_http__https___mcp_example_test_8443_mcp__search"


# ---- failure_error_function -----------------------------------------------------------------------------------------


async def run_until_the_server_dies(tmp_path: Path, config: Any, tracing: Tracing) -> ScriptedModel:
    """A call of ``work_forever`` on a stdio server that is killed mid-call (at its first progress): a real
    ``MCPConnectionError``, the failure of a call the SDK hands to ``failure_error_function``."""
    pidfile = tmp_path / "pid"
    server = MCPServerStdio(params=stdio_params(env={"MCP_TEST_PIDFILE": str(pidfile)}), name="mortal")  # type: ignore[arg-type]
    model = ScriptedModel([[function_call("work_forever", {}, call_id="c_die")], [assistant_message("it died")]])
    agent = Agent("A", mcp_servers=[server], mcp_config=config, model=model)
    async with server:
        pid = int(pidfile.read_text())
        result = Runner.run_streamed(agent, "x", run_config=tracing.config)
        async for event in result.stream_events():
            if isinstance(event, ToolProgressStreamEvent):
                os.kill(pid, signal.SIGKILL)
    return model


async def test_the_agents_failure_error_function_words_a_failed_call(tmp_path: Path, tracing: Tracing) -> None:
    seen: list[Exception] = []

    def word(ctx: ToolContext[Any], error: Exception) -> str:
        seen.append(error)
        return f"MCP call failed ({ctx.tool_name})"

    model = await run_until_the_server_dies(tmp_path, {"failure_error_function": word}, tracing)
    assert model.calls[1].input[-1].output == "MCP call failed (work_forever)"  # type: ignore[union-attr]
    assert [type(e) for e in seen] == [MCPConnectionError]
    assert (tracing.tool_span("c_die").attributes or {})["error.type"] == "connection_closed"  # the span is unchanged


async def test_none_makes_a_failed_call_end_the_run(tmp_path: Path, tracing: Tracing) -> None:
    with pytest.raises(MCPConnectionError, match="closed the connection"):
        await run_until_the_server_dies(tmp_path, {"failure_error_function": None}, tracing)


async def test_unset_keeps_the_default_error_text(tmp_path: Path, tracing: Tracing) -> None:
    model = await run_until_the_server_dies(tmp_path, {}, tracing)
    assert model.calls[1].input[-1].output.startswith("Error: MCP server 'mortal' closed")  # type: ignore[union-attr]


@pytest.mark.parametrize("formatter", [None, lambda ctx, error: "worded"], ids=["None", "a formatter"])
async def test_a_result_the_server_flagged_as_error_is_the_tools_answer(
    formatter: Any, servers: tuple[MCPServer, MCPServer]
) -> None:
    """As in the SDK: ``isError: true`` is what the tool answered, not a failed call; the model reads its text."""
    model = ScriptedModel([[function_call("fail", {"reason": "no"}, call_id="c_fail")], [assistant_message("ok")]])
    agent = Agent("A", mcp_servers=[servers[0]], mcp_config={"failure_error_function": formatter}, model=model)
    result = await Runner.run(agent, "x")
    assert result.final_output == "ok"
    assert "refused: no" in model.calls[1].input[-1].output  # type: ignore[union-attr]


async def test_both_keys_together_with_an_async_formatter(tmp_path: Path, tracing: Tracing) -> None:
    async def word(ctx: ToolContext[Any], error: Exception) -> str:
        return f"failed: {ctx.tool_name}"

    pidfile = tmp_path / "pid"
    server = MCPServerStdio(params=stdio_params(env={"MCP_TEST_PIDFILE": str(pidfile)}), name="mortal")  # type: ignore[arg-type]
    model = ScriptedModel(
        [[function_call("mcp_mortal__work_forever", {}, call_id="c1")], [assistant_message("ok")]]
    )
    config: Any = {"include_server_in_tool_names": True, "failure_error_function": word}
    async with server:
        pid = int(pidfile.read_text())
        result = Runner.run_streamed(Agent("A", mcp_servers=[server], mcp_config=config, model=model), "x")
        async for event in result.stream_events():
            if isinstance(event, ToolProgressStreamEvent):
                os.kill(pid, signal.SIGKILL)
    assert model.calls[1].input[-1].output == "failed: mcp_mortal__work_forever"  # type: ignore[union-attr]


# ---- the config itself ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"include_server_in_tool_names": "yes"},
        {"convert_schemas_to_strict": 1},
        {"failure_error_function": "Error!"},
        {"include_server_in_tool_name": True},  # a typo
    ],
)
def test_a_bad_key_or_value_is_refused_when_the_agent_is_built(config: Any) -> None:
    with pytest.raises(UserError, match="mcp_config"):
        Agent("A", mcp_config=config)


def test_mcp_config_must_be_a_dict() -> None:
    with pytest.raises(TypeError, match="mcp_config must be a dict"):
        Agent("A", mcp_config=[("include_server_in_tool_names", True)])  # type: ignore[arg-type]
