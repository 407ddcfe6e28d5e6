"""SDK 0.24 ``RunState`` fixes, through real paused runs.

- "reject pending input when completed stop tools end resume": ``add_input`` refuses a state whose resumed turn
  ends the run because a call that *completed* before the pause is a ``StopAtTools`` tool (by its name or its
  ``namespace.name``); a handoff in the turn goes on with the next agent, so it takes the input.
- "omit unserializable dataclass run contexts": the SDK stores ``{}`` with a warning; on purpose
  (docs/migrating.md) ``to_json`` is a ``UserError`` naming the way out (``context_serializer``), never a crash
  from ``dataclasses.asdict`` and never a value of the context.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import pytest

from agents_otel import Agent, Runner, RunState, UserError, function_tool, tool_namespace
from agents_otel.testing import ScriptedModel, assistant_message, function_call


async def finish_run(agent: Agent[Any], value: Any, streamed: bool) -> Any:
    if streamed:
        result = Runner.run_streamed(agent, value)
        async for _ in result.stream_events():
            pass
        return result
    return await Runner.run(agent, value)


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("serialized", [False, True])
@pytest.mark.parametrize(
    ("stop_name", "has_handoff"),
    [("finish", False), ("workflow.finish", False), ("unrelated", False), ("finish", True)],
)
async def test_a_completed_stop_tool_refuses_pending_input(
    streamed: bool, serialized: bool, stop_name: str, has_handoff: bool
) -> None:
    ran: list[str] = []

    @function_tool
    def finish() -> str:
        ran.append("finish")
        return "Finished"

    @function_tool(needs_approval=True)
    def protected() -> str:
        ran.append("protected")
        return "Approved"

    steps: list[Any] = [
        [
            function_call("finish", {}, call_id="f", namespace="workflow"),
            function_call("protected", {}, call_id="p"),
            *([function_call("transfer_to_delegate", {}, call_id="h")] if has_handoff else []),
        ],
        [assistant_message("Continued")],
    ]
    model = ScriptedModel(steps)
    delegate = Agent(name="delegate", model=model)
    agent = Agent(
        name="assistant",
        model=model,
        tools=[*tool_namespace(name="workflow", description="Workflow tools", tools=[finish]), protected],
        tool_use_behavior={"stop_at_tool_names": [stop_name]},
        handoffs=[delegate] if has_handoff else [],
    )
    state = (await finish_run(agent, "start", streamed)).to_state()
    if serialized:
        state = await RunState.from_string(agent, state.to_string())
    assert ran == ["finish"]
    continues = stop_name == "unrelated" or has_handoff
    if continues:
        state.add_input("late input")
    else:
        before = state.to_json()
        with pytest.raises(UserError, match="tool result may end the run"):
            state.add_input("late input")
        assert state.to_json() == before  # refused before anything changed
    state.approve(state.get_interruptions()[0])
    resumed = await finish_run(agent, state, streamed)
    assert ran == ["finish", "protected"]
    if continues:
        assert resumed.final_output == "Continued" and len(model.calls) == 2
        assert "late input" in json.dumps(resumed.to_input_list())
    else:  # the completed stop tool's output is the final output, by either of its names
        assert resumed.final_output == "Finished" and len(model.calls) == 1


@dataclass
class AppContext:
    tenant_id: str
    resource: Any


@pytest.mark.parametrize("resource", [threading.Lock(), {"not-json"}], ids=["lock", "set"])
async def test_a_dataclass_context_that_is_not_data_is_a_user_error_naming_the_way_out(resource: Any) -> None:
    @function_tool(needs_approval=True)
    def act() -> str:
        return "done"

    agent = Agent(name="A", model=ScriptedModel([[function_call("act", {})]]), tools=[act])
    context = AppContext("planted-private-tenant", resource)
    state = (await Runner.run(agent, "go", context=context)).to_state()
    for store in (state.to_json, state.to_string):
        with pytest.raises(UserError, match="context_serializer") as caught:
            store()
        assert "planted-private-tenant" not in str(caught.value)
    assert context.resource is resource  # untouched
    stored = json.loads(state.to_string(context_serializer=lambda ctx: {"tenant_id": ctx.tenant_id}))
    restored = await RunState.from_json(agent, stored, context_override=context)
    restored.approve(restored.get_interruptions()[0])
    agent.model = ScriptedModel([[assistant_message("resumed")]])
    assert (await Runner.run(agent, restored)).final_output == "resumed"
