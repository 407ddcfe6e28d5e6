"""Compatibility: the OpenAI Agents SDK's per-server ``failure_error_function`` (``MCPServerStdio(...,
failure_error_function=...)``, ``MCPServerStreamableHttp`` too), with the official ``mcp`` server, no mocks: the
failures are genuine, a server killed while its call is in flight.

What the SDK pins and this runtime must do too:

- given, the server's setting wins over the agent's ``mcp_config["failure_error_function"]``, whatever that is
  (a formatter, ``None``, or unset): a formatter words the server's failed calls for the model, ``None`` makes
  them fail the run;
- unset (the default), the agent's ``mcp_config`` decides, as before (tests/compat/test_sdk_mcp_config.py);
- the setting is per server: the agent's other servers keep the agent's.

Ours, decided here: a value that is neither callable nor ``None`` is a ``UserError`` when the server is built
(the SDK would fail only when a call fails); the parameter is keyword-only, because the SDK parameters before it
in its signature (retries, message handler, approval policy) are not supported here.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from mcp_support.servers import http_server, stdio_params
from support import Tracing

from agents_otel import Agent, Runner, ToolContext, ToolProgressStreamEvent, UserError
from agents_otel.mcp import MCP_MAJOR, MCPConnectionError, MCPServer, MCPServerStdio, MCPServerStreamableHttp
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)

UNSET: Any = object()  # the test's "do not pass the keyword at all"


def words(label: str, seen: list[Exception] | None = None) -> Any:
    def word(ctx: ToolContext[Any], error: Exception) -> str:
        if seen is not None:
            seen.append(error)
        return f"{label}: {ctx.tool_name} failed"

    return word


def mortal(tmp_path: Path, server_setting: Any, name: str = "mortal") -> tuple[MCPServer, Path]:
    """A stdio server that writes its pid, so a test can kill it mid-call."""
    pidfile = tmp_path / f"{name}.pid"
    kwargs: dict[str, Any] = {} if server_setting is UNSET else {"failure_error_function": server_setting}
    params: Any = stdio_params(env={"MCP_TEST_PIDFILE": str(pidfile)})
    return MCPServerStdio(params=params, name=name, **kwargs), pidfile


async def run_killing_at_first_progress(agent: Agent[Any], kill: Any, tracing: Tracing) -> Any:
    """Run ``agent`` streamed; at the first progress of the call (the call is in flight) ``kill()`` its server."""
    result = Runner.run_streamed(agent, "x", run_config=tracing.config)
    async for event in result.stream_events():
        if isinstance(event, ToolProgressStreamEvent):
            kill()
    return result


def die_script(call_id: str = "c_die", tool: str = "work_forever") -> ScriptedModel:
    return ScriptedModel([[function_call(tool, {}, call_id=call_id)], [assistant_message("it died")]])


def last_output(model: ScriptedModel) -> str:
    return model.calls[1].input[-1].output  # type: ignore[union-attr,no-any-return]


# ---- stdio: the server's setting against each agent setting --------------------------------------------------------


@pytest.mark.parametrize(
    "agent_setting",
    [UNSET, None, words("agent")],
    ids=["agent unset", "agent None", "agent formatter"],
)
async def test_the_servers_formatter_words_a_failed_call_whatever_the_agent_says(
    tmp_path: Path, tracing: Tracing, agent_setting: Any
) -> None:
    seen: list[Exception] = []
    server, pidfile = mortal(tmp_path, words("server", seen))
    config: Any = {} if agent_setting is UNSET else {"failure_error_function": agent_setting}
    model = die_script()
    async with server:
        pid = int(pidfile.read_text())
        agent = Agent("A", mcp_servers=[server], mcp_config=config, model=model)
        result = await run_killing_at_first_progress(agent, lambda: os.kill(pid, signal.SIGKILL), tracing)
    assert result.final_output == "it died"
    assert last_output(model) == "server: work_forever failed"
    assert [type(e) for e in seen] == [MCPConnectionError]  # a genuine failure of the call, as the SDK hands it
    assert (tracing.tool_span("c_die").attributes or {})["error.type"] == "connection_closed"  # the span is unchanged


@pytest.mark.parametrize("agent_setting", [UNSET, words("agent")], ids=["agent unset", "agent formatter"])
async def test_the_servers_none_makes_a_failed_call_end_the_run(
    tmp_path: Path, tracing: Tracing, agent_setting: Any
) -> None:
    server, pidfile = mortal(tmp_path, None)
    config: Any = {} if agent_setting is UNSET else {"failure_error_function": agent_setting}
    model = die_script()
    async with server:
        pid = int(pidfile.read_text())
        agent = Agent("A", mcp_servers=[server], mcp_config=config, model=model)
        with pytest.raises(MCPConnectionError, match="closed the connection"):
            await run_killing_at_first_progress(agent, lambda: os.kill(pid, signal.SIGKILL), tracing)
    assert len(model.calls) == 1  # the model was never told


async def test_unset_on_the_server_leaves_it_to_the_agent(tmp_path: Path, tracing: Tracing) -> None:
    server, pidfile = mortal(tmp_path, UNSET)
    model = die_script()
    async with server:
        pid = int(pidfile.read_text())
        agent = Agent("A", mcp_servers=[server], mcp_config={"failure_error_function": words("agent")}, model=model)
        await run_killing_at_first_progress(agent, lambda: os.kill(pid, signal.SIGKILL), tracing)
    assert last_output(model) == "agent: work_forever failed"


async def test_the_setting_is_per_server(tmp_path: Path, tracing: Tracing) -> None:
    """Two servers of one agent: the one with a setting of its own uses it, the other the agent's ``mcp_config``
    (with prefixed names, so the same official tools can sit side by side)."""
    own, own_pid = mortal(tmp_path, words("own"), name="own")
    other, other_pid = mortal(tmp_path, UNSET, name="other")
    config: Any = {"include_server_in_tool_names": True, "failure_error_function": words("agent")}
    for target, pidfile, expected in (
        ("mcp_own__work_forever", own_pid, "own: mcp_own__work_forever failed"),
        ("mcp_other__work_forever", other_pid, "agent: mcp_other__work_forever failed"),
    ):
        model = die_script(call_id=f"c_{target}", tool=target)
        async with own, other:
            pid = int(pidfile.read_text())
            agent = Agent("A", mcp_servers=[own, other], mcp_config=config, model=model)
            await run_killing_at_first_progress(agent, lambda: os.kill(pid, signal.SIGKILL), tracing)  # noqa: B023
        assert last_output(model) == expected


async def test_get_mcp_tools_gives_the_servers_formatter(tmp_path: Path) -> None:
    """As the SDK's ``agent.get_mcp_tools()``: the tools it returns carry the effective formatter."""
    server_word, agent_word = words("server"), words("agent")
    own, _ = mortal(tmp_path, server_word, name="own")
    other, _ = mortal(tmp_path, UNSET, name="other")
    config: Any = {"include_server_in_tool_names": True, "failure_error_function": agent_word}
    async with own, other:
        tools = await Agent("A", mcp_servers=[own, other], mcp_config=config).get_mcp_tools()
        assert await own.function_tools()  # listed directly, outside an agent, they carry it too
        assert {t.failure_error_function for t in await own.function_tools()} == {server_word}
    assert {t.failure_error_function for t in tools if t.name.startswith("mcp_own__")} == {server_word}
    assert {t.failure_error_function for t in tools if t.name.startswith("mcp_other__")} == {agent_word}


# ---- Streamable HTTP -------------------------------------------------------------------------------------------------


@pytest.mark.skipif(MCP_MAJOR < 2, reason="mcp 1.x's HTTP client never fails a call whose server died")
@pytest.mark.parametrize("server_setting", [words("server"), None], ids=["a formatter", "None"])
async def test_a_streamable_http_servers_setting_wins_too(tracing: Tracing, server_setting: Any) -> None:
    model = die_script(call_id="c_http")
    with http_server() as (url, process):
        server = MCPServerStreamableHttp(
            params={"url": url}, name="remote", failure_error_function=server_setting, client_session_timeout_seconds=30
        )
        async with server:
            agent = Agent("A", mcp_servers=[server], mcp_config={"failure_error_function": words("agent")}, model=model)
            if server_setting is None:
                with pytest.raises(MCPConnectionError, match="closed the connection"):
                    await run_killing_at_first_progress(agent, process.kill, tracing)
                return
            await run_killing_at_first_progress(agent, process.kill, tracing)
    assert last_output(model) == "server: work_forever failed"
    assert (tracing.tool_span("c_http").attributes or {})["error.type"] == "connection_closed"


# ---- the setting itself ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["Error!", 42, True])
def test_a_setting_that_is_not_callable_or_none_is_refused_when_the_server_is_built(bad: Any) -> None:
    with pytest.raises(UserError, match="failure_error_function must be callable or None"):
        MCPServerStdio(params={"command": "python"}, failure_error_function=bad)
    with pytest.raises(UserError, match="failure_error_function must be callable or None"):
        MCPServerStreamableHttp(params={"url": "http://127.0.0.1:9/mcp"}, failure_error_function=bad)


def test_the_server_says_whether_it_words_its_own_failures() -> None:
    assert not MCPServerStdio(params={"command": "python"}).sets_failure_error_function
    assert MCPServerStdio(params={"command": "python"}, failure_error_function=None).sets_failure_error_function
