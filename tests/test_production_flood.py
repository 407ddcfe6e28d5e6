"""Flood control: a tool that reports 300,000 times against a consumer that is not reading.

The stream stays bounded (coalescing: latest wins, first and last always delivered, ``coalesced`` accounts for
every event), the trace keeps first / rate-limited middle / last under the span event cap, and lifecycle events
all arrive. Memory is asserted as a tracemalloc peak bound, never a time.
"""

from __future__ import annotations

import asyncio
import threading
import tracemalloc
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    ProgressSampling,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    StreamEvent,
    ToolContext,
    ToolProgressStreamEvent,
    UserError,
    function_tool,
)
from agents_otel.progress_sampling import ProgressSampler
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.attributes import (
    PROGRESS_DROPPED,
    PROGRESS_EMITTED,
    PROGRESS_EVENT,
    PROGRESS_RECORDED,
    PROGRESS_SEQUENCE,
)

FLOOD = 300_000
MAX_BUFFERED = 1000


async def test_a_300k_flood_against_a_stalled_consumer_stays_bounded_and_keeps_first_and_last(
    tracing: Tracing,
) -> None:
    flood_done = threading.Event()

    @function_tool
    def flood(ctx: ToolContext) -> str:  # sync: runs in a worker thread, as fast as it can
        for i in range(1, FLOOD + 1):
            ctx.send_progress({"i": i})
        flood_done.set()
        return "flooded"

    model = ScriptedModel([[function_call("flood", {}, call_id="f")], [assistant_message("done")]])
    config = RunConfig(tracer_provider=tracing.provider, max_buffered_events=MAX_BUFFERED)
    loop = asyncio.get_running_loop()
    tracemalloc.start()
    try:
        result = Runner.run_streamed(Agent(name="Flooder", tools=[flood], model=model), "go", run_config=config)
        events: list[StreamEvent] = []
        async for event in result.stream_events():
            events.append(event)
            if isinstance(event, ToolProgressStreamEvent) and event.sequence == 1:
                # the consumer stops reading until the tool has sent everything
                await loop.run_in_executor(None, flood_done.wait)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    progress = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert progress[0].sequence == 1 and progress[0].data == {"i": 1}
    assert progress[-1].sequence == FLOOD and progress[-1].data == {"i": FLOOD}
    # at most the batch the consumer held when it stopped (itself bounded by the buffer) plus one full buffer,
    # each with the call's first event and its replaceable slot
    assert len(progress) <= 2 * (MAX_BUFFERED + 2)
    assert sum(1 + e.coalesced for e in progress) == FLOOD  # every event delivered or accounted for
    assert [e.sequence for e in progress] == sorted(e.sequence for e in progress)
    lifecycle = [e.name for e in events if isinstance(e, RunItemStreamEvent)]
    assert lifecycle == ["tool_called", "tool_output", "message_output_created"]
    assert result.final_output == "done"
    # 300k unbounded events would be >100 MB (event + dict each); bounded, the peak is a few MB.
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"

    span = tracing.tool_span("f")
    recorded = [e for e in span.events if e.name == PROGRESS_EVENT]
    sequences = [e.attributes[PROGRESS_SEQUENCE] for e in recorded]
    policy = ProgressSampling()
    assert sequences[: policy.first] == list(range(1, policy.first + 1))
    assert sequences[-1] == FLOOD
    assert len(recorded) <= policy.max_events
    assert span.attributes[PROGRESS_EMITTED] == FLOOD
    assert span.attributes[PROGRESS_RECORDED] == len(recorded)
    assert span.attributes[PROGRESS_DROPPED] == FLOOD - len(recorded)
    assert span.dropped_events == 0  # the SDK's own limit never had to throw anything away
    assert recorded[-1].timestamp == progress[-1].timestamp  # the held-back last keeps its own time


async def test_the_held_back_last_event_precedes_the_exception_event(tracing: Tracing) -> None:
    @function_tool
    async def chatty_then_fails(ctx: ToolContext) -> str:
        for i in range(1, 200):
            ctx.send_progress(i)
        raise RuntimeError("after 199")

    model = ScriptedModel([[function_call("chatty_then_fails", {}, call_id="c")], [assistant_message("done")]])
    await Runner.run(Agent(name="A", tools=[chatty_then_fails], model=model), "go", run_config=tracing.config)
    span = tracing.tool_span("c")
    names = [e.name for e in span.events]
    assert names[-1] == "exception"
    assert span.events[-2].attributes[PROGRESS_SEQUENCE] == 199
    assert span.attributes[PROGRESS_EMITTED] == 199


async def test_calls_within_the_first_events_are_recorded_whole_without_totals_noise(tracing: Tracing) -> None:
    @function_tool
    async def few(ctx: ToolContext) -> str:
        for i in range(3):
            ctx.send_progress(i)
        return "ok"

    @function_tool
    async def silent() -> str:
        return "ok"

    model = ScriptedModel(
        [[function_call("few", {}, call_id="f"), function_call("silent", {}, call_id="s")], [assistant_message("d")]]
    )
    await Runner.run(Agent(name="A", tools=[few, silent], model=model), "go", run_config=tracing.config)
    few_span = tracing.tool_span("f")
    assert [e.attributes[PROGRESS_SEQUENCE] for e in few_span.events] == [1, 2, 3]
    assert (few_span.attributes[PROGRESS_RECORDED], few_span.attributes[PROGRESS_DROPPED]) == (3, 0)
    assert PROGRESS_EMITTED not in (tracing.tool_span("s").attributes or {})


def test_token_bucket_admits_burst_then_rate_then_respects_the_cap() -> None:
    policy = ProgressSampling(first=2, per_second=8.0, burst=3, max_events=8)  # binary fractions: exact floats
    sampler = ProgressSampler(policy, recorded=2, now=100.0)
    assert [sampler.admit(100.0) for _ in range(5)] == [True, True, True, False, False]  # the burst
    assert sampler.admit(100.0625) is False  # half a token
    assert sampler.admit(100.125) is True  # one token after 1/8 s at 8/s
    assert sampler.admit(200.0) is True  # refilled, but now at the cap: 2 + 3 + 1 + 1 = 7 = max_events - 1
    assert sampler.recorded == 7
    assert sampler.admit(300.0) is False  # the last slot is kept for the held-back final event


def test_sampling_policy_is_validated() -> None:
    with pytest.raises(UserError):
        ProgressSampling(first=10, max_events=10)
    with pytest.raises(UserError):
        ProgressSampling(per_second=-1)


async def test_many_calls_flooding_at_once_each_keep_first_and_last(tracing: Tracing) -> None:
    release = asyncio.Event()

    @function_tool
    async def burst(ctx: ToolContext, n: int) -> str:
        for i in range(1, n + 1):
            ctx.send_progress({"i": i})
        await release.wait()
        return "ok"

    calls = [function_call("burst", {"n": 5000}, call_id=f"c{k}") for k in range(20)]
    model = ScriptedModel([calls, [assistant_message("done")]])
    config = RunConfig(tracer_provider=tracing.provider, max_buffered_events=100)
    result = Runner.run_streamed(Agent(name="A", tools=[burst], model=model), "go", run_config=config)
    events: list[Any] = []
    async for event in result.stream_events():
        events.append(event)
        if isinstance(event, ToolProgressStreamEvent) and not release.is_set():
            # nothing read until every call has flooded: each call's first and last must still be here
            release.set()
    for k in range(20):
        mine = [e for e in events if isinstance(e, ToolProgressStreamEvent) and e.tool_call_id == f"c{k}"]
        assert mine[0].sequence == 1 and mine[-1].sequence == 5000
        assert sum(1 + e.coalesced for e in mine) == 5000
        assert all(e.tool_call_id == f"c{k}" and e.data["i"] == e.sequence for e in mine)
