"""Compatibility (SDK 0.25): what a paused run's JSON keeps of a pydantic context, and standing decisions whose
agent is gone.

Learnt from the SDK 0.25 changelog entries "preserve Pydantic run context snapshots" (#5444) and "report missing
function approval owners during RunState restore" (#5630): run_state.py's context serialization and its
``function_tool_approvals`` restore, and tests test_run_state_pydantic_context.py / test_run_state.py. The scenarios
here are our own.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest
from pydantic import BaseModel, ConfigDict, Field

from agents_otel import (
    Agent,
    RunContextWrapper,
    Runner,
    RunState,
    ToolApprovalItem,
    UserError,
    function_tool,
)
from agents_otel.items import FunctionCall
from agents_otel.testing import ScriptedModel, assistant_message, function_call


class Prefs(BaseModel):
    channel: str = "sms"


class Ticket(BaseModel):
    customer: str
    notes: list[str] = Field(default_factory=list)
    prefs: Prefs = Field(default_factory=Prefs)
    token: str = Field(default_factory=lambda: uuid4().hex)


@function_tool
def set_channel(ctx: RunContextWrapper[Ticket], channel: str) -> str:
    """Change the ticket in place (no assignment to the model's fields)."""
    ctx.context.notes.append("checked")
    ctx.context.prefs.channel = channel
    return "set"


@function_tool(needs_approval=True)
def pay_back(ctx: RunContextWrapper[Ticket]) -> str:
    """Read what the run changed, after the pause."""
    t = ctx.context
    return f"{t.prefs.channel}/{','.join(t.notes)}/{t.token}"


def _support(steps: list[Any]) -> Agent[Any]:
    return Agent(name="support", model=ScriptedModel(steps), tools=[set_channel, pay_back])


@pytest.mark.parametrize("as_string", [False, True], ids=["json", "string"])
async def test_pydantic_context_keeps_defaults_and_in_place_changes(as_string: bool) -> None:
    agent = _support(
        [
            [function_call("set_channel", {"channel": "mail"}, call_id="c1")],
            [function_call("pay_back", {}, call_id="c2")],
            [assistant_message("refunded")],
        ]
    )
    ticket = Ticket(customer="ada")
    paused = await Runner.run(agent, "refund", context=ticket)
    state = paused.to_state()
    data = json.loads(state.to_string()) if as_string else state.to_json()
    assert data["context"]["value"] == {
        "customer": "ada",
        "notes": ["checked"],
        "prefs": {"channel": "mail"},
        "token": ticket.token,
    }
    assert data["context"]["requires_deserializer"] is True
    restored = await RunState.from_json(agent, data, context_deserializer=Ticket.model_validate)
    for item in restored.get_interruptions():
        restored.approve(item)
    done = await Runner.run(agent, restored)
    outputs = [i.output for i in done.new_items if i.type == "tool_call_output_item"]
    assert outputs[-1] == f"mail/checked/{ticket.token}"
    assert done.final_output == "refunded"


@pytest.mark.parametrize("handle", [object(), b"\xfe"], ids=["object", "non-utf8-bytes"])
async def test_pydantic_context_field_that_is_not_json_needs_a_serializer(handle: Any) -> None:
    class WithHandle(Ticket):
        model_config = ConfigDict(arbitrary_types_allowed=True)
        handle: Any = Field(default_factory=lambda: handle)

    agent = _support([[function_call("pay_back", {}, call_id="c2")], [assistant_message("refunded")]])
    ticket = WithHandle(customer="ada")
    state = (await Runner.run(agent, "refund", context=ticket)).to_state()
    with pytest.raises(UserError, match="context_serializer"):
        state.to_json()
    with pytest.raises(UserError, match="context_serializer"):
        state.to_string()
    saved = state.to_string(context_serializer=lambda t: t.model_dump(mode="json", exclude={"handle"}))
    restored = await RunState.from_string(agent, saved, context_deserializer=WithHandle.model_validate)
    for item in restored.get_interruptions():
        restored.approve(item)
    done = await Runner.run(agent, restored)
    assert [i.output for i in done.new_items if i.type == "tool_call_output_item"] == [f"sms//{ticket.token}"]


@function_tool(needs_approval=True)
def wipe() -> str:
    """A tool that waits for approval."""
    return "wiped"


@function_tool
def trust_reviewer(ctx: RunContextWrapper[None]) -> str:
    """Decide, from inside the run, that the reviewer's wipe is always approved."""
    ctx.approve_tool(ToolApprovalItem(FunctionCall("wipe", "{}", "any"), "Reviewer"), always_approve=True)
    return "trusted"


async def test_standing_decision_of_an_agent_no_longer_in_the_graph_is_a_user_error() -> None:
    reviewer = Agent(name="Reviewer", tools=[wipe])
    desk = Agent(
        name="Desk",
        handoffs=[reviewer],
        tools=[wipe, trust_reviewer],
        model=ScriptedModel([[function_call("trust_reviewer", {}, call_id="t")], [function_call("wipe", {})]]),
    )
    saved = (await Runner.run(desk, "go")).to_state().to_string()
    assert json.loads(saved)["decisions"]["agent_tools"][0]["agent"] == "Reviewer"
    await RunState.from_string(desk, saved)  # the same graph: restores
    without_reviewer = desk.clone(handoffs=[])
    message = "Function approval owner is absent from the restored graph"
    with pytest.raises(UserError, match=message) as from_json:
        await RunState.from_json(without_reviewer, json.loads(saved))
    assert "'Reviewer'" in str(from_json.value)
    with pytest.raises(UserError, match=message):
        await RunState.from_string(without_reviewer, saved)


async def test_standing_decision_of_an_agent_used_as_a_tool_restores() -> None:
    reviewer = Agent(name="Reviewer", tools=[wipe])
    desk = Agent(
        name="Desk",
        tools=[wipe, trust_reviewer, reviewer.as_tool("review", "Ask the reviewer")],
        model=ScriptedModel([[function_call("trust_reviewer", {}, call_id="t")], [function_call("wipe", {})]]),
    )
    saved = (await Runner.run(desk, "go")).to_state().to_string()
    restored = await RunState.from_string(desk, saved)
    assert len(restored.get_interruptions()) == 1
