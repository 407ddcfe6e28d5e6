"""Compatibility: the OpenAI Agents SDK's computer use (``ComputerTool``, ``Computer`` / ``AsyncComputer``,
``ComputerProvider``, ``resolve_computer`` / ``dispose_resolved_computers``).

What the SDK does and this runtime must do too: each ``computer_call`` the model makes runs its actions (``action``,
or the GA tool's batched ``actions``) on the program's computer in order, with the modifier ``keys`` of a mouse action
passed to a driver that takes them, then answers with a screenshot (reusing the batch's own when it ended on one) as
a ``computer_call_output`` whose ``image_url`` is a PNG data URL; pending safety checks are acknowledged through
``on_safety_check`` (a declined one fails the run); hooks see the ``ComputerTool`` itself; a provider's computer is
made per run and disposed when the run ends, and concurrent runs never share one. On the wire the tool is the
preview entry (environment, display size) for ``computer-use-preview`` models and ``{"type": "computer"}`` for the
others.

What this runtime adds, asserted here: each call is an ``execute_tool`` span like a function tool's (no screenshot
bytes on it: its type and size instead); a sync ``Computer`` runs in a worker thread, never on the event loop; Chat
Completions refuses the tool with ``UserError`` before sending anything. Deliberate differences: a failing computer
action fails the run with a ``UserError`` naming the tool (the driver's exception is its ``__cause__``), as a function
tool's does with ``failure_error_function=None``; ``resolve_computer`` does not overwrite ``tool.computer``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseComputerToolCall
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    AsyncComputer,
    Button,
    Computer,
    ComputerProvider,
    ComputerTool,
    Environment,
    ModelBehaviorError,
    ModelSettings,
    RunContextWrapper,
    RunHooks,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    UserError,
    dispose_resolved_computers,
    resolve_computer,
)
from agents_otel.testing import ScriptedModel, assistant_message, computer_call
from agents_otel.tool import ComputerToolSafetyCheckData

PNG = "iVBORw0KGgo="  # base64 of the 8 bytes of the PNG signature


class RecordingComputer(Computer):
    """The user's computer, as a test writes one: it records what it was asked to do."""

    def __init__(self, label: str = "computer", screenshot: Any = PNG, dimensions: tuple[int, int] = (1024, 768)):
        self.label = label
        self.calls: list[tuple[Any, ...]] = []
        self.threads: list[int] = []
        self._screenshot = screenshot
        self._dimensions = dimensions

    @property
    def environment(self) -> Environment:
        return "mac"

    @property
    def dimensions(self) -> tuple[int, int]:
        return self._dimensions

    def _record(self, *call: Any) -> None:
        self.threads.append(threading.get_ident())
        self.calls.append(call)

    def screenshot(self) -> str:
        self._record("screenshot")
        return self._screenshot  # type: ignore[no-any-return]

    def click(self, x: int, y: int, button: Button, *, keys: list[str] | None = None) -> None:
        self._record("click", x, y, button, *([keys] if keys else []))

    def double_click(self, x: int, y: int) -> None:
        self._record("double_click", x, y)

    def scroll(self, x: int, y: int, scroll_x: int, scroll_y: int, *, keys: list[str] | None = None) -> None:
        self._record("scroll", x, y, scroll_x, scroll_y, *([keys] if keys else []))

    def type(self, text: str) -> None:
        self._record("type", text)

    def wait(self) -> None:
        self._record("wait")

    def move(self, x: int, y: int, **kwargs: Any) -> None:
        self._record("move", x, y, *([kwargs] if kwargs else []))

    def keypress(self, keys: list[str]) -> None:
        self._record("keypress", keys)

    def drag(self, path: list[tuple[int, int]]) -> None:
        self._record("drag", path)


class RecordingAsyncComputer(AsyncComputer):
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def screenshot(self) -> str:
        self.calls.append(("screenshot",))
        return PNG

    async def click(self, x: int, y: int, button: Button, *, keys: list[str] | None = None) -> None:
        self.calls.append(("click", x, y, button, *([keys] if keys else [])))

    async def double_click(self, x: int, y: int) -> None:
        self.calls.append(("double_click", x, y))

    async def scroll(self, x: int, y: int, scroll_x: int, scroll_y: int) -> None:
        self.calls.append(("scroll", x, y, scroll_x, scroll_y))

    async def type(self, text: str) -> None:
        self.calls.append(("type", text))

    async def wait(self) -> None:
        self.calls.append(("wait",))

    async def move(self, x: int, y: int) -> None:
        self.calls.append(("move", x, y))

    async def keypress(self, keys: list[str]) -> None:
        self.calls.append(("keypress", keys))

    async def drag(self, path: list[tuple[int, int]]) -> None:
        self.calls.append(("drag", path))


def computer_agent(tool: ComputerTool[Any], *calls: Any, answer: str = "done") -> Agent[Any]:
    """An agent whose model makes ``calls`` (each a turn's items), then answers."""
    steps: list[Any] = [[c] if not isinstance(c, list) else c for c in calls]
    return Agent(name="Operator", tools=[tool], model=ScriptedModel([*steps, [assistant_message(answer)]]))


ACTIONS = [
    ({"type": "click", "x": 10, "y": 21, "button": "left"}, ("click", 10, 21, "left")),
    ({"type": "double_click", "x": 42, "y": 47}, ("double_click", 42, 47)),
    ({"type": "drag", "path": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}, ("drag", [(1, 2), (3, 4)])),
    ({"type": "keypress", "keys": ["ctrl", "c"]}, ("keypress", ["ctrl", "c"])),
    ({"type": "move", "x": 100, "y": 200}, ("move", 100, 200)),
    ({"type": "scroll", "x": 1, "y": 2, "scroll_x": 3, "scroll_y": -4}, ("scroll", 1, 2, 3, -4)),
    ({"type": "type", "text": "hello"}, ("type", "hello")),
    ({"type": "wait"}, ("wait",)),
]


# ---- actions ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "expected"), ACTIONS, ids=[a["type"] for a, _ in ACTIONS])
async def test_each_action_runs_on_a_sync_computer_then_a_screenshot_answers(
    action: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    computer = RecordingComputer()
    agent = computer_agent(ComputerTool(computer), computer_call(action, batched=False, call_id="c1"))
    result = await Runner.run(agent, "go")
    assert result.final_output == "done"
    assert computer.calls == [expected, ("screenshot",)]
    output = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert [o.output for o in output] == [f"data:image/png;base64,{PNG}"]
    assert result.to_input_list()[2] == {
        "type": "computer_call_output",
        "call_id": "c1",
        "output": {"type": "computer_screenshot", "image_url": f"data:image/png;base64,{PNG}"},
    }


@pytest.mark.parametrize(("action", "expected"), ACTIONS, ids=[a["type"] for a, _ in ACTIONS])
async def test_each_action_runs_on_an_async_computer(action: dict[str, Any], expected: tuple[Any, ...]) -> None:
    computer = RecordingAsyncComputer()
    agent = computer_agent(ComputerTool(computer), computer_call(action))
    assert (await Runner.run(agent, "go")).final_output == "done"
    assert computer.calls == [expected, ("screenshot",)]


async def test_a_batch_runs_in_order_and_reuses_its_own_final_screenshot() -> None:
    computer = RecordingComputer()
    click = {"type": "click", "x": 11, "y": 12, "button": "left"}
    agent = computer_agent(
        ComputerTool(computer),
        computer_call(click, {"type": "type", "text": "hi"}),
        computer_call({"type": "wait"}, {"type": "screenshot"}),
    )
    await Runner.run(agent, "go")
    assert computer.calls == [("click", 11, 12, "left"), ("type", "hi"), ("screenshot",), ("wait",), ("screenshot",)]


async def test_modifier_keys_reach_drivers_that_take_them_and_are_dropped_with_a_warning_otherwise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    computer = RecordingComputer()
    actions = [
        {"type": "click", "x": 4, "y": 8, "button": "left", "keys": ["shift", "ctrl"]},
        {"type": "move", "x": 1, "y": 2, "keys": ["meta"]},  # a **kwargs driver method gets them too
        {"type": "drag", "path": [{"x": 0, "y": 0}], "keys": ["alt"]},  # drag() takes no keys
    ]
    with caplog.at_level(logging.WARNING):
        await Runner.run(computer_agent(ComputerTool(computer), computer_call(*actions)), "go")
    assert computer.calls == [
        ("click", 4, 8, "left", ["shift", "ctrl"]),
        ("move", 1, 2, {"keys": ["meta"]}),
        ("drag", [(0, 0)]),
        ("screenshot",),
    ]
    assert "'drag' does not accept keyword argument(s) keys" in caplog.text


async def test_a_sync_computer_runs_in_a_worker_thread_while_the_event_loop_stays_free() -> None:
    loop = asyncio.get_running_loop()
    loop_free = threading.Event()

    class BlockingComputer(RecordingComputer):
        def click(self, x: int, y: int, button: Button, *, keys: list[str] | None = None) -> None:
            loop.call_soon_threadsafe(loop_free.set)  # runs only if the loop is not blocked by this very call
            assert loop_free.wait(10)  # a safety net: on the loop thread this would wait in vain
            super().click(x, y, button)

    computer = BlockingComputer()
    agent = computer_agent(ComputerTool(computer), computer_call({"type": "click", "x": 1, "y": 1, "button": "left"}))
    assert (await Runner.run(agent, "go")).final_output == "done"
    assert computer.threads and threading.get_ident() not in computer.threads


async def test_an_unknown_action_is_a_model_behavior_error_before_anything_runs() -> None:
    computer = RecordingComputer()
    batch = computer_call({"type": "click", "x": 1, "y": 1, "button": "left"}, {"type": "teleport"})
    with pytest.raises(ModelBehaviorError, match="unknown action type 'teleport'"):
        await Runner.run(computer_agent(ComputerTool(computer), batch), "go")
    assert computer.calls == []


async def test_a_screenshot_that_is_not_base64_text_fails_the_run() -> None:
    agent = computer_agent(ComputerTool(RecordingComputer(screenshot=b"png")), computer_call({"type": "wait"}))
    with pytest.raises(UserError, match=r"screenshot\(\) returned bytes"):
        await Runner.run(agent, "go")


async def test_a_failing_action_fails_the_run_naming_the_tool_and_its_span_records_the_error(
    tracing: Tracing,
) -> None:
    class Broken(RecordingComputer):
        def screenshot(self) -> str:
            raise RuntimeError("display gone")

    agent = computer_agent(ComputerTool(Broken()), computer_call({"type": "wait"}, call_id="c1"))
    with pytest.raises(UserError, match="display gone") as raised:
        await Runner.run(agent, "go", run_config=tracing.config)
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert tracing.tool_span("c1").status.status_code.name == "ERROR"


async def test_a_computer_call_without_a_computer_tool_is_a_model_behavior_error() -> None:
    agent = Agent(name="A", model=ScriptedModel([[computer_call({"type": "wait"})]]))
    with pytest.raises(ModelBehaviorError, match="has no ComputerTool"):
        await Runner.run(agent, "go")


# ---- items, stream, hooks, spans ----------------------------------------------------------------------------------


async def test_run_items_and_stream_events_are_the_sdks() -> None:
    computer = RecordingComputer()
    agent = computer_agent(ComputerTool(computer), computer_call({"type": "screenshot"}, call_id="c1"))
    streamed = Runner.run_streamed(agent, "go")
    events = [e async for e in streamed.stream_events() if getattr(e, "name", None) in ("tool_called", "tool_output")]
    assert [e.name for e in events] == ["tool_called", "tool_output"]  # type: ignore[attr-defined]
    call, output = (e.item for e in events)  # type: ignore[attr-defined]
    assert isinstance(call, ToolCallItem) and isinstance(output, ToolCallOutputItem)
    assert isinstance(call.raw_item, ResponseComputerToolCall) and call.raw_item.call_id == "c1"
    assert call.tool_name == "computer" and json.loads(call.arguments) == [{"type": "screenshot"}]
    assert call.to_input_item()["type"] == "computer_call"
    assert output.raw_item["type"] == "computer_call_output"
    assert output.raw_item["output"]["image_url"] == f"data:image/png;base64,{PNG}"
    assert output.output.startswith("data:image/png;base64,")
    assert computer.calls == [("screenshot",)]


async def test_hooks_see_the_computer_tool_itself_and_the_screenshot() -> None:
    class Hooks(RunHooks[Any]):
        def __init__(self) -> None:
            self.started: list[Any] = []
            self.ended: list[tuple[Any, Any]] = []

        async def on_tool_start(self, context: Any, agent: Any, tool: Any) -> None:
            self.started.append(tool)

        async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: Any) -> None:
            self.ended.append((tool, result))

    tool = ComputerTool(RecordingComputer())
    agent = computer_agent(tool, computer_call({"type": "click", "x": 1, "y": 2, "button": "left"}))
    hooks = Hooks()
    await Runner.run(agent, "go", hooks=hooks)
    assert hooks.started == [tool]
    assert hooks.ended == [(tool, PNG)]
    assert agent.model.calls[0].hosted_tools[0] is tool  # type: ignore[attr-defined]  # a concrete computer: same tool


@pytest.mark.parametrize("capture", [False, True])
async def test_each_call_is_an_execute_tool_span_without_the_screenshot_bytes(tracing: Tracing, capture: bool) -> None:
    agent = computer_agent(
        ComputerTool(RecordingComputer()),
        computer_call({"type": "click", "x": 1, "y": 2, "button": "left"}, {"type": "type", "text": "x"}, call_id="c1"),
    )
    config = tracing.config
    config.trace_include_sensitive_data = capture
    await Runner.run(agent, "go", run_config=config)
    span = tracing.tool_span("c1")
    attributes = dict(span.attributes or {})
    assert span.name == "execute_tool computer"
    assert attributes["gen_ai.operation.name"] == "execute_tool"
    assert attributes["gen_ai.tool.name"] == "computer"
    assert attributes["gen_ai.tool.type"] == "function"
    assert list(attributes["agents_otel.computer.actions"]) == ["click", "type"]  # type: ignore[arg-type]
    assert attributes["agents_otel.computer.screenshot.mime_type"] == "image/png"
    assert attributes["agents_otel.computer.screenshot.size"] == 8
    if capture:
        assert attributes["gen_ai.tool.call.result"] == "[image/png screenshot, 8 bytes]"
    else:
        assert "gen_ai.tool.call.result" not in attributes
    every_value = json.dumps([dict(s.attributes or {}) for s in tracing.spans()], default=str)
    assert PNG not in every_value


# ---- safety checks ------------------------------------------------------------------------------------------------

CHECK = {"id": "sc_1", "code": "malicious_instructions", "message": "Careful"}


async def test_pending_safety_checks_acknowledged_by_the_callback_go_back_with_the_output() -> None:
    asked: list[ComputerToolSafetyCheckData] = []

    async def on_safety_check(data: ComputerToolSafetyCheckData) -> bool:
        asked.append(data)
        return True

    computer = RecordingComputer()
    tool = ComputerTool(computer, on_safety_check=on_safety_check)
    agent = computer_agent(tool, computer_call({"type": "wait"}, call_id="c1", pending_safety_checks=[CHECK]))
    result = await Runner.run(agent, "go")
    assert [a.safety_check.id for a in asked] == ["sc_1"]
    assert asked[0].agent is agent and isinstance(asked[0].tool_call, ResponseComputerToolCall)
    assert result.to_input_list()[2]["acknowledged_safety_checks"] == [CHECK]
    assert computer.calls == [("wait",), ("screenshot",)]


async def test_a_declined_safety_check_fails_the_run_before_the_action() -> None:
    computer = RecordingComputer()
    tool = ComputerTool(computer, on_safety_check=lambda data: False)
    agent = computer_agent(tool, computer_call({"type": "wait"}, pending_safety_checks=[CHECK]))
    with pytest.raises(UserError, match="safety check was not acknowledged"):
        await Runner.run(agent, "go")
    assert computer.calls == []


async def test_without_a_callback_the_call_runs_unacknowledged() -> None:
    computer = RecordingComputer()
    agent = computer_agent(ComputerTool(computer), computer_call({"type": "wait"}, pending_safety_checks=[CHECK]))
    result = await Runner.run(agent, "go")
    assert "acknowledged_safety_checks" not in result.to_input_list()[2]
    assert computer.calls == [("wait",), ("screenshot",)]


# ---- a computer per run -------------------------------------------------------------------------------------------


async def test_resolve_computer_gives_each_run_context_its_own_until_disposed() -> None:
    made: list[RecordingComputer] = []

    async def create(*, run_context: RunContextWrapper[Any]) -> RecordingComputer:
        made.append(RecordingComputer(f"computer-{len(made) + 1}"))
        return made[-1]

    tool = ComputerTool(computer=create)
    ctx_a, ctx_b = RunContextWrapper(None), RunContextWrapper(None)
    a1 = await resolve_computer(tool=tool, run_context=ctx_a)
    assert await resolve_computer(tool=tool, run_context=ctx_a) is a1
    b1 = await resolve_computer(tool=tool, run_context=ctx_b)
    assert b1 is not a1 and len(made) == 2
    assert tool.computer is create  # the tool keeps its factory (the SDK overwrites it with the last computer)
    await dispose_resolved_computers(run_context=ctx_a)
    assert await resolve_computer(tool=tool, run_context=ctx_a) is not a1
    assert len(made) == 3


async def test_a_provider_computer_is_made_for_the_run_and_disposed_when_it_ends() -> None:
    created = RecordingComputer("created")
    disposed: list[tuple[Any, Any]] = []

    def dispose(*, run_context: RunContextWrapper[Any], computer: RecordingComputer) -> None:
        disposed.append((run_context, computer))

    tool = ComputerTool(computer=ComputerProvider[RecordingComputer](create=lambda **_: created, dispose=dispose))
    agent = computer_agent(tool, computer_call({"type": "wait"}))
    result = await Runner.run(agent, "go")
    assert created.calls == [("wait",), ("screenshot",)]
    assert disposed == [(result.context_wrapper, created)]
    sent = agent.model.calls[0].hosted_tools[0]  # type: ignore[attr-defined]
    assert sent is not tool and sent.computer is created


async def test_a_streamed_run_disposes_its_computer_too() -> None:
    created = RecordingComputer()
    disposed: list[Any] = []

    async def dispose(*, run_context: RunContextWrapper[Any], computer: RecordingComputer) -> None:
        disposed.append(computer)

    tool = ComputerTool(computer=ComputerProvider(create=lambda **_: created, dispose=dispose))
    streamed = Runner.run_streamed(computer_agent(tool), "go")
    [e async for e in streamed.stream_events()]
    assert streamed.final_output == "done"
    assert disposed == [created]


async def test_concurrent_runs_never_share_a_provider_computer() -> None:
    created: list[RecordingComputer] = []
    disposed: list[RecordingComputer] = []
    both_started = asyncio.Barrier(2)

    async def create(*, run_context: RunContextWrapper[Any]) -> RecordingComputer:
        created.append(RecordingComputer(f"computer-{len(created) + 1}", dimensions=(1001 + len(created), 700)))
        return created[-1]

    async def dispose(*, run_context: RunContextWrapper[Any], computer: RecordingComputer) -> None:
        disposed.append(computer)

    class Gated(ScriptedModel):
        async def get_response(self, request: Any) -> Any:
            await both_started.wait()  # both runs have resolved their computers before either answers
            return await super().get_response(request)

    tool = ComputerTool(computer=ComputerProvider(create=create, dispose=dispose))
    model = Gated([[assistant_message("done")]], repeat=True)
    agent = Agent(name="A", tools=[tool], model=model)
    results = await asyncio.gather(Runner.run(agent, "a"), Runner.run(agent, "b"))
    assert [r.final_output for r in results] == ["done", "done"]
    widths = sorted(r.hosted_tools[0].tool_param("computer-use-preview")["display_width"] for r in model.calls)
    assert widths == [1001, 1002]
    assert sorted(c.label for c in disposed) == ["computer-1", "computer-2"]


async def test_a_failing_dispose_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    disposed: list[str] = []

    def failing(**_: Any) -> None:
        raise RuntimeError("dispose broke")

    first = ComputerTool(computer=ComputerProvider(create=lambda **_: RecordingComputer(), dispose=failing))
    second = ComputerTool(
        computer=ComputerProvider(create=lambda **_: RecordingComputer(), dispose=lambda **_: disposed.append("2"))
    )
    ctx = RunContextWrapper(None)
    await resolve_computer(tool=first, run_context=ctx)
    await resolve_computer(tool=second, run_context=ctx)
    with caplog.at_level(logging.WARNING):
        await dispose_resolved_computers(run_context=ctx)
    assert "Failed to dispose computer for run context" in caplog.text and "dispose broke" in caplog.text
    assert disposed == ["2"]


async def test_a_computer_with_a_create_method_is_a_computer_not_a_provider() -> None:
    class WithCreate(RecordingComputer):
        def create(self, *args: Any, **kwargs: Any) -> str:
            return "not a computer"

    computer = WithCreate()
    ctx = RunContextWrapper(None)
    assert await resolve_computer(tool=ComputerTool(computer), run_context=ctx) is computer
    await dispose_resolved_computers(run_context=ctx)


async def test_a_factory_that_returns_no_computer_and_a_bad_computer_are_user_errors() -> None:
    tool = ComputerTool(computer=lambda **_: "not a computer")
    with pytest.raises(UserError, match="did not provide a computer instance"):
        await resolve_computer(tool=tool, run_context=RunContextWrapper(None))
    with pytest.raises(UserError, match="ComputerTool computer must be"):
        ComputerTool(computer=42)  # type: ignore[arg-type]


async def test_an_agent_offers_one_computer_tool_at_most() -> None:
    tools = [ComputerTool(RecordingComputer()), ComputerTool(RecordingComputer())]
    agent = Agent(name="A", tools=tools, model=ScriptedModel([[assistant_message("x")]]))  # type: ignore[arg-type]
    with pytest.raises(UserError, match="two tools named 'computer_use_preview'"):
        await Runner.run(agent, "go")


# ---- over the wire ------------------------------------------------------------------------------------------------

WIRE_CALL = {
    "type": "computer_call",
    "id": "cu_1",
    "call_id": "call_cu_1",
    "action": {"type": "click", "x": 5, "y": 6, "button": "left"},
    "pending_safety_checks": [CHECK],
    "status": "completed",
}


@pytest.mark.parametrize("stream", [False, True])
async def test_a_computer_call_over_the_wire_and_its_screenshot_back(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, stream: bool
) -> None:
    fake_openai.enqueue(hosted_calls=[WIRE_CALL])
    fake_openai.enqueue(text="Clicked.")
    computer = RecordingComputer()
    tool = ComputerTool(computer, on_safety_check=lambda data: True)
    agent = Agent(name="A", tools=[tool], model=wire_model("responses", client, "gpt-5.4"))
    if stream:
        streamed = Runner.run_streamed(agent, "click it")
        [e async for e in streamed.stream_events()]
        final = streamed.final_output
    else:
        final = (await Runner.run(agent, "click it")).final_output
    assert final == "Clicked."
    assert computer.calls == [("click", 5, 6, "left"), ("screenshot",)]
    first, second = (r.body for r in fake_openai.requests_to("/v1/responses"))
    assert first["tools"] == [{"type": "computer"}]
    assert second["input"][1] == WIRE_CALL  # the call goes back as it came
    assert second["input"][2] == {
        "type": "computer_call_output",
        "call_id": "call_cu_1",
        "output": {"type": "computer_screenshot", "image_url": f"data:image/png;base64,{PNG}"},
        "acknowledged_safety_checks": [CHECK],
    }


async def test_a_preview_model_gets_the_preview_entry_with_the_display_and_tool_choice(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="ok")
    agent = Agent(
        name="A",
        tools=[ComputerTool(RecordingComputer(dimensions=(1280, 800)))],
        model=wire_model("responses", client, "computer-use-preview"),
        model_settings=ModelSettings(tool_choice="computer"),
    )
    await Runner.run(agent, "go")
    body = fake_openai.last_request.body
    assert body["tools"] == [
        {"type": "computer_use_preview", "environment": "mac", "display_width": 1280, "display_height": 800}
    ]
    assert body["tool_choice"] == {"type": "computer_use_preview"}


async def test_a_ga_model_forced_to_the_computer_tool(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="ok")
    agent = Agent(
        name="A",
        tools=[ComputerTool(RecordingAsyncComputer())],  # no environment or dimensions: the GA tool needs none
        model=wire_model("responses", client, "gpt-5.4"),
        model_settings=ModelSettings(tool_choice="computer_use"),
    )
    await Runner.run(agent, "go")
    assert fake_openai.last_request.body["tool_choice"] == {"type": "computer"}


async def test_a_preview_model_needs_the_display_of_the_computer(client: openai.AsyncOpenAI) -> None:
    agent = Agent(
        name="A",
        tools=[ComputerTool(RecordingAsyncComputer())],
        model=wire_model("responses", client, "computer-use-preview-2025-03-11"),
    )
    with pytest.raises(UserError, match="needs environment and dimensions"):
        await Runner.run(agent, "go")


async def test_chat_completions_refuses_the_computer_tool_before_sending(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    agent = Agent(name="A", tools=[ComputerTool(RecordingComputer())], model=wire_model("chat", client))
    with pytest.raises(UserError, match="ComputerTool needs the OpenAI Responses API"):
        await Runner.run(agent, "go")
    assert fake_openai.requests == []


async def test_captured_messages_show_the_call_and_its_response_without_the_image(tracing: Tracing) -> None:
    agent = computer_agent(ComputerTool(RecordingComputer()), computer_call({"type": "wait"}, call_id="c1"))
    config = tracing.config
    config.trace_include_sensitive_data = True
    await Runner.run(agent, "go", run_config=config)
    second_chat = tracing.named("chat")[1]
    messages = json.loads(str((second_chat.attributes or {})["gen_ai.input.messages"]))
    assert messages[1:] == [
        {
            "role": "assistant",
            "parts": [{"type": "tool_call", "id": "c1", "name": "computer", "arguments": [{"type": "wait"}]}],
        },
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "c1", "response": "[screenshot]"}]},
    ]
    assert PNG not in json.dumps([dict(s.attributes or {}) for s in tracing.spans()], default=str)
