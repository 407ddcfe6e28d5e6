"""Eager start of tool calls: a call runs until it first awaits; only calls that suspend get a Task."""

from __future__ import annotations

import asyncio
import contextvars

from tracing_fixtures import Tracing

from agents_otel import Agent, FunctionCallOutput, Runner, ToolContext, ToolProgressStreamEvent, eager, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call

marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")


async def test_a_coroutine_that_never_awaits_gets_no_task() -> None:
    async def quick() -> int:
        return 42

    started = eager.start(quick(), asyncio.get_running_loop())
    assert started.task is None and started.value == 42


async def test_a_suspending_coroutine_continues_in_a_task_in_its_own_context() -> None:
    release = asyncio.Event()

    async def slow() -> str:
        marker.set("inside")
        await release.wait()
        return marker.get()

    started = eager.start(slow(), asyncio.get_running_loop())
    assert started.task is not None
    assert marker.get() == "unset"  # the first step ran in a copy of the context, like a Task's
    release.set()
    assert await started.task == "inside"


async def test_cancelling_before_the_task_ever_ran_reaches_the_suspended_coroutine() -> None:
    cleaned_up = []

    async def waits() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned_up.append(True)

    started = eager.start(waits(), asyncio.get_running_loop())
    assert started.task is not None
    started.task.cancel()  # before the loop ran the task's first step
    await asyncio.wait([started.task])
    assert started.task.cancelled() and cleaned_up == [True]


async def test_exceptions_after_suspension_surface_from_the_task() -> None:
    async def fails_later() -> None:
        await asyncio.sleep(0)
        raise KeyError("late")

    started = eager.start(fails_later(), asyncio.get_running_loop())
    assert started.task is not None
    (done,), _ = await asyncio.wait([started.task])
    assert isinstance(done.exception(), KeyError)


async def test_a_batch_mixing_immediate_and_suspending_calls_keeps_order_and_spans(tracing: Tracing) -> None:
    gate = asyncio.Event()

    @function_tool
    async def immediate(ctx: ToolContext, i: int) -> str:
        ctx.send_progress({"i": i})
        return f"now {i}"

    @function_tool
    async def later(ctx: ToolContext, i: int) -> str:
        ctx.send_progress({"i": i, "phase": "waiting"})
        await gate.wait()
        ctx.send_progress({"i": i, "phase": "done"})
        return f"later {i}"

    calls = []
    for i in range(6):
        calls.append(function_call("later" if i % 2 else "immediate", {"i": i}, call_id=f"c{i}"))
    model = ScriptedModel([calls, [assistant_message("ok")]])
    agent = Agent(name="Mix", tools=[immediate, later], model=model)
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    events = []
    async for event in result.stream_events():
        events.append(event)
        if isinstance(event, ToolProgressStreamEvent) and event.tool_call_id == "c5":
            gate.set()
    sent = [i for i in model.calls[1].input if isinstance(i, FunctionCallOutput)]
    assert [(o.call_id, o.output) for o in sent] == [(f"c{i}", f"later {i}" if i % 2 else f"now {i}") for i in range(6)]
    for i in range(6):
        span = tracing.tool_span(f"c{i}")
        assert len(span.events) == (2 if i % 2 else 1)
        (run_span,) = tracing.named("invoke_agent")
        assert span.parent is not None and span.parent.span_id == run_span.context.span_id
