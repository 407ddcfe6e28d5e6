"""Faults a production run must survive: dead and black-holed OTLP endpoints, consumers that never read or leave,
tools that fail or are cancelled mid-progress, many runs at once, and progress from threads with no tool call.

Everything synchronises on Events (or on the run finishing); the only time bound is pytest's timeout, plus a
generous join on provider shutdown, which asserts that exit returns at all, not how fast.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from support import Tracing, scripted_agent

import agents_otel
from agents_otel import (
    Agent,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    StreamEvent,
    ToolContext,
    ToolProgressStreamEvent,
    current_tool_context,
    function_tool,
)
from agents_otel.current_tool import unattributed_count
from agents_otel.testing import function_call
from agents_otel.tracing.attributes import PROGRESS_EVENT

EXIT_BOUND = 120.0
"""How long provider shutdown may take before the test calls it a hang: generous, it is not a performance bound."""


@function_tool
async def steps(ctx: ToolContext, n: int) -> str:
    """Report n steps."""
    for i in range(1, n + 1):
        ctx.send_progress({"i": i})
    return f"{n} steps"


def agent_with(tools: list[Any], calls: list[Any]) -> Agent[Any]:
    return scripted_agent(tools, calls, name="A")


def lifecycle(events: list[StreamEvent], name: str) -> list[Any]:
    return [e.item for e in events if isinstance(e, RunItemStreamEvent) and e.name == name]


# ---- dead and black-holed OTLP endpoints ---------------------------------------------------------------------


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def exporting_providers(port: int) -> tuple[TracerProvider, MeterProvider]:
    base = f"http://127.0.0.1:{port}"
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(f"{base}/v1/traces", timeout=2)))
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(f"{base}/v1/metrics", timeout=2), export_interval_millis=50, export_timeout_millis=2000
    )
    return tracer_provider, MeterProvider(metric_readers=[reader], shutdown_on_exit=False)


def shutdown_returns(*providers: Any) -> bool:
    done = threading.Event()

    def shutdown() -> None:
        for provider in providers:
            provider.shutdown()
        done.set()

    threading.Thread(target=shutdown, daemon=True).start()
    return done.wait(EXIT_BOUND)


@pytest.mark.parametrize("endpoint", ["black_hole", "refused_port"])
async def test_runs_complete_and_exit_is_bounded_when_the_otlp_endpoint_is_unreachable(
    endpoint: str, request: pytest.FixtureRequest
) -> None:
    tracer_provider, meter_provider = exporting_providers(request.getfixturevalue(endpoint))
    config = RunConfig(tracer_provider=tracer_provider, meter_provider=meter_provider)
    calls = [function_call("steps", {"n": 500}, call_id=f"c{k}") for k in range(10)]
    for _ in range(3):  # several runs back to back while the exporter is stuck on the first batch
        events = [
            e async for e in Runner.run_streamed(agent_with([steps], calls), "go", run_config=config).stream_events()
        ]
        assert len(lifecycle(events, "tool_output")) == 10
        result = await Runner.run(agent_with([steps], calls), "go", run_config=config)
        assert result.final_output == "done"
    assert shutdown_returns(tracer_provider, meter_provider)


# ---- consumers ------------------------------------------------------------------------------------------------


class EndOfRun(SpanProcessor):
    """Sets ``done`` when an ``invoke_agent`` span ends: a way to wait for a run nobody is streaming."""

    def __init__(self) -> None:
        self.done = threading.Event()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        pass

    def on_end(self, span: ReadableSpan) -> None:
        if span.name.startswith("invoke_agent"):
            self.done.set()


async def test_a_consumer_that_never_reads_does_not_stop_or_bloat_the_run(tracing: Tracing) -> None:
    end = EndOfRun()
    tracing.provider.add_span_processor(end)
    calls = [function_call("steps", {"n": 20_000}, call_id=f"c{k}") for k in range(3)]
    config = RunConfig(tracer_provider=tracing.provider, max_buffered_events=100)
    result = Runner.run_streamed(agent_with([steps], calls), "go", run_config=config)
    assert await asyncio.get_running_loop().run_in_executor(None, end.done.wait, EXIT_BOUND)
    # Nobody read anything while the run went on; what waits now is bounded by the buffer, not by 60,000.
    events = [e async for e in result.stream_events()]
    assert result.final_output == "done"
    progress = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert len(progress) <= 100 + 2 * 3
    for k in range(3):
        mine = [e.sequence for e in progress if e.tool_call_id == f"c{k}"]
        assert mine[0] == 1 and mine[-1] == 20_000
    assert len(lifecycle(events, "tool_called")) == len(lifecycle(events, "tool_output")) == 3


async def test_a_consumer_that_disconnects_mid_run_and_cancels_it_drops_the_stragglers(tracing: Tracing) -> None:
    stopped = threading.Event()
    outcome: list[Any] = []

    @function_tool
    def endless(ctx: ToolContext) -> str:  # sync: its thread outlives the cancellation
        i = 0
        while ctx.send_progress({"i": i}):
            i += 1
        outcome.append(i)
        stopped.set()
        return "never seen"

    result = Runner.run_streamed(
        agent_with([endless], [function_call("endless", {}, call_id="e")]), "go", run_config=tracing.config
    )
    stream = result.stream_events()
    async for event in stream:
        if isinstance(event, ToolProgressStreamEvent):
            break  # the client went away
    await stream.aclose()
    result.cancel()  # leaving the loop alone would let the run go on, as in the SDK
    assert await asyncio.get_running_loop().run_in_executor(None, stopped.wait, EXIT_BOUND)
    assert result.cancelled and outcome  # the thread saw send_progress return False and stopped by itself
    span = tracing.tool_span("e")
    assert span.attributes["error.type"] == "cancelled"
    assert span.end_time is not None


async def test_a_tool_that_raises_while_its_threads_still_report(tracing: Tracing) -> None:
    started = threading.Event()
    late: list[bool] = []
    workers: list[threading.Thread] = []

    @function_tool
    def fan_out(ctx: ToolContext) -> str:
        def work() -> None:
            while agents_otel.send_progress({"from": "worker"}):  # found through the copied context
                started.set()
            late.append(False)

        for _ in range(4):
            thread = threading.Thread(target=contextvars.copy_context().run, args=(work,))
            workers.append(thread)
            thread.start()
        assert started.wait(60)
        raise RuntimeError("failed while workers report")

    result = await Runner.run(
        agent_with([fan_out], [function_call("fan_out", {}, call_id="f")]), "go", run_config=tracing.config
    )
    for thread in workers:
        await asyncio.get_running_loop().run_in_executor(None, thread.join)
    assert late == [False] * 4
    assert result.final_output == "done"
    assert result.new_items[1].is_error and result.new_items[1].error_type == "RuntimeError"
    span = tracing.tool_span("f")
    assert span.events[-1].name == "exception"
    assert all(e.name == PROGRESS_EVENT for e in span.events[:-1])


async def test_cancelling_a_run_with_100_tools_reporting_progress(tracing: Tracing) -> None:
    @function_tool
    async def spin(ctx: ToolContext) -> str:
        i = 0
        while True:
            i += 1
            ctx.send_progress({"i": i})
            await asyncio.sleep(0)

    calls = [function_call("spin", {}, call_id=f"s{k}") for k in range(100)]
    result = Runner.run_streamed(agent_with([spin], calls), "go", run_config=tracing.config)
    reporting: set[str] = set()
    events: list[StreamEvent] = []
    async for event in result.stream_events():
        events.append(event)
        if isinstance(event, ToolProgressStreamEvent):
            reporting.add(event.tool_call_id)
            if len(reporting) == 100:
                result.cancel()
    assert result.cancelled and result.is_complete
    assert len(lifecycle(events, "tool_called")) == 100
    outputs = lifecycle(events, "tool_output")
    assert len(outputs) == 100 and all(o.error_type == "cancelled" for o in outputs)
    spans = tracing.named("execute_tool")
    assert len(spans) == 100 and all(s.attributes["error.type"] == "cancelled" for s in spans)
    assert tracing.named("invoke_agent")[0].attributes["error.type"] == "cancelled"


async def test_100_concurrent_runs_keep_their_events_apart(tracing: Tracing) -> None:
    async def one(k: int) -> tuple[int, list[StreamEvent], Any]:
        calls = [function_call("steps", {"n": 50}, call_id=f"r{k}-c{j}") for j in range(3)]
        result = Runner.run_streamed(agent_with([steps], calls), f"run {k}", run_config=tracing.config)
        return k, [e async for e in result.stream_events()], result

    outcomes = await asyncio.gather(*(one(k) for k in range(100)))
    trace_ids = set()
    for k, events, result in outcomes:
        assert result.final_output == "done"
        progress = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
        assert {e.tool_call_id for e in progress} == {f"r{k}-c{j}" for j in range(3)}
        assert all(e.trace_id == result.trace_id for e in progress)
        for j in range(3):
            assert [e.sequence for e in progress if e.tool_call_id == f"r{k}-c{j}"] == list(range(1, 51))
        trace_ids.add(result.trace_id)
    assert len(trace_ids) == 100
    assert len(tracing.named("execute_tool")) == 300


# ---- threads and lifetimes ------------------------------------------------------------------------------------


async def test_send_progress_from_a_thread_with_no_tool_call_is_ignored_and_counted(tracing: Tracing) -> None:
    answers: list[Any] = []
    release = threading.Event()

    @function_tool
    def spawns_a_bare_thread(ctx: ToolContext) -> str:
        assert current_tool_context() is ctx

        def bare() -> None:  # a plain Thread inherits no context: it belongs to no tool call
            answers.append((current_tool_context(), agents_otel.send_progress({"lost": True})))
            release.set()

        threading.Thread(target=bare).start()
        assert release.wait(60)
        return "ok"

    before = unattributed_count()
    events = [
        e
        async for e in Runner.run_streamed(
            agent_with([spawns_a_bare_thread], [function_call("spawns_a_bare_thread", {}, call_id="t")]),
            "go",
            run_config=tracing.config,
        ).stream_events()
    ]
    assert answers == [(None, False)]
    assert unattributed_count() == before + 1
    assert not [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert not tracing.tool_span("t").events
    assert current_tool_context() is None


async def test_module_level_send_progress_finds_the_current_call_in_async_and_sync_tools(tracing: Tracing) -> None:
    @function_tool
    async def async_tool() -> str:
        assert agents_otel.send_progress({"where": "async"})
        return "a"

    @function_tool
    def sync_tool() -> str:
        assert agents_otel.send_progress({"where": "sync"})
        return "s"

    calls = [function_call("async_tool", {}, call_id="a"), function_call("sync_tool", {}, call_id="s")]
    events = [
        e
        async for e in Runner.run_streamed(
            agent_with([async_tool, sync_tool], calls), "go", run_config=tracing.config
        ).stream_events()
    ]
    got = {(e.tool_call_id, e.data["where"]) for e in events if isinstance(e, ToolProgressStreamEvent)}
    assert got == {("a", "async"), ("s", "sync")}
