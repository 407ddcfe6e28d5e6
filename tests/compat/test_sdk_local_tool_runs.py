"""Compatibility: one ``ShellTool`` / ``LocalShellTool`` / ``ApplyPatchTool`` instance shared by runs at once.

The SDK builds each call's output item from that call's own result, so a tool instance holds nothing of a call: two
runs using one instance concurrently (the model may well reuse a call id across conversations) each send the model
their own ``*_call_output``, and a call cancelled after its executor returned leaves nothing that a later call with
the same id could be answered with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from agents_otel import (
    Agent,
    ApplyPatchOperation,
    ApplyPatchTool,
    FunctionTool,
    LocalShellCommandRequest,
    LocalShellTool,
    RawInputItem,
    RunContextWrapper,
    RunHooks,
    Runner,
    ShellCommandRequest,
    ShellTool,
    Tool,
    ToolCallOutputItem,
)
from agents_otel.testing import ScriptedModel, assistant_message

CALL_ID = "call_same"


class Editor:
    """Answers every operation with the run's context (``"A"`` / ``"B"``); ``fail``: raises it instead."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def _answer(self, operation: ApplyPatchOperation) -> str:
        assert operation.ctx_wrapper is not None
        if self.fail:
            raise RuntimeError(f"editor failed for {operation.ctx_wrapper.context}")
        return f"patched for {operation.ctx_wrapper.context}"

    create_file = update_file = delete_file = _answer


def _shell_executor(fail: bool) -> Callable[[ShellCommandRequest], str]:
    def executor(request: ShellCommandRequest) -> str:
        if fail:
            raise RuntimeError(f"shell failed for {request.ctx_wrapper.context}")
        return f"ran for {request.ctx_wrapper.context}"

    return executor


def _local_executor(fail: bool) -> Callable[[LocalShellCommandRequest], str]:
    def executor(request: LocalShellCommandRequest) -> str:
        if fail:
            raise RuntimeError(f"local shell failed for {request.ctx_wrapper.context}")
        return f"ran locally for {request.ctx_wrapper.context}"

    return executor


def _shell_text(item: dict[str, Any]) -> str:
    entry = item["output"][0]
    return str(entry["stdout"] or entry["stderr"])


def _shell_item(who: str, fail: bool) -> dict[str, Any]:
    text = f"shell failed for {who}" if fail else f"ran for {who}"
    output = [{"stdout": text, "stderr": "", "outcome": {"type": "exit", "exit_code": 1 if fail else 0}}]
    return {"type": "shell_call_output", "call_id": CALL_ID, "output": output}


def _local_item(who: str, fail: bool) -> dict[str, Any]:
    text = f"local shell failed for {who}" if fail else f"ran locally for {who}"
    return {"type": "local_shell_call_output", "call_id": CALL_ID, "output": text}


def _patch_item(who: str, fail: bool) -> dict[str, Any]:
    text = f"editor failed for {who}" if fail else f"patched for {who}"
    status = "failed" if fail else "completed"
    return {"type": "apply_patch_call_output", "call_id": CALL_ID, "status": status, "output": text}


EXPECTED = {"shell": _shell_item, "local_shell": _local_item, "apply_patch": _patch_item}
"""What each run's model must be sent for its call (run ``who``; ``fail``: the executor / editor raised)."""

KINDS: dict[str, tuple[Callable[..., Tool], dict[str, Any], Callable[[dict[str, Any]], str]]] = {
    "shell": (
        lambda fail=False, **kw: ShellTool(executor=_shell_executor(fail), **kw),
        {"type": "shell_call", "id": "sh_1", "call_id": CALL_ID, "action": {"commands": ["whoami"]}},
        _shell_text,
    ),
    "local_shell": (
        lambda fail=False, **kw: LocalShellTool(executor=_local_executor(fail), **kw),
        {
            "type": "local_shell_call",
            "id": "lsh_1",
            "call_id": CALL_ID,
            "status": "completed",
            "action": {"type": "exec", "command": ["whoami"], "env": {}},
        },
        lambda item: str(item["output"]),
    ),
    "apply_patch": (
        lambda fail=False, **kw: ApplyPatchTool(editor=Editor(fail), **kw),
        {
            "type": "apply_patch_call",
            "id": "ap_1",
            "call_id": CALL_ID,
            "status": "completed",
            "operation": {"type": "create_file", "path": "a.txt", "diff": "+a"},
        },
        lambda item: str(item["output"]),
    ),
}


def _scripted(
    tool: Tool, call: dict[str, Any], answered: asyncio.Event | None = None
) -> tuple[Agent[Any], ScriptedModel]:
    """``answered``: set when the model is given the call's output."""

    def answer(request: Any) -> list[Any]:
        if answered is not None:
            answered.set()
        return [assistant_message("done")]

    model = ScriptedModel([[RawInputItem(dict(call))], answer])
    return Agent("operator", model=model, tools=[tool]), model


def _answers(model: ScriptedModel) -> list[dict[str, Any]]:
    """The call output items the second model call was given."""
    return [i.data for i in model.calls[1].input if isinstance(i, RawInputItem) and i.data["type"].endswith("_output")]


class _Hold(RunHooks[Any]):
    """``ended`` is set when the run's tool call has ended (its output item made); ``until``: the call's turn then
    waits for that event before the model is given the output."""

    def __init__(self, until: asyncio.Event | None = None) -> None:
        self.ended = asyncio.Event()
        self.until = until
        self.results: list[Any] = []

    async def on_tool_end(self, context: RunContextWrapper[Any], agent: Any, tool: FunctionTool, result: Any) -> None:
        self.results.append(result)
        self.ended.set()
        if self.until is not None:
            await self.until.wait()


@pytest.mark.parametrize("fail", [False, True], ids=["returned", "raised"])
@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_two_runs_sharing_a_tool_and_a_call_id_each_get_their_own_output(kind: str, fail: bool) -> None:
    make, call, _ = KINDS[kind]
    tool = make(fail)
    a_answered = asyncio.Event()
    agent_a, model_a = _scripted(tool, call, a_answered)
    agent_b, model_b = _scripted(tool, call)
    # A's call ends, then B's (same id), then A's output goes to its model, then B's.
    hooks_b = _Hold(until=a_answered)
    hooks_a = _Hold(until=hooks_b.ended)
    results = await asyncio.gather(
        Runner.run(agent_a, "go", context="A", hooks=hooks_a),
        Runner.run(agent_b, "go", context="B", hooks=hooks_b),
    )
    for model, hooks, result, who in ((model_a, hooks_a, results[0], "A"), (model_b, hooks_b, results[1], "B")):
        answers = _answers(model)
        assert answers == [EXPECTED[kind](who, fail)]  # the item its own call made
        outputs = [item.output for item in result.new_items if isinstance(item, ToolCallOutputItem)]
        assert outputs == hooks.results and len(outputs) == 1 and who in outputs[0]
        assert type(outputs[0]) is str and type(hooks.results[0]) is str  # the text, as the SDK gives it


@pytest.mark.parametrize("kind", ["shell", "apply_patch"])
async def test_a_call_cancelled_after_it_ran_leaves_nothing_for_a_later_call_with_its_id(kind: str) -> None:
    make, call, text_of = KINDS[kind]
    tool = make(
        needs_approval=lambda ctx, subject, call_id: ctx.context == "B",
        on_approval=lambda ctx, item: {"approve": False, "reason": "not for B"},
    )
    agent_a, _ = _scripted(tool, call)
    hooks_a = _Hold(until=asyncio.Event())  # never set: run A waits after its call ended until it is cancelled
    run_a = asyncio.ensure_future(Runner.run(agent_a, "go", context="A", hooks=hooks_a))
    await hooks_a.ended.wait()
    run_a.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run_a
    agent_b, model_b = _scripted(tool, call)
    await Runner.run(agent_b, "go", context="B")  # rejected at once by on_approval: its call never runs
    answers = _answers(model_b)
    assert len(answers) == 1 and text_of(answers[0]) == "not for B"
