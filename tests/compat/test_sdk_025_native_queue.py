"""SDK 0.25 "stop native tool queues during function failure cleanup" (#5446).

When a function tool's exception fails the run (``failure_error_function=None``) while a native tool's call
(custom tool: the calls of one such tool run one after another) is running, the running call is cancelled and the
queued calls of that tool never start. Ours already did (a queued call cancelled before its turn never starts);
this pins it, streamed and not.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support import run_in_mode

from agents_otel import Agent, CustomTool, UserError, function_tool
from agents_otel.testing import ScriptedModel, custom_tool_call, function_call


@pytest.mark.parametrize("cleanup_error", [False, True])
@pytest.mark.parametrize("streamed", [False, True])
async def test_a_fatal_function_failure_stops_the_queued_native_calls(streamed: bool, cleanup_error: bool) -> None:
    native_started = asyncio.Event()
    cancelled: list[str] = []
    started: list[str] = []

    async def invoke(ctx: Any, value: str) -> str:
        started.append(value)
        native_started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(value)
            if cleanup_error:
                raise RuntimeError("native cleanup failed") from None
            raise
        return "native output"

    @function_tool(failure_error_function=None)
    async def fail() -> str:
        await native_started.wait()
        raise ValueError("selected function failure")

    native = CustomTool(name="native", description="a native tool", on_invoke_tool=invoke)
    model = ScriptedModel([[
        custom_tool_call("native", "first", call_id="n1"),
        custom_tool_call("native", "second", call_id="n2"),
        function_call("fail", "{}", call_id="f"),
    ]])
    agent = Agent(name="a", model=model, tools=[native, fail])
    with pytest.raises(UserError, match="selected function failure"):
        await run_in_mode(agent, "streamed" if streamed else "plain", "go")
    assert started == ["first"]  # the second call, queued behind the first, never started
    assert cancelled == ["first"]
