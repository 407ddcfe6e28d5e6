"""SDK 0.25 "report completed input/output guardrails when a tripwire fires" (#5634, #6040).

When a tripwire fires, every sibling guardrail that had already completed is reported (on the exception's
``run_data`` and, streamed, on the result) even if it finished in the same loop tick as the tripwire and so was
not yet handed over; a guardrail still running is cancelled and not reported (even if it returns on cancel).
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
    OutputGuardrail,
    OutputGuardrailTripwireTriggered,
    Runner,
)
from agents_otel.testing import ScriptedModel, assistant_message


def _verdict(trip: bool) -> Any:
    async def check(*_: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=trip)

    return check


def _late(cancelled: asyncio.Event) -> Any:
    async def check(*_: Any) -> GuardrailFunctionOutput:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    return check


def _names(results: list[Any]) -> list[str]:
    return sorted(r.guardrail.get_name() for r in results)


async def _drain(agent: Agent[Any], streamed: bool, error: type[BaseException]) -> tuple[Any, Any]:
    if streamed:
        result = Runner.run_streamed(agent, "refund please")
        with pytest.raises(error) as info:
            async for _ in result.stream_events():
                pass
        return info.value, result
    with pytest.raises(error) as info:
        await Runner.run(agent, "refund please")
    return info.value, None


@pytest.mark.parametrize("streamed", [False, True])
async def test_an_input_tripwire_reports_the_siblings_that_finished_with_it(streamed: bool) -> None:
    cancelled = asyncio.Event()
    agent = Agent(
        name="billing",
        model=ScriptedModel([[assistant_message("hello")]]),
        input_guardrails=[
            InputGuardrail(guardrail_function=_verdict(True), name="order_required"),
            InputGuardrail(guardrail_function=_verdict(False), name="in_scope"),
            InputGuardrail(guardrail_function=_late(cancelled), name="late"),
        ],
    )
    exc, result = await _drain(agent, streamed, InputGuardrailTripwireTriggered)
    assert cancelled.is_set()
    assert exc.guardrail_result.guardrail.get_name() == "order_required"
    assert exc.run_data is not None
    assert _names(exc.run_data.input_guardrail_results) == ["in_scope", "order_required"]
    if result is not None:
        assert _names(result.input_guardrail_results) == ["in_scope", "order_required"]


@pytest.mark.parametrize("streamed", [False, True])
async def test_an_output_tripwire_reports_the_siblings_that_finished_with_it(streamed: bool) -> None:
    cancelled = asyncio.Event()
    agent = Agent(
        name="billing",
        model=ScriptedModel([[assistant_message("hello")]]),
        output_guardrails=[
            OutputGuardrail(guardrail_function=_verdict(True), name="refund_policy"),
            OutputGuardrail(guardrail_function=_verdict(False), name="tone"),
            OutputGuardrail(guardrail_function=_late(cancelled), name="late"),
        ],
    )
    exc, result = await _drain(agent, streamed, OutputGuardrailTripwireTriggered)
    assert cancelled.is_set()
    assert exc.guardrail_result.guardrail.get_name() == "refund_policy"
    assert exc.run_data is not None
    assert _names(exc.run_data.output_guardrail_results) == ["refund_policy", "tone"]
    if result is not None:
        assert _names(result.output_guardrail_results) == ["refund_policy", "tone"]
