"""``Agent.reset_tool_choice`` as in the OpenAI Agents SDK (default ``True``): once an agent's model has called a tool
or a handoff in a run, that agent's later model calls send no ``tool_choice``. Without it ``tool_choice="required"``
makes the model call tools on every turn until ``max_turns``; the SDK's agents-as-tools example relies on it."""

from __future__ import annotations

from typing import Any

import pytest
from support import Tracing

from agents_otel import Agent, ModelSettings, RunConfig, Runner, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
def check_bill() -> str:
    return "$100"


def choices(model: ScriptedModel) -> list[str | None]:
    return [request.settings.tool_choice for request in model.calls]


async def test_required_is_dropped_after_the_first_tool_call(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("check_bill", {})], [assistant_message("Your bill is $100")]])
    required = ModelSettings(tool_choice="required")
    agent = Agent(name="Billing", tools=[check_bill], model=model, model_settings=required)
    result = await Runner.run(agent, "bill?", run_config=tracing.config)
    assert result.final_output == "Your bill is $100"
    assert choices(model) == ["required", None]


async def test_a_run_wide_tool_choice_is_reset_too(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("check_bill", {})], [assistant_message("done")]])
    config = RunConfig(tracer_provider=tracing.provider, model_settings=ModelSettings(tool_choice="check_bill"))
    await Runner.run(Agent(name="Billing", tools=[check_bill], model=model), "bill?", run_config=config)
    assert choices(model) == ["check_bill", None]


async def test_reset_tool_choice_false_keeps_forcing_tools(tracing: Tracing) -> None:
    model = ScriptedModel(
        [[function_call("check_bill", {})], [function_call("check_bill", {})], [assistant_message("done")]]
    )
    agent = Agent(
        name="Billing",
        tools=[check_bill],
        model=model,
        model_settings=ModelSettings(tool_choice="required"),
        reset_tool_choice=False,
    )
    await Runner.run(agent, "bill?", run_config=tracing.config)
    assert choices(model) == ["required", "required", "required"]


async def test_a_turn_without_tool_calls_resets_nothing(tracing: Tracing) -> None:
    first = ScriptedModel([[function_call("transfer_to_second", {})]])
    second = ScriptedModel([[assistant_message("second answers")]])
    settings = ModelSettings(tool_choice="auto")
    agent_2 = Agent(name="Second", model=second, model_settings=settings)
    agent_1 = Agent(name="First", model=first, model_settings=settings, handoffs=[agent_2])
    await Runner.run(agent_1, "go", run_config=tracing.config)
    assert choices(first) == ["auto"] and choices(second) == ["auto"]  # the second agent has used no tool yet


async def test_a_handoff_counts_as_tool_use_when_the_agent_gets_the_conversation_back(tracing: Tracing) -> None:
    first = ScriptedModel([[function_call("transfer_to_second", {})], [assistant_message("first again")]])
    second = ScriptedModel([[function_call("transfer_to_first", {})]])
    required = ModelSettings(tool_choice="required")
    agent_1 = Agent(name="First", model=first, model_settings=required)
    agent_2 = Agent(name="Second", model=second, model_settings=required, handoffs=[agent_1])
    agent_1.handoffs.append(agent_2)
    result = await Runner.run(agent_1, "go", run_config=tracing.config)
    assert result.final_output == "first again"
    assert choices(first) == ["required", None] and choices(second) == ["required"]


async def test_an_agent_as_tool_forced_to_use_tools_ends(tracing: Tracing) -> None:
    """The SDK's agents-as-tools example: the inner agent must call its tool once, then answer."""
    inner_model = ScriptedModel([[function_call("check_bill", {})], [assistant_message("Your bill is $100")]])
    billing = Agent(
        name="Billing",
        tools=[check_bill],
        model=inner_model,
        model_settings=ModelSettings(tool_choice="required"),
    )
    outer_model = ScriptedModel(
        [[function_call("billing_agent", {"input": "my bill?"}, call_id="b")], [assistant_message("It is $100.")]]
    )
    main = Agent(
        name="Main",
        tools=[billing.as_tool(tool_name="billing_agent", tool_description="Answers billing questions.")],
        model=outer_model,
    )
    result = await Runner.run(main, "How much do I owe?", run_config=tracing.config)
    assert result.final_output == "It is $100." and choices(inner_model) == ["required", None]
    sent_back = {i.call_id: i.output for i in outer_model.calls[1].input if i.type == "function_call_output"}  # type: ignore[union-attr]
    assert sent_back == {"b": "Your bill is $100"}


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_reset_tool_choice_must_be_a_bool(bad: Any) -> None:
    with pytest.raises(TypeError, match="reset_tool_choice must be a boolean"):
        Agent(name="A", reset_tool_choice=bad)
