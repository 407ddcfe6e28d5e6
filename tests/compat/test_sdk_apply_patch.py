"""Compatibility: the OpenAI Agents SDK's ``ApplyPatchTool`` and its ``apply_diff`` helper.

What the SDK pins and this runtime must do too: the model's ``apply_patch_call`` reaches the editor's
``create_file`` / ``update_file`` / ``delete_file`` as an ``ApplyPatchOperation`` (``diff`` for a create or update,
``None`` for a delete, ``move_to`` kept); what the editor returns (``ApplyPatchResult``, text or ``None``) goes back
as an ``apply_patch_call_output`` (``status`` ``completed`` / ``failed``: one failed operation fails the call); an
editor that raises answers the model with a failed output instead of failing the run; ``needs_approval`` pauses the
run, a rejection answers with a failed output holding the message. ``apply_diff`` applies a V4A diff: anchors (a lone
unmatched one is a hint, stacked ones must match), context, CRLF kept as the file has it, ``create`` mode.

This runtime's own guarantees: each call is an ``execute_tool`` span (``gen_ai.tool.type`` ``apply_patch``), a sync
editor runs in a worker thread, and the Responses wire carries ``{"type": "apply_patch"}`` and the output item.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    ApplyPatchEditor,
    ApplyPatchOperation,
    ApplyPatchResult,
    ApplyPatchTool,
    ModelBehaviorError,
    RawInputItem,
    Runner,
    ToolCallOutputItem,
    UserError,
    apply_diff,
)
from agents_otel.testing import ScriptedModel, assistant_message

# ---- apply_diff ----------------------------------------------------------------------------------------------------


def test_a_bare_hunk_adds_lines_to_an_empty_file() -> None:
    assert apply_diff("", "@@\n+alpha\n+beta") == "alpha\nbeta\n"
    assert apply_diff("", "@@\r\n+alpha\r\n+beta") == "alpha\r\nbeta\r\n"  # a new file takes the diff's newlines


def test_create_mode_takes_plus_lines_only() -> None:
    assert apply_diff("", "+one\n+two\n+", mode="create") == "one\ntwo\n"
    assert apply_diff("", "+one\r\n+two", mode="create") == "one\r\ntwo"
    with pytest.raises(ValueError):
        apply_diff("", "one", mode="create")


@pytest.mark.parametrize(("newline", "diff_newline"), [("\n", "\n"), ("\r\n", "\n"), ("\n", "\r\n"), ("\r\n", "\r\n")])
def test_context_replacement_keeps_the_files_newlines(newline: str, diff_newline: str) -> None:
    text = newline.join(["a", "b", "c", ""])
    diff = diff_newline.join(["@@ a", "-b", "+B", " c"])
    assert apply_diff(text, diff) == newline.join(["a", "B", "c", ""])


def test_stacked_anchors_narrow_to_the_named_block() -> None:
    text = "class One\n    def run():\n        pass\n\nclass Two\n    def other():\n        pass\n"
    text += "    def run():\n        pass\n"
    diff = "@@ class Two\n@@     def run():\n-        pass\n+        return 2"
    assert apply_diff(text, diff) == text[: text.rindex("pass")] + "return 2\n"


def test_hunks_apply_in_order_and_a_passed_anchor_may_be_named_again() -> None:
    text = "class K\n    def a():\n        pass\n    def b():\n        pass\n"
    diff = "@@ class K\n@@     def a():\n-        pass\n+        return 'a'\n"
    diff += "@@ class K\n@@     def b():\n-        pass\n+        return 'b'"
    assert apply_diff(text, diff) == "class K\n    def a():\n        return 'a'\n    def b():\n        return 'b'\n"


def test_a_lone_unmatched_anchor_is_only_a_hint() -> None:
    assert apply_diff("x\ny\n", "@@ nowhere\n-y\n+Y") == "x\nY\n"


@pytest.mark.parametrize(
    "diff",
    [
        "@@ class K\n@@     def missing():\n-        pass\n+        return 1",  # the second anchor is not there
        "@@ class Missing\n@@     def a():\n-        pass\n+        return 1",  # the first is not there
        "@@ missing\n@@\n-        pass\n+        return 1",  # a missing anchor then a bare marker
    ],
)
def test_stacked_anchors_must_all_match(diff: str) -> None:
    with pytest.raises(ValueError, match="Invalid Anchor"):
        apply_diff("class K\n    def a():\n        pass\n", diff)


def test_a_trailing_bare_anchor_is_fine() -> None:
    assert apply_diff("class K\n    x = 1\n", "@@ class K\n@@\n-    x = 1\n+    x = 2") == "class K\n    x = 2\n"


def test_context_that_is_not_in_the_file_raises() -> None:
    with pytest.raises(ValueError, match="Invalid Context"):
        apply_diff("one\ntwo\n", "@@ -1,2 +1,2 @@\n other\n-two\n+2")
    with pytest.raises(ValueError, match="Invalid diff"):
        apply_diff("one\n", "*** Begin Nonsense\n-one")


def test_end_of_file_pins_the_block_to_the_end() -> None:
    assert apply_diff("x\nend\nx\nend\n", "-x\n+y\n end\n*** End of File") == "x\nend\ny\nend\n"


# ---- the tool ------------------------------------------------------------------------------------------------------


class Editor:
    """Files in a dict; sync methods (they must run in a worker thread)."""

    def __init__(self, files: dict[str, str] | None = None) -> None:
        self.files = dict(files or {})
        self.threads: list[str] = []
        self.seen: list[ApplyPatchOperation] = []

    def _note(self, operation: ApplyPatchOperation) -> None:
        self.seen.append(operation)
        self.threads.append(threading.current_thread().name)

    def create_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        self._note(operation)
        self.files[operation.path] = apply_diff("", operation.diff or "", mode="create")
        return ApplyPatchResult(output=f"Created {operation.path}")

    def update_file(self, operation: ApplyPatchOperation) -> str:
        self._note(operation)
        if operation.path not in self.files:
            raise FileNotFoundError(operation.path)
        text = apply_diff(self.files.pop(operation.path), operation.diff or "")
        self.files[operation.move_to or operation.path] = text
        return f"Updated {operation.path}"

    def delete_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult | None:
        self._note(operation)
        if self.files.pop(operation.path, None) is None:
            return ApplyPatchResult(status="failed", output=f"No {operation.path}")
        return None


def patch_call(call_id: str = "call_p", **payload: Any) -> RawInputItem:
    data = {"type": "apply_patch_call", "id": f"ap_{call_id}", "call_id": call_id, "status": "completed"}
    return RawInputItem({**data, **payload})


def scripted(tool: ApplyPatchTool, *first: RawInputItem) -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([list(first), [assistant_message("done")]])
    return Agent("patcher", model=model, tools=[tool]), model


def sent_back(model: ScriptedModel) -> list[dict[str, Any]]:
    items = [i.data for i in model.calls[1].input if isinstance(i, RawInputItem)]
    return [i for i in items if i["type"] == "apply_patch_call_output"]


def test_the_editor_protocol_and_the_tools_checks() -> None:
    assert isinstance(Editor(), ApplyPatchEditor)
    assert ApplyPatchTool(editor=Editor()).tool_param() == {"type": "apply_patch"}
    with pytest.raises(UserError, match="lacks"):
        ApplyPatchTool(editor=object())  # type: ignore[arg-type]


async def test_operations_reach_the_editor_in_a_thread_and_the_output_goes_back(tracing: Tracing) -> None:
    editor = Editor({"app.py": "x = 1\n"})
    agent, model = scripted(
        ApplyPatchTool(editor=editor),
        patch_call("c1", operation={"type": "create_file", "path": "new.txt", "diff": "+hello\n+"}),
        patch_call(
            "c2", operation={"type": "update_file", "path": "app.py", "diff": "-x = 1\n+x = 2", "move_to": "b.py"}
        ),
    )
    result = await Runner.run(agent, "edit", run_config=tracing.config)
    assert editor.files == {"new.txt": "hello\n", "b.py": "x = 2\n"}
    assert [o.type for o in editor.seen] == ["create_file", "update_file"]
    assert editor.seen[1].move_to == "b.py" and editor.seen[1].ctx_wrapper is not None
    assert threading.main_thread().name not in editor.threads
    outputs = [o.output for o in result.new_items if isinstance(o, ToolCallOutputItem)]
    assert outputs == ["Created new.txt", "Updated app.py"]
    assert sent_back(model) == [
        {"type": "apply_patch_call_output", "call_id": "c1", "status": "completed", "output": "Created new.txt"},
        {"type": "apply_patch_call_output", "call_id": "c2", "status": "completed", "output": "Updated app.py"},
    ]
    span = tracing.tool_span("c1")
    assert span.name == "execute_tool apply_patch"
    assert span.attributes["gen_ai.tool.type"] == "apply_patch"  # type: ignore[index]


async def test_one_tools_calls_run_one_after_another_in_the_models_order() -> None:
    """As in the SDK, where a category's calls run in a loop: two patches must never race on the same files. Each
    call's (async) editor yields to the loop a few times; had the second call started beside the first, it would
    have begun in between (tasks start eagerly, one per call)."""
    log: list[str] = []

    class Slow:
        async def create_file(self, operation: ApplyPatchOperation) -> str:
            log.append(f"start {operation.path}")
            for _ in range(5):
                await asyncio.sleep(0)
            log.append(f"end {operation.path}")
            return f"Created {operation.path}"

        update_file = delete_file = create_file

    calls = [patch_call(f"c{i}", operation={"type": "create_file", "path": f"{i}.txt", "diff": "+x"}) for i in range(3)]
    agent, model = scripted(ApplyPatchTool(editor=Slow()), *calls)  # type: ignore[arg-type]
    await Runner.run(agent, "edit")
    assert log == [f"{what} {i}.txt" for i in range(3) for what in ("start", "end")]
    assert [o["call_id"] for o in sent_back(model)] == ["c0", "c1", "c2"]


async def test_one_failed_operation_fails_the_call_even_if_a_later_one_completes() -> None:
    editor = Editor({"keep.txt": "k\n"})
    operations = [
        {"type": "delete_file", "path": "gone.txt"},
        {"type": "create_file", "path": "n.txt", "diff": "+n"},
    ]
    agent, model = scripted(ApplyPatchTool(editor=editor), patch_call(operations=operations))
    await Runner.run(agent, "edit")
    assert sent_back(model) == [
        {
            "type": "apply_patch_call_output",
            "call_id": "call_p",
            "status": "failed",
            "output": "No gone.txt\nCreated n.txt",
        }
    ]


async def test_a_raising_editor_answers_with_a_failed_output(tracing: Tracing) -> None:
    agent, model = scripted(
        ApplyPatchTool(editor=Editor()),
        patch_call(operation={"type": "update_file", "path": "nope.py", "diff": "-a\n+b"}),
    )
    result = await Runner.run(agent, "edit", run_config=tracing.config)
    assert result.final_output == "done"
    failed = {"type": "apply_patch_call_output", "call_id": "call_p", "status": "failed", "output": "nope.py"}
    assert sent_back(model) == [failed]
    assert tracing.tool_span("call_p").attributes["error.type"] == "FileNotFoundError"  # type: ignore[index]


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ({"type": "rename_file", "path": "a"}, "Unknown apply_patch operation"),
        ({"type": "update_file", "path": "a"}, "missing the required diff"),
        ({"type": "create_file", "path": "", "diff": "+x"}, "valid path"),
    ],
)
async def test_a_malformed_operation_fails_the_run(operation: dict[str, Any], message: str) -> None:
    editor = Editor()
    agent, _ = scripted(ApplyPatchTool(editor=editor), patch_call(operation=operation))
    with pytest.raises(ModelBehaviorError, match=message):
        await Runner.run(agent, "edit")
    assert editor.seen == []


async def test_needs_approval_sees_the_operation_and_a_rejection_answers_failed() -> None:
    asked: list[tuple[str, str]] = []

    async def policy(ctx: Any, operation: ApplyPatchOperation, call_id: str) -> bool:
        asked.append((operation.path, call_id))
        return True

    editor = Editor()
    agent, model = scripted(
        ApplyPatchTool(editor=editor, needs_approval=policy),
        patch_call(operation={"type": "create_file", "path": "a.txt", "diff": "+a"}),
    )
    first = await Runner.run(agent, "edit")
    assert asked == [("a.txt", "call_p")]
    state = first.to_state()
    state.reject(first.interruptions[0], rejection_message="Not that file.")
    await Runner.run(agent, state)
    assert editor.seen == []
    assert sent_back(model) == [
        {"type": "apply_patch_call_output", "call_id": "call_p", "status": "failed", "output": "Not that file."}
    ]


async def test_responses_wire_carries_the_tool_and_the_output(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    call = {
        "type": "apply_patch_call",
        "id": "ap_w",
        "call_id": "call_w",
        "status": "completed",
        "operation": {"type": "create_file", "path": "w.txt", "diff": "+wire\n+"},
    }
    fake_openai.enqueue(hosted_calls=[call])
    fake_openai.enqueue(text="Done.")
    editor = Editor()
    agent = Agent("A", tools=[ApplyPatchTool(editor=editor)], model=wire_model("responses", client))
    assert (await Runner.run(agent, "write")).final_output == "Done."
    assert editor.files == {"w.txt": "wire\n"}
    first, second = (r.body for r in fake_openai.requests)
    assert first["tools"] == [{"type": "apply_patch"}]
    sent_call, answer = second["input"][1:]
    assert sent_call["type"] == "apply_patch_call" and sent_call["operation"]["path"] == "w.txt"
    assert answer == {
        "type": "apply_patch_call_output",
        "call_id": "call_w",
        "status": "completed",
        "output": "Created w.txt",
    }
