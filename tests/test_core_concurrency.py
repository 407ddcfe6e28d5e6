"""Concurrency: parallel calls, sync tools in threads, nested agents, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import StatusCode
from support import Tracing

from agents_otel import (
    Agent,
    AgentToolStreamEvent,
    RunItemStreamEvent,
    Runner,
    StreamEvent,
    ToolContext,
    ToolProgressStreamEvent,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


async def test_twenty_parallel_calls_of_one_tool_are_attributed_by_call_id(tracing: Tracing) -> None:
    all_started = asyncio.Event()
    started = 0

    @function_tool
    async def work(ctx: ToolContext, index: int) -> str:
        nonlocal started
        ctx.send_progress({"index": index, "phase": "start"})
        started += 1
        if started == 20:
            all_started.set()
        await all_started.wait()  # every call is in flight at once
        ctx.send_progress({"index": index, "phase": "end"})
        return f"done {index}"

    calls = [function_call("work", {"index": i}, call_id=f"call_{i}") for i in range(20)]
    agent = Agent(name="Fan", tools=[work], model=ScriptedModel([calls, [assistant_message("all done")]]))
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    events = [e async for e in result.stream_events()]

    for i in range(20):
        mine = [e for e in events if isinstance(e, ToolProgressStreamEvent) and e.tool_call_id == f"call_{i}"]
        assert [(e.sequence, e.data) for e in mine] == [
            (1, {"index": i, "phase": "start"}),
            (2, {"index": i, "phase": "end"}),
        ]
        span = tracing.tool_span(f"call_{i}")
        assert {e.span_id for e in mine} == {format(span.context.span_id, "016x")}
        assert [ev.attributes["agents_otel.progress.data.index"] for ev in span.events] == [i, i]
    outputs = [e for e in events if isinstance(e, RunItemStreamEvent) and e.name == "tool_output"]
    assert sorted(e.item.output for e in outputs) == sorted(f"done {i}" for i in range(20))  # type: ignore[union-attr]
    assert result.final_output == "all done"


async def test_sync_tool_runs_in_a_worker_thread_with_its_span_current(tracing: Tracing) -> None:
    seen: dict[str, Any] = {}
    loop_thread = threading.get_ident()

    @function_tool
    def blocking(ctx: ToolContext, n: int) -> str:
        seen["thread"] = threading.get_ident()
        seen["current_span_id"] = format(trace.get_current_span().get_span_context().span_id, "016x")
        seen["ctx_span_id"] = ctx.span_id
        with trace.get_tracer("user-code", tracer_provider=tracing.provider).start_as_current_span("user work"):
            for i in range(n):
                ctx.send_progress(i)
        return "blocked and done"

    agent = Agent(
        name="T",
        tools=[blocking],
        model=ScriptedModel([[function_call("blocking", {"n": 3}, call_id="b1")], [assistant_message("ok")]]),
    )
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    events = [e async for e in result.stream_events()]
    assert seen["thread"] != loop_thread
    assert seen["current_span_id"] == seen["ctx_span_id"]
    assert [e.data for e in events if isinstance(e, ToolProgressStreamEvent)] == [0, 1, 2]
    tool_span = tracing.tool_span("b1")
    (user_span,) = tracing.named("user work")
    assert user_span.parent is not None and user_span.parent.span_id == tool_span.context.span_id


async def test_async_tool_body_has_its_span_current(tracing: Tracing) -> None:
    @function_tool
    async def traced(ctx: ToolContext) -> str:
        with trace.get_tracer("user-code", tracer_provider=tracing.provider).start_as_current_span("user child"):
            pass
        return format(trace.get_current_span().get_span_context().span_id, "016x")

    agent = Agent(
        name="T",
        tools=[traced],
        model=ScriptedModel([[function_call("traced", {}, call_id="t1")], [assistant_message("ok")]]),
    )
    result = await Runner.run(agent, "go", run_config=tracing.config)
    tool_span = tracing.tool_span("t1")
    (output,) = [i.output for i in result.new_items if i.type == "tool_call_output_item"]  # type: ignore[union-attr]
    assert output == format(tool_span.context.span_id, "016x")
    (child,) = tracing.named("user child")
    assert child.parent is not None and child.parent.span_id == tool_span.context.span_id


async def test_agent_as_tool_nests_spans_streams_to_on_stream_and_to_the_outer_stream(tracing: Tracing) -> None:
    @function_tool
    async def lookup(ctx: ToolContext, q: str) -> str:
        ctx.send_progress({"looking": q})
        return f"found {q}"

    inner = Agent(
        name="Inner",
        tools=[lookup],
        model=ScriptedModel(
            [[function_call("lookup", {"q": "x"}, call_id="in_1")], [assistant_message("inner answer")]]
        ),
    )
    received: list[AgentToolStreamEvent] = []

    async def on_stream(payload: AgentToolStreamEvent) -> None:
        received.append(payload)

    outer = Agent(
        name="Outer",
        tools=[inner.as_tool(tool_name="ask_inner", on_stream=on_stream)],
        model=ScriptedModel(
            [[function_call("ask_inner", {"input": "question"}, call_id="out_1")], [assistant_message("outer answer")]]
        ),
    )
    result = Runner.run_streamed(outer, "go", run_config=tracing.config)
    events = [e async for e in result.stream_events()]
    assert result.final_output == "outer answer"

    # Trace: inner invoke_agent is a child of the outer execute_tool span; the inner tool span below it.
    outer_tool = tracing.tool_span("out_1")
    (inner_run,) = tracing.named("invoke_agent Inner")
    assert inner_run.parent is not None and inner_run.parent.span_id == outer_tool.context.span_id
    inner_tool = tracing.tool_span("in_1")
    assert inner_tool.parent is not None and inner_tool.parent.span_id == inner_run.context.span_id
    assert inner_tool.context.trace_id == outer_tool.context.trace_id

    # on_stream: the inner run's own events, with the inner agent and the outer tool call.
    inner_progress = [p["event"] for p in received if isinstance(p["event"], ToolProgressStreamEvent)]
    assert [e.data for e in inner_progress] == [{"looking": "x"}]
    assert all(p["agent"] is inner and p["tool_call"].call_id == "out_1" for p in received)
    assert any(getattr(p["event"], "name", None) == "message_output_created" for p in received)

    # Outer stream: inner tool events too, attributed to the outer call through parent_tool_call_id.
    (progress,) = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert (progress.tool_call_id, progress.parent_tool_call_id, progress.agent_name) == ("in_1", "out_1", "Inner")
    kinds = [
        (e.name, e.item.call_id, e.item.parent_tool_call_id)
        for e in events
        if isinstance(e, RunItemStreamEvent) and e.name != "message_output_created"
    ]  # type: ignore[union-attr]
    assert kinds == [
        ("tool_called", "out_1", None),
        ("tool_called", "in_1", "out_1"),
        ("tool_output", "in_1", "out_1"),
        ("tool_output", "out_1", None),
    ]
    # Inner messages stay out of the outer stream.
    assert [
        e.item.text for e in events if isinstance(e, RunItemStreamEvent) and e.name == "message_output_created"
    ] == [  # type: ignore[union-attr]
        "outer answer"
    ]


async def test_agent_as_tool_without_on_stream_in_a_non_streamed_run(tracing: Tracing) -> None:
    inner = Agent(name="Inner", model=ScriptedModel([[assistant_message("inner says hi")]]))
    outer = Agent(
        name="Outer",
        tools=[inner.as_tool()],
        model=ScriptedModel([[function_call("inner", {"input": "hi"}, call_id="o1")], [assistant_message("relayed")]]),
    )
    result = await Runner.run(outer, "go", run_config=tracing.config)
    assert result.final_output == "relayed"
    (output,) = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert output.output == "inner says hi"  # type: ignore[union-attr]


def _pending_tasks() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


async def _cancellable_agent(n: int, started: asyncio.Event, counter: list[int]) -> Agent[Any]:
    @function_tool
    async def forever(ctx: ToolContext, i: int) -> str:
        ctx.send_progress({"i": i})
        counter.append(i)
        if len(counter) == n:
            started.set()
        await asyncio.Event().wait()  # never finishes on its own
        return "unreachable"

    calls = [function_call("forever", {"i": i}, call_id=f"c{i}") for i in range(n)]
    return Agent(name="Stuck", tools=[forever], model=ScriptedModel([calls, [assistant_message("never")]]))


async def test_cancel_ends_running_tools_with_a_cancellation_error_type(tracing: Tracing) -> None:
    started, counter = asyncio.Event(), []
    agent = await _cancellable_agent(5, started, counter)
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    events: list[StreamEvent] = []
    async for event in result.stream_events():
        events.append(event)
        if started.is_set() and sum(isinstance(e, ToolProgressStreamEvent) for e in events) == 5:
            result.cancel()
    assert result.is_complete and result.cancelled and result.final_output is None
    for i in range(5):
        span = tracing.tool_span(f"c{i}")
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes["error.type"] == "cancelled"
    (run_span,) = tracing.named("invoke_agent")
    assert run_span.attributes["error.type"] == "cancelled"
    outputs = [e for e in events if isinstance(e, RunItemStreamEvent) and e.name == "tool_output"]
    assert sorted(e.item.call_id for e in outputs) == [f"c{i}" for i in range(5)]  # type: ignore[union-attr]
    assert all(e.item.error_type == "cancelled" for e in outputs)  # type: ignore[union-attr]
    assert _pending_tasks() == set()


async def test_cancelling_the_consuming_task_cancels_the_run(tracing: Tracing) -> None:
    """A server shutting down cancels its readers: their runs stop with them (a ``break`` would not stop one)."""
    started, counter = asyncio.Event(), []
    agent = await _cancellable_agent(3, started, counter)
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)

    async def consume() -> None:
        async for _ in result.stream_events():
            pass

    reader = asyncio.ensure_future(consume())
    await started.wait()
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reader
    assert result.is_complete and result.cancelled
    assert len(tracing.named("execute_tool")) == 3
    assert all(s.attributes["error.type"] == "cancelled" for s in tracing.named("execute_tool"))
    assert _pending_tasks() == set()


async def test_cancelling_the_task_awaiting_runner_run_cancels_tools(tracing: Tracing) -> None:
    started, counter = asyncio.Event(), []
    agent = await _cancellable_agent(4, started, counter)
    task = asyncio.ensure_future(Runner.run(agent, "go", run_config=tracing.config))
    await started.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert [s.attributes["error.type"] for s in tracing.named("execute_tool")] == ["cancelled"] * 4
    assert _pending_tasks() == set()


async def test_cancelled_sync_tool_thread_cannot_report_into_the_ended_call(tracing: Tracing) -> None:
    in_thread, release, finished = threading.Event(), threading.Event(), threading.Event()
    late: list[bool] = []

    @function_tool
    def blocking(ctx: ToolContext) -> str:
        ctx.send_progress("before")
        in_thread.set()
        release.wait(timeout=30)
        late.append(ctx.send_progress("after cancellation"))
        finished.set()
        return "too late"

    agent = Agent(
        name="T",
        tools=[blocking],
        model=ScriptedModel([[function_call("blocking", {}, call_id="b")], [assistant_message("x")]]),
    )
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    events: list[StreamEvent] = []
    async for event in result.stream_events():
        events.append(event)
        if isinstance(event, ToolProgressStreamEvent):
            await asyncio.get_running_loop().run_in_executor(None, in_thread.wait)
            result.cancel()
    release.set()
    await asyncio.get_running_loop().run_in_executor(None, finished.wait)
    assert late == [False]
    assert [e.data for e in events if isinstance(e, ToolProgressStreamEvent)] == ["before"]
    span = tracing.tool_span("b")
    assert span.attributes["error.type"] == "cancelled"
    assert len(span.events) == 1


def _second_of_two(tool: Any, waiter: Any) -> Agent[Any]:
    """The tool under test is the *second* call, while the first is still waiting: a cancel scope in the second call
    bound to anything but its own task would cancel the wrong thing."""
    calls = [function_call(waiter.name, {}, call_id="first"), function_call(tool.name, {}, call_id="second")]
    return Agent(name="A", tools=[waiter, tool], model=ScriptedModel([calls, [assistant_message("ok")]]))


def _waiter() -> tuple[asyncio.Event, Any]:
    """A tool that returns once the event is set: the still-running first call of a batch."""
    release = asyncio.Event()

    @function_tool
    async def waits() -> str:
        await release.wait()
        return "released normally"

    return release, waits


def _outputs(model: Any) -> dict[str, str]:
    return {i.call_id: i.output for i in model.calls[-1].input if getattr(i, "type", "") == "function_call_output"}


async def test_a_tools_own_asyncio_timeout_in_a_parallel_batch_cancels_only_itself(tracing: Tracing) -> None:
    release, waits = _waiter()

    @function_tool
    async def own_timeout() -> str:
        try:
            async with asyncio.timeout(0.01):
                await asyncio.Event().wait()
        except TimeoutError:
            return "my own timeout fired"
        finally:
            release.set()
        return "unreachable"

    agent = _second_of_two(own_timeout, waits)
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "ok"
    assert _outputs(agent.model) == {"first": "released normally", "second": "my own timeout fired"}


async def test_the_runtime_timeout_in_a_parallel_batch_ends_only_its_own_call(tracing: Tracing) -> None:
    release, waits = _waiter()

    @function_tool(timeout=0.01)
    async def too_slow() -> str:
        try:
            await asyncio.Event().wait()
        finally:
            release.set()
        return "unreachable"

    agent = _second_of_two(too_slow, waits)
    await Runner.run(agent, "go", run_config=tracing.config)
    outputs = _outputs(agent.model)
    assert outputs["first"] == "released normally" and "timed out" in outputs["second"]
    assert tracing.tool_span("second").attributes["error.type"] == "timeout"
    assert "error.type" not in tracing.tool_span("first").attributes


async def test_a_task_group_inside_a_tool_in_a_parallel_batch(tracing: Tracing) -> None:
    release, waits = _waiter()

    @function_tool
    async def fans_out(ctx: ToolContext) -> str:
        async def part(i: int) -> int:
            await asyncio.sleep(0)
            ctx.send_progress({"part": i})
            return i * i

        async with asyncio.TaskGroup() as group:
            parts = [group.create_task(part(i)) for i in range(3)]
        release.set()
        return str(sum(p.result() for p in parts))

    agent = _second_of_two(fans_out, waits)
    await Runner.run(agent, "go", run_config=tracing.config)
    assert _outputs(agent.model) == {"first": "released normally", "second": "5"}
    assert len(tracing.tool_span("second").events) == 3


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

    calls = [function_call("later" if i % 2 else "immediate", {"i": i}, call_id=f"c{i}") for i in range(6)]
    model = ScriptedModel([calls, [assistant_message("ok")]])
    result = Runner.run_streamed(
        Agent(name="Mix", tools=[immediate, later], model=model), "go", run_config=tracing.config
    )
    async for event in result.stream_events():
        if isinstance(event, ToolProgressStreamEvent) and event.tool_call_id == "c5":
            gate.set()
    assert list(_outputs(model).items()) == [(f"c{i}", f"later {i}" if i % 2 else f"now {i}") for i in range(6)]
    (run_span,) = tracing.named("invoke_agent")
    for i in range(6):
        span = tracing.tool_span(f"c{i}")
        assert len(span.events) == (2 if i % 2 else 1)
        assert span.parent is not None and span.parent.span_id == run_span.context.span_id
