"""Guardrails as the OpenAI Agents SDK pins them down (decorators, names, sync/async functions, results on the
``RunResult``, the tripwire exceptions, ``run_in_parallel``, ``RunConfig`` guardrails, only the starting agent's
input guardrails and the final agent's output guardrails) plus what we add: a ``guardrail {name}`` span per
guardrail with its outcome, a stream event for a tripwire, and a tripwire that cancels the model call at once."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    GuardrailTripwireStreamEvent,
    InputGuardrail,
    InputGuardrailTripwireTriggered,
    ModelRequest,
    ModelResponse,
    OutputGuardrail,
    OutputGuardrailTripwireTriggered,
    RunConfig,
    RunContextWrapper,
    Runner,
    UserError,
    function_tool,
    input_guardrail,
    output_guardrail,
)
from agents_otel.models.interface import Model
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@input_guardrail
def no_homework(ctx: RunContextWrapper[Any], agent: Agent[Any], input: Any) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info={"saw": input}, tripwire_triggered="homework" in str(input))


@output_guardrail(name="no_secrets")
async def no_secrets_check(ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered="secret" in str(output))


def test_decorators_make_named_guardrails() -> None:
    assert isinstance(no_homework, InputGuardrail) and no_homework.get_name() == "no_homework"
    assert no_homework.run_in_parallel is True
    assert isinstance(no_secrets_check, OutputGuardrail) and no_secrets_check.get_name() == "no_secrets"

    @input_guardrail(name="custom", run_in_parallel=False)
    def g(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(None, False)

    assert (g.get_name(), g.run_in_parallel) == ("custom", False)


async def test_passing_guardrails_leave_results_and_spans(tracing: Any) -> None:
    agent = Agent(
        "a",
        model=ScriptedModel([[assistant_message("fine")]]),
        input_guardrails=[no_homework],
        output_guardrails=[no_secrets_check],
    )
    result = await Runner.run(agent, "hello", run_config=tracing.config)
    assert result.final_output == "fine"
    (ig,) = result.input_guardrail_results
    assert ig.guardrail is no_homework and ig.output.output_info == {"saw": "hello"}
    (og,) = result.output_guardrail_results
    assert (og.agent, og.agent_output, og.output.tripwire_triggered) == (agent, "fine", False)
    spans = {s.name: s for s in tracing.spans()}
    gi, go = spans["guardrail no_homework"], spans["guardrail no_secrets"]
    assert gi.attributes["agents_otel.guardrail.type"] == "input"
    assert gi.attributes["agents_otel.guardrail.tripwire_triggered"] is False
    assert go.attributes["agents_otel.guardrail.type"] == "output"
    assert gi.parent.span_id == spans["invoke_agent a"].context.span_id


@pytest.mark.parametrize("streamed", [False, True])
async def test_input_tripwire_raises_streams_and_is_traced(streamed: bool, tracing: Any) -> None:
    agent = Agent("a", model=ScriptedModel([[assistant_message("never")]]), input_guardrails=[no_homework])
    events: list[Any] = []
    with pytest.raises(InputGuardrailTripwireTriggered) as caught:
        if streamed:
            result = Runner.run_streamed(agent, "do my homework", run_config=tracing.config)
            async for event in result.stream_events():
                events.append(event)
        else:
            await Runner.run(agent, "do my homework", run_config=tracing.config)
    assert caught.value.guardrail_result.guardrail is no_homework
    assert caught.value.guardrail_result.output.output_info == {"saw": "do my homework"}
    if streamed:
        (trip,) = [e for e in events if isinstance(e, GuardrailTripwireStreamEvent)]
        assert (trip.guardrail_name, trip.guardrail_type, trip.agent_name) == ("no_homework", "input", "a")
        # the streamed result still reports the verdicts a tripwire ended the run with, as the SDK's does
        assert [r.output.tripwire_triggered for r in result.input_guardrail_results] == [True]
    (span,) = tracing.named("guardrail no_homework")
    assert span.attributes["agents_otel.guardrail.tripwire_triggered"] is True
    (run_span,) = tracing.named("invoke_agent")
    assert run_span.attributes["error.type"] == "agents_otel.exceptions.InputGuardrailTripwireTriggered"


@pytest.mark.parametrize("streamed", [False, True])
async def test_output_tripwire(streamed: bool) -> None:
    agent = Agent(
        "a", model=ScriptedModel([[assistant_message("the secret is 42")]]), output_guardrails=[no_secrets_check]
    )
    with pytest.raises(OutputGuardrailTripwireTriggered) as caught:
        if streamed:
            result = Runner.run_streamed(agent, "hi")
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "hi")
    assert caught.value.guardrail_result.agent_output == "the secret is 42"
    assert caught.value.guardrail_result.agent is agent


class SlowModel(Model):
    """Blocks until cancelled: a model call that is still running when the guardrail trips."""

    model_name = "slow"

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = asyncio.Event()

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        raise AssertionError("unreachable")


async def test_a_tripwire_cancels_the_running_model_call_and_leaves_no_task(tracing: Any) -> None:
    model = SlowModel()

    @input_guardrail
    async def waits_for_model(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        await model.started.wait()  # trip only once the model call is really in flight
        return GuardrailFunctionOutput(None, True)

    before = asyncio.all_tasks()
    with pytest.raises(InputGuardrailTripwireTriggered):
        await Runner.run(Agent("a", model=model, input_guardrails=[waits_for_model]), "x", run_config=tracing.config)
    assert model.cancelled.is_set()
    assert asyncio.all_tasks() == before
    (chat,) = tracing.named("chat")
    assert chat.attributes["error.type"] == "cancelled"


async def test_parallel_guardrails_run_alongside_the_first_model_call() -> None:
    release = asyncio.Event()
    order: list[str] = []

    @input_guardrail
    async def slow_check(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        order.append("guardrail started")
        await release.wait()
        order.append("guardrail done")
        return GuardrailFunctionOutput(None, False)

    def answer(request: ModelRequest) -> list[Any]:
        order.append("model called")
        release.set()  # the guardrail can only finish because the model call ran meanwhile
        return [assistant_message("ok")]

    result = await Runner.run(Agent("a", model=ScriptedModel([answer]), input_guardrails=[slow_check]), "x")
    assert result.final_output == "ok"
    # Run one after the other, the guardrail would wait forever for the model call (the test would time out).
    assert sorted(order) == ["guardrail done", "guardrail started", "model called"]
    assert order.index("model called") < order.index("guardrail done")


async def test_blocking_guardrail_prevents_the_model_call() -> None:
    @input_guardrail(run_in_parallel=False)
    def block(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(None, True)

    model = ScriptedModel([[assistant_message("never")]])
    with pytest.raises(InputGuardrailTripwireTriggered):
        await Runner.run(Agent("a", model=model, input_guardrails=[block]), "x")
    assert model.calls == []


async def test_tools_of_the_first_turn_wait_for_parallel_guardrails() -> None:
    """Deliberate difference: the SDK may start the first turn's tools before a parallel guardrail trips; here they
    wait for the guardrails, so a tripped input never has side effects through a tool."""
    ran: list[str] = []

    @function_tool
    def side_effect() -> str:
        ran.append("tool")
        return "x"

    gate = asyncio.Event()

    @input_guardrail
    async def late_trip(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        await gate.wait()
        return GuardrailFunctionOutput(None, True)

    def call_tool(request: ModelRequest) -> list[Any]:
        gate.set()
        return [function_call("side_effect", {})]

    agent = Agent("a", model=ScriptedModel([call_tool]), tools=[side_effect], input_guardrails=[late_trip])
    with pytest.raises(InputGuardrailTripwireTriggered):
        await Runner.run(agent, "x")
    assert ran == []


async def test_a_failing_guardrail_fails_the_run_with_its_error(tracing: Any) -> None:
    @input_guardrail
    def broken(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        raise ValueError("guardrail bug")

    with pytest.raises(ValueError, match="guardrail bug"):
        await Runner.run(
            Agent("a", model=ScriptedModel([[assistant_message("x")]]), input_guardrails=[broken]),
            "x",
            run_config=tracing.config,
        )
    (span,) = tracing.named("guardrail broken")
    assert span.attributes["error.type"] == "ValueError"


async def test_a_guardrail_returning_something_else_is_a_user_error() -> None:
    bad = InputGuardrail(guardrail_function=lambda ctx, agent, input: True)  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError):
        await Runner.run(Agent("a", model=ScriptedModel([[assistant_message("x")]]), input_guardrails=[bad]), "x")


async def test_an_item_list_input_reaches_guardrails_as_responses_items() -> None:
    seen: list[Any] = []

    @input_guardrail
    def look(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        seen.append(input)
        return GuardrailFunctionOutput(None, False)

    from agents_otel import UserMessage

    agent = Agent("a", model=ScriptedModel([[assistant_message("x")]]), input_guardrails=[look])
    await Runner.run(agent, [UserMessage("one"), UserMessage("two")])
    assert seen == [[{"role": "user", "content": "one"}, {"role": "user", "content": "two"}]]


async def test_run_config_guardrails_and_which_agents_they_apply_to() -> None:
    seen: list[str] = []

    def recorder(label: str) -> Any:
        def check(ctx: Any, agent: Agent[Any], value: Any) -> GuardrailFunctionOutput:
            seen.append(f"{label}:{agent.name}")
            return GuardrailFunctionOutput(None, False)

        return check

    b = Agent(
        "B",
        model=ScriptedModel([[assistant_message("b")]]),
        input_guardrails=[InputGuardrail(recorder("b-in"))],
        output_guardrails=[OutputGuardrail(recorder("b-out"))],
    )
    a = Agent(
        "A",
        model=ScriptedModel([[function_call("transfer_to_b", {})]]),
        handoffs=[b],
        input_guardrails=[InputGuardrail(recorder("a-in"))],
        output_guardrails=[OutputGuardrail(recorder("a-out"))],
    )
    config = RunConfig(
        input_guardrails=[InputGuardrail(recorder("run-in"))], output_guardrails=[OutputGuardrail(recorder("run-out"))]
    )
    await Runner.run(a, "x", run_config=config)
    # input: the starting agent's and the run's; output: the final agent's and the run's
    assert sorted(seen) == ["a-in:A", "b-out:B", "run-in:A", "run-out:B"]
    gc.collect()
