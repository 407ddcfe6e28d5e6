"""What the MCP surface needs from the engine, in one place so a core refactor touches one file.

The client needs the tracer and meter provider of the run a tool call belongs to (its CLIENT span and metric go
where the run's spans go: ``RunConfig(tracer_provider=..., meter_provider=...)``). The server needs to run one
tool call, outside any agent loop, and see its stream events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import Tracer

from ..current_tool import current_tool_context
from ..event_stream import EventStream
from ..items import FunctionCall
from ..run_config import RunConfig
from ..run_runtime import RunRuntime
from ..stream_events import StreamEvent
from ..tool import FunctionTool
from ..tool_context import ToolContext, tool_call_of
from ..tool_execution import execute_tool_call
from ..tool_output_types import ToolOutputContent
from ..tracing.content import capture_content_for
from ..tracing.provider import resolve_tracer_provider, tracer_for

if TYPE_CHECKING:
    from ..agent import Agent

_DEFAULT_CONFIG = RunConfig()


def run_tracer(ctx: ToolContext[Any]) -> Tracer:
    tracer: Tracer = tool_call_of(ctx).run.tracer
    return tracer


def ambient_telemetry() -> tuple[Tracer, MeterProvider | None]:
    """Where a request sent outside a run's tool path is traced and measured: the run whose tool call is running
    (a tool that reads an MCP resource), else the default provider (the global one, as for a run's by default)."""
    ctx = current_tool_context()
    if ctx is not None:
        run = tool_call_of(ctx).run
        return run.tracer, run.config.meter_provider
    return tracer_for(resolve_tracer_provider(_DEFAULT_CONFIG)), None


def run_meter_provider(ctx: ToolContext[Any]) -> MeterProvider | None:
    provider: MeterProvider | None = tool_call_of(ctx).run.config.meter_provider
    return provider


async def run_tool_call(
    agent: Agent[Any],
    tool: FunctionTool | None,
    call: FunctionCall,
    config: RunConfig,
    context: Any,
    on_event: Callable[[StreamEvent], Awaitable[None]],
) -> ToolOutputContent:
    """One tool call through the normal tool path (``execute_tool`` span, progress, timeouts, error text), in a
    run of its own whose stream events go to ``on_event`` as they happen; returns what the model would read.

    The server side of MCP has no model and no agent loop: a ``tools/call`` is exactly one tool call. Its
    notifications are derived from the stream events, like every other protocol surface.
    """
    loop = asyncio.get_running_loop()
    stream = EventStream(loop, config.max_buffered_events)
    capture = capture_content_for(config)
    run = RunRuntime(
        config=config,
        tracer=tracer_for(resolve_tracer_provider(config)),
        capture_content=capture,
        context=context,
        stream=stream,
    )
    task = loop.create_task(execute_tool_call(run, agent, call, tool))
    task.add_done_callback(lambda _: stream.close())
    try:
        while batch := await stream.get_batch():
            for event in batch:
                await on_event(event)
        return await task
    finally:
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
