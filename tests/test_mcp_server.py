"""agents_otel tools served over MCP, driven by the official ``mcp`` client (stdio and Streamable HTTP), and our own
client calling our own server: one trace across both directions."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from mcp import ClientSession, StdioServerParameters, stdio_client, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_support import our_tools
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.trace import SpanKind
from support import Tracing

from agents_otel import Agent, RunConfig, Runner, ToolProgressStreamEvent
from agents_otel.mcp import MCPServerStreamableHttp, create_mcp_server
from agents_otel.mcp.server_progress import progress_params
from agents_otel.mcp.serving import bind
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.attributes import PROGRESS_EVENT

pytestmark = pytest.mark.timeout(60)
TESTS = Path(__file__).resolve().parent
CLI_ENV = {
    "PYTHONPATH": os.pathsep.join(sys.path),
    "AGENTS_OTEL_TRACE_FILE": str(Path(tempfile.mkdtemp(prefix="agents-otel-mcp-cli-")) / "traces.jsonl"),
}
"""The ``agents-otel mcp`` processes' environment: our imports, and their default trace file kept out of the source
tree (they run in ``tests/`` to import the test tools)."""
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Progress:
    """The official client's progress callback and message handler: what arrived, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float | None, str | None]] = []
        self.notifications = 0

    async def callback(self, progress: float, total: float | None, message: str | None) -> None:
        self.calls.append((progress, total, message))

    async def handler(self, message: Any) -> None:
        if isinstance(message, types.ProgressNotification):
            self.notifications += 1


def cli_stdio_params() -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "agents_otel.cli", "mcp", "mcp_support.our_tools:agent"],
        cwd=str(TESTS),
        env=CLI_ENV,
    )


async def test_official_client_over_stdio_gets_progress_then_the_result() -> None:
    seen = Progress()
    async with (
        stdio_client(cli_stdio_params()) as (read, write),
        ClientSession(read, write, message_handler=seen.handler) as session,
    ):
        await session.initialize()
        listed = {t.name: t for t in (await session.list_tools()).tools}
        assert set(listed) == {"slow_steps", "phases", "boom"}
        assert listed["slow_steps"].input_schema["properties"]["n"]["type"] == "integer"

        result = await session.call_tool("slow_steps", {"n": 5}, progress_callback=seen.callback)
        assert not result.is_error
        assert seen.calls == [(float(i), 5.0, f"step {i} of 5") for i in range(1, 6)]
        assert result.content[0].text.startswith("did 5 steps")  # type: ignore[union-attr]

        seen.calls.clear()
        await session.call_tool("phases", {}, progress_callback=seen.callback)
        assert seen.calls == [(1.0, None, "fetching"), (2.0, None, "parsing"), (3.0, None, '{"rows":3}')]

        before = seen.notifications
        result = await session.call_tool("slow_steps", {"n": 3})  # no progressToken: nothing is sent
        assert not result.is_error and seen.notifications == before

        failed = await session.call_tool("boom", {"reason": "x"})
        assert failed.is_error
        # the default failure wording names no exception text (SDK 0.23): the span keeps it, the client does not
        assert failed.content[0].text == "An error occurred while running the tool."  # type: ignore[union-attr]

        with pytest.raises(MCPError, match="Unknown tool") as caught:
            await session.call_tool("nope", {})
        assert caught.value.code == -32602


def test_progress_mapping_rules() -> None:
    assert progress_params({"progress": 0.5, "total": 1, "message": "half"}, 7) == (0.5, 1.0, "half")
    assert progress_params({"status": "busy"}, 2) == (2.0, None, "busy")
    assert progress_params({"message": "m", "status": "s"}, 1) == (1.0, None, "m")
    assert progress_params("plain", 4) == (4.0, None, '"plain"')
    assert progress_params({"progress": True}, 3) == (3.0, None, '{"progress":true}')


class HttpServer:
    def __init__(self, url: str, server: uvicorn.Server) -> None:
        self.url = url
        self.server = server


@pytest.fixture
async def served(tracing: Tracing) -> AsyncIterator[tuple[HttpServer, InMemoryMetricReader]]:
    """Our MCP server over real Streamable HTTP, in this process so its spans land in ``tracing``."""
    reader = InMemoryMetricReader()
    config = RunConfig(tracer_provider=tracing.provider, meter_provider=MeterProvider(metric_readers=[reader]))
    app = create_mcp_server(our_tools.agent, run_config=config).streamable_http_app()
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    try:
        yield HttpServer(f"http://127.0.0.1:{sock.getsockname()[1]}/mcp", server), reader
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_server_span_continues_the_callers_trace(
    served: tuple[HttpServer, InMemoryMetricReader], tracing: Tracing
) -> None:
    http, reader = served
    seen = Progress()
    async with (
        streamable_http_client(http.url) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        result = await session.call_tool(
            "slow_steps", {"n": 3}, progress_callback=seen.callback, meta={"traceparent": TRACEPARENT}
        )
    assert len(seen.calls) == 3
    assert "0af7651916cd43dd8448eb211c80319c" in result.content[0].text  # type: ignore[union-attr]
    (server_span,) = [s for s in tracing.spans() if s.name == "tools/call slow_steps"]
    assert server_span.kind is SpanKind.SERVER
    assert f"{server_span.context.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    assert server_span.parent is not None and f"{server_span.parent.span_id:016x}" == "b7ad6b7169203331"
    attributes = dict(server_span.attributes or {})
    assert attributes["mcp.method.name"] == "tools/call"
    assert attributes["gen_ai.tool.name"] == "slow_steps"
    assert attributes["network.transport"] == "tcp"
    assert attributes["mcp.protocol.version"]
    (tool_span,) = tracing.named("execute_tool slow_steps")
    assert tool_span.parent is not None and tool_span.parent.span_id == server_span.context.span_id
    assert len([e for e in tool_span.events if e.name == PROGRESS_EVENT]) == 3
    # The SDK's own server span (global provider) is replaced: one SERVER span per request here.
    assert len([s for s in tracing.spans() if s.kind is SpanKind.SERVER and "slow_steps" in s.name]) == 1
    data = reader.get_metrics_data()
    assert data is not None
    names = {m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
    assert "mcp.server.operation.duration" in names


async def test_one_trace_from_our_client_through_our_server(
    served: tuple[HttpServer, InMemoryMetricReader], tracing: Tracing
) -> None:
    http, _ = served
    model = ScriptedModel([[function_call("slow_steps", {"n": 4}, call_id="call_model_7")], [assistant_message("ok")]])
    async with MCPServerStreamableHttp(params={"url": http.url}, name="ours") as client:
        result = Runner.run_streamed(
            Agent(name="caller", mcp_servers=[client], model=model), "go", run_config=tracing.config
        )
        events = [e async for e in result.stream_events()]

    progress = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert [e.tool_call_id for e in progress] == ["call_model_7"] * 4
    assert [e.data["message"] for e in progress] == [f"step {i} of 4" for i in range(1, 5)]

    run_trace = int(result.trace_id, 16)
    spans = [s for s in tracing.spans() if s.context.trace_id == run_trace]
    # One trace: agent, MCP client, MCP server, tool. Outside it only the handshake of connect(), before the run.
    assert [s.name for s in tracing.spans() if s.context.trace_id != run_trace] == ["initialize"]
    by_id = {s.context.span_id: s for s in spans}

    def chain(span: Any) -> list[str]:
        names = [span.name]
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            names.append(span.name)
        return names

    (inner,) = [
        s
        for s in tracing.named("execute_tool slow_steps")
        if s.parent and by_id[s.parent.span_id].kind is SpanKind.SERVER
    ]
    assert chain(inner) == [
        "execute_tool slow_steps",  # server side, with the tool's progress events
        "tools/call slow_steps",  # SERVER
        "tools/call slow_steps",  # CLIENT
        "execute_tool slow_steps",  # client side: the model's call, call_model_7
        "invoke_agent caller",
    ]
    assert len([e for e in inner.events if e.name == PROGRESS_EVENT]) == 4
    outer = tracing.tool_span("call_model_7")
    assert len([e for e in outer.events if e.name == PROGRESS_EVENT]) == 4


@pytest.fixture
def cli_http_url() -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agents_otel.cli",
            "mcp",
            "mcp_support.our_tools:tools",
            "--transport",
            "streamable-http",
            "--port",
            "0",
        ],
        cwd=TESTS,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **CLI_ENV},
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "serving" in line, line
        yield line.rsplit(" ", 1)[-1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()


async def test_cli_serves_a_tool_list_over_streamable_http(cli_http_url: str) -> None:
    seen = Progress()
    async with (
        streamable_http_client(cli_http_url) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        assert {t.name for t in (await session.list_tools()).tools} == {"slow_steps", "phases"}
        result = await session.call_tool("slow_steps", {"n": 2}, progress_callback=seen.callback)
    assert not result.is_error
    assert [c[2] for c in seen.calls] == ["step 1 of 2", "step 2 of 2"]


def test_cli_rejects_a_target_that_is_not_tools() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "agents_otel.cli", "mcp", "mcp_support.our_tools:boom"],
        cwd=TESTS,
        capture_output=True,
        text=True,
        env={**os.environ, **CLI_ENV},
        timeout=60,
    )
    assert proc.returncode == 2
    assert "not an Agent or a list of FunctionTool" in proc.stderr
    assert json is not None
