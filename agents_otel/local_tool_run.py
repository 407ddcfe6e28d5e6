"""Running the local execution tools' calls (``shell_call``, ``local_shell_call``, ``apply_patch_call``) on the
function-tool path.

Why as function tools: a call that runs here needs everything a function call gets — its ``execute_tool`` span,
``tool_called`` / ``tool_output`` events, hooks, approvals, the concurrency limit — and one path keeps them alike.
Each tool gets one ``FunctionTool`` stand-in (made on first use, kept on the tool) whose invoker builds the SDK's
request object and calls the executor or editor, a sync one in a worker thread. The model's call item becomes a
``FunctionCall`` named after the tool with the item as its arguments (JSON), checked before anything runs; the
conversation keeps the item as it came. What differs is the answer: the model must get a ``shell_call_output`` (or
``local_shell_call_output`` / ``apply_patch_call_output``) item, which :meth:`LocalFunction.answer` (asked by
``stand_in_calls``) puts in place of the text output: the item the call's text carries (:class:`ItemText`), or, for
a call that never ran (rejected), one made from the text alone. The item travels with the call's own result, never
on the stand-in: one tool instance serves many runs at once, where a call id is no key (two conversations may reuse
one) and an entry of a call cancelled before its answer would be left behind.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import functools
import inspect
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from .exceptions import ModelBehaviorError, UserError
from .hosted_calls import hosted_call_item
from .hosted_tools import HostedToolCallItem
from .items import FunctionCall, FunctionCallOutput, RawInputItem
from .local_tools import (
    LOCAL_CALL_KINDS,
    ApplyPatchOperation,
    ApplyPatchResult,
    ApplyPatchTool,
    LocalShellCommandRequest,
    LocalShellTool,
    LocalTool,
    ShellActionRequest,
    ShellCallData,
    ShellCommandOutput,
    ShellCommandRequest,
    ShellResult,
    ShellTool,
)
from .responses_format import output_text
from .stream_events import RunItemStreamEvent
from .tool import FunctionTool, StandInTool, tool_thread_pool
from .tool_features import ApplyPatchToolCustomDataContext

if TYPE_CHECKING:
    from .agent import Agent
    from .context_wrapper import RunContextWrapper
    from .models.interface import ToolSpec
    from .run_runtime import RunRuntime
    from .tool_context import ToolContext

TOOL_TYPE_KEY = "_agents_otel_local_function"
"""Where a local tool keeps its ``FunctionTool`` stand-in (an attribute, not a field: it is no part of the tool's
value, equality or repr)."""


class ItemText(str):
    """A local call's text carrying the output item the model is sent (``item``). ``execute_tool_call`` gives hooks
    and the run item the plain text, and only the turn's outputs this carrier."""

    item: dict[str, Any]


def _carrying(text: str, item: dict[str, Any]) -> ItemText:
    made = ItemText(text)
    made.item = item
    return made


class LocalFunction(StandInTool):
    """The stand-in: a ``FunctionTool`` whose ``spec`` is never sent (the tool's own ``tools`` entry is); it keeps
    nothing of a call (:class:`ItemText`)."""

    __slots__ = ("local",)
    local: LocalTool

    def answer(self, call: FunctionCall, output: FunctionCallOutput) -> RawInputItem:
        """The item the call's text carries, or, for a call that never ran (a person rejected it), one made from the
        text alone."""
        text = output.output
        if type(text) is ItemText:
            return RawInputItem(text.item)
        return RawInputItem(_unanswered_item(self.local, call, text if isinstance(text, str) else output_text(text)))

    def runtime_on_approval(self) -> Callable[[Any, Any], Any] | None:
        return None if isinstance(self.local, LocalShellTool) else self.local.on_approval

    def custom_data_context(
        self, ctx: ToolContext[Any], call: FunctionCall, value: Any, text: Any
    ) -> ApplyPatchToolCustomDataContext:
        """An apply_patch call's extractor context (only ``ApplyPatchTool`` takes a ``custom_data_extractor``),
        from the output item its text carries (only a call that ran is given to the extractor)."""
        assert isinstance(self.local, ApplyPatchTool) and type(text) is ItemText
        item = text.item
        operations = _operations(json.loads(call.arguments), ctx)
        return ApplyPatchToolCustomDataContext(
            ctx, self.local, operations, str(value), item["status"], copy.deepcopy(item)
        )


def function_for(tool: LocalTool) -> LocalFunction:
    made: LocalFunction | None = tool.__dict__.get(TOOL_TYPE_KEY)
    if made is None:
        made = LocalFunction(
            name=tool.name,
            description="",
            params_json_schema={"type": "object", "properties": {}},
            on_invoke_tool=functools.partial(_invoke, tool),
            needs_approval=_approval_policy(tool),
            failure_error_function=functools.partial(_failed, tool),
            custom_data_extractor=cast(Any, tool.custom_data_extractor) if isinstance(tool, ApplyPatchTool) else None,
        )
        made.local = tool
        tool.__dict__[TOOL_TYPE_KEY] = made
    return made


def declared_specs(tools: Mapping[str, FunctionTool], hosted: list[Any]) -> list[ToolSpec]:
    """The function specs a turn sends: the stand-ins' left out (their tools go out as their own ``tools``
    entries, in ``hosted``)."""
    return [t.spec for t in tools.values() if type(t) is not LocalFunction]


# ---- the model's call ----------------------------------------------------------------------------------------------


def local_call(
    data: dict[str, Any], tools: Mapping[str, FunctionTool], agent: Agent[Any], run: RunRuntime
) -> FunctionCall | None:
    """The ``FunctionCall`` that runs a call item here, checked now (a malformed call fails the run before anything
    runs, as in the SDK). ``None`` for a hosted-environment shell's call: OpenAI ran it; it is shown as a hosted
    call (``tool_called``) and stays in the conversation."""
    kind = LOCAL_CALL_KINDS[data["type"]]
    tool = next((t for t in tools.values() if type(t) is LocalFunction and type(t.local) is kind), None)
    if tool is None:
        if kind is ShellTool and any(isinstance(t, ShellTool) for t in agent.tools):
            item = hosted_call_item(data, agent, run, "shell")
            assert isinstance(item, HostedToolCallItem)
            run.items.append(item)
            run.emit(RunItemStreamEvent("tool_called", item))
            return None
        raise ModelBehaviorError(f"Model produced a {data['type']} but agent {agent.name!r} has no {kind.__name__}")
    call_id = data.get("call_id")
    if not isinstance(call_id, str) or not call_id:
        raise ModelBehaviorError(f"The model's {data['type']} has no call_id")
    if kind is ShellTool:
        _shell_action(data)
    elif kind is ApplyPatchTool:
        _operations(data, None)
    elif not isinstance(data.get("action"), Mapping):
        raise ModelBehaviorError("Local shell call is missing an action payload.")
    return FunctionCall(tool.name, json.dumps(dict(data)), call_id)


def _shell_action(data: Mapping[str, Any]) -> ShellActionRequest:
    action = data.get("action")
    if not isinstance(action, Mapping):
        raise ModelBehaviorError("Shell call is missing an action payload.")
    commands = action.get("commands")
    if isinstance(commands, str | bytes) or not isinstance(commands, list):
        raise ModelBehaviorError("Shell call action commands must be a sequence of command strings.")
    listed = [str(c) for c in commands if c is not None]
    if not listed:
        raise ModelBehaviorError("Shell call action must include at least one command.")
    timeout = action.get("timeout_ms") or None
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0):
        raise ModelBehaviorError("Shell call action timeout must be a positive integer in milliseconds, zero, or None.")
    limit = action.get("max_output_length")
    return ShellActionRequest(listed, timeout, int(limit) if isinstance(limit, int | float) else None)


def _operations(data: Mapping[str, Any], ctx: RunContextWrapper[Any] | None) -> list[ApplyPatchOperation]:
    raw = data.get("operations")
    payloads = raw if isinstance(raw, list) else [data.get("operation")]
    if not payloads or payloads == [None]:
        raise ModelBehaviorError("Apply patch call is missing an operation payload.")
    operations = []
    for payload in payloads:
        if not isinstance(payload, Mapping):
            raise ModelBehaviorError("Apply patch call is missing an operation payload.")
        kind = payload.get("type")
        if kind not in ("create_file", "update_file", "delete_file"):
            raise ModelBehaviorError(f"Unknown apply_patch operation: {kind}")
        path = payload.get("path")
        if not isinstance(path, str) or not path:
            raise ModelBehaviorError("Apply patch operation is missing a valid path.")
        diff = payload.get("diff")
        if kind != "delete_file" and (not isinstance(diff, str) or not diff):
            raise ModelBehaviorError(f"Apply patch operation {kind} is missing the required diff payload.")
        move_to = payload.get("move_to")
        if move_to is not None and (not isinstance(move_to, str) or not move_to):
            raise ModelBehaviorError("Apply patch operation move_to must be a non-empty path.")
        operations.append(ApplyPatchOperation(kind, path, diff if kind != "delete_file" else None, ctx, move_to))
    return operations


# ---- approvals -----------------------------------------------------------------------------------------------------


def _approval_policy(tool: LocalTool) -> Any:
    setting = tool.needs_approval
    if isinstance(setting, bool):
        return setting

    async def policy(ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str) -> bool:
        subjects: list[Any] = [_shell_action(params)] if isinstance(tool, ShellTool) else _operations(params, ctx)
        for subject in subjects:  # apply_patch: the call waits if any of its operations needs a decision
            decided = setting(ctx, subject, call_id)
            if inspect.isawaitable(decided):
                decided = await decided
            if decided is True:
                return True
            if decided is not False:
                raise UserError(f"{type(tool).__name__} needs_approval returned {decided!r}, expected a bool")
        return False

    return policy


# ---- running a call ------------------------------------------------------------------------------------------------


async def _call(function: Callable[..., Any], *args: Any) -> Any:
    """An executor / editor method: a sync one in a worker thread (the event loop never waits on it), with the
    call's span current there; an async one awaited."""
    if inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(type(function).__call__):
        return await function(*args)
    run = functools.partial(contextvars.copy_context().run, function, *args)
    value = await asyncio.get_running_loop().run_in_executor(tool_thread_pool(), run)
    return await value if inspect.isawaitable(value) else value


async def _invoke(tool: LocalTool, ctx: ToolContext[Any], arguments: str) -> str:
    data = json.loads(arguments)
    call_id = ctx.tool_call_id
    if isinstance(tool, ShellTool):
        action = _shell_action(data)
        status = data.get("status") if data.get("status") in ("in_progress", "completed") else None
        request = ShellCommandRequest(ctx, ShellCallData(call_id, action, status, data))
        text, item = _shell_output(await _call(tool.executor, request), action, call_id)  # type: ignore[arg-type]
    elif isinstance(tool, ApplyPatchTool):
        text, item = await _apply_patch(tool, _operations(data, ctx), call_id)
    else:
        from openai.types.responses.response_output_item import LocalShellCall

        result = await _call(tool.executor, LocalShellCommandRequest(ctx, LocalShellCall.model_validate(data)))
        if not isinstance(result, str):
            raise UserError(f"LocalShellTool executor returned {type(result).__name__}, expected str")
        text, item = result, {"type": "local_shell_call_output", "call_id": call_id, "output": result}
    _copy_caller(data, item)
    return _carrying(text, item)


def _shell_output(result: Any, action: ShellActionRequest, call_id: str) -> tuple[str, dict[str, Any]]:
    limit = None if action.max_output_length is None else max(0, action.max_output_length)
    item: dict[str, Any] = {"type": "shell_call_output", "call_id": call_id}
    if isinstance(result, ShellResult):
        if result.max_output_length is not None:
            own = max(0, result.max_output_length)
            limit = own if limit is None else min(own, limit)
        outputs = [_command_output(entry) for entry in result.output]
        if limit is not None:
            outputs = _truncated(outputs, limit)
        text = _rendered(outputs)
        item["output"] = [_wire_output(o) for o in outputs]
    elif isinstance(result, str):
        text = result if limit is None else result[:limit]
        item["output"] = [{"stdout": text, "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}] if text else []
    else:
        raise UserError(f"ShellTool executor returned {type(result).__name__}, expected str or ShellResult")
    if limit is not None:
        text = text[:limit]
        item["max_output_length"] = limit
    return text, item


def _command_output(entry: Any) -> ShellCommandOutput:
    if isinstance(entry, ShellCommandOutput):
        return entry
    raise UserError(f"ShellResult.output holds {type(entry).__name__}, expected ShellCommandOutput")


def _truncated(outputs: list[ShellCommandOutput], limit: int) -> list[ShellCommandOutput]:
    """Each command's stdout then stderr, cut so that together they hold at most ``limit`` characters."""
    left = limit
    cut = []
    for o in outputs:
        stdout = o.stdout[:left]
        left -= len(stdout)
        stderr = o.stderr[:left]
        left -= len(stderr)
        cut.append(ShellCommandOutput(stdout, stderr, o.outcome, o.command, o.provider_data))
    return cut


def _rendered(outputs: list[ShellCommandOutput]) -> str:
    """What the model reads as text (and ``ToolCallOutputItem.output`` holds), as the SDK renders it."""
    if not outputs:
        return "(no output)"
    chunks = []
    for o in outputs:
        lines = [f"$ {o.command}"] if o.command else []
        stdout, stderr = o.stdout.rstrip("\n"), o.stderr.rstrip("\n")
        if stdout:
            lines.append(stdout)
        if stderr:
            lines.extend(["", "stderr:", stderr] if stdout else ["stderr:", stderr])
        if o.exit_code not in (None, 0):
            lines.append(f"exit code: {o.exit_code}")
        if o.status == "timeout":
            lines.append("status: timeout")
        chunks.append("\n".join(lines).strip() or "(no output)")
    return "\n\n".join(chunks)


def _wire_output(o: ShellCommandOutput) -> dict[str, Any]:
    outcome: dict[str, Any] = {"type": o.outcome.type}
    if o.outcome.type == "exit":
        outcome["exit_code"] = o.outcome.exit_code if o.outcome.exit_code is not None else 0
    return {"stdout": o.stdout, "stderr": o.stderr, "outcome": outcome}


async def _apply_patch(
    tool: ApplyPatchTool, operations: list[ApplyPatchOperation], call_id: str
) -> tuple[str, dict[str, Any]]:
    status = "completed"
    texts = []
    for operation in operations:
        method = getattr(tool.editor, operation.type)
        result = await _call(method, operation)
        if result is None:
            continue
        if isinstance(result, str):
            result = ApplyPatchResult(output=result)
        elif isinstance(result, Mapping):
            result = ApplyPatchResult(result.get("status"), result.get("output"))
        if not isinstance(result, ApplyPatchResult):
            raise UserError(
                f"ApplyPatchTool editor.{operation.type} returned {type(result).__name__}, "
                "expected ApplyPatchResult, str or None"
            )
        if result.status == "failed":
            status = "failed"  # a later completed operation does not hide an earlier failure
        if result.output:
            texts.append(str(result.output))
    text = "\n".join(texts)
    item: dict[str, Any] = {"type": "apply_patch_call_output", "call_id": call_id, "status": status}
    if text:
        item["output"] = text
    return text, item


def _failed(tool: LocalTool, ctx: ToolContext[Any], error: Exception) -> str:
    """The executor or editor raised: the model reads the error (the span records it), in a failed output item."""
    text = str(error) or type(error).__name__
    call_id = ctx.tool_call_id
    data = json.loads(ctx.tool_arguments)
    if isinstance(tool, ShellTool):
        limit = data.get("action", {}).get("max_output_length") if isinstance(data.get("action"), Mapping) else None
        item: dict[str, Any] = {"type": "shell_call_output", "call_id": call_id}
        if isinstance(limit, int):
            text = text[: max(0, limit)]
            item["max_output_length"] = max(0, limit)
        item["output"] = [{"stdout": text, "stderr": "", "outcome": {"type": "exit", "exit_code": 1}}]
    elif isinstance(tool, ApplyPatchTool):
        item = {"type": "apply_patch_call_output", "call_id": call_id, "status": "failed", "output": text}
    else:
        item = {"type": "local_shell_call_output", "call_id": call_id, "output": text}
    _copy_caller(data, item)
    return _carrying(text, item)


def _copy_caller(data: Mapping[str, Any], item: dict[str, Any]) -> None:
    if data.get("caller") is not None:
        item["caller"] = data["caller"]


def _unanswered_item(tool: LocalTool, call: FunctionCall, text: str) -> dict[str, Any]:
    """The output item of a call that never ran (a person rejected it): the message, as the SDK words it."""
    if isinstance(tool, ShellTool):
        output = [{"stdout": "", "stderr": text, "outcome": {"type": "exit", "exit_code": 1}}]
        item: dict[str, Any] = {"type": "shell_call_output", "call_id": call.call_id, "output": output}
    elif isinstance(tool, ApplyPatchTool):
        item = {"type": "apply_patch_call_output", "call_id": call.call_id, "status": "failed", "output": text}
    else:
        item = {"type": "local_shell_call_output", "call_id": call.call_id, "output": text}
    _copy_caller(json.loads(call.arguments), item)
    return item


__all__ = ["ItemText", "LocalFunction", "declared_specs", "function_for", "local_call"]
