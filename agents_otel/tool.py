"""Function tools: ``@function_tool`` and the ``FunctionTool`` it makes."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, overload

from pydantic import ValidationError

from .exceptions import ToolArgumentsError, UserError
from .function_schema import FunctionSchema, function_schema
from .models.interface import ToolSpec
from .tool_arguments import arguments_parser
from .tool_context import ToolContext
from .tool_threads import DaemonThreadPool
from .validation_text import validation_summary

ToolErrorFunction = Callable[[ToolContext[Any], Exception], str]


def default_tool_error_function(ctx: ToolContext[Any], error: Exception) -> str:
    """The message the model gets when a tool raises: enough to retry or explain, no traceback."""
    return f"An error occurred while running the tool. Please try again. Error: {error}"


@dataclass(slots=True)
class FunctionTool:
    """A tool the model can call. ``on_invoke_tool(ctx, arguments_json)`` runs it."""

    name: str
    description: str
    params_json_schema: dict[str, Any]
    on_invoke_tool: Callable[[ToolContext[Any], str], Awaitable[Any]]
    strict_json_schema: bool = True
    failure_error_function: ToolErrorFunction | None = default_tool_error_function
    timeout: float | None = None
    """Seconds; past it the call ends as a ``timeout`` error the model sees. With ``idle_timeout``, the hard cap."""
    stall_timeout: float | None = None
    """Seconds without progress before the call is reported stalled (it keeps running). ``None``: the run's
    ``RunConfig.tool_stall_timeout``."""
    idle_timeout: float | None = None
    """Seconds without progress before the call is ended as a ``timeout`` error the model sees; each
    ``send_progress`` resets it. Bounded by ``timeout``, else by ``RunConfig.idle_timeout_hard_cap``."""
    spec: ToolSpec = field(init=False)

    def __post_init__(self) -> None:
        for knob in ("timeout", "stall_timeout", "idle_timeout"):
            value = getattr(self, knob)
            if value is not None and not value > 0:
                raise UserError(f"Tool {self.name!r}: {knob} must be a positive number of seconds, got {value!r}")
        self.spec = ToolSpec(self.name, self.description, self.params_json_schema, self.strict_json_schema)


_executor: DaemonThreadPool | None = None


def tool_thread_pool() -> DaemonThreadPool:
    """Sync tools run here, not in the loop's default pool, so 20 slow parallel sync tools are not throttled
    to ``cpu_count + 4`` and cannot starve the app's own ``to_thread`` calls; daemon threads, so an abandoned
    call never holds process exit (:mod:`.tool_threads`)."""
    global _executor
    if _executor is None:
        _executor = DaemonThreadPool(max_workers=64, thread_name_prefix="agents_otel-tool")
    return _executor


def _make_invoker(
    func: Callable[..., Any], schema: FunctionSchema
) -> Callable[[ToolContext[Any], str], Awaitable[Any]]:
    parse_arguments = arguments_parser(schema.arguments_model)  # the validated fields, without a model instance
    takes_context = schema.takes_context
    positional = schema.positional
    is_async = inspect.iscoroutinefunction(func)

    async def invoke(ctx: ToolContext[Any], arguments: str) -> Any:
        try:
            kwargs = parse_arguments(arguments or "{}")  # a new dict: nothing aliases it
        except ValidationError as exc:
            raise ToolArgumentsError(f"Invalid arguments for tool {schema.name!r}: {validation_summary(exc)}") from None
        if positional:
            args: list[Any] = [ctx] if takes_context else []
            args.extend(kwargs.pop(name) for name in positional)
        else:
            args = [ctx] if takes_context else []
        if is_async:
            return await func(*args, **kwargs)
        # copy_context() here, inside the tool span's context, makes that span current in the worker thread.
        call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(tool_thread_pool(), call)

    return invoke


_DEFAULT: Any = object()


@overload
def function_tool(func: Callable[..., Any], /) -> FunctionTool: ...


@overload
def function_tool(
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    failure_error_function: ToolErrorFunction | None = ...,
    strict_mode: bool = True,
    timeout: float | None = None,
    stall_timeout: float | None = None,
    idle_timeout: float | None = None,
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def function_tool(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    failure_error_function: ToolErrorFunction | None = _DEFAULT,
    strict_mode: bool = True,
    timeout: float | None = None,
    stall_timeout: float | None = None,
    idle_timeout: float | None = None,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Turn a function (sync or async) into a tool.

    A first parameter annotated ``ToolContext`` receives the context. ``failure_error_function=None`` makes a
    raising tool fail the run instead of telling the model. Sync functions run in a worker thread.
    ``stall_timeout`` reports a call that sent no progress for that many seconds (span event, stream event,
    metric) and lets it run; ``idle_timeout`` ends such a call as a timeout error, ``timeout`` caps it in any case.
    """
    error_function = default_tool_error_function if failure_error_function is _DEFAULT else failure_error_function

    def decorate(f: Callable[..., Any]) -> FunctionTool:
        schema = function_schema(f, name_override=name_override, description_override=description_override)
        tool = FunctionTool(
            name=schema.name,
            description=schema.description,
            params_json_schema=schema.params_json_schema,
            on_invoke_tool=_make_invoker(f, schema),
            strict_json_schema=strict_mode,
            failure_error_function=error_function,
            timeout=timeout,
            stall_timeout=stall_timeout,
            idle_timeout=idle_timeout,
        )
        return tool

    if func is not None:
        return decorate(func)
    return decorate
