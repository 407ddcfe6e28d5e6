"""Programmatic tool calling (``ProgrammaticToolCallingTool``, OpenAI Responses API): the items of code the model
wrote and OpenAI ran, read from the model's answer and checked as the OpenAI Agents SDK checks them.

The model answers with a ``program`` item (its code), the ``function_call``s that code made (each with
``caller = {"type": "program", "caller_id": <the program's call_id>}``) and, once the program has finished, a
``program_output``. A program's call runs here on the one function-tool path, as a :class:`ProgramCall` (its
``execute_tool`` span says ``agents_otel.tool.caller = "program"``), and is answered by a ``function_call_output``
with the same ``caller``, by which the API pairs it (:func:`program_answer`). The ``program`` and
``program_output`` items are shown as hosted calls (``tool_called``) and go back to the model as they came.

Why checked before anything runs: a call from a program nobody started, from one already finished, to a tool that
does not allow programs (or a direct call to a tool only programs may call) is the model misbehaving; running it
would answer a call the API cannot place. Each is a ``ModelBehaviorError``, as in the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .exceptions import ModelBehaviorError
from .hosted_calls import hosted_call_item
from .items import ConversationItem, FunctionCall, FunctionCallOutput, ProgramCall, RawInputItem
from .stream_events import RunItemStreamEvent
from .tool_output_schema import program_answer_dict, program_output

if TYPE_CHECKING:
    from .agent import Agent
    from .run_runtime import RunRuntime
    from .tool import FunctionTool

PROGRAM_ITEM_TYPES = frozenset(("function_call", "program", "program_output"))
"""Output item types read here: a ``function_call`` only arrives as an item (not a ``FunctionCall``) when it names
a ``caller`` that is not the model itself."""

PROGRAMMATIC = "programmatic_tool_calling"


class Programs:
    """The programs an answer's items may belong to: those started earlier in the conversation or earlier in the
    answer (``started``), and those that have finished (``completed``). ``server``: the conversation lives on the
    server (``previous_response_id``, ``conversation_id``), whose earlier items are not all here, so a program
    named by a call or an output is taken as started."""

    __slots__ = ("completed", "offered", "server", "started")

    def __init__(self, earlier: Sequence[ConversationItem], server: bool, offered: bool) -> None:
        self.started: set[str] = set()
        self.completed: set[str] = set()
        self.server = server
        self.offered = offered
        for item in earlier:
            if type(item) is RawInputItem:
                self.note(item.data)

    def note(self, data: Mapping[str, Any]) -> None:
        kind, call_id = data.get("type"), data.get("call_id")
        if kind == "program" and isinstance(call_id, str):
            self.started.add(call_id)
        elif kind == "program_output" and isinstance(call_id, str) and data.get("status") == "completed":
            self.completed.add(call_id)


def read_program_item(
    data: dict[str, Any], programs: Programs, tools: Mapping[str, FunctionTool], agent: Agent[Any], run: RunRuntime
) -> FunctionCall | None:
    """The call to run for a program's ``function_call``; ``None`` for a ``program`` / ``program_output`` item
    (shown as a hosted call)."""
    kind = data["type"]
    caller = data.get("caller")
    caller_type = caller.get("type") if isinstance(caller, Mapping) else None
    if kind == "function_call" and caller_type in (None, "direct"):  # the model's own call, given as an item
        return _direct(FunctionCall(_text(data, "name"), _text(data, "arguments", ""), _text(data, "call_id")), tools)
    if not programs.offered:
        raise ModelBehaviorError(f"Model produced {kind} item without a programmatic_tool_calling tool")
    if kind == "function_call":
        if caller_type != "program":
            raise ModelBehaviorError(f"Model invoked tool {data.get('name')!r} with unsupported caller {caller_type!r}")
        assert isinstance(caller, Mapping)
        _check_parent(programs, caller.get("caller_id"), kind)
        call = ProgramCall(
            _text(data, "name"), _text(data, "arguments", ""), _text(data, "call_id"), dict(caller), dict(data)
        )
        tool = tools.get(call.name)
        if tool is None and run.config.tool_not_found_behavior == "raise_error":
            raise ModelBehaviorError(f"Tool {call.name} not found in agent {agent.name}")
        if tool is not None and "programmatic" not in (tool.allowed_callers or ("direct",)):
            raise ModelBehaviorError(
                f"Model invoked tool {call.name} with caller programmatic, but the tool allows only "
                f"{json.dumps(tool.allowed_callers or ['direct'])}"
            )
        return call
    call_id = data.get("call_id")
    if kind == "program":
        if not isinstance(call_id, str) or not call_id:
            raise ModelBehaviorError("Model produced program item without a valid call_id")
        programs.started.add(call_id)
    else:
        _check_parent(programs, call_id, kind)
        if data.get("status") not in ("completed", "incomplete"):
            raise ModelBehaviorError("Model produced program_output item without a valid status")
        if not isinstance(data.get("result"), str):
            raise ModelBehaviorError("Model produced program_output item without a string result")
        programs.note(data)
    item = hosted_call_item(data, agent, run, PROGRAMMATIC)
    assert item is not None
    run.items.append(item)  # type: ignore[arg-type]  # a HostedToolCallItem
    run.emit(RunItemStreamEvent("tool_called", item))  # type: ignore[arg-type]
    return None


def _direct(call: FunctionCall, tools: Mapping[str, FunctionTool]) -> FunctionCall:
    tool = tools.get(call.name)
    if tool is not None:
        direct_allowed(tool, call.name)
    return call


def direct_allowed(tool: FunctionTool, name: str) -> None:
    """A direct call to a tool only programs may call is refused (asked only for a tool with ``allowed_callers``)."""
    if tool.allowed_callers is not None and "direct" not in tool.allowed_callers:
        raise ModelBehaviorError(
            f"Model invoked tool {name} with caller direct, but the tool allows only {json.dumps(tool.allowed_callers)}"
        )


def _check_parent(programs: Programs, caller_id: Any, kind: str) -> None:
    if not isinstance(caller_id, str) or (caller_id not in programs.started and not programs.server):
        raise ModelBehaviorError(f"Model produced {kind} item that does not match a parent program item")
    if caller_id in programs.completed:
        raise ModelBehaviorError(f"Model produced {kind} item whose parent program is already completed")


def _text(data: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise ModelBehaviorError(f"The model's {data.get('type')} item has no valid {key}")
    return value


def program_answer(call: ProgramCall, output: FunctionCallOutput, tool: FunctionTool | None) -> RawInputItem:
    """The ``function_call_output`` a program reads: with the call's ``caller``, and as a JSON object when the tool
    declares its output (``output_json_schema``)."""
    schema = tool.output_json_schema if tool is not None else None
    return RawInputItem(program_answer_dict(call, program_output(output.output, schema, call.failed, call.name)))


__all__ = ["PROGRAMMATIC", "PROGRAM_ITEM_TYPES", "Programs", "direct_allowed", "program_answer", "read_program_item"]
