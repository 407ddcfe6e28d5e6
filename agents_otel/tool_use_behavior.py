"""``Agent(tool_use_behavior=...)``: whether a turn's tool results go back to the model or end the run.

The OpenAI Agents SDK's four forms, with its names: ``"run_llm_again"`` (the default: the model reads the results),
``"stop_on_first_tool"`` (the first call's output is the final output), ``StopAtTools(stop_at_tool_names=[...])``
(the first result of a listed tool is the final output) and a function ``(context, results) ->
ToolsToFinalOutputResult``, sync or async. The final output is the tool's return value as returned, not the text
the model would have read. A run with the default behaviour never gets here, so it pays nothing per tool call.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from .exceptions import UserError
from .items import ToolCallOutputItem

if TYPE_CHECKING:
    from .approval_item import ToolApprovalItem
    from .context_wrapper import RunContextWrapper
    from .items import FunctionCall, RunItem
    from .run_runtime import RunRuntime
    from .tool import FunctionTool


@dataclass
class FunctionToolResult:
    """One tool call of the turn: which tool, what it returned, and its ``tool_call_output_item``."""

    tool: FunctionTool
    output: Any
    run_item: RunItem
    interruptions: list[ToolApprovalItem] = field(default_factory=list)
    """The SDK's: a nested run's waiting calls. Always empty here: a turn whose agent-as-tool call paused stops the
    run before its tool results are judged (the calls wait in ``result.interruptions``)."""
    agent_run_result: Any = None
    """An agent-as-tool call's nested ``RunResult``, as in the SDK (``None`` for other tools)."""


@dataclass
class ToolsToFinalOutputResult:
    """A ``tool_use_behavior`` function's decision: end the run with ``final_output``, or let the model go on."""

    is_final_output: bool
    """True: ``final_output`` ends the run. False: the model is called again with the results."""
    final_output: Any = None


class StopAtTools(TypedDict):
    """Stop at the first result of any of these tools (by name); other tools' results go back to the model."""

    stop_at_tool_names: list[str]


ToolsToFinalOutputFunction = Callable[
    ["RunContextWrapper[Any]", list[FunctionToolResult]],
    ToolsToFinalOutputResult | Awaitable[ToolsToFinalOutputResult],
]
ToolUseBehavior = Literal["run_llm_again", "stop_on_first_tool"] | StopAtTools | ToolsToFinalOutputFunction

_NOT_FINAL = ToolsToFinalOutputResult(is_final_output=False, final_output=None)


def runs_llm_again(behavior: ToolUseBehavior) -> bool:
    """The default, checked once per turn so the common case does no further work."""
    return isinstance(behavior, str) and behavior == "run_llm_again"


def check_tool_use_behavior(behavior: Any) -> None:
    """A typo (``"stop_on_first"``) must fail when the agent is built, not make every run ignore it."""
    if isinstance(behavior, str):
        if behavior not in ("run_llm_again", "stop_on_first_tool"):
            raise UserError(
                f"tool_use_behavior must be 'run_llm_again', 'stop_on_first_tool', StopAtTools or a function; "
                f"got {behavior!r}"
            )
    elif isinstance(behavior, dict):
        names = behavior.get("stop_at_tool_names")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise UserError("StopAtTools needs stop_at_tool_names: a list of tool names")
    elif not callable(behavior):
        raise UserError(f"tool_use_behavior must be a string, StopAtTools or a function; got {behavior!r}")


async def tools_to_final_output(
    behavior: ToolUseBehavior, context: RunContextWrapper[Any], results: list[FunctionToolResult]
) -> ToolsToFinalOutputResult:
    if not results:
        return _NOT_FINAL
    if isinstance(behavior, str):
        if behavior == "stop_on_first_tool":
            return ToolsToFinalOutputResult(is_final_output=True, final_output=results[0].output)
        return _NOT_FINAL
    if isinstance(behavior, dict):
        stop_at = behavior["stop_at_tool_names"]
        for result in results:  # a namespaced tool stops by its name or its ``namespace.name``, as in the SDK
            if result.tool.name in stop_at or result.tool.qualified_name in stop_at:
                return ToolsToFinalOutputResult(is_final_output=True, final_output=result.output)
        return _NOT_FINAL
    decided = behavior(context, results)
    if inspect.isawaitable(decided):
        decided = await decided
    if not isinstance(decided, ToolsToFinalOutputResult):
        # The SDK's words (callers match on them); the type, not the value, which may hold a tool's output.
        raise UserError(
            f"Agent tool_use_behavior callable must return ToolsToFinalOutputResult, got {type(decided).__name__}"
        )
    return decided


def tool_results(
    run: RunRuntime, calls: list[FunctionCall], tools: dict[str, FunctionTool], turn_start: int
) -> list[FunctionToolResult]:
    """The turn's tool outputs as the SDK's ``FunctionToolResult``s, in the model's call order (only built when
    the agent's ``tool_use_behavior`` is not the default), each agent-as-tool call's with its nested result."""
    outputs = {item.call_id: item for item in run.run_items()[turn_start:] if isinstance(item, ToolCallOutputItem)}
    nested = run.nested_results
    run.nested_results = None
    results: list[FunctionToolResult] = []
    for call in calls:
        item = outputs.get(call.call_id)
        tool = tools.get(call.name)
        if item is not None and tool is not None:
            result = FunctionToolResult(tool=tool, output=item.output, run_item=item)
            if nested:
                result.agent_run_result = nested.get(call.call_id)
            results.append(result)
    return results
