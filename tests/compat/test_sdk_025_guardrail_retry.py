"""SDK 0.25 "skip streamed model attempts after an input guardrail trips" (#5644).

A parallel input guardrail's tripwire cancels the first model call here (the SDK's streamed run did not), so what
is left to pin is the window between the tripwire being recorded and that cancel: a model attempt about to start
in it (a retry) is not sent, and the run ends with the tripwire. Streamed and not (both share the model call
here). A tripwire raised by a nested run inside the model call is an ordinary model error that the retry policy
may retry, as in the SDK.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailTripwireTriggered,
    ModelSettings,
    Runner,
)
from agents_otel.retry import ModelRetrySettings, RetryDecision, RetryPolicyContext
from agents_otel.testing import ModelStep, ScriptedModel, assistant_message


async def _run(agent: Agent[Any], streamed: bool) -> Any:
    if streamed:
        result = Runner.run_streamed(agent, "hello")
        async for _ in result.stream_events():
            pass
        return result
    return await Runner.run(agent, "hello")


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("trip", [True, False], ids=["rejected", "allowed"])
async def test_a_retry_after_the_tripwire_is_recorded_is_not_sent(streamed: bool, trip: bool) -> None:
    release = asyncio.Event()  # the retry policy lets the guardrail decide
    recorded = asyncio.Event()  # set once the verdict is in (the sibling is cancelled after a tripwire)
    errors: list[BaseException] = []

    async def verdict(*_: Any) -> GuardrailFunctionOutput:
        await release.wait()
        if not trip:
            recorded.set()
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=trip)

    async def sibling(*_: Any) -> GuardrailFunctionOutput:
        try:
            if trip:
                await asyncio.Event().wait()
            return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)
        finally:
            recorded.set()  # a tripwire cancels it only after it recorded the tripwire's result

    async def policy(context: RetryPolicyContext) -> RetryDecision:
        errors.append(context.error)
        release.set()
        await recorded.wait()
        return RetryDecision(retry=True, delay=0)

    timeout = TimeoutError("first attempt")
    model = ScriptedModel([ModelStep.raise_error(timeout), [assistant_message("ok")]])
    agent = Agent(
        name="a",
        model=model,
        input_guardrails=[
            InputGuardrail(guardrail_function=verdict, name="verdict"),
            InputGuardrail(guardrail_function=sibling, name="sibling"),
        ],
        model_settings=ModelSettings(retry=ModelRetrySettings(max_retries=2, policy=policy)),
    )
    if trip:
        with pytest.raises(InputGuardrailTripwireTriggered) as info:
            await _run(agent, streamed)
        assert info.value.guardrail_result.guardrail.get_name() == "verdict"
        assert len(model.calls) == 1
    else:
        result = await _run(agent, streamed)
        assert result.final_output == "ok"
        assert len(model.calls) == 2
    assert errors == [timeout]


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_nested_runs_tripwire_inside_the_model_call_can_be_retried(streamed: bool) -> None:
    async def trips(*_: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    inner = Agent(
        name="inner",
        model=ScriptedModel(),
        input_guardrails=[InputGuardrail(guardrail_function=trips, run_in_parallel=False)],
    )

    async def call_inner(call: Any) -> Any:
        await Runner.run(inner, "hello")
        raise AssertionError("the inner guardrail rejects the input")

    def retry_tripwires(context: RetryPolicyContext) -> RetryDecision:
        return RetryDecision(retry=isinstance(context.error, InputGuardrailTripwireTriggered), delay=0)

    model = ScriptedModel([ModelStep.respond(call_inner), [assistant_message("ok")]])
    agent = Agent(
        name="outer",
        model=model,
        model_settings=ModelSettings(retry=ModelRetrySettings(max_retries=1, policy=retry_tripwires)),
    )
    result = await _run(agent, streamed)
    assert result.final_output == "ok"
    assert len(model.calls) == 2
