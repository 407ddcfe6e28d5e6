"""Stalled and idle tools: the watchdog reports quiet calls and ends idle ones, with no timing assertions.

Synchronisation: tools wait on Events that the stream consumer sets when it sees the stall it expects; timeouts
are tiny so the waits are short, and the pytest timeout is the only bound on "it never happens".
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from support import Tracing, scripted_agent

from agents_otel import (
    Agent,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    StreamEvent,
    ToolContext,
    ToolProgressStreamEvent,
    ToolStalledStreamEvent,
    function_tool,
)
from agents_otel.testing import ScriptedModel, function_call
from agents_otel.tool_context import tool_call_of
from agents_otel.tracing.attributes import PROGRESS_SEQUENCE, STALLED_EVENT, STALLED_FOR


def agent_calling(tools: list[Any], calls: list[tuple[str, str]]) -> tuple[Agent[Any], ScriptedModel]:
    agent = scripted_agent(tools, [function_call(name, {}, call_id=cid) for name, cid in calls])
    assert isinstance(agent.model, ScriptedModel)
    return agent, agent.model


def stalls_of(events: list[StreamEvent], call_id: str) -> list[ToolStalledStreamEvent]:
    return [e for e in events if isinstance(e, ToolStalledStreamEvent) and e.tool_call_id == call_id]


def tool_output(events: list[StreamEvent], call_id: str) -> Any:
    outputs = [e for e in events if isinstance(e, RunItemStreamEvent) and e.name == "tool_output"]
    (event,) = [e for e in outputs if e.tool_call_id == call_id]
    return event.item


def metric_points(reader: InMemoryMetricReader, name: str) -> list[Any]:
    data = reader.get_metrics_data()
    assert data is not None
    return [
        point
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
        if metric.name == name
        for point in metric.data.data_points
    ]


async def test_one_stall_per_quiet_period_and_progress_clears_it(tracing: Tracing) -> None:
    release = asyncio.Event()
    second_stall = asyncio.Event()

    @function_tool(stall_timeout=0.01)
    async def quick(ctx: ToolContext) -> str:
        await release.wait()
        ctx.send_progress({"resumed": True})
        await second_stall.wait()
        return "quick done"

    @function_tool(stall_timeout=0.2)
    async def slow(ctx: ToolContext) -> str:
        await release.wait()
        return "slow done"

    reader = InMemoryMetricReader()
    config = RunConfig(tracer_provider=tracing.provider, meter_provider=MeterProvider(metric_readers=[reader]))
    agent, _ = agent_calling([quick, slow], [("quick", "q"), ("slow", "s")])
    events: list[StreamEvent] = []
    result = Runner.run_streamed(agent, "go", run_config=config)
    async for event in result.stream_events():
        events.append(event)
        if isinstance(event, ToolStalledStreamEvent):
            if event.tool_call_id == "s":  # `quick` has been quiet 20x its stall timeout by now
                release.set()
            elif len(stalls_of(events, "q")) == 2:
                second_stall.set()

    assert result.final_output == "done"
    quick_stalls = stalls_of(events, "q")
    assert [s.last_sequence for s in quick_stalls] == [0, 1]  # one per quiet period, the progress in between
    assert all(s.stalled_for >= 0.01 and s.stall_timeout == 0.01 for s in quick_stalls)
    assert len(stalls_of(events, "s")) == 1
    first, second = quick_stalls
    progress = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    order = [events.index(first), events.index(progress[0]), events.index(second)]
    assert order == sorted(order)
    assert first.trace_id == tool_output(events, "q").trace_id and first.span_id == tool_output(events, "q").span_id

    span = tracing.tool_span("q")
    stalled = [e for e in span.events if e.name == STALLED_EVENT]
    assert [e.attributes[PROGRESS_SEQUENCE] for e in stalled] == [0, 1]
    assert [e.timestamp for e in stalled] == [s.timestamp for s in quick_stalls]
    assert stalled[0].attributes[STALLED_FOR] == quick_stalls[0].stalled_for
    assert span.status.is_ok

    by_tool = {p.attributes["gen_ai.tool.name"]: p.value for p in metric_points(reader, "agents_otel.tool.stalls")}
    assert by_tool == {"quick": 2, "slow": 1}


async def test_run_level_default_applies_to_tools_without_their_own(tracing: Tracing) -> None:
    stalled = threading.Event()

    @function_tool
    def blocking(ctx: ToolContext) -> str:  # a sync tool in a worker thread
        ctx.send_progress({"phase": "waiting"})
        assert stalled.wait(60)
        return "unblocked"

    agent, _ = agent_calling([blocking], [("blocking", "b")])
    config = RunConfig(tracer_provider=tracing.provider, tool_stall_timeout=0.01)
    events: list[StreamEvent] = []
    result = Runner.run_streamed(agent, "go", run_config=config)
    async for event in result.stream_events():
        events.append(event)
        if isinstance(event, ToolStalledStreamEvent) and event.last_sequence == 1:
            stalled.set()
    # On a loaded machine the worker thread may start after the first quiet period: that earlier stall (with
    # last_sequence 0) is real and reported too. After its progress the call stalls exactly once more.
    stalls = stalls_of(events, "b")
    (stall,) = [s for s in stalls if s.last_sequence == 1]
    assert stall.tool_name == "blocking" and stall.agent_name == "Worker"
    assert all(s.last_sequence == 0 for s in stalls[:-1]) and stalls[-1] is stall
    assert tool_output(events, "b").output == "unblocked"
    assert len([e for e in tracing.tool_span("b").events if e.name == STALLED_EVENT]) == len(stalls)


async def test_stalls_are_recorded_in_non_streamed_runs(tracing: Tracing) -> None:
    @function_tool(stall_timeout=0.01)
    async def wait_for_stall(ctx: ToolContext) -> str:
        call = tool_call_of(ctx)  # the runtime's record: white-box, the stall is not visible to the tool
        while not call.stalled:  # noqa: ASYNC110 - no stream to wait on: yield until the watchdog marks the record
            await asyncio.sleep(0)
        return "saw it"

    agent, _ = agent_calling([wait_for_stall], [("wait_for_stall", "w")])
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "done"
    assert [e.name for e in tracing.tool_span("w").events] == [STALLED_EVENT]


async def test_idle_timeout_ends_a_quiet_call_as_a_timeout_the_model_sees(tracing: Tracing) -> None:
    never = asyncio.Event()

    @function_tool(idle_timeout=0.02)
    async def hangs(ctx: ToolContext) -> str:
        ctx.send_progress({"step": 1})
        await never.wait()
        return "unreachable"

    agent, model = agent_calling([hangs], [("hangs", "h")])
    events: list[StreamEvent] = []
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    async for event in result.stream_events():
        events.append(event)
    item = tool_output(events, "h")
    assert item.is_error and item.error_type == "timeout"
    told = model.calls[1].input[-1]
    assert told.call_id == "h" and "idle timeout" in told.output
    span = tracing.tool_span("h")
    assert span.attributes["error.type"] == "timeout"
    assert result.final_output == "done"


async def test_progress_keeps_an_idle_call_alive_until_it_finishes(tracing: Tracing) -> None:
    @function_tool(idle_timeout=0.05)
    async def chatty(ctx: ToolContext) -> str:
        loop = asyncio.get_running_loop()
        started = loop.time()
        i = 0
        while loop.time() - started < 0.25:  # runs 5x its idle timeout, reporting all along
            i += 1
            ctx.send_progress({"i": i})
            await asyncio.sleep(0)
        return f"sent {i}"

    agent, _ = agent_calling([chatty], [("chatty", "c")])
    result = await Runner.run(agent, "go", run_config=tracing.config)
    (item,) = [i for i in result.new_items if getattr(i, "output", None) is not None]
    assert str(item.output).startswith("sent ") and not item.is_error


async def test_the_hard_cap_ends_a_call_that_keeps_reporting(tracing: Tracing) -> None:
    @function_tool(idle_timeout=60, timeout=0.05)
    async def forever(ctx: ToolContext) -> str:
        i = 0
        while True:
            i += 1
            ctx.send_progress({"i": i})
            await asyncio.sleep(0)

    agent, model = agent_calling([forever], [("forever", "f")])
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert "timed out after 0.05 seconds" in model.calls[1].input[-1].output
    assert tracing.tool_span("f").attributes["error.type"] == "timeout"
    assert result.final_output == "done"


async def test_idle_timeout_without_timeout_uses_the_run_hard_cap(tracing: Tracing) -> None:
    @function_tool(idle_timeout=60)
    async def forever(ctx: ToolContext) -> str:
        while True:
            ctx.send_progress("tick")
            await asyncio.sleep(0)

    agent, model = agent_calling([forever], [("forever", "f")])
    config = RunConfig(tracer_provider=tracing.provider, idle_timeout_hard_cap=0.05)
    await Runner.run(agent, "go", run_config=config)
    assert "timed out after 0.05 seconds" in model.calls[1].input[-1].output


def test_timeouts_must_be_positive() -> None:
    import pytest

    from agents_otel import UserError

    for knob in ("timeout", "stall_timeout", "idle_timeout"):
        with pytest.raises(UserError, match=knob):

            @function_tool(**{knob: 0})
            def tool() -> str:
                return ""
