"""``CustomTool``: a Responses API tool whose input is one raw string (optionally held to a grammar), not JSON.

Why it runs as a function tool: a custom call is a tool call like any other for everything this runtime promises
(its ``execute_tool`` span, ``tool_called`` / ``tool_output``, hooks, approvals, the stall watchdog, cancellation),
so each ``CustomTool`` carries a ``FunctionTool`` (:class:`CustomToolRunner`) that the one tool-call path runs; only
the wire differs. The model's ``custom_tool_call`` stays in the conversation as it came, the runner is given its
``input`` as the call's arguments, and the answer goes back as a ``custom_tool_call_output``
(:meth:`CustomToolRunner.answer`, asked by ``stand_in_calls``). A sync executor runs in the tool thread pool,
never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from .exceptions import ModelBehaviorError, UserError
from .items import FunctionCall, FunctionCallOutput, RawInputItem
from .models.interface import ToolSpec
from .tool import FunctionTool, StandInTool, tool_thread_pool
from .tool_features import (
    CustomToolCustomDataContext,
    CustomToolCustomDataExtractor,
    FunctionToolCustomDataContext,
    OnApprovalFunctionResult,
    ToolCaller,
    checked_callers,
    checked_extractor,
    extract_custom_data,
)
from .tool_output_types import ToolOutputContent

if TYPE_CHECKING:
    from .approval_item import ToolApprovalItem
    from .context_wrapper import RunContextWrapper
    from .tool_context import ToolContext

CustomToolExecutor = Callable[["ToolContext[Any]", str], Any]
"""``(ctx, input) -> output`` (sync or async); the output reaches the model as ``str(output)``."""

CustomToolApprovalFunction = Callable[["RunContextWrapper[Any]", str, str], bool | Awaitable[bool]]
"""``(ctx, input, call_id) -> bool``: whether this call waits for a person's decision."""


CustomToolOnApprovalFunctionResult: TypeAlias = OnApprovalFunctionResult
"""What a custom tool's ``on_approval`` returns (the SDK's name; the one type every tool's ``on_approval`` returns)."""


CustomToolOnApprovalFunction = Callable[
    ["RunContextWrapper[Any]", "ToolApprovalItem"],
    CustomToolOnApprovalFunctionResult | Awaitable[CustomToolOnApprovalFunctionResult],
]


@dataclass
class CustomTool:
    """A Responses custom tool: the model writes free text (``format``: e.g. ``{"type": "grammar", "syntax":
    "lark", "definition": ...}``) and ``on_invoke_tool(ctx, input)`` runs it. ``needs_approval`` gates calls as for
    function tools (a callable gets the raw input); ``on_approval`` decides a gated call at once instead of pausing
    the run. OpenAI Responses models only: any other model refuses it (``UserError``)."""

    name: str
    description: str
    on_invoke_tool: CustomToolExecutor
    format: object | None = None
    needs_approval: bool | CustomToolApprovalFunction = False
    on_approval: CustomToolOnApprovalFunction | None = None
    defer_loading: bool = False
    custom_data_extractor: CustomToolCustomDataExtractor | None = field(default=None, kw_only=True)
    allowed_callers: list[ToolCaller] | None = field(default=None, kw_only=True)
    tool_config: dict[str, Any] = field(init=False, repr=False)
    """The ``tools`` entry, as the SDK's ``tool_config``."""
    runner: CustomToolRunner = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise UserError(f"CustomTool name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.description, str):
            raise UserError(f"CustomTool {self.name!r}: description must be a string")
        if not callable(self.on_invoke_tool):
            raise UserError(f"CustomTool {self.name!r}: on_invoke_tool must be callable (ctx, input) -> output")
        if not isinstance(self.needs_approval, bool) and not callable(self.needs_approval):
            raise UserError(f"CustomTool {self.name!r}: needs_approval must be a bool or (ctx, input, call_id) -> bool")
        if self.on_approval is not None and not callable(self.on_approval):
            raise UserError(f"CustomTool {self.name!r}: on_approval must be callable or None")
        checked_extractor(self.custom_data_extractor, self.name)
        self.allowed_callers = checked_callers(self.allowed_callers, self.name)
        config: dict[str, Any] = {"type": "custom", "name": self.name, "description": self.description}
        if self.format is not None:
            config["format"] = _format_param(self.name, self.format)
        if self.defer_loading:
            config["defer_loading"] = True
        if self.allowed_callers is not None:
            config["allowed_callers"] = list(self.allowed_callers)
        self.tool_config = config
        self.runner = CustomToolRunner(
            name=self.name,
            description=self.description,
            params_json_schema={},
            on_invoke_tool=_invoker(self.on_invoke_tool),
            strict_json_schema=False,
            needs_approval=self.needs_approval if isinstance(self.needs_approval, bool) else _RawApproval(self),
            failure_error_function=_error_text,
            custom=self,
        )

    @property
    def type(self) -> str:
        return "custom"

    def runtime_needs_approval(self) -> bool | CustomToolApprovalFunction:
        return self.needs_approval

    def runtime_on_approval(self) -> CustomToolOnApprovalFunction | None:
        return self.on_approval


def _format_param(name: str, value: object) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    dump = getattr(value, "model_dump", None)  # the openai package's CustomToolInputFormat models
    if callable(dump):
        return dump(exclude_none=True)
    raise UserError(f"CustomTool {name!r}: format must be a dict such as {{'type': 'text'}}, got {value!r}")


def _error_text(ctx: Any, error: Exception) -> str:
    """What the model reads when the executor raises, as in the SDK: the error's message (else its class name)."""
    return str(error) or type(error).__name__


def _invoker(executor: CustomToolExecutor) -> Callable[[Any, str], Awaitable[str]]:
    is_async = inspect.iscoroutinefunction(executor) or inspect.iscoroutinefunction(type(executor).__call__)

    async def invoke(ctx: Any, raw_input: str) -> str:
        if is_async:
            result = await executor(ctx, raw_input)
        else:  # in the tool pool, the call's span current there too (copy_context inside the span's context)
            call = functools.partial(contextvars.copy_context().run, executor, ctx, raw_input)
            result = await asyncio.get_running_loop().run_in_executor(tool_thread_pool(), call)
            if inspect.isawaitable(result):
                result = await result
        return result if isinstance(result, str) else str(result)

    return invoke


class _RawApproval:
    """A ``CustomTool``'s ``needs_approval`` callable, asked with the raw input (``raw_input``: the approval path
    passes ``call.arguments`` unparsed)."""

    raw_input = True

    def __init__(self, tool: CustomTool) -> None:
        self.tool = tool

    def __call__(self, ctx: Any, raw_input: Any, call_id: str) -> Any:
        setting = self.tool.needs_approval
        assert callable(setting)
        return setting(ctx, raw_input, call_id)


@dataclass(slots=True)
class CustomToolRunner(StandInTool):
    """The ``FunctionTool`` a ``CustomTool`` runs as (``custom``: the tool itself); its spec is the custom entry."""

    custom: CustomTool | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        FunctionTool.__post_init__(self)
        custom = self.custom
        assert custom is not None
        self.custom_data_extractor = cast(Any, custom.custom_data_extractor)
        self.spec = ToolSpec(self.name, self.description, {}, False, definition=custom.tool_config)

    def answer(self, call: FunctionCall, output: FunctionCallOutput) -> RawInputItem:
        """A custom tool's call is answered by a ``custom_tool_call_output`` item."""
        return RawInputItem(custom_output_dict(output.call_id, output.output))

    def runtime_on_approval(self) -> CustomToolOnApprovalFunction | None:
        return self.custom.on_approval if self.custom is not None else None

    def custom_data_context(
        self, ctx: ToolContext[Any], call: FunctionCall, value: Any, text: ToolOutputContent
    ) -> CustomToolCustomDataContext:
        assert self.custom is not None
        raw = custom_output_dict(call.call_id, text)
        return CustomToolCustomDataContext(ctx, self.custom, call.arguments, text, raw)


def custom_call(data: dict[str, Any], tools: Mapping[str, FunctionTool]) -> FunctionCall | None:
    """A ``custom_tool_call`` output item as the call the runtime runs (``arguments``: the raw input); ``None`` for
    any other item. A call to no ``CustomTool`` of the turn is a ``ModelBehaviorError``: its answer would have to be
    a ``custom_tool_call_output``, which only a custom tool makes."""
    if data.get("type") != "custom_tool_call":
        return None
    call_id, name, raw_input = data.get("call_id"), data.get("name"), data.get("input")
    if not isinstance(call_id, str) or not call_id or not isinstance(name, str):
        raise ModelBehaviorError(f"A custom_tool_call without a call_id or name: {data!r}")
    if not isinstance(raw_input, str):
        raise ModelBehaviorError(f"Custom tool call {call_id!r} to {name!r} has no input")
    if type(tools.get(name)) is not CustomToolRunner:
        raise ModelBehaviorError(f"Custom tool {name!r} not found (the model called it as a custom tool)")
    return FunctionCall(name, raw_input, call_id)


def custom_output_dict(call_id: str, output: ToolOutputContent) -> dict[str, Any]:
    return {"type": "custom_tool_call_output", "call_id": call_id, "output": output}


async def call_custom_data(
    tool: FunctionTool, ctx: ToolContext[Any], call: FunctionCall, value: Any, text: ToolOutputContent
) -> Any:
    """The ``custom_data`` of a call whose tool has a ``custom_data_extractor`` (the caller checked it has one). A
    tool the model calls with an item of its own type (a custom, apply_patch or computer call) gives its own context
    (``custom_data_context``); a function tool gets a ``FunctionToolCustomDataContext``."""
    extractor = tool.custom_data_extractor
    assert extractor is not None
    own = getattr(tool, "custom_data_context", None)
    if own is not None:
        context = own(ctx, call, value, text)
    else:
        raw = {"type": "function_call_output", "call_id": call.call_id, "output": text}
        context = FunctionToolCustomDataContext(ctx, tool, value, raw)
    return await extract_custom_data(extractor, context)


async def auto_verdict(
    tool: FunctionTool, wrapper: RunContextWrapper[Any], call: FunctionCall, agent_name: str
) -> tuple[bool, str | None] | None:
    """A gated call's ``on_approval`` decision (``None``: its tool has none, the call waits for a person). Any
    stand-in's tool may have one (``CustomTool``, ``ShellTool``, ``ApplyPatchTool``: ``runtime_on_approval``)."""
    decide = tool.runtime_on_approval() if isinstance(tool, StandInTool) else None
    if decide is None:
        return None
    from .approval_item import ToolApprovalItem

    decided: Any = decide(wrapper, ToolApprovalItem(call, agent_name))
    if inspect.isawaitable(decided):
        decided = await decided
    if not isinstance(decided, Mapping) or not isinstance(decided.get("approve"), bool):
        raise UserError(
            f"Tool {tool.name!r}: on_approval must return {{'approve': bool, 'reason'?: str}}, got {decided!r}"
        )
    reason = decided.get("reason")
    return decided["approve"], reason if isinstance(reason, str) and not decided["approve"] else None


__all__ = [
    "CustomTool",
    "CustomToolApprovalFunction",
    "CustomToolExecutor",
    "CustomToolOnApprovalFunction",
    "CustomToolOnApprovalFunctionResult",
    "CustomToolRunner",
    "auto_verdict",
    "call_custom_data",
    "custom_call",
]
