"""A reasoning model's ``reasoning`` output items through the rest of the runtime (the wire is covered in
test_openai_models.py): kept in the conversation for the next turn, a ``ReasoningItem`` run item, dropped by
``remove_all_tools`` with the tool calls they led to (as the SDK's filter does), kept by sessions, left out of
Chat Completions requests (which have no such item), and served over SSE as their summary only."""

from __future__ import annotations

from typing import Any

from support import Tracing

from agents_otel import (
    Agent,
    FunctionCall,
    RawInputItem,
    ReasoningItem,
    RunItemStreamEvent,
    Runner,
    SQLiteSession,
    function_tool,
    handoff,
)
from agents_otel.handoff_filters import remove_all_tools
from agents_otel.models._openai_chat_input import chat_messages
from agents_otel.server.event_json import event_to_json
from agents_otel.testing import ScriptedModel, assistant_message, function_call

REASONING = {
    "id": "rs_1",
    "type": "reasoning",
    "summary": [{"type": "summary_text", "text": "Look it up first."}],
    "encrypted_content": "opaque",
}


@function_tool
def lookup() -> str:
    return "found"


def reasoned_call() -> list[Any]:
    return [RawInputItem(dict(REASONING)), function_call("lookup", {}, call_id="c1")]


async def test_the_next_turn_carries_the_reasoning_item_and_the_run_records_it(tracing: Tracing) -> None:
    model = ScriptedModel([reasoned_call(), [assistant_message("done")]])
    result = Runner.run_streamed(Agent("A", tools=[lookup], model=model), "go", run_config=tracing.config)
    events = [e async for e in result.stream_events()]
    second = model.calls[1].input
    assert [type(i).__name__ for i in second] == ["UserMessage", "RawInputItem", "FunctionCall", "FunctionCallOutput"]
    assert second[1] == RawInputItem(REASONING)
    (item,) = [i for i in result.new_items if isinstance(i, ReasoningItem)]
    assert (item.data, item.agent_name, item.summary_text, item.type) == (
        REASONING,
        "A",
        "Look it up first.",
        "reasoning_item",
    )
    (event,) = [e for e in events if isinstance(e, RunItemStreamEvent) and e.name == "reasoning_item_created"]
    assert event.item is item
    assert event_to_json(event) == {"type": "reasoning_item_created", "summary": "Look it up first.", "agent_name": "A"}


async def test_remove_all_tools_drops_reasoning_with_the_tool_calls(tracing: Tracing) -> None:
    b = Agent("B", model=ScriptedModel([[assistant_message("b")]]))
    model = ScriptedModel([reasoned_call(), [assistant_message("handing over"), function_call("transfer_to_b", {})]])
    agent = Agent("A", model=model, tools=[lookup], handoffs=[handoff(b, input_filter=remove_all_tools)])
    await Runner.run(agent, "go", run_config=tracing.config)
    seen = b.model.calls[0].input  # type: ignore[union-attr]
    assert [type(i).__name__ for i in seen] == ["UserMessage", "AssistantMessage"]


async def test_a_session_keeps_the_reasoning_item_for_the_next_run(tracing: Tracing) -> None:
    session = SQLiteSession("reasoning")
    model = ScriptedModel([reasoned_call(), [assistant_message("done")], [assistant_message("again")]])
    agent = Agent("A", tools=[lookup], model=model)
    await Runner.run(agent, "go", session=session, run_config=tracing.config)
    await Runner.run(agent, "more", session=session, run_config=tracing.config)
    assert RawInputItem(REASONING) in model.calls[2].input
    assert REASONING in await session.get_items()


def test_chat_completions_requests_leave_reasoning_out() -> None:
    messages = chat_messages(None, [RawInputItem(dict(REASONING)), FunctionCall("lookup", "{}", "c1")])
    assert [m["role"] for m in messages] == ["assistant"] and "reasoning" not in str(messages)
