"""Function tools: ``@function_tool`` and the ``FunctionTool`` it makes."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, overload

from pydantic import ValidationError

from .computer import ComputerProvider as ComputerProvider  # SDK programs import these from agents.tool
from .computer import ComputerTool
from .computer import ComputerToolSafetyCheckData as ComputerToolSafetyCheckData
from .exceptions import ToolArgumentsError, UserError
from .function_schema import DocstringStyle, FunctionSchema, function_schema
from .hosted_mcp import HostedMCPTool
from .hosted_tools import CodeInterpreterTool, FileSearchTool, ImageGenerationTool, WebSearchTool
from .local_tools import ApplyPatchTool, LocalShellTool, ShellOnApprovalFunctionResult, ShellTool
from .local_tools import ShellCallOutcome as ShellCallOutcome  # SDK path
from .local_tools import ShellCommandOutput as ShellCommandOutput
from .local_tools import ShellCommandRequest as ShellCommandRequest
from .local_tools import ShellResult as ShellResult
from .models.interface import ToolSpec
from .tool_arguments import arguments_parser
from .tool_context import ToolContext
from .tool_errors import ToolErrorFunction, ToolTimeoutBehavior, default_tool_error_function, tool_error_output
from .tool_features import ToolCaller, checked_callers, checked_extractor
from .tool_guardrails import ToolInputGuardrail, ToolOutputGuardrail
from .tool_output_schema import checked_output_schema, checking, declared_output
from .tool_threads import tool_thread_pool as tool_thread_pool  # where custom, local and computer tools find it
from .validation_text import validation_summary

if TYPE_CHECKING:
    from .agent import Agent
    from .context_wrapper import RunContextWrapper
    from .items import FunctionCall, FunctionCallOutput, RawInputItem
    from .tool_features import FunctionToolCustomDataExtractor

ToolEnabled = bool | Callable[["RunContextWrapper[Any]", "Agent[Any]"], bool | Awaitable[bool]]
"""A tool's ``is_enabled``: a bool, or ``(ctx, agent) -> bool`` (sync or async), asked every turn."""

NeedsApproval = bool | Callable[["RunContextWrapper[Any]", dict[str, Any], str], bool | Awaitable[bool]]
"""A tool's ``needs_approval``: ``True`` (every call waits for a person's decision), or ``(ctx, params, call_id) ->
bool`` (sync or async), asked per call with the model's arguments parsed."""

ToolInvoker = Callable[[ToolContext[Any], str], Awaitable[Any]]
RawInvoker = Callable[[ToolContext[Any] | None, str], Awaitable[Any]]
"""A ``@function_tool``'s plain invoker: ``None`` for the context when the function takes none (the runtime then
makes no ``ToolContext`` for the call)."""

_TIMEOUT_BEHAVIORS = ("error_as_result", "raise_exception")


@dataclass(slots=True)
class FunctionTool:
    """A tool the model can call. ``await tool.on_invoke_tool(ctx, arguments_json)`` runs it.

    Called directly (as SDK users do in unit tests), ``on_invoke_tool`` of a ``@function_tool`` applies
    ``failure_error_function`` like a run does: a raising tool returns the error text, or raises when it is
    ``None``. Inside a run, the tool's span records the exception either way.
    """

    name: str
    description: str
    params_json_schema: dict[str, Any]
    on_invoke_tool: ToolInvoker
    strict_json_schema: bool = True
    is_enabled: ToolEnabled = True
    """``False``, or a callable returning it, hides the tool from the model for that turn (as in the SDK)."""
    tool_input_guardrails: list[ToolInputGuardrail[Any]] | None = None
    """Checks before each call, in order: each may let it run, answer it with a message, or stop the run."""
    tool_output_guardrails: list[ToolOutputGuardrail[Any]] | None = None
    """Checks on what each call produced, in order: each may pass it on, replace it, or stop the run."""
    needs_approval: NeedsApproval = False
    """``True``, or a callable deciding per call: such a call stops the run until a person approves or rejects it
    (``result.interruptions``, ``result.to_state()``); see ``tool_approvals``."""
    failure_error_function: ToolErrorFunction | None = default_tool_error_function
    timeout: float | None = None
    """Seconds; past it the call ends as a timeout (see ``timeout_behavior``). With ``idle_timeout``, the hard cap."""
    timeout_behavior: ToolTimeoutBehavior = "error_as_result"
    """``"error_as_result"``: the model is told (``timeout_error_function`` words it); ``"raise_exception"``: the
    run fails with ``ToolTimeoutError``."""
    timeout_error_function: ToolErrorFunction | None = None
    stall_timeout: float | None = None
    """Seconds without progress before the call is reported stalled (it keeps running). ``None``: the run's
    ``RunConfig.tool_stall_timeout``."""
    idle_timeout: float | None = None
    """Seconds without progress before the call is ended as a ``timeout`` error the model sees; each
    ``send_progress`` resets it. Bounded by ``timeout``, else by ``RunConfig.idle_timeout_hard_cap``."""
    defer_loading: bool = False
    """Responses API only: the model sees the tool once a ``ToolSearchTool`` search loads it."""
    custom_data_extractor: FunctionToolCustomDataExtractor | None = field(default=None, kw_only=True)
    """``(FunctionToolCustomDataContext) -> mapping | None`` (sync or async) after each call: the SDK-only
    ``ToolCallOutputItem.custom_data``, which the model never reads."""
    allowed_callers: list[ToolCaller] | None = field(default=None, kw_only=True)
    """Responses API only: ``["direct"]``, ``["programmatic"]`` or both (``ProgrammaticToolCallingTool``)."""
    output_json_schema: dict[str, Any] | None = field(default=None, kw_only=True)
    """Responses API only: the strict JSON object schema of what the tool returns, for programs that call it."""
    _tool_namespace: str | None = field(default=None, kw_only=True, repr=False)
    _tool_namespace_description: str | None = field(default=None, kw_only=True, repr=False)
    _mcp_annotations: Any = field(default=None, kw_only=True, repr=False)
    spec: ToolSpec = field(init=False)

    def __post_init__(self) -> None:
        for knob in ("timeout", "stall_timeout", "idle_timeout"):
            value = getattr(self, knob)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0):
                raise UserError(f"Tool {self.name!r}: {knob} must be a positive number of seconds, got {value!r}")
        if self.timeout_behavior not in _TIMEOUT_BEHAVIORS:
            raise UserError(
                f"Tool {self.name!r}: timeout_behavior must be one of {_TIMEOUT_BEHAVIORS}, "
                f"got {self.timeout_behavior!r}"
            )
        if not isinstance(self.needs_approval, bool) and not callable(self.needs_approval):
            raise UserError(
                f"Tool {self.name!r}: needs_approval must be a bool or a callable (ctx, params, call_id) -> bool, "
                f"got {self.needs_approval!r}"
            )
        for hook in ("failure_error_function", "timeout_error_function"):
            if getattr(self, hook) is not None and not callable(getattr(self, hook)):
                raise UserError(f"Tool {self.name!r}: {hook} must be callable or None")
        for stage, kind in (("input", ToolInputGuardrail), ("output", ToolOutputGuardrail)):
            checks = getattr(self, f"tool_{stage}_guardrails")
            if checks is not None and (
                not isinstance(checks, list | tuple) or not all(isinstance(c, kind) for c in checks)
            ):
                raise UserError(
                    f"Tool {self.name!r}: tool_{stage}_guardrails must be a list of {kind.__name__} (made with "
                    f"@tool_{stage}_guardrail), got {checks!r}"
                )
        if isinstance(self.on_invoke_tool, GuardedInvoker):  # bind (again, after dataclasses.replace) to this tool
            self.on_invoke_tool = GuardedInvoker(self.on_invoke_tool.raw, self.on_invoke_tool.takes_context, self)
        self.allowed_callers = checked_callers(self.allowed_callers, self.name)
        self.output_json_schema = checked_output_schema(self.output_json_schema, self.name)
        checked_extractor(self.custom_data_extractor, self.name)
        only: dict[str, Any] = {"defer_loading": True} if self.defer_loading else {}
        if self.allowed_callers is not None:
            only["allowed_callers"] = list(self.allowed_callers)
        if self.output_json_schema is not None:
            only["output_schema"] = self.output_json_schema
        namespace = self._tool_namespace
        self.spec = ToolSpec(
            self.name,
            self.description,
            self.params_json_schema,
            self.strict_json_schema,
            only or None,
            (namespace, self._tool_namespace_description or "") if namespace is not None else None,
        )

    @property
    def qualified_name(self) -> str:
        """``namespace.name`` for a tool of a ``tool_namespace(...)``, else the name."""
        namespace = self._tool_namespace
        return f"{namespace}.{self.name}" if namespace else self.name

    @property
    def mcp_annotations(self) -> Any:
        """A copy of the ``ToolAnnotations`` (hints, not guarantees) an MCP server listed this tool with, else None."""
        return None if self._mcp_annotations is None else self._mcp_annotations.model_copy(deep=True)

    def __copy__(self) -> FunctionTool:
        """A copy whose ``on_invoke_tool`` follows the copy's own settings (``dataclasses.replace`` does the same)."""
        return dataclasses.replace(self)

    @property
    def timeout_seconds(self) -> float | None:
        """The SDK's name for ``timeout``."""
        return self.timeout


class GuardedInvoker:
    """``on_invoke_tool`` of a ``@function_tool``: the plain invoker, plus the owning tool's failure handling.

    The runtime calls ``raw`` so the exception reaches the tool's span; users calling
    ``on_invoke_tool`` get what the model would have got.
    """

    __slots__ = ("raw", "takes_context", "tool")

    def __init__(self, raw: RawInvoker, takes_context: bool, tool: FunctionTool | None = None) -> None:
        self.raw = raw
        self.takes_context = takes_context
        """Whether ``raw`` reads its context argument at all."""
        self.tool = tool

    async def __call__(self, ctx: ToolContext[Any], arguments: str) -> Any:
        try:
            return await self.raw(ctx, arguments)
        except Exception as exc:
            text = await tool_error_output(self.tool, ctx, exc)
            if text is None:
                raise
            return text


async def is_tool_enabled(tool: FunctionTool, wrapper: RunContextWrapper[Any], agent: Agent[Any]) -> bool:
    enabled = tool.is_enabled
    if isinstance(enabled, bool):
        return enabled
    value = enabled(wrapper, agent)
    if inspect.isawaitable(value):
        value = await value
    return bool(value)


def _make_invoker(func: Callable[..., Any], schema: FunctionSchema) -> RawInvoker:
    parse_arguments = arguments_parser(schema.arguments_model)  # the validated fields, without a model instance
    takes_context = schema.takes_context
    plain = not schema.positional and schema.var_positional is None and schema.var_keyword is None
    is_async = inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(type(func).__call__)

    def arguments_error(exc: ValidationError) -> ToolArgumentsError:
        return ToolArgumentsError(f"Invalid arguments for tool {schema.name!r}: {validation_summary(exc)}")

    if is_async and plain and not takes_context:
        # The common tool: no coroutine of our own around the user's, which is returned to be awaited directly
        # (bad arguments raise at the call, inside the same ``await`` expression of every caller).
        def invoke_plain(ctx: ToolContext[Any] | None, arguments: str) -> Awaitable[Any]:
            try:
                kwargs = parse_arguments(arguments or "{}")  # a new dict: nothing aliases it
            except ValidationError as exc:
                raise arguments_error(exc) from None
            return func(**kwargs)  # type: ignore[no-any-return]

        return invoke_plain

    async def invoke(ctx: ToolContext[Any] | None, arguments: str) -> Any:
        try:
            kwargs = parse_arguments(arguments or "{}")
        except ValidationError as exc:
            raise arguments_error(exc) from None
        if plain:
            args: list[Any] = [ctx] if takes_context else []
        else:
            call_args, kwargs = schema.to_call_args(kwargs)
            args = [ctx, *call_args] if takes_context else call_args
        if is_async:
            return await func(*args, **kwargs)
        # copy_context() here, inside the tool span's context, makes that span current in the worker thread.
        call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(tool_thread_pool(), call)

    return invoke


_DEFAULT: Any = object()


Tool: TypeAlias = (
    FunctionTool
    | WebSearchTool
    | FileSearchTool
    | CodeInterpreterTool
    | ImageGenerationTool
    | HostedMCPTool
    | ShellTool
    | LocalShellTool
    | ApplyPatchTool
    | ComputerTool[Any]
)
"""The SDK's name for "any tool an agent takes", as programs annotate tool lists with it: a ``FunctionTool`` (agents
as tools and MCP tools included) or a hosted tool (:mod:`agents_otel.hosted_tools`, Responses API only)."""


@overload
def function_tool(func: Callable[..., Any], /) -> FunctionTool: ...


@overload
def function_tool(
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    use_docstring_info: bool = True,
    docstring_style: DocstringStyle | None = None,
    failure_error_function: ToolErrorFunction | None = ...,
    strict_mode: bool = True,
    is_enabled: ToolEnabled = True,
    tool_input_guardrails: list[ToolInputGuardrail[Any]] | None = None,
    tool_output_guardrails: list[ToolOutputGuardrail[Any]] | None = None,
    needs_approval: NeedsApproval = False,
    timeout: float | None = None,
    timeout_behavior: ToolTimeoutBehavior = "error_as_result",
    timeout_error_function: ToolErrorFunction | None = None,
    stall_timeout: float | None = None,
    idle_timeout: float | None = None,
    defer_loading: bool = False,
    custom_data_extractor: FunctionToolCustomDataExtractor | None = None,
    allowed_callers: list[ToolCaller] | None = None,
    output_type: Any = None,
    output_json_schema: dict[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def function_tool(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    use_docstring_info: bool = True,
    docstring_style: DocstringStyle | None = None,
    failure_error_function: ToolErrorFunction | None = _DEFAULT,
    strict_mode: bool = True,
    is_enabled: ToolEnabled = True,
    tool_input_guardrails: list[ToolInputGuardrail[Any]] | None = None,
    tool_output_guardrails: list[ToolOutputGuardrail[Any]] | None = None,
    needs_approval: NeedsApproval = False,
    timeout: float | None = None,
    timeout_behavior: ToolTimeoutBehavior = "error_as_result",
    timeout_error_function: ToolErrorFunction | None = None,
    stall_timeout: float | None = None,
    idle_timeout: float | None = None,
    defer_loading: bool = False,
    custom_data_extractor: FunctionToolCustomDataExtractor | None = None,
    allowed_callers: list[ToolCaller] | None = None,
    output_type: Any = None,
    output_json_schema: dict[str, Any] | None = None,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Turn a function (sync or async) into a tool.

    A first parameter annotated ``ToolContext`` (or ``RunContextWrapper``, or unannotated and named ``ctx`` /
    ``context``) receives the context. ``failure_error_function=None`` makes a raising tool fail the run instead of
    telling the model. Sync functions run in a worker thread. ``stall_timeout`` reports a call that sent no
    progress for that many seconds (span event, stream event, metric) and lets it run; ``idle_timeout`` ends such a
    call as a timeout error, ``timeout`` caps it in any case (``timeout_behavior`` says what a timeout does).
    ``output_type`` / ``output_json_schema``: the result's shape, for programs (:mod:`.tool_output_schema`)."""
    error_function = default_tool_error_function if failure_error_function is _DEFAULT else failure_error_function

    def decorate(f: Callable[..., Any]) -> FunctionTool:
        if not callable(f):
            raise UserError(f"function_tool needs a function, got {type(f).__name__}")
        if isinstance(f, functools.partial):  # as the SDK: its bound arguments would be offered to the model
            raise UserError(
                "function_tool does not infer a functools.partial's contract (the model would be offered its bound "
                "arguments): wrap it in a function of its own"
            )
        schema = function_schema(
            f,
            name_override=name_override,
            description_override=description_override,
            use_docstring_info=use_docstring_info,
            strict_json_schema=strict_mode,
            docstring_style=docstring_style,
        )
        declared, adapter = declared_output(f, schema.name, allowed_callers, output_type, output_json_schema)
        invoker = checking(_make_invoker(f, schema), adapter, schema.name) if adapter else _make_invoker(f, schema)
        return FunctionTool(
            name=schema.name,
            description=schema.description,
            params_json_schema=schema.params_json_schema,
            on_invoke_tool=GuardedInvoker(invoker, schema.takes_context),
            strict_json_schema=strict_mode,
            is_enabled=is_enabled,
            tool_input_guardrails=tool_input_guardrails,
            tool_output_guardrails=tool_output_guardrails,
            needs_approval=needs_approval,
            failure_error_function=error_function,
            timeout=timeout,
            timeout_behavior=timeout_behavior,
            timeout_error_function=timeout_error_function,
            stall_timeout=stall_timeout,
            idle_timeout=idle_timeout,
            defer_loading=defer_loading,
            custom_data_extractor=custom_data_extractor,
            allowed_callers=allowed_callers,
            output_json_schema=declared,
        )

    if func is not None:
        return decorate(func)
    return decorate


class StandInTool(FunctionTool):
    """A ``FunctionTool`` standing in for a tool the model calls with an item of its own type (a ``CustomTool``'s
    ``custom_tool_call``, a ``ShellTool``'s ``shell_call``, ...): the call runs on the one function-tool path (its
    ``execute_tool`` span, stream events, hooks, approvals, concurrency limit), and :meth:`answer` turns the text it
    produced back into the output item the model expects (``agents_otel.stand_in_calls`` does both directions)."""

    __slots__ = ()

    def answer(self, call: FunctionCall, output: FunctionCallOutput) -> FunctionCallOutput | RawInputItem:
        raise NotImplementedError

    def runtime_on_approval(self) -> Callable[[Any, Any], Any] | None:
        return None  # the tool's ``on_approval``: decides a gated call at once (``custom_tool.auto_verdict``)


__all__ = [
    "FunctionTool", "NeedsApproval", "ShellOnApprovalFunctionResult", "StandInTool", "ToolEnabled",
    "ToolErrorFunction", "default_tool_error_function", "function_tool", "is_tool_enabled",
]
