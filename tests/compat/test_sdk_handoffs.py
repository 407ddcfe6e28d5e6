"""Handoffs as the OpenAI Agents SDK pins them down (tool names and descriptions, ``handoff()`` arguments and their
errors, ``on_handoff`` with and without ``input_type``, ``is_enabled``, input filters, several handoffs in one turn,
the run items and stream events) and how a handoff shows in the trace: each agent under its own ``invoke_agent``
span, the next one nested under the one that handed off, a ``handoff {from} -> {to}`` span between them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, Field

from agents_otel import (
    Agent,
    AgentUpdatedStreamEvent,
    FunctionCall,
    FunctionCallOutput,
    Handoff,
    HandoffCallItem,
    HandoffInputData,
    HandoffOutputItem,
    MessageOutputItem,
    ModelBehaviorError,
    RunConfig,
    RunContextWrapper,
    RunItemStreamEvent,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    UserError,
    UserMessage,
    function_tool,
    handoff,
)
from agents_otel.handoff_filters import remove_all_tools
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def _agent(name: str, *answers: Any, **kwargs: Any) -> Agent[Any]:
    return Agent(name, model=ScriptedModel(list(answers)), **kwargs)


def test_default_tool_name_and_description() -> None:
    billing = Agent("Billing Agent", handoff_description="Questions about invoices.")
    h = handoff(billing)
    assert h.tool_name == "transfer_to_billing_agent"
    assert h.tool_description == "Handoff to the Billing Agent agent to handle the request. Questions about invoices."
    assert h.agent_name == "Billing Agent"
    assert h.input_json_schema == {}
    assert json.loads(h.get_transfer_message(billing)) == {"assistant": "Billing Agent"}


def test_overrides() -> None:
    h = handoff(Agent("b"), tool_name_override="escalate", tool_description_override="Escalate.")
    assert (h.tool_name, h.tool_description) == ("escalate", "Escalate.")


def test_argument_errors_are_user_errors() -> None:
    agent = Agent("b")
    with pytest.raises(UserError):
        handoff(agent, input_type=int)  # input_type needs on_handoff
    with pytest.raises(UserError):
        handoff(agent, on_handoff=lambda ctx, data: None)  # without input_type it takes one argument
    with pytest.raises(UserError):
        handoff(agent, on_handoff=lambda ctx: None, input_type=int)  # with input_type it takes two


class Escalation(BaseModel):
    reason: str


def test_input_type_schema_is_strict() -> None:
    h = handoff(Agent("b"), on_handoff=lambda ctx, data: None, input_type=Escalation)
    assert h.input_json_schema["additionalProperties"] is False
    assert h.input_json_schema["required"] == ["reason"]


async def test_model_sees_transfer_tools_and_the_conversation_moves() -> None:
    billing = _agent("Billing", [assistant_message("your invoice")])
    triage_model = ScriptedModel([[function_call("transfer_to_billing", {}, call_id="h1")]])
    triage = Agent("Triage", model=triage_model, handoffs=[billing])
    result = await Runner.run(triage, "invoice?")
    assert [t.name for t in triage_model.calls[0].tools] == ["transfer_to_billing"]
    assert result.final_output == "your invoice"
    assert result.last_agent is billing
    billing_input = billing.model.calls[0].input  # type: ignore[union-attr]
    assert billing_input == [
        UserMessage("invoice?"),
        FunctionCall("transfer_to_billing", "{}", "h1"),
        FunctionCallOutput("h1", '{"assistant": "Billing"}'),
    ]
    kinds = [type(i) for i in result.new_items]
    assert kinds == [HandoffCallItem, HandoffOutputItem, MessageOutputItem]
    out = result.new_items[1]
    assert isinstance(out, HandoffOutputItem)
    assert (out.source_agent, out.target_agent) == (triage, billing)


async def test_on_handoff_gets_validated_input_and_the_context() -> None:
    got: list[Any] = []

    async def on_handoff(ctx: RunContextWrapper[Any], data: Escalation) -> None:
        got.append((ctx.context, data))

    target = _agent("Human", [assistant_message("hi, human here")])
    model = ScriptedModel([[function_call("transfer_to_human", {"reason": "angry"})]])
    triage = Agent("Triage", model=model, handoffs=[handoff(target, on_handoff=on_handoff, input_type=Escalation)])
    await Runner.run(triage, "help", context="app-state")
    assert got == [("app-state", Escalation(reason="angry"))]


class Ticket(BaseModel):
    code: str = Field(min_length=3)


async def test_on_handoff_with_invalid_input_raises_model_behavior_error() -> None:
    target = _agent("Human", [assistant_message("x")])
    model = ScriptedModel([[function_call("transfer_to_human", {"code": "x"})]])  # well-formed, but too short
    h = handoff(target, on_handoff=lambda ctx, data: None, input_type=Ticket)
    with pytest.raises(ModelBehaviorError):
        await Runner.run(Agent("Triage", model=model, handoffs=[h]), "help")


async def test_on_handoff_without_input_sync() -> None:
    calls: list[str] = []
    target = _agent("B", [assistant_message("x")])
    model = ScriptedModel([[function_call("transfer_to_b", {})]])
    h = handoff(target, on_handoff=lambda ctx: calls.append("called"))
    await Runner.run(Agent("A", model=model, handoffs=[h]), "go")
    assert calls == ["called"]


async def test_is_enabled_hides_a_handoff_from_the_model() -> None:
    b, c = Agent("B"), Agent("C")

    async def only_vip(ctx: RunContextWrapper[Any], agent: Agent[Any]) -> bool:
        return bool(ctx.context and ctx.context.get("vip"))

    model = ScriptedModel([[assistant_message("x")]], repeat=True)
    agent = Agent("A", model=model, handoffs=[handoff(b, is_enabled=False), handoff(c, is_enabled=only_vip)])
    await Runner.run(agent, "go", context={"vip": False})
    await Runner.run(agent, "go", context={"vip": True})
    assert [[t.name for t in call.tools] for call in model.calls] == [[], ["transfer_to_c"]]


async def test_first_of_several_handoffs_wins() -> None:
    b, c = _agent("B", [assistant_message("b")]), _agent("C", [assistant_message("c")])
    model = ScriptedModel(
        [[function_call("transfer_to_b", {}, call_id="1"), function_call("transfer_to_c", {}, call_id="2")]]
    )
    result = await Runner.run(Agent("A", model=model, handoffs=[b, c]), "go")
    assert result.last_agent is b
    assert FunctionCallOutput("2", "Multiple handoffs detected, ignoring this one.") in b.model.calls[0].input  # type: ignore[union-attr]
    # As in the SDK, the refused call has its output item too: every call the model made is answered
    kinds = [(i.type, getattr(i, "call_id", None)) for i in result.new_items]
    assert kinds == [
        ("handoff_call_item", "1"),
        ("handoff_call_item", "2"),
        ("tool_call_output_item", "2"),
        ("handoff_output_item", "1"),
        ("message_output_item", None),
    ]
    refused = result.new_items[2]
    assert (
        isinstance(refused, ToolCallOutputItem) and refused.output == "Multiple handoffs detected, ignoring this one."
    )


async def test_remove_all_tools_filter() -> None:
    @function_tool
    def lookup() -> str:
        return "found"

    b = _agent("B", [assistant_message("b")])
    model = ScriptedModel(
        [[function_call("lookup", {})], [assistant_message("thinking"), function_call("transfer_to_b", {})]]
    )
    agent = Agent("A", model=model, tools=[lookup], handoffs=[handoff(b, input_filter=remove_all_tools)])
    result = await Runner.run(agent, "go")
    seen = b.model.calls[0].input  # type: ignore[union-attr]
    assert not any(isinstance(i, FunctionCall | FunctionCallOutput) for i in seen)
    assert [type(i).__name__ for i in seen] == ["UserMessage", "AssistantMessage"]
    assert any(isinstance(i, ToolCallItem) for i in result.new_items)  # the run's own record is untouched


async def test_filters_see_input_history_as_responses_items() -> None:
    seen: list[HandoffInputData] = []

    def spy(data: HandoffInputData) -> HandoffInputData:
        seen.append(data)
        return data

    b = _agent("B", [assistant_message("b")])
    model = ScriptedModel([[function_call("transfer_to_b", {}, call_id="h")]])
    agent = Agent("A", model=model, handoffs=[handoff(b, input_filter=spy)])
    await Runner.run(agent, [UserMessage("first"), UserMessage("second")])
    await Runner.run(
        Agent(
            "A",
            model=ScriptedModel([[function_call("transfer_to_b", {})]]),
            handoffs=[handoff(_agent("B", [assistant_message("b")]), input_filter=spy)],
        ),
        "as text",
    )
    assert seen[0].input_history == ({"role": "user", "content": "first"}, {"role": "user", "content": "second"})
    assert [type(i) for i in seen[0].new_items] == [HandoffCallItem, HandoffOutputItem]
    assert seen[1].input_history == "as text"  # a string input stays a string, as in the SDK


def test_remove_all_tools_on_dict_history() -> None:
    data = HandoffInputData(
        input_history=(
            {"role": "user", "content": "hi"},
            {"type": "function_call", "call_id": "1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "1", "output": "x"},
        ),
        pre_handoff_items=(),
        new_items=(),
    )
    assert remove_all_tools(data).input_history == ({"role": "user", "content": "hi"},)
    assert remove_all_tools(data.clone(input_history="just text")).input_history == "just text"


async def test_a_filter_returning_something_else_is_a_user_error() -> None:
    b = _agent("B", [assistant_message("b")])
    model = ScriptedModel([[function_call("transfer_to_b", {})]])
    h = handoff(b, input_filter=lambda data: "nope")  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError, match="HandoffInputData"):
        await Runner.run(Agent("A", model=model, handoffs=[h]), "go")


async def test_a_custom_handoff_object() -> None:
    target = _agent("Target", [assistant_message("t")])

    async def invoke(ctx: RunContextWrapper[Any], args: str) -> Agent[Any]:
        return target

    custom = Handoff(
        tool_name="route",
        tool_description="Route.",
        input_json_schema={},
        on_invoke_handoff=invoke,
        agent_name="Target",
    )
    result = await Runner.run(Agent("A", model=ScriptedModel([[function_call("route", {})]]), handoffs=[custom]), "go")
    assert result.last_agent is target


async def test_stream_events_for_a_handoff() -> None:
    b = _agent("B", [assistant_message("b speaks")])
    a = Agent(
        "A", model=ScriptedModel([[assistant_message("passing on"), function_call("transfer_to_b", {})]]), handoffs=[b]
    )
    result = Runner.run_streamed(a, "go")
    seen: list[str] = []
    async for event in result.stream_events():
        if isinstance(event, AgentUpdatedStreamEvent):
            seen.append(f"agent:{event.new_agent.name}")
        elif isinstance(event, RunItemStreamEvent):
            seen.append(event.name)
    assert seen == [
        "agent:A",
        "message_output_created",
        "handoff_requested",  # not also tool_called: a handoff is not a tool call
        "handoff_occured",  # sic, the SDK's spelling
        "agent:B",
        "message_output_created",
    ]
    assert result.last_agent is b and result.current_agent is b
    assert result.final_output == "b speaks"


async def test_trace_each_agent_under_its_own_span_and_a_handoff_span(tracing: Any) -> None:
    @function_tool
    def check() -> str:
        return "ok"

    c = _agent("C", [assistant_message("c answers")])
    b = _agent("B", [function_call("check", {})], [function_call("transfer_to_c", {})], tools=[check], handoffs=[c])
    a = _agent("A", [function_call("transfer_to_b", {}, call_id="hb")], handoffs=[b])
    result = await Runner.run(a, "go", run_config=tracing.config)
    spans = {s.name: s for s in tracing.spans()}
    inv_a, inv_b, inv_c = spans["invoke_agent A"], spans["invoke_agent B"], spans["invoke_agent C"]
    h_ab, h_bc = spans["handoff A -> B"], spans["handoff B -> C"]
    assert len({s.context.trace_id for s in tracing.spans()}) == 1  # one run, one trace
    assert inv_a.parent is None
    assert h_ab.parent.span_id == inv_a.context.span_id
    assert inv_b.parent.span_id == inv_a.context.span_id
    assert h_bc.parent.span_id == inv_b.context.span_id
    assert inv_c.parent.span_id == inv_b.context.span_id
    assert spans["execute_tool check"].parent.span_id == inv_b.context.span_id
    assert h_ab.attributes["agents_otel.handoff.from_agent"] == "A"
    assert h_ab.attributes["agents_otel.handoff.to_agent"] == "B"
    assert h_ab.attributes["gen_ai.tool.call.id"] == "hb"
    assert h_ab.end_time <= inv_b.start_time  # the handoff is done before B starts
    chats = sorted(tracing.named("chat"), key=lambda s: s.start_time)
    owners = [next(p for p in (inv_a, inv_b, inv_c) if p.context.span_id == s.parent.span_id).name for s in chats]
    assert owners == ["invoke_agent A", "invoke_agent B", "invoke_agent B", "invoke_agent C"]
    assert not tracing.named("execute_tool transfer_to")  # handoffs are not tool spans
    assert result.trace_id == format(inv_a.context.trace_id, "032x")


async def test_handoffs_count_against_max_turns() -> None:
    from agents_otel import MaxTurnsExceeded

    b = _agent("B", [function_call("transfer_to_a", {})])
    a = _agent("A", [function_call("transfer_to_b", {})], handoffs=[b])
    b.handoffs.append(a)
    with pytest.raises(MaxTurnsExceeded):
        await Runner.run(a, "go", max_turns=2)


def test_generic_parameters_as_in_the_sdk() -> None:
    # code typed for the SDK subscripts these; a missing parameter would be a TypeError at import time
    assert Handoff[Any, Agent[Any]] is not None
    from agents_otel import AgentHooks, InputGuardrail, OutputGuardrail, RunHooks

    assert RunHooks[Any] and AgentHooks[Any] and InputGuardrail[Any] and OutputGuardrail[Any]


@pytest.mark.parametrize("clash", ["two handoffs", "a tool"])
async def test_colliding_names_are_a_user_error_under_the_error_policy(clash: str) -> None:
    @function_tool
    def transfer_to_billing() -> str:
        return "not a handoff"

    first, second = Agent("Billing"), Agent("billing")  # both derive transfer_to_billing
    handoffs: list[Any] = [first, second] if clash == "two handoffs" else [first]
    tools = [transfer_to_billing] if clash == "a tool" else []
    agent = Agent("A", model=ScriptedModel([[assistant_message("x")]]), handoffs=handoffs, tools=tools)
    with pytest.raises(UserError, match="tool_name_override"):  # the default only warns (run_config_policies)
        await Runner.run(agent, "go", run_config=RunConfig(tool_name_collision_policy="error"))
    fixed = [handoff(first), handoff(second, tool_name_override="transfer_to_billing_2")]
    ok = Agent("A", model=ScriptedModel([[assistant_message("x")]]), handoffs=fixed)
    assert (await Runner.run(ok, "go")).final_output == "x"
