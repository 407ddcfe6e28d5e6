"""The agent W6 serves (``agents-otel serve replica_bench_app:make_agent``): one tool sending progress events.

Input ``COUNT INTERVAL_US DELAY_MS``: after DELAY_MS (the watcher connects meanwhile), the tool sends COUNT progress
events, each stamped with the wall clock (``t``, ns) when it was sent, INTERVAL_US apart (0: as fast as it can).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from agents_otel import Agent, ToolContext, function_tool
from agents_otel.items import UserMessage
from agents_otel.models.interface import ModelRequest
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
async def emit(ctx: ToolContext[Any], count: int, interval_us: int, delay_ms: int) -> str:
    """Send ``count`` progress events."""
    await asyncio.sleep(delay_ms / 1000)
    for i in range(count):
        ctx.send_progress({"i": i, "t": time.time_ns()})
        await asyncio.sleep(interval_us / 1e6)  # 0 still yields, as a real tool doing work between events would
    return f"{count} events"


def _plan(request: ModelRequest) -> list[Any]:
    text = next(item.content for item in request.input if isinstance(item, UserMessage))
    count, interval_us, delay_ms = (int(x) for x in text.split())
    return [function_call("emit", {"count": count, "interval_us": interval_us, "delay_ms": delay_ms})]


def make_agent() -> Agent[Any]:
    return Agent(name="Emitter", tools=[emit], model=ScriptedModel([_plan, [assistant_message("sent")]]))
