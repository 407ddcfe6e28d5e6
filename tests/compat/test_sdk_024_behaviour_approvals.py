"""SDK 0.23 "scope function tool approvals to their owning agent", through real paused runs.

``approve(item, always_approve=True)`` (and ``always_reject``) stands for that agent's tool: a later call of it in
the run is decided without asking, but another agent's tool of the same name still waits for its own decision.
A state saved before decisions were scoped (standing decisions by tool name alone) restores them as nothing, so
such a tool asks again rather than approving every agent's tool of that name (as the SDK's legacy permanent
approvals since 0.23).
"""

from __future__ import annotations

from typing import Any

import pytest

from agents_otel import Agent, Runner, RunState, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def two_agents(ran: list[str], steps: list[Any]) -> Agent[Any]:
    @function_tool(needs_approval=True, name_override="act")
    def act_a() -> str:
        ran.append("a")
        return "a done"

    @function_tool(needs_approval=True, name_override="act")
    def act_b() -> str:
        ran.append("b")
        return "b done"

    model = ScriptedModel(steps)
    second = Agent(name="second", model=model, tools=[act_b])
    return Agent(name="first", model=model, tools=[act_a], handoffs=[second])


@pytest.mark.parametrize("serialized", [False, True])
@pytest.mark.parametrize("always", ["approve", "reject"])
async def test_a_standing_decision_never_reaches_another_agents_tool_of_the_same_name(
    serialized: bool, always: str
) -> None:
    ran: list[str] = []
    first = two_agents(ran, [
        [function_call("act", {}, call_id="a1")],
        [function_call("transfer_to_second", {}, call_id="h")],
        [function_call("act", {}, call_id="b1")],
        [assistant_message("done")],
    ])
    state = (await Runner.run(first, "go")).to_state()
    (waiting,) = state.get_interruptions()
    if always == "approve":
        state.approve(waiting, always_approve=True)
    else:
        state.reject(waiting, always_reject=True)
    if serialized:
        state = await RunState.from_string(first, state.to_string())
    paused = await Runner.run(first, state)
    assert [(i.agent_name, i.tool_name) for i in paused.interruptions] == [("second", "act")]
    assert ran == (["a"] if always == "approve" else [])
    state = paused.to_state()
    state.approve(state.get_interruptions()[0])
    assert (await Runner.run(first, state)).final_output == "done"
    assert ran == (["a", "b"] if always == "approve" else ["b"])


@pytest.mark.parametrize("serialized", [False, True])
async def test_a_standing_approval_still_covers_the_same_agents_later_calls(serialized: bool) -> None:
    ran: list[str] = []
    first = two_agents(ran, [
        [function_call("act", {}, call_id="a1")],
        [function_call("act", {}, call_id="a2")],
        [assistant_message("done")],
    ])
    state = (await Runner.run(first, "go")).to_state()
    state.approve(state.get_interruptions()[0], always_approve=True)
    if serialized:
        state = await RunState.from_string(first, state.to_string())
    result = await Runner.run(first, state)
    assert result.final_output == "done" and result.interruptions == [] and ran == ["a", "a"]


async def test_a_legacy_standing_approval_by_tool_name_asks_again() -> None:
    ran: list[str] = []
    first = two_agents(ran, [
        [function_call("act", {}, call_id="a1")],
        [function_call("act", {}, call_id="a2")],
        [assistant_message("done")],
    ])
    state = (await Runner.run(first, "go")).to_state()
    state.approve(state.get_interruptions()[0])  # this call only
    saved = state.to_json()
    saved["decisions"]["tools"] = {"act": {"approved": True, "message": None}}  # as saved before scoping
    saved["decisions"].pop("agent_tools", None)
    restored = await RunState.from_json(first, saved)
    paused = await Runner.run(first, restored)
    assert ran == ["a"] and [i.call_id for i in paused.interruptions] == ["a2"]
