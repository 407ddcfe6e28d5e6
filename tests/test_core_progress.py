"""Progress: one record, two views. The stream and the trace hold the same (tool_call_id, sequence, data)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from support import Tracing, one_call_agent

from agents_otel import (
    Agent,
    ProgressPayloadError,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    StreamEvent,
    ToolContext,
    ToolProgressStreamEvent,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.attributes import PROGRESS_DATA, PROGRESS_EVENT, PROGRESS_SEQUENCE


@function_tool
async def steps(ctx: ToolContext, n: int) -> str:
    """Report n progress steps."""
    for i in range(1, n + 1):
        ctx.send_progress({"step": i, "of": n, "label": f"step {i}"})
    return f"{n} steps"


async def collect(agent: Agent[Any], config: RunConfig, input: str = "go") -> tuple[list[StreamEvent], Any]:
    result = Runner.run_streamed(agent, input, run_config=config)
    events = [e async for e in result.stream_events()]
    return events, result


def progress_of(events: list[StreamEvent], call_id: str) -> list[ToolProgressStreamEvent]:
    return [e for e in events if isinstance(e, ToolProgressStreamEvent) and e.tool_call_id == call_id]


def span_records(span: Any) -> list[tuple[str, int, Any]]:
    return [
        (e.attributes["gen_ai.tool.call.id"], e.attributes[PROGRESS_SEQUENCE], json.loads(e.attributes[PROGRESS_DATA]))
        for e in span.events
        if e.name == PROGRESS_EVENT
    ]


async def test_stream_and_trace_hold_the_same_records(tracing: Tracing) -> None:
    events, result = await collect(one_call_agent(steps, {"n": 5}), tracing.config)
    stream = [(e.tool_call_id, e.sequence, e.data) for e in progress_of(events, "call_1")]
    span = tracing.tool_span("call_1")
    assert stream == span_records(span)
    assert [s for _, s, _ in stream] == [1, 2, 3, 4, 5]
    # Same timestamps and span identity in both views.
    ctx = span.context
    for event, span_event in zip(progress_of(events, "call_1"), span.events, strict=True):
        assert event.timestamp == span_event.timestamp
        assert event.trace_id == format(ctx.trace_id, "032x") == result.trace_id
        assert event.span_id == format(ctx.span_id, "016x")
        assert event.tool_name == "steps" and event.agent_name == "Worker"
        assert event.type == "tool_progress_stream_event"
    # Top-level scalar fields of a dict payload are attributes too.
    first = span.events[0].attributes
    assert first[f"{PROGRESS_DATA}.label"] == "step 1" and first[f"{PROGRESS_DATA}.step"] == 1


async def test_order_per_call_is_called_then_progress_then_output(tracing: Tracing) -> None:
    events, _ = await collect(one_call_agent(steps, {"n": 3}), tracing.config)
    kinds = [
        e.name if isinstance(e, RunItemStreamEvent) else f"progress{e.sequence}"
        for e in events
        if getattr(e, "tool_call_id", None) == "call_1"
    ]
    assert kinds == ["tool_called", "progress1", "progress2", "progress3", "tool_output"]


async def test_stream_survives_a_sampler_that_drops_everything() -> None:
    dropped = Tracing.new(sampler=ALWAYS_OFF)
    events, result = await collect(one_call_agent(steps, {"n": 4}), dropped.config)
    assert [e.sequence for e in progress_of(events, "call_1")] == [1, 2, 3, 4]
    assert [e.name for e in events if isinstance(e, RunItemStreamEvent)] == [
        "tool_called",
        "tool_output",
        "message_output_created",
    ]
    assert dropped.spans() == []
    assert result.final_output == "done"


async def test_stream_works_with_no_sdk_provider() -> None:
    config = RunConfig(tracer_provider=trace.NoOpTracerProvider())
    events, result = await collect(one_call_agent(steps, {"n": 3}), config)
    assert [e.data["step"] for e in progress_of(events, "call_1")] == [1, 2, 3]
    assert result.final_output == "done"


async def test_past_the_span_event_limit_every_event_still_reaches_the_stream(tracing: Tracing) -> None:
    events, _ = await collect(one_call_agent(steps, {"n": 300}), tracing.config)
    progress = progress_of(events, "call_1")
    assert [e.sequence for e in progress] == list(range(1, 301))
    assert [e.data["step"] for e in progress] == list(range(1, 301))
    span = tracing.tool_span("call_1")
    recorded = span_records(span)
    assert 0 < len(recorded) <= 128
    by_sequence = {e.sequence: ("call_1", e.sequence, e.data) for e in progress}
    assert all(by_sequence[seq] == rec for rec, seq in ((r, r[1]) for r in recorded))


async def test_non_streamed_runs_record_progress_on_spans(tracing: Tracing) -> None:
    result = await Runner.run(one_call_agent(steps, {"n": 2}), "go", run_config=tracing.config)
    assert result.final_output == "done"
    assert [r[1] for r in span_records(tracing.tool_span("call_1"))] == [1, 2]


def test_run_sync_records_progress_on_spans(tracing: Tracing) -> None:
    result = Runner.run_sync(one_call_agent(steps, {"n": 2}), "go", run_config=tracing.config)
    assert result.final_output == "done"
    assert [r[2]["step"] for r in span_records(tracing.tool_span("call_1"))] == [1, 2]


async def test_each_tool_output_is_emitted_when_that_call_finishes(tracing: Tracing) -> None:
    """The slow call is released only once the fast call's tool_output is seen: a batch-wait would deadlock."""
    release = asyncio.Event()

    @function_tool
    async def fast(ctx: ToolContext) -> str:
        ctx.send_progress("fast working")
        return "fast done"

    @function_tool
    async def slow(ctx: ToolContext) -> str:
        ctx.send_progress("slow waiting")
        await release.wait()
        return "slow done"

    model = ScriptedModel(
        [[function_call("slow", {}, call_id="s"), function_call("fast", {}, call_id="f")], [assistant_message("ok")]]
    )
    agent = Agent(name="A", tools=[slow, fast], model=model)
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    order: list[str] = []
    async for event in result.stream_events():
        if isinstance(event, RunItemStreamEvent) and event.name == "tool_output":
            order.append(event.item.call_id)  # type: ignore[union-attr]
            if event.item.call_id == "f":  # type: ignore[union-attr]
                release.set()
    assert order == ["f", "s"]
    assert result.final_output == "ok"


async def test_progress_after_the_call_ended_is_dropped_and_counted(tracing: Tracing) -> None:
    kept: list[ToolContext] = []

    @function_tool
    async def first(ctx: ToolContext) -> str:
        kept.append(ctx)
        ctx.send_progress("inside")
        return "first done"

    @function_tool
    async def second(ctx: ToolContext) -> str:
        accepted = kept[0].send_progress("late, from another call")
        ctx.send_progress("second inside")
        return f"accepted={accepted}"

    model = ScriptedModel(
        [
            [function_call("first", {}, call_id="c1")],
            [function_call("second", {}, call_id="c2")],
            [assistant_message("ok")],
        ]
    )
    events, result = await collect(Agent(name="A", tools=[first, second], model=model), tracing.config)
    assert [e.data for e in progress_of(events, "c1")] == ["inside"]
    assert [e.data for e in progress_of(events, "c2")] == ["second inside"]
    outputs = {
        e.item.call_id: e.item.output for e in events if isinstance(e, RunItemStreamEvent) and e.name == "tool_output"
    }  # type: ignore[union-attr]
    assert outputs["c2"] == "accepted=False"
    assert result.progress_dropped == 1
    assert [r[2] for r in span_records(tracing.tool_span("c1"))] == ["inside"]
    assert [r[2] for r in span_records(tracing.tool_span("c2"))] == ["second inside"]


async def test_unserialisable_payload_is_a_typed_error_and_later_progress_works(tracing: Tracing) -> None:
    seen: list[str] = []

    @function_tool
    async def careless(ctx: ToolContext) -> str:
        try:
            ctx.send_progress({"handle": object()})
        except ProgressPayloadError as exc:
            assert isinstance(exc, TypeError)
            seen.append(str(exc))
        ctx.send_progress({"ok": True})
        return "done"

    events, _ = await collect(one_call_agent(careless, {}), tracing.config)
    assert "careless" in seen[0]
    assert [(e.sequence, e.data) for e in progress_of(events, "call_1")] == [(1, {"ok": True})]
    assert [(r[1], r[2]) for r in span_records(tracing.tool_span("call_1"))] == [(1, {"ok": True})]


@pytest.mark.parametrize("payload", ["a string", 42, 0.5, None, [1, "two"], {"nested": {"deep": [1, 2]}}])
async def test_payload_kinds_round_trip(tracing: Tracing, payload: Any) -> None:
    @function_tool
    async def send(ctx: ToolContext) -> str:
        ctx.send_progress(payload)
        return "ok"

    events, _ = await collect(one_call_agent(send, {}), tracing.config)
    (event,) = progress_of(events, "call_1")
    assert event.data == payload
    assert span_records(tracing.tool_span("call_1"))[0][2] == payload
