"""Compatibility: ``error.run_data`` (``RunErrorDetails``), as the OpenAI Agents SDK fills it.

In the SDK every ``AgentsException`` that ends a run carries what the run had done: its input, the new items and
model responses so far, the agent that was running, the context wrapper and the guardrail results. It is set
whether the run was awaited, run synchronously or streamed (``MaxTurnsExceeded``, a tripwire, a model behaviour
error alike), and is ``None`` on an error made outside a run. Learnt from the SDK's ``test_run_error_details.py``,
``test_guardrails.py`` (tripwires report every completed guardrail result) and ``test_pretty_print.py``.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from agents_otel import (
    Agent,
    AgentsException,
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    ModelBehaviorError,
    RunContextWrapper,
    RunErrorDetails,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
def foo() -> str:
    """A tool the model keeps calling."""
    return "res"


def looping_agent() -> Agent[Any]:
    model = ScriptedModel([[assistant_message("1"), function_call("foo", {})], [assistant_message("done")]])
    return Agent(name="test", model=model, tools=[foo])


async def test_max_turns_carries_what_the_run_did() -> None:
    agent = looping_agent()
    with pytest.raises(MaxTurnsExceeded) as caught:
        await Runner.run(agent, "hello", max_turns=1, context={"user": "ann"})
    data = caught.value.run_data
    assert isinstance(data, RunErrorDetails)
    assert data.last_agent is agent and data.input == "hello"
    assert len(data.raw_responses) == 1
    assert [type(i) for i in data.new_items][-2:] == [ToolCallItem, ToolCallOutputItem]
    assert isinstance(data.context_wrapper, RunContextWrapper) and data.context_wrapper.context == {"user": "ann"}
    assert data.input_guardrail_results == [] and data.output_guardrail_results == []


async def test_streamed_max_turns_carries_it_too() -> None:
    agent = looping_agent()
    result = Runner.run_streamed(agent, "hello", max_turns=1)
    with pytest.raises(MaxTurnsExceeded) as caught:
        async for _ in result.stream_events():
            pass
    data = caught.value.run_data
    assert data is not None and data.last_agent is agent
    assert len(data.raw_responses) == 1 and len(data.new_items) > 0


def test_run_sync_carries_it() -> None:
    with pytest.raises(MaxTurnsExceeded) as caught:
        Runner.run_sync(looping_agent(), "hello", max_turns=1)
    assert caught.value.run_data is not None and caught.value.run_data.last_agent.name == "test"


def _tripwire_agent() -> Agent[Any]:
    def passes(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info="ok", tripwire_triggered=False)

    def trips(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info="no", tripwire_triggered=True)

    return Agent(
        name="guarded",
        model=ScriptedModel([[assistant_message("hello")]], check_calls=False),
        input_guardrails=[
            InputGuardrail(passes, name="passes", run_in_parallel=False),
            InputGuardrail(trips, name="trips", run_in_parallel=False),
        ],
    )


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_tripwire_reports_every_completed_guardrail_result(streamed: bool) -> None:
    with pytest.raises(InputGuardrailTripwireTriggered) as caught:
        if streamed:
            async for _ in Runner.run_streamed(_tripwire_agent(), "test input").stream_events():
                pass
        else:
            await Runner.run(_tripwire_agent(), "test input")
    data = caught.value.run_data
    assert data is not None
    assert [r.guardrail.get_name() for r in data.input_guardrail_results] == ["passes", "trips"]


async def test_any_error_of_the_run_carries_it() -> None:
    """A model calling a tool the agent does not have (``tool_not_found_behavior="raise_error"``)."""
    agent = Agent(name="a", model=ScriptedModel([[function_call("missing", {})]], check_calls=False))
    with pytest.raises(ModelBehaviorError) as caught:
        await Runner.run(agent, "go")
    assert caught.value.run_data is not None and len(caught.value.run_data.raw_responses) == 1


def test_an_error_outside_a_run_has_none() -> None:
    assert UserError("x").run_data is None and AgentsException().run_data is None


async def test_it_prints_as_a_summary_and_is_left_behind_by_pickling() -> None:
    with pytest.raises(MaxTurnsExceeded) as caught:
        await Runner.run(looping_agent(), "hello", max_turns=1)
    data = caught.value.run_data
    assert data is not None
    text = str(data)
    assert text.startswith('RunErrorDetails:\n- Last agent: Agent(name="test", ...)')
    assert f"- {len(data.new_items)} new item(s)" in text and "- 1 raw response(s)" in text
    assert text.endswith("(See `RunErrorDetails` for more details)")
    # The agent's tools hold functions: the error still pickles, without the run's data.
    clone = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(clone, MaxTurnsExceeded) and clone.max_turns == 1 and clone.run_data is None
