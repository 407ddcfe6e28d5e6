"""Compatibility (SDK 0.23/0.24): an agent used as a tool.

``as_tool(on_stream_max_pending_events=1024)``: at most that many inner-run events may wait for a slow ``on_stream``
callback; past it the inner run ends and the call fails through ``failure_error_function`` (``None``: no bound;
no effect without ``on_stream``). ``FunctionToolResult.agent_run_result`` / ``interruptions`` in a
``tool_use_behavior`` function. Learnt from the SDK's agent.py and run_internal/tool_execution.py (and its
CHANGELOG, "bound agent tool streaming callback backlogs"); the scenarios are our own.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agents_otel import (
    Agent,
    FunctionToolResult,
    RunContextWrapper,
    Runner,
    ToolsToFinalOutputResult,
    UserError,
    function_tool,
)
from agents_otel.items import FunctionCallOutput
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tool_context import ToolContext


def _noisy_inner(release: asyncio.Event, progress: int, waiting: asyncio.Event | None = None) -> Agent[Any]:
    """An inner agent whose tool (once ``waiting`` is set: the callback waits) sends ``progress`` events, then lets
    the waiting ``on_stream`` go on."""

    @function_tool
    async def work(ctx: ToolContext[Any]) -> str:
        if waiting is not None:
            await waiting.wait()
        for i in range(progress):
            ctx.send_progress({"step": i})
        release.set()
        return "worked"

    model = ScriptedModel([[function_call("work", {}, call_id="w1")], [assistant_message("inner answer")]])
    return Agent(name="Worker", tools=[work], model=model)


def _outer(tool: Any) -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([[function_call("delegate", {"input": "x"}, call_id="d1")], [assistant_message("done")]])
    return Agent(name="Boss", tools=[tool], model=model), model


def _sent_back(model: ScriptedModel) -> Any:
    return next(i.output for i in model.calls[-1].input if isinstance(i, FunctionCallOutput) and i.call_id == "d1")


async def test_a_callback_falling_too_far_behind_fails_the_call() -> None:
    release, waiting = asyncio.Event(), asyncio.Event()

    async def slow(event: Any) -> None:
        waiting.set()
        await release.wait()  # held until the inner run has produced its burst

    inner = _noisy_inner(release, progress=6, waiting=waiting)
    worded = inner.as_tool(
        "delegate", "Delegate.", on_stream=slow, on_stream_max_pending_events=3,
        failure_error_function=lambda ctx, error: f"failed: {error}",  # the default words no error text (SDK 0.23)
    )
    agent, model = _outer(worded)
    result = await Runner.run(agent, "go")
    assert result.final_output == "done"
    told = _sent_back(model)
    assert "on_stream backlog exceeded on_stream_max_pending_events=3" in told


async def test_no_bound_lets_the_backlog_grow() -> None:
    release, waiting = asyncio.Event(), asyncio.Event()
    seen: list[Any] = []

    async def slow(event: Any) -> None:
        seen.append(event["event"])
        waiting.set()
        await release.wait()

    inner = _noisy_inner(release, progress=6, waiting=waiting)
    agent, model = _outer(inner.as_tool("delegate", "Delegate.", on_stream=slow, on_stream_max_pending_events=None))
    await Runner.run(agent, "go")
    assert _sent_back(model) == "inner answer"
    assert sum(1 for e in seen if getattr(e, "type", "") == "tool_progress_stream_event") == 6


async def test_under_the_bound_a_waiting_callback_is_fine() -> None:
    release, waiting = asyncio.Event(), asyncio.Event()

    async def slow(event: Any) -> None:
        waiting.set()
        await release.wait()

    inner = _noisy_inner(release, progress=2, waiting=waiting)
    agent, model = _outer(inner.as_tool("delegate", "Delegate.", on_stream=slow, on_stream_max_pending_events=50))
    await Runner.run(agent, "go")
    assert _sent_back(model) == "inner answer"


async def test_a_burst_a_callback_takes_in_stride_is_no_backlog() -> None:
    seen: list[Any] = []
    release = asyncio.Event()

    def quick(event: Any) -> None:  # never waits: however many events arrive at once, none wait behind it
        seen.append(event)

    inner = _noisy_inner(release, progress=20)
    agent, model = _outer(inner.as_tool("delegate", "Delegate.", on_stream=quick, on_stream_max_pending_events=1))
    await Runner.run(agent, "go")
    assert _sent_back(model) == "inner answer" and len(seen) > 20


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_the_bound_must_be_a_positive_int_or_none(bad: Any) -> None:
    with pytest.raises(UserError, match="on_stream_max_pending_events"):
        Agent(name="W").as_tool("w", "W.", on_stream_max_pending_events=bad)


async def test_a_tool_use_behavior_sees_the_nested_run_result() -> None:
    judged: list[FunctionToolResult] = []

    def judge(ctx: RunContextWrapper[Any], results: list[FunctionToolResult]) -> ToolsToFinalOutputResult:
        judged.extend(results)
        return ToolsToFinalOutputResult(is_final_output=True, final_output=results[0].output)

    @function_tool
    def plain() -> str:
        return "plain"

    inner = Agent(name="Helper", model=ScriptedModel([[assistant_message("helped")]]))
    model = ScriptedModel(
        [[function_call("helper", {"input": "x"}, call_id="h1"), function_call("plain", {}, call_id="p1")]]
    )
    agent = Agent(name="Boss", tools=[inner.as_tool("helper", "Help."), plain], model=model, tool_use_behavior=judge)
    result = await Runner.run(agent, "go")
    assert result.final_output == "helped"
    helper, other = judged
    assert helper.agent_run_result is not None and helper.agent_run_result.final_output == "helped"
    assert helper.agent_run_result.last_agent is inner and helper.interruptions == []
    assert other.agent_run_result is None and other.interruptions == []


async def test_the_default_behaviour_keeps_no_nested_results() -> None:
    from agents_otel.run_runtime import RunRuntime as InternalState

    kept: list[Any] = []

    @function_tool
    def peek(ctx: ToolContext[Any]) -> str:
        from agents_otel.tool_context import tool_call_of

        kept.append(tool_call_of(ctx).run.nested_results)
        return "ok"

    inner = Agent(name="Helper", model=ScriptedModel([[assistant_message("helped")]]))
    model = ScriptedModel(
        [
            [function_call("helper", {"input": "x"}, call_id="h1")],
            [function_call("peek", {}, call_id="p1")],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="Boss", tools=[inner.as_tool("helper", "Help."), peek], model=model)
    assert (await Runner.run(agent, "go")).final_output == "done"
    assert kept == [None] and "nested_results" in InternalState.__slots__
