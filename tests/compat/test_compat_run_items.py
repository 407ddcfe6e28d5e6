"""Compatibility: run items as the OpenAI Agents SDK's ``RunItemBase`` — ``item.agent``, ``item.raw_item`` and
``item.to_input_item()`` — on every item a run makes, streamed or not.

The cases come from the SDK's own uses: its customer-service example prints ``new_item.agent.name`` for every item
of ``result.new_items``; stream loops read ``event.item.raw_item.name`` for a tool call; its item tests convert a
handoff output and a tool output back to input with ``to_input_item()`` and read the agent of a handoff output.

Deliberate differences, asserted here: ``raw_item`` is derived from our provider-neutral record, so a tool output's
``output`` is the text the model read (the SDK: ``str(value)``; see docs/migrating.md on JSON tool results) and an
assistant message's ``id`` is the SDK's placeholder ``__fake_id__``, which ``to_input_item()`` leaves out as
``to_input_list()`` does. The agent is kept beside the item's fields, not in them: never compared or pickled, so an
unpickled item's ``agent`` is ``None`` (the SDK keeps a weak reference, which a pickle does not carry either).
"""

from __future__ import annotations

import pickle
from typing import Any

from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseReasoningItem
from support import Tracing

from agents_otel import (
    Agent,
    HandoffCallItem,
    HandoffOutputItem,
    ItemHelpers,
    MessageOutputItem,
    RawInputItem,
    ReasoningItem,
    RunItemStreamEvent,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
    handoff,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

REASONING = {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Think."}]}


@function_tool
def lookup(city: str) -> dict[str, Any]:
    """Look a city up."""
    return {"city": city, "sunny": True}


def weather_agent() -> Agent[Any]:
    model = ScriptedModel(
        [
            [RawInputItem(dict(REASONING)), function_call("lookup", {"city": "Paris"}, call_id="c1")],
            [assistant_message("Sunny in Paris.")],
        ]
    )
    return Agent("Weather", tools=[lookup], model=model)


async def test_every_item_names_its_agent_as_the_customer_service_example_prints_it(tracing: Tracing) -> None:
    agent = weather_agent()
    result = await Runner.run(agent, "Weather in Paris?", run_config=tracing.config)
    printed = []
    for new_item in result.new_items:  # the SDK example's loop, as written there
        agent_name = new_item.agent.name
        if isinstance(new_item, MessageOutputItem):
            printed.append(f"{agent_name}: {ItemHelpers.text_message_output(new_item)}")
        elif isinstance(new_item, ToolCallItem):
            printed.append(f"{agent_name}: Calling a tool")
        elif isinstance(new_item, ToolCallOutputItem):
            printed.append(f"{agent_name}: Tool call output: {new_item.output}")
        else:
            printed.append(f"{agent_name}: Skipping item: {new_item.__class__.__name__}")
    assert printed == [
        "Weather: Skipping item: ReasoningItem",
        "Weather: Calling a tool",
        "Weather: Tool call output: {'city': 'Paris', 'sunny': True}",
        "Weather: Sunny in Paris.",
    ]
    assert all(item.agent is agent for item in result.new_items)


async def test_raw_items_are_the_responses_objects_the_sdk_holds(tracing: Tracing) -> None:
    result = await Runner.run(weather_agent(), "Weather in Paris?", run_config=tracing.config)
    reasoning, called, output, message = result.new_items
    assert isinstance(reasoning.raw_item, ResponseReasoningItem) and reasoning.raw_item.id == "rs_1"
    assert isinstance(called.raw_item, ResponseFunctionToolCall)
    assert (called.raw_item.name, called.raw_item.call_id, called.raw_item.arguments) == (
        "lookup",
        "c1",
        '{"city": "Paris"}',
    )
    # the text the model read (JSON for a structured result), as a function_call_output input dict
    json_text = '{"city":"Paris","sunny":true}'
    assert output.raw_item == {"type": "function_call_output", "call_id": "c1", "output": json_text}
    assert isinstance(message.raw_item, ResponseOutputMessage)
    assert (message.raw_item.role, message.raw_item.content[0].text) == ("assistant", "Sunny in Paris.")
    assert message.raw_item.id == "__fake_id__"
    assert all(item.raw_item is item.raw_item for item in result.new_items)  # built once, then the same object


async def test_to_input_item_gives_what_to_input_list_gives(tracing: Tracing) -> None:
    result = await Runner.run(weather_agent(), "Weather in Paris?", run_config=tracing.config)
    added = result.to_input_list()[1:]  # after the user's message: what the run added
    assert [item.to_input_item() for item in result.new_items] == added
    assert [item.to_input_item() for item in result.new_items][1:] == [
        {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": '{"city": "Paris"}'},
        {"type": "function_call_output", "call_id": "c1", "output": '{"city":"Paris","sunny":true}'},
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Sunny in Paris.", "annotations": []}],
            "status": "completed",
        },
    ]


async def test_streamed_items_carry_the_same_views(tracing: Tracing) -> None:
    agent = weather_agent()
    result = Runner.run_streamed(agent, "Weather in Paris?", run_config=tracing.config)
    names = []
    async for event in result.stream_events():  # the SDK's stream loop reading raw_item
        if isinstance(event, RunItemStreamEvent) and event.item.type == "tool_call_item":
            names.append((event.item.agent.name, event.item.raw_item.name))
    assert names == [("Weather", "lookup")]
    assert [item.to_input_item() for item in result.new_items] == result.to_input_list()[1:]


async def test_handoff_items_name_the_agent_that_handed_off(tracing: Tracing) -> None:
    billing = Agent("Billing", model=ScriptedModel([[assistant_message("Refund issued.")]]))
    triage = Agent(
        "Triage",
        handoffs=[handoff(billing)],
        model=ScriptedModel([[function_call("transfer_to_billing", {}, call_id="h1")]]),
    )
    result = await Runner.run(triage, "refund please", run_config=tracing.config)
    call, output, message = result.new_items
    assert isinstance(call, HandoffCallItem) and isinstance(output, HandoffOutputItem)
    assert call.agent is triage and isinstance(call.raw_item, ResponseFunctionToolCall)
    assert call.raw_item.name == "transfer_to_billing"
    # as the SDK's HandoffOutputItem: the item's agent is the one that handed off
    assert (output.agent, output.source_agent, output.target_agent) == (triage, triage, billing)
    converted = output.to_input_item()
    assert (converted["type"], converted["call_id"]) == ("function_call_output", "h1")
    assert converted["output"] == output.output
    assert message.agent is billing
    assert [item.to_input_item() for item in result.new_items] == result.to_input_list()[1:]


async def test_an_agent_used_as_a_tool_names_itself_on_its_items(tracing: Tracing) -> None:
    inner = weather_agent()
    seen: list[Any] = []

    async def on_stream(payload: dict[str, Any]) -> None:
        event = payload["event"]
        if isinstance(event, RunItemStreamEvent):
            seen.append((event.item.type, event.item.agent))

    outer = Agent(
        "Planner",
        tools=[inner.as_tool("weather", "Ask about weather.", on_stream=on_stream)],
        model=ScriptedModel(
            [[function_call("weather", {"input": "Paris?"}, call_id="o1")], [assistant_message("Pack light.")]]
        ),
    )
    result = await Runner.run(outer, "trip", run_config=tracing.config)
    kinds = ["reasoning_item", "tool_call_item", "tool_call_output_item", "message_output_item"]
    assert [kind for kind, _ in seen] == kinds
    assert all(agent is inner for _, agent in seen)
    assert [item.agent for item in result.new_items] == [outer, outer, outer]


async def test_pickled_items_keep_their_views_but_not_the_agent(tracing: Tracing) -> None:
    result = await Runner.run(weather_agent(), "Weather in Paris?", run_config=tracing.config)
    copy = pickle.loads(pickle.dumps(result.new_items))
    assert copy == result.new_items
    assert [item.agent for item in copy] == [None] * 4
    assert [item.to_input_item() for item in copy] == [item.to_input_item() for item in result.new_items]
    assert isinstance(copy[1].raw_item, ResponseFunctionToolCall)


def test_items_built_by_hand_convert_too() -> None:
    item = MessageOutputItem("hi", "A")
    assert item.agent is None
    assert item.to_input_item()["content"][0]["text"] == "hi"
    assert isinstance(ReasoningItem(dict(REASONING), "A").raw_item, ResponseReasoningItem)
