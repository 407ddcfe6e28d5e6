"""What the model is told when a tool call fails, and when a failure fails the run instead.

One function decides it for both paths that run a tool: the runtime (which has already recorded the exception on
the tool's span) and ``FunctionTool.on_invoke_tool`` called directly, as the OpenAI Agents SDK lets users do.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

from .exceptions import ToolError, ToolTimeoutError

if TYPE_CHECKING:
    from .tool import FunctionTool
    from .tool_context import ToolContext

logger = logging.getLogger("agents_otel")

ToolErrorFunction = Callable[["ToolContext[Any]", Exception], "str | Awaitable[str]"]
"""``(ctx, error) -> str`` (or an awaitable of it): the text the model gets instead of the tool's output."""

ToolTimeoutBehavior = Literal["error_as_result", "raise_exception"]


def default_tool_error_function(ctx: ToolContext[Any], error: Exception) -> str:
    """The message the model gets when a tool raises: enough to retry or explain, no traceback."""
    return f"An error occurred while running the tool. Please try again. Error: {error}"


def default_tool_timeout_error_message(tool_name: str, timeout_seconds: float) -> str:
    return f"Tool '{tool_name}' timed out after {timeout_seconds:g} seconds."


async def tool_error_output(tool: FunctionTool | None, ctx: ToolContext[Any], error: Exception) -> str | None:
    """The model-visible text for ``error``, or ``None`` when it must fail the run.

    Our own ``ToolError``s (unknown tool, invalid arguments, idle timeouts) are always told to the model: they are
    the model's mistake or a supervision decision, not a bug in the tool. A hard ``timeout`` follows the tool's
    ``timeout_behavior`` / ``timeout_error_function`` as in the SDK. Anything else goes through
    ``failure_error_function`` (sync or async); ``None`` there fails the run. A formatter that raises falls back to
    the default message, so a broken formatter cannot turn a tool error into a crashed run.
    """
    if tool is not None and isinstance(error, ToolTimeoutError) and not error.idle:
        if tool.timeout_behavior == "raise_exception":
            return None
        if tool.timeout_error_function is not None:
            return await _format(tool.timeout_error_function, ctx, error)
        return default_tool_timeout_error_message(tool.name, error.timeout_seconds or 0.0)
    if isinstance(error, ToolError):
        return f"Error: {error}"
    if tool is None or tool.failure_error_function is None:
        return None
    return await _format(tool.failure_error_function, ctx, error)


async def _format(function: ToolErrorFunction, ctx: ToolContext[Any], error: Exception) -> str:
    try:
        text = function(ctx, error)
        if inspect.isawaitable(text):
            text = await text
    except Exception:
        logger.exception("agents_otel: a tool's error function raised; the model gets the default message")
        return default_tool_error_function(ctx, error)
    return text if isinstance(text, str) else str(text)
