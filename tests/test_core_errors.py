"""Bad input and failing tools: typed errors the model sees, ERROR spans, and the run goes on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from opentelemetry.trace import StatusCode
from support import Tracing

from agents_otel import (
    Agent,
    FunctionCallOutput,
    MaxTurnsExceeded,
    ModelBehaviorError,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    ToolContext,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def outputs_sent_back(model: ScriptedModel) -> dict[str, str]:
    """What the model received as tool outputs on its last call."""
    return {i.call_id: i.output for i in model.calls[-1].input if isinstance(i, FunctionCallOutput)}


async def test_a_raising_tool_tells_the_model_and_marks_the_span(tracing: Tracing) -> None:
    @function_tool
    async def broken(ctx: ToolContext) -> str:
        ctx.send_progress("about to fail")
        raise ValueError("disk on fire")

    model = ScriptedModel([[function_call("broken", {}, call_id="x")], [assistant_message("recovered")]])
    result = Runner.run_streamed(Agent(name="A", tools=[broken], model=model), "go", run_config=tracing.config)
    events = [e async for e in result.stream_events()]
    assert result.final_output == "recovered"
    # the fixed failure sentence (SDK 0.23); the exception is the span's, below
    assert outputs_sent_back(model)["x"] == "An error occurred while running the tool."
    span = tracing.tool_span("x")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "ValueError"
    assert [e.name for e in span.events] == ["agents_otel.tool.progress", "exception"]
    (out,) = [e.item for e in events if isinstance(e, RunItemStreamEvent) and e.name == "tool_output"]
    assert out.is_error and out.error_type == "ValueError"  # type: ignore[union-attr]


async def test_custom_failure_error_function(tracing: Tracing) -> None:
    @function_tool(failure_error_function=lambda ctx, exc: f"{ctx.tool_name} failed: {type(exc).__name__}")
    async def broken() -> str:
        raise KeyError("k")

    model = ScriptedModel([[function_call("broken", {}, call_id="x")], [assistant_message("ok")]])
    await Runner.run(Agent(name="A", tools=[broken], model=model), "go", run_config=tracing.config)
    assert outputs_sent_back(model)["x"] == "broken failed: KeyError"


async def test_failure_error_function_none_raises_and_cancels_siblings(tracing: Tracing) -> None:
    sibling_started = asyncio.Event()

    @function_tool(failure_error_function=None)
    async def strict() -> str:
        await sibling_started.wait()
        raise RuntimeError("must surface")

    @function_tool
    async def sibling() -> str:
        sibling_started.set()
        await asyncio.Event().wait()
        return "never"

    model = ScriptedModel(
        [
            [function_call("strict", {}, call_id="s"), function_call("sibling", {}, call_id="b")],
            [assistant_message("x")],
        ]
    )
    with pytest.raises(UserError, match="Error running tool strict: must surface") as excinfo:
        await Runner.run(Agent(name="A", tools=[strict, sibling], model=model), "go", run_config=tracing.config)
    assert isinstance(excinfo.value.__cause__, RuntimeError)  # the tool's own exception, as in the SDK
    assert tracing.tool_span("s").attributes["error.type"] == "RuntimeError"
    assert tracing.tool_span("b").attributes["error.type"] == "cancelled"
    (run_span,) = tracing.named("invoke_agent")
    assert run_span.status.status_code is StatusCode.ERROR


async def test_failure_error_function_none_surfaces_through_the_stream(tracing: Tracing) -> None:
    @function_tool(failure_error_function=None)
    async def strict() -> str:
        raise RuntimeError("boom")

    model = ScriptedModel([[function_call("strict", {}, call_id="s")], [assistant_message("x")]])
    result = Runner.run_streamed(Agent(name="A", tools=[strict], model=model), "go", run_config=tracing.config)
    names: list[str] = []
    with pytest.raises(UserError, match="Error running tool strict: boom"):
        async for event in result.stream_events():
            names.append(getattr(event, "name", event.type))
    assert names[-2:] == ["tool_called", "tool_output"]  # lifecycle events delivered before the error


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [('{"count": "many"}', "count"), ("{not json", "Invalid arguments"), ('{"cuont": 1}', "count")],
)
async def test_invalid_arguments_are_a_tool_error_the_model_sees(
    tracing: Tracing, arguments: str, fragment: str
) -> None:
    ran = []

    @function_tool
    async def counter(count: int) -> str:
        ran.append(count)
        return "counted"

    model = ScriptedModel(
        [[function_call("counter", arguments, call_id="c")], [assistant_message("fixed it")]], check_calls=False
    )
    result = await Runner.run(Agent(name="A", tools=[counter], model=model), "go", run_config=tracing.config)
    assert result.final_output == "fixed it" and ran == []
    assert fragment in outputs_sent_back(model)["c"]
    span = tracing.tool_span("c")
    assert span.attributes["error.type"] == "invalid_arguments"
    assert span.status.status_code is StatusCode.ERROR


async def test_unknown_tool_fails_the_run_with_model_behavior_error_by_default(tracing: Tracing) -> None:
    """The SDK's default (``RunConfig.tool_not_found_behavior="raise_error"``): no tool of the turn runs."""
    ran: list[str] = []

    @function_tool
    async def real() -> str:
        ran.append("real")
        return "real"

    model = ScriptedModel(
        [[function_call("real", {}), function_call("imaginary", {}, call_id="u")], [assistant_message("sorry")]],
        check_calls=False,
    )
    with pytest.raises(ModelBehaviorError, match="Tool imaginary not found in agent A"):
        await Runner.run(Agent(name="A", tools=[real], model=model), "go", run_config=tracing.config)
    assert ran == [] and len(model.calls) == 1 and tracing.named("execute_tool") == []
    (agent_span,) = tracing.named("invoke_agent")
    assert agent_span.attributes["error.type"] == "agents_otel.exceptions.ModelBehaviorError"  # type: ignore[index]


async def test_unknown_tool_is_a_tool_error_the_model_sees_when_configured(tracing: Tracing) -> None:
    @function_tool
    async def real() -> str:
        return "real"

    model = ScriptedModel(
        [[function_call("imaginary", {}, call_id="u")], [assistant_message("sorry")]], check_calls=False
    )
    config = RunConfig(tracer_provider=tracing.provider, tool_not_found_behavior="return_error_to_model")
    result = await Runner.run(Agent(name="A", tools=[real], model=model), "go", run_config=config)
    assert result.final_output == "sorry"
    message = outputs_sent_back(model)["u"]
    assert "imaginary" in message and "real" in message
    span = tracing.tool_span("u")
    assert span.name == "execute_tool imaginary" and span.attributes["error.type"] == "tool_not_found"


async def test_timeout_ends_the_call_as_an_error_the_model_sees(tracing: Tracing) -> None:
    @function_tool(timeout=0.01)
    async def hangs(ctx: ToolContext) -> str:
        ctx.send_progress("started")
        await asyncio.Event().wait()
        return "never"

    model = ScriptedModel([[function_call("hangs", {}, call_id="h")], [assistant_message("gave up")]])
    result = await Runner.run(Agent(name="A", tools=[hangs], model=model), "go", run_config=tracing.config)
    assert result.final_output == "gave up"
    assert "timed out" in outputs_sent_back(model)["h"]
    assert tracing.tool_span("h").attributes["error.type"] == "timeout"


async def test_a_tool_raising_timeout_error_itself_is_not_mistaken_for_a_timeout(tracing: Tracing) -> None:
    @function_tool(timeout=60)
    async def own_timeout() -> str:
        raise TimeoutError("upstream timed out")

    model = ScriptedModel([[function_call("own_timeout", {}, call_id="t")], [assistant_message("ok")]])
    await Runner.run(Agent(name="A", tools=[own_timeout], model=model), "go", run_config=tracing.config)
    assert tracing.tool_span("t").attributes["error.type"] == "TimeoutError"


async def test_max_turns_raises_a_typed_error(tracing: Tracing) -> None:
    @function_tool
    async def again() -> str:
        return "again"

    model = ScriptedModel([[function_call("again", {})]], repeat=True)
    with pytest.raises(MaxTurnsExceeded) as info:
        await Runner.run(Agent(name="Loop", tools=[again], model=model), "go", max_turns=3, run_config=tracing.config)
    assert info.value.max_turns == 3
    assert len(model.calls) == 3
    (run_span,) = tracing.named("invoke_agent")
    assert run_span.attributes["error.type"] == "agents_otel.exceptions.MaxTurnsExceeded"


async def test_model_failure_marks_the_chat_span(tracing: Tracing) -> None:
    model = ScriptedModel([ModelBehaviorError("model broke")])
    with pytest.raises(ModelBehaviorError):
        await Runner.run(Agent(name="A", model=model), "go", run_config=tracing.config)
    (chat,) = tracing.named("chat")
    assert chat.status.status_code is StatusCode.ERROR
    assert chat.attributes["error.type"] == "agents_otel.exceptions.ModelBehaviorError"


async def test_a_raising_on_stream_callback_does_not_break_the_run(tracing: Tracing) -> None:
    def bad_callback(payload: Any) -> None:
        raise RuntimeError("ui bug")

    inner = Agent(name="Inner", model=ScriptedModel([[assistant_message("inner ok")]]))
    outer = Agent(
        name="Outer",
        tools=[inner.as_tool(on_stream=bad_callback)],
        model=ScriptedModel([[function_call("inner", {"input": "q"}, call_id="o")], [assistant_message("outer ok")]]),
    )
    result = Runner.run_streamed(outer, "go", run_config=tracing.config)
    _ = [e async for e in result.stream_events()]
    assert result.final_output == "outer ok"
    assert outputs_sent_back(outer.model)["o"] == "inner ok"  # type: ignore[arg-type]


async def test_a_fatal_error_in_a_later_call_cancels_an_earlier_still_running_call(tracing: Tracing) -> None:
    """The first call never finishes on its own: the run must not wait for it once the second call fails."""
    first_started = asyncio.Event()

    @function_tool
    async def endless() -> str:
        first_started.set()
        await asyncio.Event().wait()
        return "never"

    @function_tool(failure_error_function=None)
    async def fatal() -> str:
        await first_started.wait()
        raise RuntimeError("fatal in the second call")

    model = ScriptedModel(
        [[function_call("endless", {}, call_id="e"), function_call("fatal", {}, call_id="f")], [assistant_message("x")]]
    )
    with pytest.raises(UserError, match="fatal in the second call") as excinfo:
        await Runner.run(Agent(name="A", tools=[endless, fatal], model=model), "go", run_config=tracing.config)
    assert isinstance(excinfo.value.__cause__, RuntimeError)  # kept through the sibling's cancellation
    assert tracing.tool_span("e").attributes["error.type"] == "cancelled"
    assert tracing.tool_span("f").attributes["error.type"] == "RuntimeError"


def test_an_unknown_tool_not_found_behavior_is_a_user_error() -> None:
    with pytest.raises(UserError, match="tool_not_found_behavior"):
        RunConfig(tool_not_found_behavior="ignore")  # type: ignore[arg-type]
