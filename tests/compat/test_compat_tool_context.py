"""Compatibility: ``ToolContext`` / ``RunContextWrapper`` as tools and callbacks see them in the OpenAI Agents SDK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from openai.types.responses import ResponseFunctionToolCall
from support import Tracing

from agents_otel import (
    Agent,
    FunctionCall,
    ProgressPayloadError,
    RunContextWrapper,
    Runner,
    ToolContext,
    Usage,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@dataclass
class AppState:
    user: str
    calls: int = 0


def test_tool_context_is_constructible_for_unit_tests() -> None:
    ctx = ToolContext(AppState("ann"), tool_name="lookup", tool_call_id="c1", tool_arguments='{"q": 1}')
    assert isinstance(ctx, RunContextWrapper)
    assert (ctx.tool_name, ctx.tool_call_id, ctx.tool_arguments) == ("lookup", "c1", '{"q": 1}')
    assert ctx.context.user == "ann" and ctx.usage == Usage()
    assert ctx.agent is None and ctx.tool_call is None
    assert ctx.trace_id == "" and ctx.span_id == ""


def test_tool_context_requires_its_identity() -> None:
    with pytest.raises(TypeError):
        ToolContext(None)  # type: ignore[call-arg]


def test_a_standalone_context_collects_progress() -> None:
    ctx = ToolContext(None, tool_name="t", tool_call_id="c")
    assert ctx.send_progress({"progress": 0.5}) is True
    assert ctx.send_progress("halfway") is True
    assert ctx.progress_sent == [{"progress": 0.5}, "halfway"]
    with pytest.raises(ProgressPayloadError):
        ctx.send_progress(object())


async def test_a_unit_test_drives_a_tool_with_its_own_context() -> None:
    @function_tool
    async def count(ctx: ToolContext[AppState], step: int) -> str:
        ctx.context.calls += step
        ctx.send_progress({"done": ctx.context.calls})
        return f"{ctx.context.user}:{ctx.context.calls}"

    state = AppState("bo")
    ctx = ToolContext(state, tool_name=count.name, tool_call_id="c", tool_arguments='{"step": 2}')
    assert await count.on_invoke_tool(ctx, '{"step": 2}') == "bo:2"
    assert ctx.progress_sent == [{"done": 2}] and state.calls == 2


def test_run_context_wrapper_defaults() -> None:
    wrapper = RunContextWrapper(context={"a": 1})
    assert wrapper.context == {"a": 1} and wrapper.usage.total_tokens == 0


async def test_inside_a_run_the_context_carries_identity_usage_agent_and_the_model_call(tracing: Tracing) -> None:
    seen: list[ToolContext[Any]] = []

    @function_tool
    def inspect_me(ctx: ToolContext[AppState], x: int) -> str:
        seen.append(ctx)
        return "ok"

    call = function_call("inspect_me", {"x": 1}, call_id="call_z")
    model = ScriptedModel([[call], [assistant_message("done")]])
    agent = Agent(name="A", tools=[inspect_me], model=model)
    await Runner.run(agent, "go", context=AppState("cy"), run_config=tracing.config)
    (ctx,) = seen
    assert (ctx.tool_name, ctx.tool_call_id, ctx.tool_arguments) == ("inspect_me", "call_z", '{"x": 1}')
    assert ctx.context.user == "cy" and ctx.agent is agent
    # The SDK's type, as SDK code reads it (``model_dump``, ``isinstance``), made once and kept.
    assert isinstance(ctx.tool_call, ResponseFunctionToolCall) and ctx.tool_call is ctx.tool_call
    assert ctx.tool_call.model_dump(exclude_none=True) == {
        "arguments": '{"x": 1}',
        "call_id": "call_z",
        "name": "inspect_me",
        "type": "function_call",
    }
    assert ctx.usage.output_tokens >= 1  # the run's usage so far (the first model call's)
    span = tracing.tool_span("call_z")
    assert ctx.span_id == format(span.context.span_id, "016x")  # type: ignore[union-attr]


async def test_unannotated_ctx_parameter_receives_the_context(tracing: Tracing) -> None:
    # Regression (issue 10): an unannotated `ctx` became a required argument the model had to invent.
    @function_tool
    def whoami(ctx, suffix: str) -> str:  # type: ignore[no-untyped-def]
        return ctx.context.user + suffix

    assert list(whoami.params_json_schema["properties"]) == ["suffix"]
    model = ScriptedModel([[function_call("whoami", {"suffix": "!"}, call_id="w")], [assistant_message("ok")]])
    await Runner.run(
        Agent(name="A", tools=[whoami], model=model), "go", context=AppState("di"), run_config=tracing.config
    )
    assert model.calls[1].input[-1].output == "di!"  # type: ignore[union-attr]


def test_a_context_made_by_hand_gives_back_the_call_it_was_given() -> None:
    # A unit test of a tool hands in whatever call object it has (ours, or the openai type, as with the SDK).
    ours = FunctionCall("lookup", "{}", "c1")
    theirs = ResponseFunctionToolCall(arguments="{}", call_id="c2", name="lookup", type="function_call")
    assert ToolContext(None, tool_name="lookup", tool_call_id="c1", tool_call=ours).tool_call is ours
    made = ToolContext.from_agent_context(RunContextWrapper(None), "c2", theirs)
    assert made.tool_call is theirs and (made.tool_name, made.tool_arguments) == ("lookup", "{}")
    made.tool_call = None
    assert made.tool_call is None
