"""A triage agent that hands the customer to a specialist, whose tools report progress while they work.

Runs offline (ScriptedModel). It shows, in one streamed run: an input guardrail checked alongside the first model
call, the ``transfer_to_refunds`` handoff (``handoff_requested`` / ``handoff_occured`` and the agent taking over),
the specialist's tool progress, its structured answer (``output_type``), the conversation saved to a session, and
the trace: each agent under its own ``invoke_agent`` span, the handoff span between them.
"""

from __future__ import annotations

import asyncio

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel

from agents_otel import (
    Agent,
    AgentUpdatedStreamEvent,
    GuardrailFunctionOutput,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    SQLiteSession,
    ToolContext,
    ToolProgressStreamEvent,
    function_tool,
    handoff,
    input_guardrail,
)
from agents_otel.handoff_filters import remove_all_tools
from agents_otel.testing import ScriptedModel, assistant_message, function_call


class RefundDecision(BaseModel):
    order_id: str
    approved: bool
    amount_eur: float


@function_tool
async def check_order(ctx: ToolContext, order_id: str) -> dict[str, object]:
    """Look the order up in the warehouse and payment systems.

    Args:
        order_id: The order to check.
    """
    for step, status in enumerate(("warehouse", "payments", "carrier"), start=1):
        ctx.send_progress({"status": f"checking {status}", "progress": step / 3})
        await asyncio.sleep(0.05)
    return {"order_id": order_id, "delivered": False, "paid_eur": 42.0}


@function_tool
async def issue_refund(ctx: ToolContext, order_id: str, amount_eur: float) -> str:
    """Refund an order.

    Args:
        order_id: The order to refund.
        amount_eur: How much to refund.
    """
    ctx.send_progress({"status": "contacting the bank", "progress": 0.5})
    await asyncio.sleep(0.05)
    ctx.send_progress({"status": "refund booked", "progress": 1.0})
    return f"refunded {amount_eur} EUR for {order_id}"


@input_guardrail
def no_account_takeover(ctx: object, agent: object, input: object) -> GuardrailFunctionOutput:
    suspicious = "password" in str(input).lower()
    return GuardrailFunctionOutput(output_info={"suspicious": suspicious}, tripwire_triggered=suspicious)


refunds = Agent(
    name="Refunds",
    handoff_description="Refunds and undelivered orders.",
    instructions="Check the order, refund it if it was not delivered, and answer with your decision.",
    tools=[check_order, issue_refund],
    output_type=RefundDecision,
    model=ScriptedModel(
        [
            [function_call("check_order", {"order_id": "A-17"})],
            [function_call("issue_refund", {"order_id": "A-17", "amount_eur": 42.0})],
            [assistant_message('{"order_id": "A-17", "approved": true, "amount_eur": 42.0}')],
        ]
    ),
)
tech_support = Agent(name="Tech Support", handoff_description="Problems with the app or the website.")
triage = Agent(
    name="Triage",
    instructions="Find out what the customer needs and hand them to the right specialist.",
    handoffs=[handoff(refunds, input_filter=remove_all_tools), tech_support],
    input_guardrails=[no_account_takeover],
    model=ScriptedModel(
        [[assistant_message("Let me get you to our refunds team."), function_call("transfer_to_refunds")]]
    ),
)


def print_tree(spans: list[ReadableSpan]) -> None:
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in sorted(spans, key=lambda s: s.start_time or 0):
        children.setdefault(span.parent.span_id if span.parent else None, []).append(span)

    def walk(parent: int | None, depth: int) -> None:
        for span in children.get(parent, []):
            print(f"  {'  ' * depth}{span.name}")
            walk(span.context.span_id, depth + 1)

    walk(None, 0)


async def main() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    session = SQLiteSession("customer-1138")

    result = Runner.run_streamed(
        triage,
        "My order A-17 never arrived, I want my money back.",
        session=session,
        run_config=RunConfig(tracer_provider=provider),
    )
    async for event in result.stream_events():
        if isinstance(event, AgentUpdatedStreamEvent):
            print(f"→ {event.new_agent.name} is handling the conversation")
        elif isinstance(event, RunItemStreamEvent) and event.name == "handoff_occured":
            print(f"  handoff: {event.item.source_agent.name} → {event.item.target_agent.name}")  # type: ignore[union-attr]
        elif isinstance(event, RunItemStreamEvent) and event.name == "message_output_created":
            print(f"  says: {event.item.text}")  # type: ignore[union-attr]
        elif isinstance(event, ToolProgressStreamEvent):
            print(f"  [{event.tool_name}] {event.data['status']} ({event.data['progress']:.0%})")

    decision = result.final_output_as(RefundDecision, raise_if_incorrect_type=True)
    print(f"Decision by {result.last_agent.name}: approved={decision.approved}, {decision.amount_eur} EUR")
    print(f"Guardrails passed: {[r.guardrail.get_name() for r in result.input_guardrail_results]}")
    print(f"Session {session.session_id} holds {len(await session.get_items())} items")
    print("Trace:")
    print_tree(list(exporter.get_finished_spans()))


if __name__ == "__main__":
    asyncio.run(main())
