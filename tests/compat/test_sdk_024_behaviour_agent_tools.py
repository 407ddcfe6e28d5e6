"""SDK 0.23 "preserve guarded final outputs in agent tools", through real nested runs.

An agent tool answers with the inner run's final output; when that is empty, with the run's last non-empty message
text or text tool output (the SDK's fallback), unless output guardrails checked the final output (the agent's, a
handoff target's or the tool's ``run_config``'s): then the checked final output is the answer, even empty, since
the intermediate items were never checked. A ``custom_output_extractor`` decides for itself.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    RunConfig,
    RunContextWrapper,
    Runner,
    RunState,
    ToolCallOutputItem,
    function_tool,
    output_guardrail,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize(
    ("owner", "source", "completion", "custom"),
    [
        ("agent", "tool", "empty", False),
        ("config", "message", "empty", False),
        ("handoff", "tool", "empty", False),
        ("agent", "tool", "none", False),
        ("agent", "tool", "nonempty", False),
        ("none", "tool", "empty", False),
        ("none", "message", "empty", False),
        ("agent", "tool", "empty", True),
    ],
)
async def test_an_agent_tool_answers_with_the_guarded_final_output(
    streamed: bool, owner: str, source: str, completion: str, custom: bool
) -> None:
    checked: list[tuple[str, Any]] = []

    @output_guardrail
    def check(context: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
        checked.append((agent.name, output))
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=output == "internal")

    @function_tool
    def lookup() -> str:
        return "internal" if source == "tool" else ""

    first_turn: list[Any] = [function_call("lookup", {})]
    if source == "message":
        first_turn.insert(0, assistant_message("internal"))
    final = {"nonempty": "done", "none": '{"response": null}'}.get(completion, "")
    worker = Agent(
        name="worker",
        model=ScriptedModel([first_turn, [assistant_message(final)]]),
        tools=[lookup],
        output_type=type(None) if completion == "none" else None,
        output_guardrails=[check] if owner in ("agent", "handoff") else [],
    )
    nested = worker
    if owner == "handoff":
        nested = Agent(
            name="delegator", handoffs=[worker],
            model=ScriptedModel([[function_call("transfer_to_worker", {}, call_id="h")]]),
        )

    async def extract(result: Any) -> str:
        return "custom output"

    delegate = nested.as_tool(
        "delegate", "Delegate to a worker",
        on_stream=(lambda event: None) if streamed else None,
        run_config=RunConfig(output_guardrails=[check]) if owner == "config" else None,
        custom_output_extractor=extract if custom else None,
        failure_error_function=None,
    )
    parent_model = ScriptedModel([[function_call("delegate", {"input": "work"})], [assistant_message("parent done")]])
    result = await Runner.run(Agent(name="parent", model=parent_model, tools=[delegate]), "go")
    expected_final = None if completion == "none" else "done" if completion == "nonempty" else ""
    expected = "custom output" if custom else "internal" if owner == "none" else expected_final
    assert checked == ([] if owner == "none" else [("worker", expected_final)])
    assert [i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)] == [expected]
    sent = [i.output for i in parent_model.calls[1].input if getattr(i, "type", None) == "function_call_output"]  # type: ignore[union-attr]
    assert sent == ["" if expected is None else expected]  # None reads as "" on purpose (docs/migrating.md)


async def test_a_guarded_empty_answer_survives_an_approval_resume() -> None:
    checked: list[Any] = []

    @output_guardrail
    def check(context: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
        checked.append(output)
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=output == "internal")

    @function_tool(needs_approval=True)
    def lookup() -> str:
        return "internal"

    worker = Agent(
        name="worker", tools=[lookup], output_guardrails=[check],
        model=ScriptedModel([[function_call("lookup", {})], [assistant_message("")]]),
    )
    parent_model = ScriptedModel([[function_call("delegate", {"input": "work"})], [assistant_message("done")]])
    parent = Agent(name="parent", model=parent_model, tools=[worker.as_tool("delegate", "Delegate")])
    paused = await Runner.run(parent, "go")
    assert len(paused.interruptions) == 1 and checked == []
    state = await RunState.from_json(parent, paused.to_state().to_json())
    state.approve(state.get_interruptions()[0])
    resumed = await Runner.run(parent, state)
    assert checked == [""]
    assert [i.output for i in resumed.new_items if isinstance(i, ToolCallOutputItem)] == [""]
