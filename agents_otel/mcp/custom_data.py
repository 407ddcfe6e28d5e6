"""An MCP server's ``custom_data_extractor`` (the SDK's ``MCPToolCustomDataContext``): SDK-only data on the
``ToolCallOutputItem`` of each of its tools' calls, which the model never reads.

It rides the function tools' own path rather than a second one: an MCP tool is a ``FunctionTool``, and a server with
an extractor gives each of its tools a ``custom_data_extractor`` that turns the function tool's context into this
MCP one. What only the MCP call knows (the result's ``_meta`` and ``structuredContent``) is kept per call by the
call itself, keyed weakly by its ``ToolContext``, and taken when the extractor is asked; a call the extractor is not
asked for (it failed, or an output guardrail replaced its output) leaves nothing behind.

So the extractor is asked, and its value checked, exactly as a function tool's: after a call that succeeded, before
its span ends; a value that is not a JSON-compatible mapping with string keys is a ``UserError``, and an extractor
that raises ends the run with its exception (recorded on the call's span), as a function tool's does.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

from . import _sdk

if TYPE_CHECKING:
    from ..context_wrapper import RunContextWrapper
    from ..tool_context import ToolContext
    from ..tool_features import FunctionToolCustomDataContext


@dataclass(frozen=True)
class MCPToolCustomDataContext:
    """What a server's ``custom_data_extractor`` is given after one of its tools' calls: the call's context, the
    server, the tool's own name and the name the model called it by (server-prefixed or not), the arguments, and the
    result's ``_meta``, ``structuredContent`` and ``isError`` with the output the model reads (read-only copies)."""

    run_context: RunContextWrapper[Any]
    server_name: str
    tool_name: str
    tool_display_name: str
    arguments: Mapping[str, Any]
    result_meta: Mapping[str, Any] | None
    structured_content: Mapping[str, Any] | None
    is_error: bool | None
    tool_output: Any


MCPToolCustomDataExtractor: TypeAlias = Callable[
    [MCPToolCustomDataContext], "Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None"
]
"""``(MCPToolCustomDataContext) -> mapping | None`` (sync or async): the call's ``ToolCallOutputItem.custom_data``."""


@dataclass(frozen=True, slots=True)
class _Kept:
    arguments: dict[str, Any]
    meta: Any
    structured: Any
    is_error: bool


class CallResults:
    """One MCP tool's results waiting for its extractor, by the ``ToolContext`` of their call."""

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: weakref.WeakKeyDictionary[ToolContext[Any], _Kept] = weakref.WeakKeyDictionary()

    def keep(self, ctx: ToolContext[Any], arguments: dict[str, Any], result: Any) -> None:
        is_error, _, structured = _sdk.result_fields(result)
        self._kept[ctx] = _Kept(arguments, getattr(result, "meta", None), structured, is_error)

    def take(self, ctx: ToolContext[Any]) -> _Kept | None:
        return self._kept.pop(ctx, None)


def _read_only(value: Any) -> Mapping[str, Any] | None:
    return MappingProxyType(copy.deepcopy(value)) if isinstance(value, dict) else None


def function_tool_extractor(
    extractor: MCPToolCustomDataExtractor, server_name: str, tool_name: str, results: CallResults
) -> Callable[[FunctionToolCustomDataContext], Any]:
    """The ``custom_data_extractor`` an MCP tool's ``FunctionTool`` carries: the server's, given the MCP context."""

    def extract(context: FunctionToolCustomDataContext) -> Any:
        kept = results.take(context.tool_context)
        arguments = kept.arguments if kept is not None else {}
        return extractor(
            MCPToolCustomDataContext(
                run_context=context.tool_context,
                server_name=server_name,
                tool_name=tool_name,
                tool_display_name=context.tool.name,
                arguments=MappingProxyType(copy.deepcopy(arguments)),
                result_meta=_read_only(kept.meta) if kept is not None else None,
                structured_content=_read_only(kept.structured) if kept is not None else None,
                is_error=kept.is_error if kept is not None else None,
                tool_output=copy.deepcopy(context.raw_item.get("output")),
            )
        )

    return extract


__all__ = ["CallResults", "MCPToolCustomDataContext", "MCPToolCustomDataExtractor", "function_tool_extractor"]
