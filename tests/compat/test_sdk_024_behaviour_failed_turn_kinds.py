"""SDK 0.24 "preserve completed tool outputs when a sibling fails", for calls that are not function calls.

When a call fails the run, the SDK keeps each completed call of the turn whatever its kind (a custom tool's, a
shell's, an apply_patch's, a computer's) with its own output item, in the session, in ``error.run_data.new_items``
and in a failed streamed result's ``to_input_list()``; a retry does not run it again. It keeps nothing of the turn
when the conversation is server-managed (``previous_response_id`` / ``conversation_id``) or when the agent's output
guardrails would judge a tool's final output. Learnt from the SDK's test_native_tool_failure_history.py and
``run_internal/turn_resolution.py``; the function-call cases are in test_sdk_024_behaviour_sibling_failure.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agents_otel import (
    Agent,
    ApplyPatchOperation,
    ApplyPatchTool,
    AsyncComputer,
    ComputerTool,
    CustomTool,
    GuardrailFunctionOutput,
    LocalShellTool,
    Runner,
    ShellTool,
    SQLiteSession,
    ToolCallItem,
    ToolCallOutputItem,
    UserError,
    function_tool,
    output_guardrail,
)
from agents_otel.items import RawInputItem
from agents_otel.testing import ScriptedModel, assistant_message, computer_call, custom_tool_call, function_call

PNG = "iVBORw0KGgo="


def shape(items: list[dict[str, Any]]) -> list[str]:
    return [f"{i['type']}:{i['call_id']}" if "call_id" in i else i.get("type", i.get("role", "?")) for i in items]


def native(kind: str, done: asyncio.Event, effects: list[str]) -> tuple[Any, RawInputItem, str]:
    """A tool of ``kind``, the model's call to it (id ``native``) and its output item's type."""

    async def work(*_: Any) -> str:
        effects.append(kind)
        done.set()
        return "ran"

    if kind == "custom":
        tool = CustomTool(name="native", description="raw input", on_invoke_tool=work)
        return tool, custom_tool_call("native", "payload", call_id="native"), "custom_tool_call_output"
    if kind == "shell":
        call = {"type": "shell_call", "id": "sh_1", "call_id": "native", "status": "completed",
                "action": {"commands": ["make"]}}
        return ShellTool(executor=work), RawInputItem(call), "shell_call_output"
    if kind == "local_shell":
        call = {"type": "local_shell_call", "id": "lsh_1", "call_id": "native", "status": "completed",
                "action": {"type": "exec", "command": ["make"], "env": {}}}
        return LocalShellTool(executor=work), RawInputItem(call), "local_shell_call_output"

    class Editor:
        async def create_file(self, operation: ApplyPatchOperation) -> str:
            return await work()

        async def update_file(self, operation: ApplyPatchOperation) -> str:
            return await work()

        async def delete_file(self, operation: ApplyPatchOperation) -> str:
            return await work()

    call = {"type": "apply_patch_call", "id": "ap_1", "call_id": "native", "status": "completed",
            "operation": {"type": "create_file", "path": "a.txt", "diff": "+a"}}
    return ApplyPatchTool(editor=Editor()), RawInputItem(call), "apply_patch_call_output"


def model_input(model: ScriptedModel) -> list[dict[str, Any]]:
    """What the model was last sent, as input items."""
    from agents_otel.input_items import input_list

    return input_list(model.calls[-1].input)  # type: ignore[arg-type]


async def drive(agent: Agent[Any], streamed: bool, **kwargs: Any) -> tuple[Any, Exception]:
    result: Any = None
    try:
        if streamed:
            result = Runner.run_streamed(agent, "go", **kwargs)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "go", **kwargs)
    except Exception as error:
        return result, error
    raise AssertionError("the run was expected to fail")


def failing_sibling(done: asyncio.Event) -> Any:
    @function_tool(failure_error_function=None)
    async def deploy() -> str:
        await done.wait()
        raise ValueError("deploy failed")

    return deploy


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("kind", ["custom", "shell", "apply_patch", "local_shell"])
async def test_a_completed_native_call_survives_its_siblings_failure(kind: str, streamed: bool) -> None:
    done = asyncio.Event()
    effects: list[str] = []
    tool, call, output_type = native(kind, done, effects)
    first = [call, function_call("deploy", {}, call_id="deploy"), assistant_message("working")]
    model = ScriptedModel([first, [assistant_message("done")]])
    agent = Agent(name="ops", model=model, tools=[tool, failing_sibling(done)])
    session = SQLiteSession(f"native-{kind}")
    result, error = await drive(agent, streamed, session=session)
    assert isinstance(error, UserError) and "deploy failed" in str(error)
    expected = [f"{call.data['type']}:native", f"{output_type}:native"]
    saved = await session.get_items()
    assert shape(saved) == ["user", *expected]
    assert saved[1] == call.data  # the model's own item, as it came
    if kind == "shell":  # the real output item, not one rebuilt from the text
        assert saved[2]["output"] == [{"stdout": "ran", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}]
    elif kind == "apply_patch":
        assert saved[2]["status"] == "completed" and saved[2]["output"] == "ran"
    elif kind == "local_shell":  # the local shell's own output item, not a function_call_output
        assert saved[2] == {"type": "local_shell_call_output", "call_id": "native", "output": "ran"}
    else:
        assert saved[2]["output"] == "ran"
    assert error.run_data is not None  # type: ignore[attr-defined]
    kept = error.run_data.new_items  # type: ignore[attr-defined]
    assert [(type(i), i.call.tool_call_id) for i in kept] == [(ToolCallItem, "native"), (ToolCallOutputItem, "native")]
    if result is not None:
        assert result.to_input_list() == saved
        state = result.to_state()  # as the SDK's: resuming it calls the model again from the same items
        assert state.interruptions == [] and state.to_json()["turn"]["finished"] is True
    await Runner.run(agent, "finish", session=session)  # the retry goes on from what is true
    assert shape(model_input(model)) == ["user", *expected, "user"]
    assert effects == [kind]


@pytest.mark.parametrize("streamed", [False, True])
async def test_computer_calls_that_completed_survive_a_later_failure(streamed: bool) -> None:
    class Screen(AsyncComputer):
        def __init__(self) -> None:
            self.clicks = 0

        async def screenshot(self) -> str:
            return PNG

        async def click(self, x: int, y: int, button: Any, *, keys: list[str] | None = None) -> None:
            self.clicks += 1
            if self.clicks == 2:
                raise RuntimeError("display lost")

        async def double_click(self, x: int, y: int) -> None: ...
        async def scroll(self, x: int, y: int, scroll_x: int, scroll_y: int) -> None: ...
        async def type(self, text: str) -> None: ...
        async def wait(self) -> None: ...
        async def move(self, x: int, y: int) -> None: ...
        async def keypress(self, keys: list[str]) -> None: ...
        async def drag(self, path: list[tuple[int, int]]) -> None: ...

    @function_tool
    def note() -> str:
        return "noted"

    click = {"type": "click", "x": 1, "y": 2, "button": "left"}
    first = [
        function_call("note", {}, call_id="note"),
        computer_call(click, call_id="c1"),
        computer_call(click, call_id="c2"),
    ]
    model = ScriptedModel([first, [assistant_message("done")]])
    agent = Agent(name="operator", model=model, tools=[ComputerTool(Screen()), note])
    session = SQLiteSession("computer")
    result, error = await drive(agent, streamed, session=session)
    assert "display lost" in str(error)
    expected = ["function_call:note", "computer_call:c1", "function_call_output:note", "computer_call_output:c1"]
    assert shape(await session.get_items()) == ["user", *expected]
    assert shape([i.to_input_item() for i in error.run_data.new_items]) == expected  # type: ignore[attr-defined]
    if result is not None:
        assert shape(result.to_input_list()) == ["user", *expected]


@pytest.mark.parametrize("streamed", [False, True])
async def test_output_guardrails_on_a_final_tool_output_keep_nothing_of_the_turn(streamed: bool) -> None:
    done = asyncio.Event()

    @function_tool
    async def lookup() -> str:
        done.set()
        return "found"

    @output_guardrail
    async def judge(context: Any, agent: Any, output: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    first = [function_call("lookup", {}, call_id="lookup"), function_call("deploy", {}, call_id="deploy")]
    model = ScriptedModel([first])
    agent = Agent(
        name="guarded", model=model, tools=[lookup, failing_sibling(done)], output_guardrails=[judge],
        tool_use_behavior="stop_on_first_tool",
    )
    session = SQLiteSession("guarded")
    _, error = await drive(agent, streamed, session=session)
    assert isinstance(error, UserError)
    assert shape(await session.get_items()) == ["user"]


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_server_managed_conversation_keeps_the_turn_as_it_was(streamed: bool) -> None:
    done = asyncio.Event()
    effects: list[str] = []
    tool, call, _ = native("custom", done, effects)
    model = ScriptedModel([[call, function_call("deploy", {}, call_id="deploy")]])
    agent = Agent(name="ops", model=model, tools=[tool, failing_sibling(done)])
    _, error = await drive(agent, streamed, previous_response_id="resp_0")
    assert isinstance(error, UserError) and error.run_data is not None
    ids = [i.call.tool_call_id for i in error.run_data.new_items if type(i) is ToolCallItem]
    assert ids == ["native", "deploy"]  # not cut: the server holds the turn (the SDK does not cut it either)
