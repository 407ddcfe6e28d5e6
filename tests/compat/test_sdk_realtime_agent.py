"""agents_otel.realtime without a socket: ``RealtimeAgent``, ``realtime_handoff``, the runner's settings, a custom
``RealtimeModel`` driving the session, and what is not built yet (SIP) failing loudly.

The SDK's tests/realtime/test_agent.py, test_realtime_handoffs.py and test_runner.py pin the cases mirrored here.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel

from agents_otel import UserError, WebSearchTool, function_tool
from agents_otel.exceptions import ModelBehaviorError
from agents_otel.realtime import (
    OpenAIRealtimeSIPModel,
    OpenAIRealtimeWebSocketModel,
    RealtimeAgent,
    RealtimeModel,
    RealtimeModelConfig,
    RealtimeModelListener,
    RealtimeModelSendEvent,
    RealtimeModelSendToolOutput,
    RealtimeModelToolCallEvent,
    RealtimeNotSupportedError,
    RealtimeRunner,
    realtime_handoff,
)


class RecordingModel(RealtimeModel):
    """A transport of our own: records what the session sends, lets the test push events."""

    def __init__(self) -> None:
        self.config: RealtimeModelConfig | None = None
        self.sent: list[RealtimeModelSendEvent] = []
        self.listeners: list[RealtimeModelListener] = []
        self.closed = False

    async def connect(self, options: RealtimeModelConfig) -> None:
        self.config = options

    def add_listener(self, listener: RealtimeModelListener) -> None:
        self.listeners.append(listener)

    def remove_listener(self, listener: RealtimeModelListener) -> None:
        self.listeners.remove(listener)

    async def send_event(self, event: RealtimeModelSendEvent) -> None:
        self.sent.append(event)

    async def close(self) -> None:
        self.closed = True


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def test_agent_fields_are_checked() -> None:
    with pytest.raises(TypeError, match="name must be a string"):
        RealtimeAgent(name=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tools must be a list"):
        RealtimeAgent("a", tools=add)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="handoffs must be a list"):
        RealtimeAgent("a", handoffs=())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="instructions must be a string, callable, or None"):
        RealtimeAgent("a", instructions=3)  # type: ignore[arg-type]


async def test_dynamic_instructions_sync_async_and_a_wrong_return() -> None:
    async def later(ctx: Any, agent: RealtimeAgent[Any]) -> str:
        return f"async {agent.name} {ctx.context}"

    wrapper: Any = type("W", (), {"context": "ctx"})()
    assert await RealtimeAgent("a", instructions=lambda c, a: f"sync {a.name}").get_system_prompt(wrapper) == "sync a"
    assert await RealtimeAgent("b", instructions=later).get_system_prompt(wrapper) == "async b ctx"
    with pytest.raises(UserError, match="instructions must return str, got int"):
        await RealtimeAgent("c", instructions=lambda c, a: 7).get_system_prompt(wrapper)  # type: ignore[arg-type,return-value]


def test_clone_changes_only_what_it_is_given() -> None:
    agent = RealtimeAgent("a", instructions="x", tools=[add])
    copy = agent.clone(instructions="y")
    assert (copy.name, copy.instructions, copy.tools) == ("a", "y", [add]) and agent.instructions == "x"


class Reason(BaseModel):
    reason: str


async def test_realtime_handoff_names_validates_and_calls_on_handoff() -> None:
    target = RealtimeAgent("Billing Desk", handoff_description="Invoices.")
    plain = realtime_handoff(target)
    assert plain.tool_name == "transfer_to_billing_desk" and "Invoices." in plain.tool_description
    seen: list[str] = []
    custom = realtime_handoff(target, tool_name_override="to_billing", input_type=Reason,
                              on_handoff=lambda ctx, data: seen.append(data.reason))
    assert custom.tool_name == "to_billing" and custom.input_json_schema["required"] == ["reason"]
    assert await custom.on_invoke_handoff(None, '{"reason": "refund"}') is target  # type: ignore[arg-type]
    assert seen == ["refund"]
    with pytest.raises(ModelBehaviorError):
        await custom.on_invoke_handoff(None, '{"reason": 3}')  # type: ignore[arg-type]
    with pytest.raises(UserError, match="must take two arguments"):
        realtime_handoff(target, input_type=Reason, on_handoff=lambda ctx: None)
    with pytest.raises(UserError, match="must provide on_handoff"):
        realtime_handoff(target, input_type=Reason)
    with pytest.raises(UserError, match="needs a RealtimeAgent"):
        realtime_handoff(object())  # type: ignore[arg-type]


async def test_settings_merge_run_config_then_model_config_then_the_agent() -> None:
    model = RecordingModel()
    hidden = RealtimeAgent("Hidden")
    agent = RealtimeAgent("A", instructions="Be brief.", tools=[add],
                          handoffs=[realtime_handoff(hidden, is_enabled=lambda ctx, ag: False), RealtimeAgent("B")])
    runner = RealtimeRunner(agent, model=model, config={"model_settings": {"voice": "ash", "model_name": "m1"}})
    session = await runner.run(model_config={"initial_model_settings": {"model_name": "m2"}})
    async with session:
        assert model.config is not None
        settings = model.config["initial_model_settings"]
        assert settings["voice"] == "ash" and settings["model_name"] == "m2"
        assert settings["instructions"] == "Be brief." and settings["tools"] == [add]
        assert [h.tool_name for h in settings["handoffs"]] == ["transfer_to_b"]
    assert model.closed and model.listeners == []


async def test_a_custom_model_drives_tool_calls_synchronously_when_asked() -> None:
    model = RecordingModel()
    runner = RealtimeRunner(RealtimeAgent("A", tools=[add]), model=model, config={"async_tool_calls": False})
    async with await runner.run():
        await model.listeners[0].on_event(RealtimeModelToolCallEvent("add", "c1", '{"a": 2, "b": 3}'))
        (output,) = [e for e in model.sent if isinstance(e, RealtimeModelSendToolOutput)]
        assert (output.output, output.start_response, output.tool_call.call_id) == ("5", True, "c1")


def test_the_default_model_is_the_openai_websocket_one() -> None:
    assert isinstance(RealtimeRunner(RealtimeAgent("a"))._model, OpenAIRealtimeWebSocketModel)


def test_the_sip_model_is_the_websocket_model_attached_to_a_call() -> None:
    assert isinstance(OpenAIRealtimeSIPModel(), OpenAIRealtimeWebSocketModel)
    assert issubclass(RealtimeNotSupportedError, UserError)  # still importable, for programs that catch it


async def test_hosted_tools_are_refused_before_connecting() -> None:
    model = OpenAIRealtimeWebSocketModel()
    session = await RealtimeRunner(RealtimeAgent("a", tools=[WebSearchTool()]), model=model).run(
        model_config={"url": "ws://127.0.0.1:9/never", "api_key": "k"})
    with pytest.raises(UserError, match="only function tools"):
        await session.enter()
    assert model._websocket is None


def test_import_agents_otel_does_not_load_websockets() -> None:
    code = "import sys, agents_otel; print('websockets' in sys.modules, 'agents_otel.realtime' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
