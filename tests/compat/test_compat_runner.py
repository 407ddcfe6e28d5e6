"""Compatibility: ``Runner`` basics as in the OpenAI Agents SDK — instructions, settings, turns, items, results."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    AgentsException,
    MaxTurnsExceeded,
    MessageOutputItem,
    ModelSettings,
    RunConfig,
    RunContextWrapper,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    ToolContext,
    ToolProgressStreamEvent,
    Usage,
    UserError,
    function_tool,
    set_tracing_disabled,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing import provider as provider_module


@function_tool
def echo(text: str) -> str:
    return text


async def test_simple_first_run(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("first")]])
    agent = Agent(name="A", model=model)
    result = await Runner.run(agent, "hello", run_config=tracing.config)
    assert result.input == "hello" and result.final_output == "first" and result.last_agent is agent
    assert [type(i) for i in result.new_items] == [MessageOutputItem]
    assert len(result.raw_responses) == 1
    assert result.to_input_list() == [
        {"role": "user", "content": "hello"},
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "first", "annotations": []}],
            "status": "completed",
        },
    ]


async def test_subsequent_runs_continue_from_to_input_list(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("third")], [assistant_message("fourth")]])
    agent = Agent(name="A", model=model)
    first = await Runner.run(agent, "test", run_config=tracing.config)
    assert len(first.new_items) == 1 and len(first.to_input_list()) == 2
    second = await Runner.run(agent, first.to_input_list(), run_config=tracing.config)
    assert len(second.input) == 2 and len(second.new_items) == 1 and second.final_output == "fourth"
    assert len(second.to_input_list()) == 3
    follow = [*second.to_input_list(), {"role": "user", "content": "next"}]
    model.steps.append([assistant_message("fifth")])
    third = await Runner.run(agent, follow, run_config=tracing.config)
    assert third.final_output == "fifth"
    assert [type(i).__name__ for i in model.calls[-1].input] == [
        "UserMessage",
        "AssistantMessage",
        "AssistantMessage",
        "UserMessage",
    ]


async def test_tool_call_run_items_in_order(tracing: Tracing) -> None:
    model = ScriptedModel(
        [
            [assistant_message("a_message"), function_call("echo", {"text": "b"}, call_id="c")],
            [assistant_message("done")],
        ]
    )
    result = await Runner.run(Agent(name="A", tools=[echo], model=model), "go", run_config=tracing.config)
    assert result.final_output == "done"
    kinds = [type(i) for i in result.new_items]
    assert kinds == [MessageOutputItem, ToolCallItem, ToolCallOutputItem, MessageOutputItem]
    output = result.new_items[2]
    assert isinstance(output, ToolCallOutputItem) and output.output == "b"
    assert [i.get("type") for i in result.to_input_list()] == [
        None,
        "message",
        "function_call",
        "function_call_output",
        "message",
    ]


async def test_string_instructions_are_the_system_prompt(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    await Runner.run(Agent(name="A", instructions="Be brief.", model=model), "go", run_config=tracing.config)
    assert model.calls[0].system_instructions == "Be brief."


@pytest.mark.parametrize("kind", ["sync", "async", "callable_object"])
async def test_callable_instructions_are_called_every_turn(tracing: Tracing, kind: str) -> None:
    # Regression (issue 10): the function object itself used to be sent.
    seen: list[tuple[Any, str]] = []

    def sync_instructions(ctx: RunContextWrapper[dict[str, str]], agent: Agent[Any]) -> str:
        seen.append((ctx.context, agent.name))
        return f"Help {ctx.context['user']} (turn {len(seen)})."

    async def async_instructions(ctx: RunContextWrapper[dict[str, str]], agent: Agent[Any]) -> str:
        await asyncio.sleep(0)
        return sync_instructions(ctx, agent)

    class Instructions:
        async def __call__(self, ctx: RunContextWrapper[dict[str, str]], agent: Agent[Any]) -> str:
            return sync_instructions(ctx, agent)

    instructions = {"sync": sync_instructions, "async": async_instructions, "callable_object": Instructions()}[kind]
    model = ScriptedModel([[function_call("echo", {"text": "x"})], [assistant_message("ok")]])
    agent = Agent(name="A", instructions=instructions, tools=[echo], model=model)
    await Runner.run(agent, "go", context={"user": "ann"}, run_config=tracing.config)
    assert [c.system_instructions for c in model.calls] == ["Help ann (turn 1).", "Help ann (turn 2)."]
    assert seen == [({"user": "ann"}, "A"), ({"user": "ann"}, "A")]


async def test_instructions_callable_sees_the_runs_usage(tracing: Tracing) -> None:
    totals: list[int] = []

    def instructions(ctx: RunContextWrapper[Any], agent: Agent[Any]) -> str:
        totals.append(ctx.usage.output_tokens)
        return "x"

    model = ScriptedModel([[function_call("echo", {"text": "x"})], [assistant_message("ok")]])
    await Runner.run(
        Agent(name="A", instructions=instructions, tools=[echo], model=model), "go", run_config=tracing.config
    )
    assert totals[0] == 0 and totals[1] >= 1


def test_instructions_with_the_wrong_signature_fail_where_the_agent_is_made() -> None:
    with pytest.raises(UserError, match="2 arguments"):
        Agent(name="A", instructions=lambda ctx: "x")  # type: ignore[arg-type,misc]
    with pytest.raises(UserError, match="string or a callable"):
        Agent(name="A", instructions=42)  # type: ignore[arg-type]


async def test_instructions_returning_a_non_string_fail_loudly(tracing: Tracing) -> None:
    agent = Agent(name="A", instructions=lambda ctx, agent: 7, model=ScriptedModel([[assistant_message("x")]]))  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError, match="int"):
        await Runner.run(agent, "go", run_config=tracing.config)


async def test_get_system_prompt_is_public(tracing: Tracing) -> None:
    agent = Agent(name="A", instructions=lambda ctx, agent: f"for {ctx.context}")
    assert await agent.get_system_prompt(RunContextWrapper("bo")) == "for bo"


async def test_run_config_model_settings_override_the_agents(tracing: Tracing) -> None:
    # Regression (issue 10): the precedence used to be reversed. In the SDK, non-null RunConfig.model_settings win.
    model = ScriptedModel([[assistant_message("ok")]])
    agent = Agent(name="A", model=model, model_settings=ModelSettings(temperature=0.1, top_p=0.5, max_tokens=10))
    config = RunConfig(tracer_provider=tracing.provider, model_settings=ModelSettings(temperature=0.9))
    await Runner.run(agent, "go", run_config=config)
    settings = model.calls[0].settings
    assert (settings.temperature, settings.top_p, settings.max_tokens) == (0.9, 0.5, 10)


async def test_extra_args_are_merged_key_by_key(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    agent = Agent(name="A", model=model, model_settings=ModelSettings(extra_args={"store": False, "user": "agent"}))
    run = ModelSettings(extra_args={"user": "run", "timeout": 5})
    await Runner.run(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, model_settings=run))
    assert model.calls[0].settings.extra_args == {"store": False, "user": "run", "timeout": 5}


async def test_run_config_model_is_used_when_the_agent_has_none(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    config = RunConfig(tracer_provider=tracing.provider, model=model)
    assert (await Runner.run(Agent(name="A"), "go", run_config=config)).final_output == "ok"


async def test_run_config_model_overrides_every_agents_own_model(tracing: Tracing) -> None:
    """The SDK: "the model to use for the entire agent run ... will override the model set on every agent"."""
    own = ScriptedModel([[assistant_message("from the agent's model")]])
    run_model = ScriptedModel([[assistant_message("from the run's model")]])
    config = RunConfig(tracer_provider=tracing.provider, model=run_model)
    result = await Runner.run(Agent(name="A", model=own), "go", run_config=config)
    assert result.final_output == "from the run's model" and own.calls == [] and len(run_model.calls) == 1


def _looping_model(turns: int) -> ScriptedModel:
    return ScriptedModel(
        [[function_call("echo", {"text": str(i)})] for i in range(turns)] + [[assistant_message("done")]]
    )


async def test_max_turns_counts_model_calls(tracing: Tracing) -> None:
    model = _looping_model(5)
    with pytest.raises(MaxTurnsExceeded) as caught:
        await Runner.run(Agent(name="A", tools=[echo], model=model), "go", max_turns=3, run_config=tracing.config)
    assert caught.value.max_turns == 3 and len(model.calls) == 3


async def test_max_turns_allows_exactly_that_many_model_calls(tracing: Tracing) -> None:
    model = _looping_model(2)
    result = await Runner.run(Agent(name="A", tools=[echo], model=model), "go", max_turns=3, run_config=tracing.config)
    assert result.final_output == "done" and len(model.calls) == 3


async def test_max_turns_none_disables_the_limit(tracing: Tracing) -> None:
    model = _looping_model(12)
    result = await Runner.run(
        Agent(name="A", tools=[echo], model=model), "go", max_turns=None, run_config=tracing.config
    )
    assert result.final_output == "done" and len(model.calls) == 13


async def test_streamed_max_turns(tracing: Tracing) -> None:
    model = _looping_model(5)
    result = Runner.run_streamed(
        Agent(name="A", tools=[echo], model=model), "go", max_turns=2, run_config=tracing.config
    )
    with pytest.raises(MaxTurnsExceeded):
        async for _ in result.stream_events():
            pass


async def test_tools_appended_during_a_run_are_offered_next_turn(tracing: Tracing) -> None:
    @function_tool
    def late(x: int) -> int:
        return x + 1

    agent: Agent[Any] = Agent(name="A")

    @function_tool
    def install() -> str:
        agent.tools.append(late)
        return "installed"

    agent.tools.append(install)
    agent.model = ScriptedModel(
        [
            [function_call("install", {}, call_id="i")],
            [function_call("late", {"x": 1}, call_id="l")],
            [assistant_message("done")],
        ]
    )
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "done"
    assert tracing.tool_span("l").attributes.get("error.type") is None  # type: ignore[union-attr]
    outputs = [i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert outputs == ["installed", 2]


async def test_context_is_shared_with_tools(tracing: Tracing) -> None:
    @function_tool
    def bump(ctx: RunContextWrapper[dict[str, int]]) -> int:
        ctx.context["n"] += 1
        return ctx.context["n"]

    state = {"n": 0}
    model = ScriptedModel([[function_call("bump", {}), function_call("bump", {})], [assistant_message("ok")]])
    await Runner.run(Agent(name="A", tools=[bump], model=model), "go", context=state, run_config=tracing.config)
    assert state == {"n": 2}


async def test_usage_adds_up_over_model_calls(tracing: Tracing) -> None:
    model = _looping_model(1)
    result = await Runner.run(Agent(name="A", tools=[echo], model=model), "go", run_config=tracing.config)
    assert result.usage.output_tokens == sum(r.usage.output_tokens for r in result.raw_responses)
    assert result.usage.total_tokens == result.usage.input_tokens + result.usage.output_tokens


async def test_two_enabled_tools_with_one_name_are_a_typed_error(tracing: Tracing) -> None:
    # The SDK warns and keeps the last one by default; we refuse, since one tool would silently shadow the other.
    from agents_otel.tool_sources import ToolNameCollisionError

    @function_tool(name_override="echo")
    def other_echo(text: str) -> str:
        return text

    @function_tool(name_override="echo", is_enabled=False)
    def disabled_echo(text: str) -> str:
        return text

    model = ScriptedModel([[assistant_message("ok")], [assistant_message("ok")]])
    assert (await Runner.run(Agent(name="A", tools=[echo, disabled_echo], model=model), "go")).final_output == "ok"
    with pytest.raises(ToolNameCollisionError, match="'echo'"):
        await Runner.run(Agent(name="A", tools=[echo, other_echo], model=model), "go", run_config=tracing.config)


def test_agent_validation_is_loud() -> None:
    with pytest.raises(UserError):
        Agent(name=3)  # type: ignore[arg-type]
    with pytest.raises(UserError):
        Agent(name="A", tools=echo)  # type: ignore[arg-type]


def test_clone_keeps_everything_but_what_changes() -> None:
    agent = Agent(name="A", instructions="x", tools=[echo])
    clone = agent.clone(name="B")
    assert (clone.name, clone.instructions, clone.tools) == ("B", "x", [echo])


@pytest.mark.parametrize(
    "config",
    [{"include_server_in_tool_names": "yes"}, {"failure_error_function": "oops"}, {"convert_schema_to_strict": True}],
)
def test_mcp_config_keys_we_do_not_support_are_refused_not_ignored(config: Any) -> None:
    with pytest.raises(UserError, match="mcp_config"):
        Agent(name="A", mcp_config=config)


def test_mcp_config_keys_we_support_are_accepted() -> None:
    Agent(name="A", mcp_config={"convert_schemas_to_strict": True, "include_server_in_tool_names": False})
    Agent(name="A", mcp_config={"include_server_in_tool_names": True, "failure_error_function": None})


@pytest.mark.parametrize("streamed", [False, True])
async def test_result_context_wrapper_and_last_response_id(streamed: bool, tracing: Tracing) -> None:
    """As in the SDK: ``result.context_wrapper`` holds the run's context and usage (the usage the result reports),
    and ``last_response_id`` is the last model response's id."""
    agent = Agent(name="A", model=ScriptedModel([[assistant_message("ok")]]))
    context = {"user": 7}
    if streamed:
        result: Any = Runner.run_streamed(agent, "go", context=context, run_config=tracing.config)
        assert result.context_wrapper.context is context  # known from the start
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "go", context=context, run_config=tracing.config)
    wrapper = result.context_wrapper
    assert wrapper.context is context and wrapper.usage is result.usage and wrapper.usage.requests == 1
    assert result.last_response_id == "scripted-1" == result.raw_responses[-1].response_id


@pytest.mark.parametrize("how", ["run_config", "global"])
async def test_tracing_disabled_records_no_spans_and_the_stream_still_flows(
    how: str, tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    @function_tool
    async def work(ctx: ToolContext[Any]) -> str:
        ctx.send_progress({"step": 1})
        return "done"

    monkeypatch.setattr(provider_module, "_tracing_disabled", False)  # restored after the test
    if how == "global":
        set_tracing_disabled(True)
        config = tracing.config
    else:
        config = RunConfig(tracer_provider=tracing.provider, tracing_disabled=True)
    model = ScriptedModel([[function_call("work", {}, call_id="w")], [assistant_message("ok")]])
    result = Runner.run_streamed(Agent(name="A", tools=[work], model=model), "go", run_config=config)
    events = [e async for e in result.stream_events()]
    assert result.final_output == "ok" and tracing.spans() == []
    (progress,) = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert progress.tool_call_id == "w" and progress.data == {"step": 1}


def test_agents_exception_is_the_base_of_our_errors() -> None:
    with pytest.raises(AgentsException):
        raise UserError("caught as in the SDK")


def test_model_settings_positional_as_in_the_sdk_and_usage_by_keyword() -> None:
    """Positional SDK code sets the same fields: all of them follow the SDK's order (its 25, no more); every
    ``Usage`` field is keyword-only (a position there would be misread, so it is a TypeError instead)."""
    settings = ModelSettings(0.2, 0.9, 0.5, 0.1, "required")
    assert (settings.temperature, settings.top_p, settings.frequency_penalty, settings.presence_penalty) == (
        0.2,
        0.9,
        0.5,
        0.1,
    )
    assert settings.tool_choice == "required" and settings.max_tokens is None
    assert ModelSettings(*([None] * 24), 1.5).timeout == 1.5  # the SDK's last field
    with pytest.raises(TypeError):
        ModelSettings(*([None] * 26))
    with pytest.raises(TypeError):
        Usage(1, 100)  # type: ignore[misc]


async def test_run_streamed_takes_context_positionally_as_the_sdk_does(tracing: Tracing) -> None:
    seen: list[Any] = []

    @function_tool
    def whoami(ctx: RunContextWrapper[Any]) -> str:
        seen.append(ctx.context)
        return "ok"

    model = ScriptedModel([[function_call("whoami", {})], [assistant_message("done")]])
    result = Runner.run_streamed(
        Agent(name="A", tools=[whoami], model=model), "go", {"user": 3}, 5, None, tracing.config
    )
    async for _ in result.stream_events():
        pass
    assert seen == [{"user": 3}] and result.final_output == "done"
