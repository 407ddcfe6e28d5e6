"""Compatibility: the OpenAI Agents SDK's ``on_approval``, ``custom_data_extractor`` and ``allowed_callers`` on the
shell, apply_patch and computer tools.

What the SDK pins and this runtime must do too: ``ShellTool`` / ``ApplyPatchTool`` ``on_approval(ctx,
approval_item)`` is asked only for a call that needs approval, and decides it at once (``{"approve": True}`` runs
it, ``{"approve": False, "reason": ...}`` answers the model with the reason, the default rejection text without
one), so the run never pauses for it; a hosted-environment shell takes none. ``ApplyPatchTool`` and ``ComputerTool``
``custom_data_extractor`` gets an ``ApplyPatchToolCustomDataContext`` (``run_context``, ``tool``, ``operations``,
``output``, ``status``, ``raw_item``) / ``ComputerToolCustomDataContext`` (``run_context``, ``tool``,
``tool_call``, ``output``, ``raw_item``) after a call, and its mapping becomes ``ToolCallOutputItem.custom_data``;
a rejected call is not given to it. ``allowed_callers`` on ``ShellTool`` / ``ApplyPatchTool`` is checked when the
tool is made and sent in its ``tools`` entry, and counts for ``ProgrammaticToolCallingTool``.

This runtime's own guarantees (as for ``CustomTool``): an ``on_approval`` that returns no ``{"approve": bool}`` is a
``UserError`` naming the tool; an extractor's result must be a JSON-safe mapping (else ``UserError``). Deliberate
difference: a call whose editor raised is not given to the extractor.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import wire_model

from agents_otel import (
    Agent,
    ApplyPatchOperation,
    ApplyPatchResult,
    ApplyPatchTool,
    ApplyPatchToolCustomDataContext,
    Button,
    Computer,
    ComputerTool,
    ComputerToolCustomDataContext,
    ProgrammaticToolCallingTool,
    RawInputItem,
    RunContextWrapper,
    Runner,
    ShellTool,
    Tool,
    ToolApprovalItem,
    ToolCallOutputItem,
    UserError,
)
from agents_otel.testing import ScriptedModel, assistant_message

PNG = "iVBORw0KGgo="


def shell_call(commands: list[str], call_id: str = "call_sh") -> RawInputItem:
    action = {"commands": commands}
    return RawInputItem({"type": "shell_call", "id": f"sh_{call_id}", "call_id": call_id, "action": action})


def patch_call(operation: dict[str, Any], call_id: str = "call_p") -> RawInputItem:
    data = {"type": "apply_patch_call", "id": f"ap_{call_id}", "call_id": call_id, "status": "completed"}
    return RawInputItem({**data, "operation": operation})


def scripted(tools: list[Tool], *first: RawInputItem) -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([list(first), [assistant_message("done")]])
    return Agent("operator", model=model, tools=tools), model


def sent_back(model: ScriptedModel, kind: str) -> list[dict[str, Any]]:
    return [i.data for i in model.calls[1].input if isinstance(i, RawInputItem) and i.data["type"] == kind]


def outputs(result: Any) -> list[ToolCallOutputItem]:
    return [item for item in result.new_items if isinstance(item, ToolCallOutputItem)]


class Editor:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def create_file(self, operation: ApplyPatchOperation) -> str:
        self.seen.append(operation.path)
        return f"Created {operation.path}"

    def update_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        self.seen.append(operation.path)
        return ApplyPatchResult(status="failed", output=f"Conflict in {operation.path}")

    def delete_file(self, operation: ApplyPatchOperation) -> None:
        self.seen.append(operation.path)


class Screen(Computer):
    def screenshot(self) -> str:
        return PNG

    def click(self, x: int, y: int, button: Button) -> None: ...

    def double_click(self, x: int, y: int) -> None: ...

    def scroll(self, x: int, y: int, scroll_x: int, scroll_y: int) -> None: ...

    def type(self, text: str) -> None: ...

    def wait(self) -> None: ...

    def move(self, x: int, y: int) -> None: ...

    def keypress(self, keys: list[str]) -> None: ...

    def drag(self, path: list[tuple[int, int]]) -> None: ...


# ---- on_approval ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("is_async", [False, True])
async def test_shell_on_approval_approves_a_gated_call_at_once(is_async: bool) -> None:
    asked: list[ToolApprovalItem] = []
    ran: list[list[str]] = []

    def decide(ctx: RunContextWrapper[Any], item: ToolApprovalItem) -> dict[str, Any]:
        assert isinstance(ctx, RunContextWrapper)
        asked.append(item)
        return {"approve": True}

    async def decide_async(ctx: RunContextWrapper[Any], item: ToolApprovalItem) -> dict[str, Any]:
        return decide(ctx, item)

    tool = ShellTool(
        executor=lambda request: ran.append(request.data.action.commands) or "cleaned",
        needs_approval=True,
        on_approval=decide_async if is_async else decide,  # type: ignore[arg-type]
    )
    agent, model = scripted([tool], shell_call(["make clean"]))
    result = await Runner.run(agent, "clean")
    assert result.interruptions == [] and result.final_output == "done"
    assert ran == [["make clean"]]
    assert [(item.tool_name, item.call_id, item.agent_name) for item in asked] == [("shell", "call_sh", "operator")]
    assert sent_back(model, "shell_call_output")[0]["output"][0]["stdout"] == "cleaned"


@pytest.mark.parametrize(
    ("decision", "told"),
    [
        ({"approve": False, "reason": "Not here."}, "Not here."),
        ({"approve": False}, "Tool execution was not approved."),
    ],
)
async def test_shell_on_approval_rejects_and_the_model_reads_why(decision: dict[str, Any], told: str) -> None:
    ran: list[Any] = []
    tool = ShellTool(
        executor=lambda request: ran.append(request) or "",
        needs_approval=True,
        on_approval=lambda ctx, item: decision,  # type: ignore[arg-type,return-value]
    )
    agent, model = scripted([tool], shell_call(["rm -rf /"]))
    result = await Runner.run(agent, "go")
    assert ran == [] and result.interruptions == []
    answer = sent_back(model, "shell_call_output")[0]
    assert answer["output"] == [{"stdout": "", "stderr": told, "outcome": {"type": "exit", "exit_code": 1}}]


async def test_on_approval_is_asked_only_for_calls_that_need_approval() -> None:
    asked: list[str] = []

    def policy(ctx: Any, operation: ApplyPatchOperation, call_id: str) -> bool:
        return operation.path.startswith("secrets/")

    def decide(ctx: Any, item: ToolApprovalItem) -> dict[str, Any]:
        asked.append(item.call_id)
        return {"approve": False, "reason": "Hands off secrets."}

    editor = Editor()
    tool = ApplyPatchTool(editor=editor, needs_approval=policy, on_approval=decide)  # type: ignore[arg-type]
    agent, model = scripted(
        [tool],
        patch_call({"type": "create_file", "path": "notes.txt", "diff": "+a"}, "c1"),
        patch_call({"type": "create_file", "path": "secrets/key", "diff": "+k"}, "c2"),
    )
    result = await Runner.run(agent, "edit")
    assert asked == ["c2"] and editor.seen == ["notes.txt"] and result.interruptions == []
    assert sent_back(model, "apply_patch_call_output") == [
        {"type": "apply_patch_call_output", "call_id": "c1", "status": "completed", "output": "Created notes.txt"},
        {"type": "apply_patch_call_output", "call_id": "c2", "status": "failed", "output": "Hands off secrets."},
    ]


async def test_on_approval_without_a_decision_is_a_user_error_naming_the_tool() -> None:
    tool = ApplyPatchTool(editor=Editor(), needs_approval=True, on_approval=lambda ctx, item: True)  # type: ignore[arg-type,return-value]
    agent, _ = scripted([tool], patch_call({"type": "delete_file", "path": "a.txt"}))
    with pytest.raises(UserError, match="'apply_patch': on_approval must return"):
        await Runner.run(agent, "edit")


def test_on_approval_is_checked_when_the_tool_is_made() -> None:
    with pytest.raises(UserError, match="on_approval must be callable"):
        ShellTool(executor=lambda r: "", needs_approval=True, on_approval="yes")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="on_approval must be callable"):
        ApplyPatchTool(editor=Editor(), on_approval=42)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="does not support needs_approval or on_approval"):
        ShellTool(environment={"type": "container_auto"}, on_approval=lambda ctx, item: {"approve": True})


def test_every_tools_on_approval_answer_is_one_type_under_the_sdks_names() -> None:
    # The SDK names the answer per tool (agents.tool); all three are the same {"approve", "reason"?} dict here.
    from agents_otel.custom_tool import CustomToolOnApprovalFunctionResult
    from agents_otel.local_tools import ApplyPatchOnApprovalFunctionResult, ShellOnApprovalFunctionResult

    assert CustomToolOnApprovalFunctionResult is ShellOnApprovalFunctionResult is ApplyPatchOnApprovalFunctionResult
    # reason is optional at runtime too (validators read __required_keys__): a bare approval is a whole answer
    assert CustomToolOnApprovalFunctionResult.__required_keys__ == frozenset({"approve"})
    assert CustomToolOnApprovalFunctionResult.__optional_keys__ == frozenset({"reason"})


# ---- custom_data_extractor -----------------------------------------------------------------------------------------


async def test_apply_patch_custom_data_gets_the_sdks_context() -> None:
    seen: list[ApplyPatchToolCustomDataContext] = []

    async def extract(context: ApplyPatchToolCustomDataContext) -> dict[str, Any]:
        seen.append(context)
        return {"paths": [op.path for op in context.operations], "status": context.status}

    tool = ApplyPatchTool(editor=Editor(), custom_data_extractor=extract)
    agent, model = scripted(
        [tool],
        patch_call({"type": "create_file", "path": "new.txt", "diff": "+x"}, "c1"),
        patch_call({"type": "update_file", "path": "old.txt", "diff": "-a\n+b"}, "c2"),
    )
    result = await Runner.run(agent, "edit")
    assert [o.custom_data for o in outputs(result)] == [
        {"paths": ["new.txt"], "status": "completed"},
        {"paths": ["old.txt"], "status": "failed"},
    ]
    first, second = seen
    assert first.tool is tool and isinstance(first.run_context, RunContextWrapper)
    assert first.operations[0].type == "create_file" and first.output == "Created new.txt"
    assert (second.status, second.output) == ("failed", "Conflict in old.txt")
    assert [dict(c.raw_item) for c in seen] == sent_back(model, "apply_patch_call_output")


async def test_a_rejected_apply_patch_call_is_not_given_to_the_extractor() -> None:
    extracted: list[Any] = []
    tool = ApplyPatchTool(
        editor=Editor(),
        needs_approval=True,
        on_approval=lambda ctx, item: {"approve": False},  # type: ignore[arg-type,return-value]
        custom_data_extractor=lambda context: extracted.append(context) or {"x": 1},  # type: ignore[func-returns-value]
    )
    agent, _ = scripted([tool], patch_call({"type": "delete_file", "path": "a.txt"}))
    result = await Runner.run(agent, "edit")
    assert extracted == [] and [o.custom_data for o in outputs(result)] == [None]


async def test_a_call_whose_editor_raised_is_not_given_to_the_extractor() -> None:
    """Deliberate difference: the SDK asks the extractor with status "failed"; here the call ends on the error path."""

    class Broken(Editor):
        def delete_file(self, operation: ApplyPatchOperation) -> None:
            raise PermissionError("read-only")

    extracted: list[Any] = []
    tool = ApplyPatchTool(editor=Broken(), custom_data_extractor=lambda context: extracted.append(context) or None)  # type: ignore[func-returns-value]
    agent, model = scripted([tool], patch_call({"type": "delete_file", "path": "a.txt"}))
    result = await Runner.run(agent, "edit")
    assert extracted == [] and [o.custom_data for o in outputs(result)] == [None]
    assert sent_back(model, "apply_patch_call_output")[0]["status"] == "failed"


async def test_an_extractor_returning_no_mapping_is_a_user_error() -> None:
    tool = ApplyPatchTool(editor=Editor(), custom_data_extractor=lambda context: ["not", "a", "mapping"])  # type: ignore[arg-type,return-value]
    agent, _ = scripted([tool], patch_call({"type": "delete_file", "path": "a.txt"}))
    with pytest.raises(UserError, match="must return a mapping"):
        await Runner.run(agent, "edit")
    with pytest.raises(UserError, match="custom_data_extractor must be callable"):
        ComputerTool(Screen(), custom_data_extractor="no")  # type: ignore[arg-type]


async def test_computer_custom_data_gets_the_sdks_context() -> None:
    seen: list[ComputerToolCustomDataContext] = []

    def extract(context: ComputerToolCustomDataContext) -> dict[str, Any]:
        seen.append(context)
        return {"call": context.tool_call.call_id, "bytes": len(context.output)}

    tool = ComputerTool(Screen(), custom_data_extractor=extract)
    call = {
        "type": "computer_call",
        "id": "cu_1",
        "call_id": "call_cu",
        "status": "completed",
        "action": {"type": "click", "x": 1, "y": 2, "button": "left"},
        "pending_safety_checks": [],
    }
    model = ScriptedModel([[RawInputItem(call)], [assistant_message("done")]])
    result = await Runner.run(Agent("operator", model=model, tools=[tool]), "click")
    url = f"data:image/png;base64,{PNG}"
    assert [o.custom_data for o in outputs(result)] == [{"call": "call_cu", "bytes": len(url)}]
    (context,) = seen
    assert context.tool is tool and isinstance(context.run_context, RunContextWrapper)
    assert context.tool_call.action.type == "click" and context.output == url
    assert context.raw_item == sent_back(model, "computer_call_output")[0]


# ---- allowed_callers -----------------------------------------------------------------------------------------------


def test_allowed_callers_are_checked_and_declared() -> None:
    shell = ShellTool(executor=lambda r: "", allowed_callers=["direct", "programmatic"])
    assert shell.tool_param() == {
        "type": "shell",
        "environment": {"type": "local"},
        "allowed_callers": ["direct", "programmatic"],
    }
    patch = ApplyPatchTool(editor=Editor(), allowed_callers=["programmatic"])
    assert patch.tool_param() == {"type": "apply_patch", "allowed_callers": ["programmatic"]}
    assert ShellTool(executor=lambda r: "").tool_param() == {"type": "shell", "environment": {"type": "local"}}
    with pytest.raises(UserError, match="allowed_callers"):
        ShellTool(executor=lambda r: "", allowed_callers=["direct", "direct"])
    with pytest.raises(UserError, match="allowed_callers"):
        ApplyPatchTool(editor=Editor(), allowed_callers=["everyone"])  # type: ignore[list-item]


async def test_allowed_callers_go_over_the_wire_and_count_for_programmatic_tool_calling(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="ok")
    tools: list[Any] = [
        ShellTool(executor=lambda r: "", allowed_callers=["direct", "programmatic"]),
        ApplyPatchTool(editor=Editor(), allowed_callers=["programmatic"]),
        ProgrammaticToolCallingTool(),
    ]
    agent = Agent("A", tools=tools, model=wire_model("responses", client))
    assert (await Runner.run(agent, "go")).final_output == "ok"
    assert fake_openai.last_request.body["tools"] == [
        {"type": "shell", "environment": {"type": "local"}, "allowed_callers": ["direct", "programmatic"]},
        {"type": "apply_patch", "allowed_callers": ["programmatic"]},
        {"type": "programmatic_tool_calling"},
    ]


async def test_a_programmatic_only_local_tool_needs_the_programmatic_tool(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    tool = ApplyPatchTool(editor=Editor(), allowed_callers=["programmatic"])
    agent = Agent("A", tools=[tool], model=wire_model("responses", client))
    with pytest.raises(UserError, match="only programmatic"):
        await Runner.run(agent, "go")
    assert fake_openai.requests_to("/v1/responses") == []
