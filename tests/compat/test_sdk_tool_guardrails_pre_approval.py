"""``ToolExecutionConfig(pre_approval_tool_input_guardrails=True)`` as the OpenAI Agents SDK pins it down: a call
that would wait for approval is first judged by its tool's input guardrails. ``reject_content`` answers the call at
once (no interruption, the tool never runs, the model reads the message); ``raise_exception`` fails the run before
anyone is asked; ``allow`` lets the call wait, and after approval (through ``RunState`` JSON too) the guardrails judge
it again before it runs. Off (the default), nothing is judged before approval; calls that need no approval are
judged once, when they run. What we add: the pre-approval check is a ``guardrail {name}`` span under the agent's
span, flagged ``agents_otel.guardrail.pre_approval``, and the answered call's ``execute_tool`` span names the
guardrail in ``agents_otel.tool.rejected_by`` (no approval attribute: no person decided)."""

from __future__ import annotations

from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    FunctionCallOutput,
    GuardrailTripwireStreamEvent,
    RunConfig,
    Runner,
    RunState,
    ToolCallOutputItem,
    ToolExecutionConfig,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrailData,
    ToolInputGuardrailTripwireTriggered,
    function_tool,
    tool_input_guardrail,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

PRE = ToolExecutionConfig(pre_approval_tool_input_guardrails=True)
JUDGED: list[str] = []
RAN: list[str] = []


@tool_input_guardrail
def screen(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
    text = data.context.tool_arguments
    JUDGED.append(data.context.tool_call_id)
    if "secret" in text:
        return ToolGuardrailFunctionOutput.reject_content("blocked before approval", {"why": "secret"})
    if "rm -rf" in text:
        return ToolGuardrailFunctionOutput.raise_exception({"reason": "destructive"})
    return ToolGuardrailFunctionOutput.allow(len(JUDGED))


@function_tool(needs_approval=True, tool_input_guardrails=[screen])
def send(text: str) -> str:
    """Send a message."""
    RAN.append(text)
    return f"sent {text}"


@function_tool(tool_input_guardrails=[screen])
def note(text: str) -> str:
    """Write a note (no approval needed)."""
    RAN.append(text)
    return f"noted {text}"


@pytest.fixture(autouse=True)
def _clear() -> None:
    JUDGED.clear()
    RAN.clear()


def _agent(*calls: Any) -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([list(calls), [assistant_message("done")]])
    return Agent(name="Mailer", tools=[send, note], model=model), model


def _config(tracing: Tracing | None = None, pre: bool = True) -> RunConfig:
    return RunConfig(
        tool_execution=PRE if pre else None, tracer_provider=tracing.provider if tracing is not None else None
    )


async def _run(agent: Agent[Any], config: RunConfig, streamed: bool, events: list[Any] | None = None) -> Any:
    if not streamed:
        return await Runner.run(agent, "go", run_config=config)
    result = Runner.run_streamed(agent, "go", run_config=config)
    async for event in result.stream_events():
        if events is not None:
            events.append(event)
    return result


def _sent(model: ScriptedModel) -> list[tuple[str, Any]]:
    return [(i.call_id, i.output) for i in model.calls[-1].input if isinstance(i, FunctionCallOutput)]


async def test_off_by_default_nothing_is_judged_before_approval() -> None:
    agent, _ = _agent(function_call("send", {"text": "secret"}, call_id="c1"))
    result = await Runner.run(agent, "go", run_config=_config(pre=False))
    assert [i.call_id for i in result.interruptions] == ["c1"]
    assert JUDGED == [] and result.tool_input_guardrail_results == []


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_rejected_call_is_answered_without_asking_anyone(streamed: bool, tracing: Tracing) -> None:
    agent, model = _agent(function_call("send", {"text": "secret"}, call_id="c1"))
    result = await _run(agent, _config(tracing), streamed)
    assert result.final_output == "done" and result.interruptions == []
    assert RAN == [] and JUDGED == ["c1"]
    (verdict,) = result.tool_input_guardrail_results
    assert verdict.guardrail is screen and verdict.output.output_info == {"why": "secret"}
    outputs = [(i.call_id, i.output) for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert outputs == [("c1", "blocked before approval")]
    assert _sent(model) == [("c1", "blocked before approval")]
    # The check ran before the call had a span: it nests under the agent's span and says so.
    (check,) = tracing.named("guardrail screen")
    (agent_span,) = tracing.named("invoke_agent")
    assert check.parent is not None and check.parent.span_id == agent_span.context.span_id
    attributes = dict(check.attributes or {})
    assert attributes["agents_otel.guardrail.pre_approval"] is True
    assert attributes["agents_otel.guardrail.behavior"] == "reject_content"
    assert attributes["gen_ai.tool.call.id"] == "c1" and attributes["gen_ai.tool.name"] == "send"
    tool = tracing.tool_span("c1")
    assert (tool.attributes or {})["agents_otel.tool.rejected_by"] == "screen"
    assert "agents_otel.tool.approval" not in (tool.attributes or {})


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_tripwire_fails_the_run_before_anyone_is_asked(streamed: bool) -> None:
    agent, _ = _agent(function_call("send", {"text": "rm -rf /"}, call_id="c1"))
    events: list[Any] = []
    with pytest.raises(ToolInputGuardrailTripwireTriggered) as caught:
        await _run(agent, _config(), streamed, events)
    assert caught.value.guardrail is screen and caught.value.output.output_info == {"reason": "destructive"}
    assert RAN == [] and JUDGED == ["c1"]
    if streamed:
        (tripwire,) = [e for e in events if isinstance(e, GuardrailTripwireStreamEvent)]
        assert (tripwire.guardrail_name, tripwire.guardrail_type) == ("screen", "tool_input")


@pytest.mark.parametrize("streamed", [False, True])
async def test_an_allowed_call_waits_and_is_judged_again_after_approval(streamed: bool) -> None:
    agent, model = _agent(function_call("send", {"text": "hi"}, call_id="c1"))
    first = await _run(agent, _config(), streamed)
    assert [i.call_id for i in first.interruptions] == ["c1"]
    assert JUDGED == ["c1"] and RAN == []
    assert [r.output.output_info for r in first.tool_input_guardrail_results] == [1]
    state = first.to_state()
    state.approve(first.interruptions[0])
    restored = await RunState.from_string(agent, state.to_string())
    if streamed:
        resumed: Any = Runner.run_streamed(agent, restored, run_config=_config())
        async for _ in resumed.stream_events():
            pass
    else:
        resumed = await Runner.run(agent, restored, run_config=_config())
    assert resumed.final_output == "done"
    assert JUDGED == ["c1", "c1"] and RAN == ["hi"]
    assert _sent(model) == [("c1", "sent hi")]
    # Both verdicts are kept: the one before approval (restored from the JSON) and the one before the call ran.
    assert [r.output.output_info for r in resumed.tool_input_guardrail_results] == [1, 2]


async def test_a_rejection_after_approval_still_answers_the_call() -> None:
    """The guardrail judges again after approval: a verdict that changed in between wins over the approval."""
    flip: list[str] = []

    @tool_input_guardrail
    def changing(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        flip.append("judged")
        if len(flip) > 1:
            return ToolGuardrailFunctionOutput.reject_content("no longer allowed")
        return ToolGuardrailFunctionOutput.allow()

    @function_tool(needs_approval=True, tool_input_guardrails=[changing])
    def wire(amount: int) -> str:
        """Wire money."""
        RAN.append(str(amount))
        return "wired"

    model = ScriptedModel([[function_call("wire", {"amount": 5}, call_id="w1")], [assistant_message("done")]])
    agent = Agent(name="Bank", tools=[wire], model=model)
    first = await Runner.run(agent, "go", run_config=_config())
    state = first.to_state()
    state.approve(first.interruptions[0])
    resumed = await Runner.run(agent, state, run_config=_config())
    assert resumed.final_output == "done" and RAN == [] and flip == ["judged", "judged"]
    assert _sent(model) == [("w1", "no longer allowed")]


async def test_a_mixed_turn_pauses_only_for_the_allowed_call_and_keeps_the_model_s_order() -> None:
    agent, model = _agent(
        function_call("send", {"text": "hi"}, call_id="c1"),
        function_call("send", {"text": "secret"}, call_id="c2"),
        function_call("note", {"text": "memo"}, call_id="c3"),
    )
    first = await Runner.run(agent, "go", run_config=_config())
    assert [i.call_id for i in first.interruptions] == ["c1"]
    # c1 and c2 judged before approval, c3 (no approval needed) when it ran.
    assert JUDGED == ["c1", "c2", "c3"] and RAN == ["memo"]
    state = first.to_state()
    state.approve(first.interruptions[0])
    restored = await RunState.from_json(agent, state.to_json())
    resumed = await Runner.run(agent, restored, run_config=_config())
    assert resumed.final_output == "done" and RAN == ["memo", "hi"]
    assert JUDGED == ["c1", "c2", "c3", "c1"]
    sent = _sent(model)
    assert dict(sent) == {"c1": "sent hi", "c2": "blocked before approval", "c3": "noted memo"}
    # The calls answered before the pause keep the model's order (the approved one follows, as any approved call).
    assert [call_id for call_id, _ in sent if call_id != "c1"] == ["c2", "c3"]


async def test_a_call_rejected_by_a_person_is_not_judged() -> None:
    agent, model = _agent(function_call("send", {"text": "hi"}, call_id="c1"))
    first = await Runner.run(agent, "go", run_config=_config())
    state = first.to_state()
    state.reject(first.interruptions[0], rejection_message="not today")
    resumed = await Runner.run(agent, state, run_config=_config())
    assert JUDGED == ["c1"] and RAN == []
    assert _sent(model) == [("c1", "not today")]
    assert resumed.final_output == "done"


async def test_an_undecided_call_is_not_judged_again_while_it_waits() -> None:
    agent, _ = _agent(function_call("send", {"text": "hi"}, call_id="c1"))
    first = await Runner.run(agent, "go", run_config=_config())
    again = await Runner.run(agent, first.to_state(), run_config=_config())
    assert [i.call_id for i in again.interruptions] == ["c1"]
    assert JUDGED == ["c1"] and RAN == []
