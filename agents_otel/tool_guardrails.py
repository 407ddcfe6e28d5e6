"""Tool guardrails: checks on one function tool's call, before it runs and on what it returned (the SDK's names).

Why per tool and not per run: an agent's input and output guardrails see the conversation's ends, never what a
tool is about to do or what it brought back (a shell command, a customer record). These run on every call of the
tool they are attached to (``FunctionTool.tool_input_guardrails`` / ``tool_output_guardrails``, or
``@function_tool(tool_input_guardrails=...)``), in list order, and each verdict is one of three behaviours:
``allow``; ``reject_content`` (the call's output becomes the message, the tool does not run or its result is
dropped; the run goes on); ``raise_exception`` (the run fails with ``ToolInputGuardrailTripwireTriggered`` /
``ToolOutputGuardrailTripwireTriggered``). Running them, traced, is :mod:`.tool_guardrail_run`'s job.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypedDict, TypeVar, overload

from .exceptions import UserError
from .tool_context import ToolContext

if TYPE_CHECKING:
    from .agent import Agent

TContext_co = TypeVar("TContext_co", covariant=True)


class AllowBehavior(TypedDict):
    """The call goes on as if no guardrail were there."""

    type: Literal["allow"]


class RejectContentBehavior(TypedDict):
    """The model is told ``message`` instead of the tool's result; the run goes on."""

    type: Literal["reject_content"]
    message: str


class RaiseExceptionBehavior(TypedDict):
    """The run stops with the tool tripwire error."""

    type: Literal["raise_exception"]


ToolGuardrailBehavior = AllowBehavior | RejectContentBehavior | RaiseExceptionBehavior
_BEHAVIORS = ("allow", "reject_content", "raise_exception")


def _allow() -> ToolGuardrailBehavior:
    return AllowBehavior(type="allow")


@dataclass
class ToolGuardrailFunctionOutput:
    """A tool guardrail's verdict: what to do with the call (``behavior``), and anything worth reporting."""

    output_info: Any
    behavior: ToolGuardrailBehavior = field(default_factory=_allow)

    @classmethod
    def allow(cls, output_info: Any = None) -> ToolGuardrailFunctionOutput:
        return cls(output_info=output_info, behavior=AllowBehavior(type="allow"))

    @classmethod
    def reject_content(cls, message: str, output_info: Any = None) -> ToolGuardrailFunctionOutput:
        return cls(output_info=output_info, behavior=RejectContentBehavior(type="reject_content", message=message))

    @classmethod
    def raise_exception(cls, output_info: Any = None) -> ToolGuardrailFunctionOutput:
        return cls(output_info=output_info, behavior=RaiseExceptionBehavior(type="raise_exception"))


@dataclass
class ToolInputGuardrailData:
    """What an input guardrail sees: the call's context (``context.tool_name``, ``context.tool_arguments``, ...)
    and the agent whose model made the call."""

    context: ToolContext[Any]
    agent: Agent[Any]


@dataclass
class ToolOutputGuardrailData(ToolInputGuardrailData):
    """An input guardrail's data plus ``output``: what the call produced (the tool's return value, or the error
    text the model would be told)."""

    output: Any


ToolInputGuardrailFunction = Callable[
    [ToolInputGuardrailData], ToolGuardrailFunctionOutput | Awaitable[ToolGuardrailFunctionOutput]
]
ToolOutputGuardrailFunction = Callable[
    [ToolOutputGuardrailData], ToolGuardrailFunctionOutput | Awaitable[ToolGuardrailFunctionOutput]
]


@dataclass
class ToolInputGuardrail(Generic[TContext_co]):
    """Runs before the tool: may let the call go on, answer it with a message instead, or stop the run."""

    guardrail_function: ToolInputGuardrailFunction
    name: str | None = None
    """The name on its span and in its results; default: the function's name."""

    def get_name(self) -> str:
        return self.name or str(getattr(self.guardrail_function, "__name__", "tool_guardrail"))

    async def run(self, data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        return await _call(self.guardrail_function, data, self.get_name())


@dataclass
class ToolOutputGuardrail(Generic[TContext_co]):
    """Runs after the tool, on what it produced: may pass it on, replace it with a message, or stop the run."""

    guardrail_function: ToolOutputGuardrailFunction
    name: str | None = None

    def get_name(self) -> str:
        return self.name or str(getattr(self.guardrail_function, "__name__", "tool_guardrail"))

    async def run(self, data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
        return await _call(self.guardrail_function, data, self.get_name())


async def _call(function: Callable[[Any], Any], data: Any, name: str) -> ToolGuardrailFunctionOutput:
    """The function's verdict, checked: a guardrail that returns something else must not pass as ``allow``."""
    if not callable(function):
        raise UserError(f"Guardrail function must be callable, got {function!r}")
    output = function(data)
    if inspect.isawaitable(output):
        output = await output
    if not isinstance(output, ToolGuardrailFunctionOutput):
        raise UserError(f"Tool guardrail {name!r} must return ToolGuardrailFunctionOutput, got {type(output).__name__}")
    behavior = output.behavior
    kind = behavior.get("type") if isinstance(behavior, dict) else None
    if kind not in _BEHAVIORS:
        raise UserError(f"Tool guardrail {name!r} returned the behavior {behavior!r}: expected one of {_BEHAVIORS}")
    if kind == "reject_content" and not isinstance(behavior.get("message"), str):
        raise UserError(f"Tool guardrail {name!r}: reject_content needs a message string, got {behavior!r}")
    return output


@dataclass
class ToolInputGuardrailResult:
    """One input guardrail's verdict on one call (``RunResult.tool_input_guardrail_results``)."""

    guardrail: ToolInputGuardrail[Any]
    output: ToolGuardrailFunctionOutput


@dataclass
class ToolOutputGuardrailResult:
    """One output guardrail's verdict on one call (``RunResult.tool_output_guardrail_results``)."""

    guardrail: ToolOutputGuardrail[Any]
    output: ToolGuardrailFunctionOutput


@overload
def tool_input_guardrail(func: ToolInputGuardrailFunction, /) -> ToolInputGuardrail[Any]: ...


@overload
def tool_input_guardrail(
    *, name: str | None = None
) -> Callable[[ToolInputGuardrailFunction], ToolInputGuardrail[Any]]: ...


def tool_input_guardrail(
    func: ToolInputGuardrailFunction | None = None, /, *, name: str | None = None
) -> ToolInputGuardrail[Any] | Callable[[ToolInputGuardrailFunction], ToolInputGuardrail[Any]]:
    """``@tool_input_guardrail`` or ``@tool_input_guardrail(name=...)`` on a sync or async function."""

    def decorate(f: ToolInputGuardrailFunction) -> ToolInputGuardrail[Any]:
        return ToolInputGuardrail(guardrail_function=f, name=name or getattr(f, "__name__", None))

    return decorate(func) if func is not None else decorate


@overload
def tool_output_guardrail(func: ToolOutputGuardrailFunction, /) -> ToolOutputGuardrail[Any]: ...


@overload
def tool_output_guardrail(
    *, name: str | None = None
) -> Callable[[ToolOutputGuardrailFunction], ToolOutputGuardrail[Any]]: ...


def tool_output_guardrail(
    func: ToolOutputGuardrailFunction | None = None, /, *, name: str | None = None
) -> ToolOutputGuardrail[Any] | Callable[[ToolOutputGuardrailFunction], ToolOutputGuardrail[Any]]:
    """``@tool_output_guardrail`` or ``@tool_output_guardrail(name=...)`` on a sync or async function."""

    def decorate(f: ToolOutputGuardrailFunction) -> ToolOutputGuardrail[Any]:
        return ToolOutputGuardrail(guardrail_function=f, name=name or getattr(f, "__name__", None))

    return decorate(func) if func is not None else decorate
