"""Tool approvals in realtime sessions, as the SDK's (its tests/realtime/test_session.py pins the cases): a call of a
``needs_approval`` tool is announced (``tool_approval_required``) and waits; ``approve_tool_call`` runs it on the
tool path, ``reject_tool_call`` answers the model with the rejection message (``function_call_output`` then
``response.create``) without running it; ``always=True`` decides the tool's later calls; a ``needs_approval``
callable gets the parsed arguments; ``tool_execution.pre_approval_tool_input_guardrails`` lets a tool's input
guardrails answer a call before anyone is asked. Each call's span records the decision.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_openai import realtime_ws as ev
from fake_openai.realtime_ws import FakeRealtimeServer
from realtime_support import events_until, of_type, realtime_server, settled
from support import Tracing

from agents_otel import (
    ToolGuardrailFunctionOutput,
    UserError,
    function_tool,
    tool_input_guardrail,
)
from agents_otel.realtime import (
    RealtimeAgent,
    RealtimeModelSendToolOutput,
    RealtimeModelToolCallEvent,
    RealtimeRunConfig,
    RealtimeRunner,
    RealtimeSession,
)
from agents_otel.realtime.testing import RealtimeStep, ScriptedRealtimeModel

__all__ = ["realtime_server"]

ran: list[str] = []


@function_tool(needs_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    ran.append(order)
    return f"Refunded {order}"


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()


async def wire_session(
    server: FakeRealtimeServer, tracing: Tracing, tools: list[Any] | None = None, **config: Any
) -> RealtimeSession:
    runner = RealtimeRunner(RealtimeAgent("Support", tools=tools or [refund]),
                            config={"tracer_provider": tracing.provider, **config})
    session = await runner.run(model_config={"url": server.url, "api_key": "k"})
    return await session.enter()


async def test_an_approved_call_runs_then_answers_the_model(
    realtime_server: FakeRealtimeServer, tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    realtime_server.responses = [ev.tool_turn("r1", "call_1", "refund", {"order": "A1"}),
                                 ev.spoken_answer("r2", "msg_2", "Done.", b"\x00\x00" * 24)]
    session = await wire_session(realtime_server, tracing)
    conn = await realtime_server.connection()
    async with session:
        await session.send_message("Refund A1")
        kinds: set[str] = set()  # the response ends while the call waits (in either order)
        events = await events_until(session, lambda e: kinds.add(e.type) or {"tool_approval_required",
                                                                             "agent_end"} <= kinds)
        (waiting,) = of_type(events, "tool_approval_required")
        assert (waiting.call_id, waiting.tool, waiting.agent.name) == ("call_1", refund, "Support")
        assert json.loads(waiting.arguments) == {"order": "A1"}
        assert ran == [] and tracing.named("execute_tool") == [] and of_type(events, "tool_start") == []
        await session.approve_tool_call("call_1")
        events = await events_until(session, lambda e: e.type == "agent_end")
        await conn.expect("conversation.item.create")
        output = await conn.expect("conversation.item.create")
        await conn.expect("response.create")
    assert output["item"] == {"type": "function_call_output", "call_id": "call_1", "output": "Refunded A1"}
    assert ran == ["A1"]
    assert [e.type for e in events if e.type in ("tool_start", "tool_end")] == ["tool_start", "tool_end"]
    span = tracing.tool_span("call_1")
    assert dict(span.attributes or {})["agents_otel.tool.approval"] == "approved"
    (agent_span,) = tracing.named("invoke_agent Support")
    (requested,) = [e for e in agent_span.events if e.name == "agents_otel.tool.approval_requested"]
    attrs = dict(requested.attributes or {})
    assert attrs["gen_ai.tool.call.id"] == "call_1" and attrs["gen_ai.tool.name"] == "refund"
    assert json.loads(str(attrs["gen_ai.tool.call.arguments"])) == {"order": "A1"}


async def test_a_rejected_call_never_runs_and_the_model_reads_the_message(
    realtime_server: FakeRealtimeServer, tracing: Tracing
) -> None:
    realtime_server.responses = [ev.tool_turn("r1", "call_1", "refund", {"order": "A1"})]
    session = await wire_session(realtime_server, tracing)
    conn = await realtime_server.connection()
    async with session:
        await session.send_message("Refund A1")
        await events_until(session, lambda e: e.type == "tool_approval_required")
        await session.reject_tool_call("call_1", rejection_message="A manager must approve refunds.")
        events = await events_until(session, lambda e: e.type == "tool_end")
        await conn.expect("conversation.item.create")
        output = await conn.expect("conversation.item.create")
        await conn.expect("response.create")
    assert output["item"] == {"type": "function_call_output", "call_id": "call_1",
                              "output": "A manager must approve refunds."}
    assert ran == [] and of_type(events, "tool_start") == []
    assert of_type(events, "tool_end")[0].output == "A manager must approve refunds."
    assert dict(tracing.tool_span("call_1").attributes or {})["agents_otel.tool.approval"] == "rejected"


async def scripted(agent: RealtimeAgent[Any], config: RealtimeRunConfig | None = None
                   ) -> tuple[RealtimeSession, ScriptedRealtimeModel]:
    model = ScriptedRealtimeModel(strict=False)
    session = await (await RealtimeRunner(agent, model=model, config=config).run()).enter()
    return session, model


def outputs(model: ScriptedRealtimeModel) -> list[tuple[str, str]]:
    return [(e.tool_call.call_id, e.output) for e in model.sent_events if isinstance(e, RealtimeModelSendToolOutput)]


def call(call_id: str, arguments: str = '{"order": "A1"}', name: str = "refund") -> RealtimeModelToolCallEvent:
    return RealtimeModelToolCallEvent(name, call_id, arguments)


async def test_a_rejection_without_message_is_the_formatters_else_the_default() -> None:
    def formatter(args: Any) -> str:
        return f"{args.kind}: {args.tool_name} ({args.call_id})"

    for config, expected in (({"tool_error_formatter": formatter}, "approval_rejected: refund (c1)"),
                             ({}, "Tool execution was not approved.")):
        session, model = await scripted(RealtimeAgent("A", tools=[refund]), config)  # type: ignore[arg-type]
        async with session:
            await model.emit(call("c1"))
            await events_until(session, lambda e: e.type == "tool_approval_required")
            await session.reject_tool_call("c1")
            await settled(session)
        assert outputs(model) == [("c1", expected)]


async def test_always_decides_the_tools_later_calls() -> None:
    session, model = await scripted(RealtimeAgent("A", tools=[refund]))
    async with session:
        await model.emit(call("c1"))
        await events_until(session, lambda e: e.type == "tool_approval_required")
        await session.approve_tool_call("c1", always=True)
        await model.emit(call("c2", '{"order": "B2"}'))
        await settled(session)
        events = await events_until(session, lambda e: e.type == "tool_end" and e.output == "Refunded B2")
    # the approved call and the later one run as tasks of their own (async tool calls): in either order
    assert sorted(ran) == ["A1", "B2"] and of_type(events, "tool_approval_required") == []
    assert sorted(outputs(model)) == [("c1", "Refunded A1"), ("c2", "Refunded B2")]

    session, model = await scripted(RealtimeAgent("A", tools=[refund]))
    async with session:
        await model.emit(call("c1"))
        await events_until(session, lambda e: e.type == "tool_approval_required")
        await session.reject_tool_call("c1", always=True, rejection_message="never")
        await model.emit(call("c2"))
        await settled(session)
    assert sorted(outputs(model)) == [("c1", "never"), ("c2", "never")]


async def test_a_needs_approval_callable_sees_the_parsed_arguments_and_must_return_a_bool() -> None:
    asked: list[Any] = []

    def big_only(ctx: Any, params: dict[str, Any], call_id: str) -> Any:
        asked.append(params)
        return params["amount"] > 100 if "amount" in params else "yes"

    @function_tool(needs_approval=big_only)
    def pay(amount: int) -> str:
        """Pay."""
        return f"paid {amount}"

    session, model = await scripted(RealtimeAgent("A", tools=[pay]))
    seen: list[Any] = []
    async with session:
        await model.emit(call("c1", '{"amount": 5}', "pay"), call("c2", '{"amount": 500}', "pay"),
                         call("c3", "not json", "pay"))
        await settled(session)
        assert outputs(model) == [("c1", "paid 5")]  # c2 and c3 (unreadable arguments: not asked) wait
        assert asked == [{"amount": 5}, {"amount": 500}]
        await model.emit(call("c4", "{}", "pay"))
        with pytest.raises(UserError, match="needs_approval returned str"):
            await events_until(session, lambda e: seen.append(e) and False)
    assert [e.call_id for e in of_type(seen, "tool_approval_required")] == ["c2", "c3"]


async def test_pre_approval_input_guardrails_answer_a_call_before_anyone_is_asked(tracing: Tracing) -> None:
    @tool_input_guardrail
    def no_big_orders(data: Any) -> ToolGuardrailFunctionOutput:
        if "BIG" in data.context.tool_arguments:
            return ToolGuardrailFunctionOutput.reject_content("Orders that big need a call to the bank.")
        return ToolGuardrailFunctionOutput.allow()

    @function_tool(needs_approval=True, tool_input_guardrails=[no_big_orders])
    def order(item: str) -> str:
        """Order."""
        return f"ordered {item}"

    agent = RealtimeAgent("A", tools=[order])
    config: RealtimeRunConfig = {"tool_execution": {"pre_approval_tool_input_guardrails": True},
                                 "tracer_provider": tracing.provider}
    session, model = await scripted(agent, config)
    async with session:
        await model.emit(call("c1", '{"item": "BIG"}', "order"), call("c2", '{"item": "pen"}', "order"))
        await settled(session)
        events = await events_until(session, lambda e: e.type == "tool_approval_required")
        await session.approve_tool_call("c2")
        await settled(session)
    assert [e.call_id for e in of_type(events, "tool_approval_required")] == ["c2"]
    assert outputs(model) == [("c1", "Orders that big need a call to the bank."), ("c2", "ordered pen")]
    assert dict(tracing.tool_span("c1").attributes or {})["agents_otel.tool.rejected_by"] == "no_big_orders"
    pre = [s for s in tracing.named("guardrail no_big_orders")
           if dict(s.attributes or {}).get("agents_otel.guardrail.pre_approval")]
    assert len(pre) == 2  # both judged before waiting; c2 judged again when it ran
    assert len(tracing.named("guardrail no_big_orders")) == 3

    session, model = await scripted(agent, {"tracer_provider": tracing.provider})  # without the setting
    async with session:
        await model.emit(call("c3", '{"item": "BIG"}', "order"))
        events = await events_until(session, lambda e: e.type == "tool_approval_required")
    assert outputs(model) == []


async def test_deciding_an_unknown_call_is_an_error_and_a_second_decision_changes_nothing() -> None:
    session, model = await scripted(RealtimeAgent("A", tools=[refund]), {"async_tool_calls": False})
    async with session:
        with pytest.raises(UserError, match="No tool call 'nope' is waiting"):
            await session.approve_tool_call("nope")
        await model.emit(call("c1"))
        await model.emit(call("c1"))  # announced twice: still one waiting call
        with pytest.raises(UserError, match="rejection_message must be a str"):
            await session.reject_tool_call("c1", rejection_message=3)  # type: ignore[arg-type]
        await session.approve_tool_call("c1")  # synchronous tool calls: it has run when this returns
        assert outputs(model) == [("c1", "Refunded A1")]
        await session.reject_tool_call("c1")
        events = await events_until(session, lambda e: e.type == "tool_end")
    assert outputs(model) == [("c1", "Refunded A1")] and ran == ["A1"]
    assert len(of_type(events, "tool_approval_required")) == 1


async def test_a_strict_script_drives_an_approval_round_trip() -> None:
    model = ScriptedRealtimeModel([
        RealtimeStep(lambda e: getattr(e, "output", None) == "Refunded A1"),
    ])
    session = await (await RealtimeRunner(RealtimeAgent("A", tools=[refund]), model=model).run()).enter()
    async with session:
        await model.emit(call("c1"))
        await events_until(session, lambda e: e.type == "tool_approval_required")
        await session.approve_tool_call("c1")
        await settled(session)
    model.assert_complete()
