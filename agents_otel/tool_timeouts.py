"""A tool call under its time limits: the hard timeout, and the scope the stall watchdog expires when an
``idle_timeout`` tool goes quiet; and the rule that tells a tool's own ``CancelledError`` from a real cancellation.

Apart from ``tool_execution`` because only calls with a timeout, a stall or an idle timeout come here: the common
call awaits its tool inline (the rule below, applied there too).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .exceptions import ToolCancelledError, ToolTimeoutError

if TYPE_CHECKING:
    from .run_runtime import RunRuntime
    from .tool import FunctionTool, ToolInvoker
    from .tool_call import ToolCall
    from .tool_context import ToolContext


async def _invoke(invoke: ToolInvoker, ctx: ToolContext[Any] | None, name: str, arguments: str) -> Any:
    """Await the tool; a ``CancelledError`` it raises while nobody cancelled this task is the tool's own error."""
    try:
        return await invoke(ctx, arguments)  # type: ignore[arg-type]
    except asyncio.CancelledError as exc:
        error = tool_cancelled_error(name, exc)
        if error is None:
            raise
        raise error from exc


def tool_cancelled_error(name: str, exc: asyncio.CancelledError) -> ToolCancelledError | None:
    """``None`` when this task really is being cancelled (the run, or this call): the cancellation goes on.
    Otherwise the tool raised ``CancelledError`` itself, which is the tool's own error."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        return None
    return ToolCancelledError(str(exc) or f"Tool {name!r} raised CancelledError")


async def supervised(
    run: RunRuntime,
    record: ToolCall,
    tool: FunctionTool,
    invoke: ToolInvoker,
    ctx: ToolContext[Any] | None,
    arguments: str,
    stall: float | None,
) -> Any:
    """The tool under a timeout scope: the hard cap, and the scope the stall watchdog expires on idleness."""
    idle = tool.idle_timeout
    cap = tool.timeout if tool.timeout is not None or idle is None else run.config.idle_timeout_hard_cap
    try:
        async with asyncio.timeout(cap) as scope:
            if stall is not None or idle is not None:
                record.supervise(scope, stall, idle)
            return await _invoke(invoke, ctx, tool.name, arguments)
    except TimeoutError:
        if not scope.expired():
            raise
        if record.idle_expired:
            raise ToolTimeoutError(
                f"Tool {tool.name!r} sent no progress for {idle} seconds (idle timeout)",
                tool_name=tool.name,
                timeout_seconds=idle,
                idle=True,
            ) from None
        raise ToolTimeoutError(tool_name=tool.name, timeout_seconds=cap) from None



__all__ = ["supervised", "tool_cancelled_error"]
