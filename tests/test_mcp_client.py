"""Agents using MCP servers: the official ``mcp`` server over stdio, Streamable HTTP and HTTP+SSE, no mocks.

The model is the ScriptedModel (the point here is the MCP wire); every MCP message is real.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp_support.fixtures import OFFICIAL_TRANSPORTS, official_server
from mcp_support.servers import OFFICIAL_SERVER, OFFICIAL_TOOLS, http_server, process_gone, stdio_params
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.trace import SpanKind
from support import Tracing

from agents_otel import Agent, RunConfig, RunItemStreamEvent, Runner, ToolProgressStreamEvent, function_tool
from agents_otel.mcp import (
    MCP_MAJOR,
    MCPServer,
    MCPServerError,
    MCPServerSse,
    MCPServerStartError,
    MCPServerStdio,
    MCPServerStreamableHttp,
    ToolNameCollisionError,
    create_static_tool_filter,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.attributes import PROGRESS_DATA, PROGRESS_EVENT

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=OFFICIAL_TRANSPORTS)
async def official(request: pytest.FixtureRequest) -> AsyncIterator[MCPServer]:
    async with official_server(request) as server:
        yield server


def output_of(result: Any, call_id: str) -> Any:
    (item,) = [i for i in result.new_items if i.type == "tool_call_output_item" and i.call_id == call_id]
    return item.output


def agent_with(server: MCPServer, *steps: Any) -> Agent[Any]:
    return Agent(name="mcp-user", mcp_servers=[server], model=ScriptedModel([*steps, [assistant_message("done")]]))


async def test_progress_is_span_events_and_stream_events_before_the_output(
    official: MCPServer, tracing: Tracing
) -> None:
    agent = agent_with(official, [function_call("count", {"n": 4}, call_id="call_mcp_1")])
    result = Runner.run_streamed(agent, "count", run_config=tracing.config)
    events = [e async for e in result.stream_events()]

    progress = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert [e.tool_call_id for e in progress] == ["call_mcp_1"] * 4
    assert [e.data for e in progress] == [
        {"progress": float(i), "total": 4.0, "message": f"step {i}"} for i in range(1, 5)
    ]
    assert [e.sequence for e in progress] == [1, 2, 3, 4]
    output_at = next(i for i, e in enumerate(events) if isinstance(e, RunItemStreamEvent) and e.name == "tool_output")
    assert all(events.index(e) < output_at for e in progress)

    tool_span = tracing.tool_span("call_mcp_1")
    recorded = [e for e in tool_span.events if e.name == PROGRESS_EVENT]
    assert [json.loads(str((e.attributes or {})[PROGRESS_DATA]))["message"] for e in recorded] == [
        f"step {i}" for i in range(1, 5)
    ]
    assert {(e.attributes or {})["gen_ai.tool.call.id"] for e in recorded} == {"call_mcp_1"}

    (client,) = [s for s in tracing.spans() if s.kind is SpanKind.CLIENT and s.name.startswith("tools/call")]
    assert client.name == "tools/call count"
    assert client.parent is not None and client.parent.span_id == tool_span.context.span_id
    attributes = dict(client.attributes or {})
    assert attributes["mcp.method.name"] == "tools/call"
    assert attributes["gen_ai.tool.name"] == "count"
    assert attributes["mcp.protocol.version"]
    assert attributes["network.transport"] == ("pipe" if isinstance(official, MCPServerStdio) else "tcp")
    if isinstance(official, MCPServerStreamableHttp | MCPServerSse):
        assert attributes["server.address"] == "127.0.0.1"
        assert official.session_id and attributes["mcp.session.id"] == official.session_id

    # The server saw our CLIENT span as the parent in _meta, and the request id as the progress token.
    seen = json.loads(output_of(result, "call_mcp_1"))
    _, trace_id, span_id, _ = seen["traceparent"].split("-")
    assert trace_id == result.trace_id == f"{client.context.trace_id:032x}"
    assert span_id == f"{client.context.span_id:016x}"
    assert attributes["jsonrpc.request.id"] == str(seen["progress_token"])
    # The SDK's own "MCP send ..." span never reaches the run's provider.
    assert not [s for s in tracing.spans() if s.name.startswith("MCP send")]


async def test_a_progress_flood_follows_the_same_sampling_rules(tracing: Tracing) -> None:
    """300 notifications: all counted, the span keeps the first ones, a rate-limited middle and the last."""
    model = ScriptedModel([[function_call("count", {"n": 300}, call_id="c_flood")], [assistant_message("ok")]])
    async with MCPServerStdio(params=stdio_params()) as server:  # type: ignore[arg-type]
        result = Runner.run_streamed(Agent(name="a", mcp_servers=[server], model=model), "x", run_config=tracing.config)
        progress = [e async for e in result.stream_events() if isinstance(e, ToolProgressStreamEvent)]
    assert progress[-1].sequence == 300 and progress[-1].data["message"] == "step 300"
    assert [e.sequence for e in progress] == sorted(e.sequence for e in progress)
    span = tracing.tool_span("c_flood")
    attributes = dict(span.attributes or {})
    assert attributes["agents_otel.progress.emitted"] == 300
    assert attributes["agents_otel.progress.recorded"] < 300
    recorded = [json.loads(str((e.attributes or {})[PROGRESS_DATA])) for e in span.events if e.name == PROGRESS_EVENT]
    assert [r["message"] for r in recorded[:10]] == [f"step {i}" for i in range(1, 11)]
    assert recorded[-1]["message"] == "step 300"


async def test_tools_join_the_agent_and_results_reach_the_model(official: MCPServer, tracing: Tracing) -> None:
    @function_tool
    def local(x: int) -> int:
        """A tool of the agent's own."""
        return x

    model = ScriptedModel([[function_call("add", {"a": 2, "b": 3}, call_id="c_add")], [assistant_message("5")]])
    agent = Agent(name="mixed", tools=[local], mcp_servers=[official], model=model)
    result = await Runner.run(agent, "add", run_config=tracing.config)
    assert result.final_output == "5"
    offered = {spec.name: spec for spec in model.calls[0].tools}
    assert set(offered) == {"local", *OFFICIAL_TOOLS}
    assert offered["add"].description == "Add two integers."
    assert offered["add"].parameters["properties"].keys() == {"a", "b"}
    assert output_of(result, "c_add") == "5"


async def test_failing_tool_is_an_error_the_model_reads(official: MCPServer, tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("fail", {"reason": "no"}, call_id="c_fail")], [assistant_message("ok")]])
    agent = Agent(name="a", mcp_servers=[official], model=model)
    result = await Runner.run(agent, "x", run_config=tracing.config)
    assert result.final_output == "ok"
    text = model.calls[1].input[-1].output  # type: ignore[union-attr]
    assert "refused: no" in text
    tool_span = tracing.tool_span("c_fail")
    assert (tool_span.attributes or {})["error.type"] == "tool_error"
    (client,) = [s for s in tracing.spans() if s.name == "tools/call fail"]
    assert (client.attributes or {})["error.type"] == "tool_error"


async def test_invalid_arguments_are_an_error_the_model_reads(official: MCPServer, tracing: Tracing) -> None:
    agent = Agent(name="a", mcp_servers=[official], model=ScriptedModel([]))
    (add,) = [t for t in await agent.get_all_tools() if t.name == "add"]
    # check_calls=False: the bad arguments are the point (ScriptedModel would refuse them as a script typo).
    bad_call = function_call("add", {"a": "not a number"}, call_id="c_bad")
    model = ScriptedModel([[bad_call], [assistant_message("ok")]], check_calls=False)
    result = await Runner.run(agent.clone(model=model), "x", run_config=tracing.config)
    assert result.final_output == "ok"
    assert (tracing.tool_span("c_bad").attributes or {})["error.type"] in {"tool_error", "-32602"}
    assert add.description


async def test_server_dying_mid_call_is_a_typed_error_the_model_reads(tmp_path: Path, tracing: Tracing) -> None:
    pidfile = tmp_path / "pid"
    server = MCPServerStdio(params=stdio_params(env={"MCP_TEST_PIDFILE": str(pidfile)}), name="mortal")  # type: ignore[arg-type]
    model = ScriptedModel([[function_call("work_forever", {}, call_id="c_die")], [assistant_message("it died")]])
    async with server:
        pid = int(pidfile.read_text())
        result = Runner.run_streamed(Agent(name="a", mcp_servers=[server], model=model), "x", run_config=tracing.config)
        events = []
        async for event in result.stream_events():
            events.append(event)
            if isinstance(event, ToolProgressStreamEvent):
                os.kill(pid, signal.SIGKILL)  # the server crashes while the call is in flight
        assert result.final_output == "it died"
    assert process_gone(pid)
    assert [e.data["message"] for e in events if isinstance(e, ToolProgressStreamEvent)] == ["working"]
    assert "closed the connection" in model.calls[1].input[-1].output  # type: ignore[union-attr]
    assert (tracing.tool_span("c_die").attributes or {})["error.type"] == "connection_closed"
    (client,) = [s for s in tracing.spans() if s.name == "tools/call work_forever"]
    assert (client.attributes or {})["error.type"] == "-32000"


async def test_http_server_dying_mid_call_is_a_typed_error(tracing: Tracing) -> None:
    """2.x fails the request at once (the model reads it, the run goes on). 1.x's HTTP client never fails a
    request whose server died: the call ends by the idle timeout, and the next turn's listing fails the run."""
    model = ScriptedModel([[function_call("work_forever", {}, call_id="c_http_die")], [assistant_message("gone")]])
    timeout = 30 if MCP_MAJOR >= 2 else 1
    with http_server() as (url, process):
        server = MCPServerStreamableHttp(params={"url": url}, name="remote", client_session_timeout_seconds=timeout)
        async with server:
            agent = Agent(name="a", mcp_servers=[server], model=model)
            result = Runner.run_streamed(agent, "x", run_config=tracing.config)
            if MCP_MAJOR < 2:
                with pytest.raises(MCPServerError, match="tools/list got no answer"):
                    async for event in result.stream_events():
                        if isinstance(event, ToolProgressStreamEvent):
                            process.kill()
                assert (tracing.tool_span("c_http_die").attributes or {})["error.type"] == "timeout"
                return
            async for event in result.stream_events():
                if isinstance(event, ToolProgressStreamEvent):
                    process.kill()  # the remote server crashes while the call is in flight
            assert result.final_output == "gone"
    assert "closed the connection" in model.calls[1].input[-1].output  # type: ignore[union-attr]
    assert (tracing.tool_span("c_http_die").attributes or {})["error.type"] == "connection_closed"


async def test_a_tool_that_keeps_reporting_outlives_the_idle_timeout(tracing: Tracing) -> None:
    """client_session_timeout_seconds is an idle timeout for calls: 8 steps of 0.25 s run past 1.5 s."""
    model = ScriptedModel(
        [[function_call("slow_count", {"n": 8, "pause": 0.25}, call_id="c_slow")], [assistant_message("ok")]]
    )
    server = MCPServerStdio(params=stdio_params(), client_session_timeout_seconds=1.5)  # type: ignore[arg-type]
    async with server:
        result = await Runner.run(Agent(name="a", mcp_servers=[server], model=model), "x", run_config=tracing.config)
    assert output_of(result, "c_slow") == "counted 8 slowly"
    assert "error.type" not in (tracing.tool_span("c_slow").attributes or {})


async def test_hanging_tool_times_out(tmp_path: Path, tracing: Tracing) -> None:
    pidfile = tmp_path / "pid"
    server = MCPServerStdio(
        params=stdio_params(env={"MCP_TEST_PIDFILE": str(pidfile)}),  # type: ignore[arg-type]
        client_session_timeout_seconds=0.5,
    )
    model = ScriptedModel([[function_call("hang", {}, call_id="c_hang")], [assistant_message("gave up")]])
    async with server:
        result = await Runner.run(Agent(name="a", mcp_servers=[server], model=model), "x", run_config=tracing.config)
        assert result.final_output == "gave up"
        # the session is still usable after a timed-out call
        assert [t.name for t in await server.list_tools()]
    assert process_gone(int(pidfile.read_text()))
    assert "idle timeout" in model.calls[1].input[-1].output  # type: ignore[union-attr]
    assert (tracing.tool_span("c_hang").attributes or {})["error.type"] == "timeout"
    (client,) = [s for s in tracing.spans() if s.name == "tools/call hang"]
    assert (client.attributes or {})["error.type"] == "cancelled"


@pytest.mark.parametrize(
    "params",
    [
        {"command": "/nonexistent/mcp-server"},
        {"command": "python3", "args": ["-c", "import sys; sys.exit(2)"]},
    ],
)
async def test_server_that_fails_to_start_raises_a_typed_error(params: dict[str, Any]) -> None:
    server = MCPServerStdio(params=params)  # type: ignore[arg-type]
    with pytest.raises(MCPServerStartError, match="failed to start"):
        await server.connect()
    await server.cleanup()


async def test_http_server_that_is_not_there_raises_a_typed_error(refused_openai_base_url: str) -> None:
    server = MCPServerStreamableHttp(params={"url": refused_openai_base_url}, client_session_timeout_seconds=2)
    with pytest.raises(MCPServerStartError):
        async with server:
            pass


async def test_tool_name_collisions_are_an_error(official: MCPServer) -> None:
    @function_tool
    def add(a: int, b: int) -> int:
        """Shadowing the server's add."""
        return a + b

    agent = Agent(name="a", tools=[add], mcp_servers=[official])
    with pytest.raises(ToolNameCollisionError, match="'add'"):
        await agent.get_all_tools()
    other = MCPServerStdio(params=stdio_params(), name="twin")  # type: ignore[arg-type]
    async with other:
        with pytest.raises(ToolNameCollisionError, match="twin"):
            await Agent(name="b", mcp_servers=[official, other]).get_all_tools()
        only = create_static_tool_filter(allowed_tool_names=["add"])
        filtered = MCPServerStdio(params=stdio_params(), name="filtered", tool_filter=only)  # type: ignore[arg-type]
        async with filtered:
            assert [t.name for t in await filtered.list_tools()] == ["add"]


async def test_tools_list_cache(official: MCPServer) -> None:
    official.cache_tools_list = True
    official.invalidate_tools_cache()
    first = await official.list_tools()
    assert await official.list_tools() == first
    official._tools = []  # what a cached listing would return, whatever the server says now
    assert await official.list_tools() == []
    official.invalidate_tools_cache()
    assert len(await official.list_tools()) == len(first)


async def test_late_progress_is_dropped_and_counted(tracing: Tracing) -> None:
    model = ScriptedModel(
        [
            [function_call("remember", {}, call_id="c_first")],
            [function_call("send_late", {}, call_id="c_second")],
            [assistant_message("done")],
        ]
    )
    async with MCPServerStdio(params=stdio_params()) as server:  # type: ignore[arg-type]
        result = Runner.run_streamed(Agent(name="a", mcp_servers=[server], model=model), "x", run_config=tracing.config)
        events = [e async for e in result.stream_events()]
    assert not [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert result.progress_dropped == 1
    assert not [e for e in tracing.tool_span("c_first").events if e.name == PROGRESS_EVENT]


async def test_client_duration_metric(official: MCPServer, tracing: Tracing) -> None:
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader])
    config = RunConfig(tracer_provider=tracing.provider, meter_provider=meters)
    model = ScriptedModel(
        [[function_call("fail", {"reason": "m"})], [function_call("add", {"a": 1, "b": 1})], [assistant_message("x")]]
    )
    await Runner.run(Agent(name="a", mcp_servers=[official], model=model), "x", run_config=config)
    data = reader.get_metrics_data()
    assert data is not None
    points = [
        p
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.name == "mcp.client.operation.duration"
        for p in m.data.data_points  # type: ignore[attr-defined]
    ]
    by_tool = {p.attributes["gen_ai.tool.name"]: p for p in points}
    assert by_tool.keys() == {"fail", "add"}
    assert by_tool["fail"].attributes["error.type"] == "tool_error"
    assert "error.type" not in by_tool["add"].attributes
    assert by_tool["add"].attributes["mcp.method.name"] == "tools/call"
    assert by_tool["add"].count == 1


async def test_calls_before_connect_are_a_clear_error() -> None:
    server = MCPServerStdio(params=stdio_params())  # type: ignore[arg-type]
    with pytest.raises(Exception, match="not connected"):
        await server.list_tools()


def test_official_server_script_exists() -> None:
    assert OFFICIAL_SERVER.exists()


def test_sdk_client_span_folds_into_ours_on_any_provider() -> None:
    """mcp 2.x makes a CLIENT span of its own on the global provider; the run's trace must have exactly one."""
    script = Path(__file__).parent / "mcp_support" / "global_provider_check.py"
    proc = subprocess.run(
        [sys.executable, str(script), str(OFFICIAL_SERVER)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    # RunConfig(tracer_provider=...): one CLIENT span per request there (the call, and the agent's listing on each
    # of the run's two turns), nothing at all on the global provider.
    assert found["run"]["client_spans"] == ["tools/call add", "tools/list", "tools/list"]
    assert found["run"]["traces"] == 1
    assert found["global_during_run_provider"]["span_count"] == 0
    # The global provider as the run's: still one CLIENT span per request, ours, in one trace.
    assert found["global"]["client_spans"] == ["tools/call add", "tools/list", "tools/list"]
    assert found["global"]["traces"] == 1
