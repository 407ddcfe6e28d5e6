"""The model's calls to tools that are not functions, run on the one function-tool path.

A ``CustomTool`` is called with a ``custom_tool_call`` item, not a ``function_call``, and wants a
``custom_tool_call_output`` back; ``ShellTool``, ``LocalShellTool`` and ``ApplyPatchTool`` do the same with items of
their own (``shell_call`` / ``local_shell_call`` / ``apply_patch_call``). Each such tool runs as a
:class:`~agents_otel.tool.StandInTool`, so its calls get everything a function call gets (the ``execute_tool`` span,
``tool_called`` / ``tool_output``, hooks, approvals, the concurrency limit, cancellation). What is left are two
translations, and both live here, keyed by the call item's type: the call item into the ``FunctionCall`` its
stand-in runs (:func:`read_call`, checked before anything runs: a malformed call fails the run), and the stand-in's
output back into the item the model expects (:func:`answers`). The agent loop has one branch for all of them; a new
kind adds a reader here and an ``answer`` method on its stand-in, nothing in the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .custom_tool import custom_call
from .items import FunctionCall, FunctionCallOutput, ProgramCall, RawInputItem
from .local_tool_run import local_call
from .local_tools import LOCAL_CALL_KINDS
from .programmatic_calls import program_answer
from .tool import FunctionTool, StandInTool

if TYPE_CHECKING:
    from .agent import Agent
    from .run_runtime import RunRuntime

CallReader = Callable[[dict[str, Any], Mapping[str, FunctionTool], "Agent[Any]", "RunRuntime"], FunctionCall | None]
"""``(item, the turn's tools, agent, run) -> the call to run``, or ``None`` for a call the provider already ran
(the reader has shown it as a hosted call); raises ``ModelBehaviorError`` for a malformed call."""


def _custom(
    data: dict[str, Any], tools: Mapping[str, FunctionTool], agent: Agent[Any], run: RunRuntime
) -> FunctionCall:
    called = custom_call(data, tools)
    assert called is not None  # the type was checked by the caller
    return called


READERS: dict[str, CallReader] = {"custom_tool_call": _custom, **dict.fromkeys(LOCAL_CALL_KINDS, local_call)}
"""The call item types a stand-in answers, each with its reader."""


def read_call(
    data: dict[str, Any], tools: Mapping[str, FunctionTool], agent: Agent[Any], run: RunRuntime
) -> FunctionCall | None:
    """The ``FunctionCall`` a stand-in runs for a call item whose type is in :data:`READERS`."""
    return READERS[data["type"]](data, tools, agent, run)


def answers(
    outputs: list[FunctionCallOutput], calls: list[FunctionCall], tools: Mapping[str, FunctionTool]
) -> list[FunctionCallOutput | RawInputItem]:
    """The turn's outputs as the model must get them: a stand-in's call answered by its own item type, a program's
    call with its ``caller``. Asked only in a turn that had such a call (or a resumed one), so a turn of plain
    function calls pays nothing."""
    by_id = {c.call_id: c for c in calls}
    answered: list[FunctionCallOutput | RawInputItem] = []
    for output in outputs:
        call = by_id.get(output.call_id)
        tool = tools.get(call.name) if call is not None else None
        if type(call) is ProgramCall:  # a program's call: answered with its caller
            answered.append(program_answer(call, output, tool))
        elif call is not None and isinstance(tool, StandInTool):
            answered.append(tool.answer(call, output))
        else:
            answered.append(output)
    return answered


__all__ = ["READERS", "CallReader", "answers", "read_call"]
