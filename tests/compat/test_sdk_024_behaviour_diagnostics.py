"""SDK 0.23 / 0.24 diagnostics and tracing fixes, through real runs.

- "escape terminal controls in result diagnostics": printing a result or a failed run's ``run_data`` never writes a
  raw C0 (but tab and newline), DEL or C1 character, whatever the agent's name or the model's output held.
- "honor Runner tracing opt-out inside caller traces": ``RunConfig(tracing_disabled=True)`` inside a span of the
  caller's records nothing of the run (spans the run's tools open included), and leaves the caller's span current.
"""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import trace as otel
from support import Tracing

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    MaxTurnsExceeded,
    RunConfig,
    Runner,
    function_tool,
    input_guardrail,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing import custom_span

PAYLOAD = "Hello\x1b[2J\x1b]0;title\x07\x08\x00\x7f\x9b31m\x9d0;title\x9c\x0b\x0c\x1c\x1d\x1e\x85"
NAME = "agent\x1b[2J\x9b31m"


def clean(text: str) -> bool:
    return all(c >= " " or c in "\n\t" for c in text) and not any("\x7f" <= c <= "\x9f" for c in text)


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_printed_result_escapes_terminal_controls(streamed: bool) -> None:
    agent = Agent(name=NAME, model=ScriptedModel([[assistant_message(PAYLOAD)]]))
    if streamed:
        result: Any = Runner.run_streamed(agent, "hi")
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "hi")
    assert result.final_output == PAYLOAD and agent.name == NAME  # the values themselves are untouched
    assert clean(str(result)) and clean(repr(result))


async def test_a_failed_runs_details_escape_terminal_controls() -> None:
    @function_tool
    def again() -> str:
        return PAYLOAD

    agent = Agent(name=NAME, model=ScriptedModel([[function_call("again", {})]]), tools=[again])
    with pytest.raises(MaxTurnsExceeded) as caught:
        await Runner.run(agent, "hi", max_turns=1)
    details = caught.value.run_data
    assert details is not None
    rendered = str(details)
    assert clean(rendered) and clean(str(caught.value))
    assert r'Agent(name="agent\x1b[2J\x9b31m", ...)' in rendered


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("disabled", [False, True])
async def test_a_run_with_tracing_disabled_records_nothing_inside_the_callers_span(
    tracing: Tracing, streamed: bool, disabled: bool
) -> None:
    @function_tool
    def lookup(city: str) -> str:
        with custom_span("inside-tool"):
            return f"weather for {city}"

    @input_guardrail
    def allow(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    target = Agent(name="target", model=ScriptedModel([[assistant_message("done")]]))
    agent = Agent(
        name="start",
        model=ScriptedModel([[function_call("lookup", {"city": "Paris"})], [function_call("transfer_to_target", {})]]),
        tools=[lookup], handoffs=[target], input_guardrails=[allow],
    )
    config = RunConfig(tracing_disabled=disabled, tracer_provider=tracing.provider)
    tracer = tracing.provider.get_tracer("caller")
    with tracer.start_as_current_span("caller-parent") as parent:
        if streamed:
            result: Any = Runner.run_streamed(agent, "hi", run_config=config)
            async for _ in result.stream_events():
                assert otel.get_current_span() is parent
        else:
            result = await Runner.run(agent, "hi", run_config=config)
        assert result.final_output == "done" and otel.get_current_span() is parent
        with tracer.start_as_current_span("after"):
            pass
    names = [s.name for s in tracing.spans()]
    if disabled:
        assert sorted(names) == ["after", "caller-parent"]
    else:
        assert {"inside-tool", "execute_tool lookup", "guardrail allow", "invoke_agent start"} <= set(names)
    (after,) = tracing.named("after")
    assert after.parent is not None and after.parent.span_id == parent.get_span_context().span_id
