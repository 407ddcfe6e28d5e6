"""The Responses-only settings a tool may carry (``allowed_callers``), and the SDK-only ``custom_data`` a tool's
``custom_data_extractor`` attaches to its ``ToolCallOutputItem``.

Why checked here, when the tool is built: a wrong caller list or extractor result would otherwise surface as an API
error at the first model call, or as data a UI cannot render, far from the line that made it.
"""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict, cast

from .exceptions import UserError

if TYPE_CHECKING:
    from .computer import ComputerTool
    from .context_wrapper import RunContextWrapper
    from .custom_tool import CustomTool
    from .local_tools import ApplyPatchOperation, ApplyPatchTool
    from .tool import FunctionTool
    from .tool_context import ToolContext
    from .tool_output_types import ToolOutputContent

ToolCaller = Literal["direct", "programmatic"]
"""Who may call a tool on the Responses API: the model itself (``direct``), or code the model wrote and OpenAI runs
(``programmatic``, with ``ProgrammaticToolCallingTool``)."""

_CALLERS: tuple[ToolCaller, ...] = ("direct", "programmatic")


OnApprovalFunctionResult = TypedDict(  # noqa: UP013 (see the docstring: class syntax loses NotRequired here)
    "OnApprovalFunctionResult", {"approve": bool, "reason": NotRequired[str]}
)
OnApprovalFunctionResult.__doc__ = """What an ``on_approval`` callback returns: approved or not, and for a rejection
the text the model reads. One type for every tool that takes one (``CustomTool``, ``ShellTool``,
``ApplyPatchTool``), since one check reads them all (``custom_tool.auto_verdict``); the SDK's per-tool names are
aliases of it. The functional form, because this module's annotations are strings: in a class body ``NotRequired``
would go unseen at runtime and ``__required_keys__`` (which pydantic and other validators read) would list
``reason``."""


def checked_callers(callers: Any, tool_name: str) -> list[ToolCaller] | None:
    """A copy of ``allowed_callers``: ``None``, or a non-empty list of distinct callers."""
    if callers is None:
        return None
    if not isinstance(callers, list) or not callers:
        raise UserError(
            f"Tool {tool_name!r}: allowed_callers must be a non-empty list of 'direct' and/or 'programmatic', "
            f"got {callers!r}"
        )
    seen: list[ToolCaller] = []
    for caller in callers:
        if caller not in _CALLERS:
            raise UserError(
                f"Tool {tool_name!r}: allowed_callers holds {caller!r}; expected 'direct' or 'programmatic'"
            )
        if caller in seen:
            raise UserError(f"Tool {tool_name!r}: allowed_callers names {caller!r} twice")
        seen.append(caller)
    return seen


@dataclass(frozen=True)
class FunctionToolCustomDataContext:
    """What a function tool's ``custom_data_extractor`` is given after a call: the call's context, the tool, the
    output as the tool returned it, and the ``function_call_output`` item the model reads (a copy)."""

    tool_context: ToolContext[Any]
    tool: FunctionTool
    output: Any
    raw_item: Mapping[str, Any]


@dataclass(frozen=True)
class CustomToolCustomDataContext:
    """What a ``CustomTool``'s ``custom_data_extractor`` is given: also the model's raw ``input``, and the output as
    the model reads it (text, or a structured output's content parts)."""

    tool_context: ToolContext[Any]
    tool: CustomTool
    input: str
    output: ToolOutputContent
    raw_item: Mapping[str, Any]


@dataclass(frozen=True)
class ComputerToolCustomDataContext:
    """What a ``ComputerTool``'s ``custom_data_extractor`` is given after a call: the call's context, the tool, the
    model's ``computer_call`` (the ``openai`` ``ResponseComputerToolCall`` when the package knows the item), the
    screenshot's data URL the model sees, and the ``computer_call_output`` item (a copy)."""

    run_context: RunContextWrapper[Any]
    tool: ComputerTool[Any]
    tool_call: Any
    output: str
    raw_item: Any


@dataclass(frozen=True)
class ApplyPatchToolCustomDataContext:
    """What an ``ApplyPatchTool``'s ``custom_data_extractor`` is given after a call that ran: the call's context,
    the tool, the operations the model asked for, the text and ``status`` the model reads, and the
    ``apply_patch_call_output`` item (a copy)."""

    run_context: RunContextWrapper[Any]
    tool: ApplyPatchTool
    operations: list[ApplyPatchOperation]
    output: str
    status: Literal["completed", "failed"]
    raw_item: Mapping[str, Any]


FunctionToolCustomDataExtractor = Callable[
    [FunctionToolCustomDataContext], Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None
]
CustomToolCustomDataExtractor = Callable[
    [CustomToolCustomDataContext], Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None
]

ComputerToolCustomDataExtractor = Callable[
    [ComputerToolCustomDataContext], Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None
]
ApplyPatchToolCustomDataExtractor = Callable[
    [ApplyPatchToolCustomDataContext], Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None
]


def checked_extractor(extractor: Any, tool_name: str) -> None:
    if extractor is not None and not callable(extractor):
        raise UserError(f"Tool {tool_name!r}: custom_data_extractor must be callable or None, got {extractor!r}")


async def extract_custom_data(extractor: Callable[[Any], Any], context: Any) -> dict[str, Any] | None:
    """The extractor's mapping as a JSON-safe copy (``None`` for ``None`` or an empty mapping). Anything that is not
    a mapping of string keys to JSON values is a ``UserError``: the data is meant for a UI or a stored run state,
    where it would break later and far away."""
    value = extractor(context)
    if inspect.isawaitable(value):
        value = await value
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise UserError(f"custom_data_extractor must return a mapping or None, got {type(value).__name__}")
    if not value:
        return None
    if not all(isinstance(key, str) for key in value):
        raise UserError("custom_data_extractor must return a mapping with string keys")
    try:
        return cast(dict[str, Any], json.loads(json.dumps(copy.deepcopy(dict(value)), allow_nan=False)))
    except (TypeError, ValueError) as exc:
        raise UserError(f"custom_data_extractor must return JSON-compatible data: {exc}") from exc


__all__ = [
    "ApplyPatchToolCustomDataContext",
    "ApplyPatchToolCustomDataExtractor",
    "ComputerToolCustomDataContext",
    "ComputerToolCustomDataExtractor",
    "CustomToolCustomDataContext",
    "CustomToolCustomDataExtractor",
    "FunctionToolCustomDataContext",
    "FunctionToolCustomDataExtractor",
    "OnApprovalFunctionResult",
    "ToolCaller",
    "checked_callers",
    "checked_extractor",
    "extract_custom_data",
]
