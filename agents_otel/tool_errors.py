"""What the model is told when a tool call fails, and when a failure fails the run instead.

One function decides it for both paths that run a tool: the runtime (which has already recorded the exception on
the tool's span) and ``FunctionTool.on_invoke_tool`` called directly, as the OpenAI Agents SDK lets users do.
``RunConfig(tool_error_formatter=...)`` words the runtime's own tool errors the SDK lets it word (a call to a tool
the agent does not have, under ``tool_not_found_behavior="return_error_to_model"``; a rejected approval) and, as in
SDK 0.24, what a function tool that raised tells the model when the tool keeps the default failure policy
(:func:`formats_tool_exception`).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias, TypeVar

from .context_wrapper import RunContextWrapper
from .exceptions import NestedApprovalError, ToolError, ToolTimeoutError, UserError
from .tool_origin import tool_agent

if TYPE_CHECKING:
    from .items import FunctionCall
    from .tool import FunctionTool
    from .tool_context import ToolContext

TContext = TypeVar("TContext")

logger = logging.getLogger("agents_otel")

ToolErrorFunction = Callable[["ToolContext[Any]", Exception], "str | Awaitable[str]"]
"""``(ctx, error) -> str`` (or an awaitable of it): the text the model gets instead of the tool's output."""

ToolTimeoutBehavior = Literal["error_as_result", "raise_exception"]


DEFAULT_TOOL_ERROR_MESSAGE = "An error occurred while running the tool."


def default_tool_error_function(ctx: ToolContext[Any], error: Exception) -> str:
    """The message the model gets when a tool raises: a fixed sentence with no retry advice, as in the SDK 0.25.

    The exception's text never reaches the model (nor the conversation, a session or ``to_input_list()``): an
    exception message can quote a secret, a path or a customer's data, and the model's input leaves the process.
    ``error`` is not even formatted, so an exception whose ``__str__`` fails cannot break the call. The exception
    stays on the call's ``execute_tool`` span (``error.type``, the ``exception`` event, through ``RunConfig(redact=)``)
    for the operator. Give the tool a ``failure_error_function`` to tell the model application-approved detail.
    """
    return DEFAULT_TOOL_ERROR_MESSAGE


_DEFAULT_WORDING = default_tool_error_function


def default_tool_timeout_error_message(tool_name: str, timeout_seconds: float) -> str:
    return f"Tool '{tool_name}' timed out after {timeout_seconds:g} seconds."


async def tool_error_output(tool: FunctionTool | None, ctx: ToolContext[Any], error: Exception) -> str | None:
    """The model-visible text for ``error``, or ``None`` when it must fail the run.

    Our own ``ToolError``s (unknown tool, invalid arguments, idle timeouts) are always told to the model: they are
    the model's mistake or a supervision decision, not a bug in the tool; those of an MCP server's call (its
    JSON-RPC error, a lost connection: ``tool_worded``) too, unless the tool has a ``failure_error_function`` of its
    own (its server's, else ``mcp_config``'s), which words them or, ``None``, fails the run, as in the SDK. A hard
    ``timeout`` follows the tool's ``timeout_behavior`` / ``timeout_error_function`` as in the SDK. Anything else
    goes through ``failure_error_function`` (sync or async); ``None`` there fails the run. A formatter that raises
    falls back to the default message, so a broken formatter cannot turn a tool error into a crashed run.
    """
    if tool is not None and isinstance(error, ToolTimeoutError) and not error.idle:
        if tool.timeout_behavior == "raise_exception":
            return None
        if tool.timeout_error_function is not None:
            return await _format(tool.timeout_error_function, ctx, error)
        return default_tool_timeout_error_message(tool.name, error.timeout_seconds or 0.0)
    if isinstance(error, ToolError):
        if not (error.tool_worded and tool is not None and tool.failure_error_function is not _DEFAULT_WORDING):
            return f"Error: {error}"
    elif isinstance(error, NestedApprovalError):
        return None
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


def formats_tool_exception(tool: FunctionTool | None, error: BaseException) -> bool:
    """Whether ``RunConfig.tool_error_formatter`` words ``error``, raised by a call of ``tool`` (kind
    ``"tool_exception"``), as in SDK 0.24: an ordinary exception of a function tool that keeps the default failure
    policy (``failure_error_function`` left as :func:`default_tool_error_function`). A policy of the tool's own
    (``None`` included) wins; our ``ToolError``s (arguments, timeouts, an MCP server's errors) and an agent used as
    a tool (``as_tool``, as the SDK) keep theirs."""
    return (
        tool is not None
        and tool.failure_error_function is _DEFAULT_WORDING
        and isinstance(error, Exception)
        and not isinstance(error, ToolError | NestedApprovalError)
        and tool_agent(tool) is None
    )


ToolErrorKind = Literal["approval_rejected", "tool_not_found", "tool_exception"]


@dataclass
class ToolErrorFormatterArgs(Generic[TContext]):
    """What ``RunConfig.tool_error_formatter`` receives, as in the OpenAI Agents SDK: ``kind`` is
    ``"tool_not_found"``, ``"approval_rejected"`` or ``"tool_exception"`` (then ``error`` is the exception),
    ``tool_type`` always ``"function"`` (the only tools that run here); the fields keep the SDK's types so a
    formatter written for it type-checks here."""

    kind: ToolErrorKind
    """Which error is being worded."""
    tool_type: Literal["function", "computer", "shell", "apply_patch", "custom"]
    """The kind of tool the call was for."""
    tool_name: str
    """The name the model called."""
    call_id: str
    """The model's id of the call."""
    default_message: str
    """What the model is told when the formatter returns ``None``."""
    run_context: RunContextWrapper[TContext]
    """The call's context (``.context`` is the run's context object, ``.usage`` the run's usage so far)."""
    error: Exception | None = None
    """The tool's exception for ``"tool_exception"``, else ``None``. It may hold sensitive data: return only what
    the model may read. It is not recorded on the tool's span when the formatter words it."""


ToolErrorFormatter: TypeAlias = Callable[[ToolErrorFormatterArgs[Any]], "str | Awaitable[str | None] | None"]
"""A sync or async function of :class:`ToolErrorFormatterArgs` returning the model-visible text, or ``None`` for
the default."""


async def format_tool_error(
    formatter: ToolErrorFormatter,
    ctx: ToolContext[Any],
    call: FunctionCall,
    kind: ToolErrorKind,
    default_message: str,
    error: Exception | None = None,
) -> str:
    """The text the model reads for a call the runtime answered itself: one to a tool the agent does not have
    (``tool_not_found``), or one a person rejected without a message of their own (``approval_rejected``), or for
    a tool's exception (``tool_exception``, ``error``; see :func:`formats_tool_exception`).

    A formatter that raises falls back to the default message (logged), as in the SDK and as for
    ``failure_error_function``: a broken formatter must not turn the model's mistake into a crashed run. One that
    returns something other than a string or ``None`` is a ``UserError``: the SDK logs it and uses the default,
    which hides a formatter that never works.
    """
    args = ToolErrorFormatterArgs(
        kind=kind,
        tool_type="function",
        tool_name=call.name,
        call_id=call.call_id,
        default_message=default_message,
        run_context=ctx,
        error=error,
    )
    try:
        text = formatter(args)
        if inspect.isawaitable(text):
            text = await text
    except Exception:
        logger.exception("agents_otel: RunConfig.tool_error_formatter raised; the model gets the default message")
        return default_message
    if text is None:
        return default_message
    if not isinstance(text, str):
        raise UserError(
            f"RunConfig tool_error_formatter must return a string or None, got {type(text).__name__} "
            f"(for {kind} of the call of {call.name!r})"
        )
    return text
