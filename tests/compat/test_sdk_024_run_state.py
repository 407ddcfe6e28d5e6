"""Compatibility (SDK 0.24): what a paused run's ``RunState`` lets the application set before resuming.

``get_tool_use_tracker_snapshot`` / ``set_tool_use_tracker_snapshot`` (which agents used which tools: a resumed run
resets those agents' ``tool_choice``), ``set_reasoning_item_id_policy`` and ``set_trace``. Learnt from the SDK's
run_state.py and its tool-use tracker; the scenarios are our own.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import Tracing

from agents_otel import Agent, ModelSettings, RunConfig, Runner, RunState, UserError, function_tool
from agents_otel.items import RawInputItem
from agents_otel.testing import ScriptedModel, assistant_message, function_call

ran: list[str] = []


@function_tool
def look() -> str:
    ran.append("look")
    return "seen"


@function_tool(needs_approval=True)
def wipe() -> str:
    ran.append("wipe")
    return "wiped"


def _agent(*steps: list[Any], settings: ModelSettings | None = None) -> Agent[Any]:
    return Agent(
        name="Ops", tools=[look, wipe], model=ScriptedModel(list(steps)), model_settings=settings or ModelSettings()
    )


async def _paused(agent: Agent[Any], config: RunConfig | None = None) -> RunState[Any]:
    result = await Runner.run(agent, "go", run_config=config)
    assert result.interruptions
    state = result.to_state()
    state.approve(result.interruptions[0])
    return state


async def test_the_snapshot_names_the_tools_each_agent_used() -> None:
    agent = _agent([function_call("look", {}, call_id="c1")], [function_call("wipe", {}, call_id="c2")])
    state = await _paused(agent)
    assert state.get_tool_use_tracker_snapshot() == {"Ops": ["look", "wipe"]}
    snapshot = state.get_tool_use_tracker_snapshot()
    snapshot["Ops"].append("x")  # a copy
    assert state.get_tool_use_tracker_snapshot() == {"Ops": ["look", "wipe"]}

    state.set_tool_use_tracker_snapshot({"Ops": ("look",), "Other": []})
    assert state.get_tool_use_tracker_snapshot() == {"Ops": ["look"], "Other": []}
    again = await RunState.from_string(agent, state.to_string())
    assert again.get_tool_use_tracker_snapshot() == {"Ops": ["look"], "Other": []}
    state.set_tool_use_tracker_snapshot(None)
    assert state.get_tool_use_tracker_snapshot() == {}
    for bad in ({"Ops": "look"}, {"Ops": [1]}, ["Ops"]):
        with pytest.raises(UserError, match="tool-use tracker snapshot"):
            state.set_tool_use_tracker_snapshot(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("forget", [False, True])
async def test_a_resumed_run_resets_tool_choice_for_agents_that_used_tools(forget: bool) -> None:
    agent = _agent(
        [function_call("wipe", {}, call_id="c1")],
        [assistant_message("done")],
        settings=ModelSettings(tool_choice="required"),
    )
    state = await _paused(agent)
    if forget:
        state.set_tool_use_tracker_snapshot({})
    result = await Runner.run(agent, state)
    assert result.final_output == "done" and ran[-1] == "wipe"
    after = agent.model.calls[-1].settings.tool_choice  # type: ignore[union-attr]
    assert after == ("required" if forget else None)  # reset_tool_choice, as the SDK's restored tracker gives


async def test_set_reasoning_item_id_policy_omits_the_ids_on_resume() -> None:
    reasoning = RawInputItem({"type": "reasoning", "id": "rs_1", "summary": []})
    first_turn = [reasoning, function_call("wipe", {}, call_id="c1")]
    agent = _agent(first_turn, [assistant_message("a")], [assistant_message("b")])
    first = await Runner.run(agent, "go")
    state, sibling = first.to_state(), first.to_state()
    for each in (state, sibling):
        each.approve(first.interruptions[0])
    state.set_reasoning_item_id_policy("omit")
    await Runner.run(agent, state)
    sent = [i.data for i in agent.model.calls[-1].input if isinstance(i, RawInputItem)]  # type: ignore[union-attr]
    assert sent == [{"type": "reasoning", "summary": []}]  # the id left out, as the SDK sends it
    await Runner.run(agent, sibling)  # another state of the same result keeps its own policy
    sent = [i.data for i in agent.model.calls[-1].input if isinstance(i, RawInputItem)]  # type: ignore[union-attr]
    assert sent == [{"type": "reasoning", "id": "rs_1", "summary": []}]
    with pytest.raises(UserError, match="set_reasoning_item_id_policy"):
        state.set_reasoning_item_id_policy("drop")  # type: ignore[arg-type]


async def test_set_trace_chooses_the_trace_a_resumed_run_continues(tracing: Tracing) -> None:
    config = tracing.config
    agent = _agent([function_call("wipe", {}, call_id="c1")], [assistant_message("done")], [assistant_message("x")])
    first = await Runner.run(agent, "go", run_config=config)
    state = first.to_state()
    state.approve(first.interruptions[0])

    class Chosen:
        trace_id = "trace_" + "ab" * 16

    state.set_trace(Chosen())
    assert (await Runner.run(agent, state, run_config=config)).trace_id == "ab" * 16
    state.set_trace(None)
    fresh = await Runner.run(agent, state, run_config=config)
    assert fresh.trace_id not in (first.trace_id, "ab" * 16)
    with pytest.raises(UserError, match="set_trace"):
        state.set_trace(object())
