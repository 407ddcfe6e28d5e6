"""Compatibility: ``ItemHelpers`` as in the OpenAI Agents SDK — reading text out of run items and output messages,
and copying input — with the cases its own tests pin down, plus the stream loop of its streaming guide run as
written there.

Deliberate difference: our ``MessageOutputItem`` is built from its ``text`` (its ``raw_item`` is derived from it, see
``test_compat_run_items.py``), so the SDK's cases that build one from a ``ResponseOutputMessage`` are asserted on
``MessageOutputItem(text, ...)``.
The ``extract_*`` helpers take either an ``openai`` ``ResponseOutputMessage`` (as in the SDK) or our
``AssistantMessage`` (what ``result.raw_responses[i].output`` holds here).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseInputItemParam,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseOutputText,
)
from pydantic import TypeAdapter
from support import Tracing

from agents_otel import (
    Agent,
    AssistantMessage,
    ItemHelpers,
    MessageOutputItem,
    Runner,
    ToolCallItem,
    UserMessage,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def text(value: str | None) -> ResponseOutputText:
    if value is None:  # what gateways and partial streams have been seen to send: skips validation, as they do
        return ResponseOutputText.model_construct(annotations=[], text=None, type="output_text", logprobs=[])
    return ResponseOutputText(annotations=[], text=value, type="output_text", logprobs=[])


def refusal(value: str) -> ResponseOutputRefusal:
    return ResponseOutputRefusal(refusal=value, type="refusal")


def message(*parts: ResponseOutputText | ResponseOutputRefusal) -> ResponseOutputMessage:
    return ResponseOutputMessage(id="msg123", content=list(parts), role="assistant", status="completed", type="message")


TOOL_CALL = ResponseFunctionToolCall(id="tool123", arguments="{}", call_id="call123", name="func", type="function_call")


def test_extract_last_content_is_the_last_text_or_refusal() -> None:
    assert ItemHelpers.extract_last_content(message(text("Hello "), text("world!"))) == "world!"
    assert ItemHelpers.extract_last_content(message(text("Before refusal"), refusal("I cannot do that"))) == (
        "I cannot do that"
    )
    assert ItemHelpers.extract_last_content(TOOL_CALL) == ""
    assert ItemHelpers.extract_last_content(message()) == ""


def test_extract_last_text_ignores_a_refusal() -> None:
    assert ItemHelpers.extract_last_text(message(text("part1"), text("part2"))) == "part2"
    assert ItemHelpers.extract_last_text(message(text("part1"), refusal("no"))) is None
    assert ItemHelpers.extract_last_text(TOOL_CALL) is None


def test_extract_text_joins_every_text_part_and_skips_refusals() -> None:
    assert ItemHelpers.extract_text(message(text("part1"), refusal("no"), text("part2"))) == "part1part2"
    assert ItemHelpers.extract_text(TOOL_CALL) is None
    assert ItemHelpers.extract_refusal(message(text("a"), refusal("no"), refusal(" way"))) == "no way"
    assert ItemHelpers.extract_refusal(message(text("a"))) is None


def test_text_a_provider_left_none_reads_as_empty() -> None:
    assert ItemHelpers.extract_text(message(text(None))) is None
    assert ItemHelpers.extract_text(message(text("hello"), text(None))) == "hello"
    assert ItemHelpers.extract_text(message(text(None), text("hello"))) == "hello"
    assert ItemHelpers.extract_last_content(message(text("hello"), text(None))) == ""


def test_extract_helpers_read_our_own_assistant_message() -> None:
    reply = AssistantMessage("All done.")
    assert ItemHelpers.extract_last_content(reply) == "All done."
    assert ItemHelpers.extract_last_text(reply) == "All done." and ItemHelpers.extract_text(reply) == "All done."
    assert ItemHelpers.extract_refusal(reply) is None


def test_input_to_new_input_list_wraps_a_string_as_a_user_message() -> None:
    assert ItemHelpers.input_to_new_input_list("hi") == [{"content": "hi", "role": "user"}]


def test_input_to_new_input_list_copies_deeply() -> None:
    original: list[Any] = [{"content": [{"type": "input_text", "text": "abc"}], "role": "developer"}]
    copied = ItemHelpers.input_to_new_input_list(original)
    assert copied == original
    copied[0]["content"][0]["text"] = "changed"
    copied.pop()
    assert original == [{"content": [{"type": "input_text", "text": "abc"}], "role": "developer"}]


def test_input_to_new_input_list_makes_validated_payloads_plain_json() -> None:
    original = {
        "id": "a75654dc",
        "content": [{"type": "output_text", "text": "Hey, what's up?", "annotations": [], "logprobs": []}],
        "role": "assistant",
        "status": "completed",
        "type": "message",
    }
    validated = TypeAdapter(list[ResponseInputItemParam]).validate_python([original])
    (copied,) = ItemHelpers.input_to_new_input_list(validated)
    assert copied["id"] == "a75654dc" and copied["role"] == "assistant" and copied["type"] == "message"
    assert copied["content"][0]["text"] == "Hey, what's up?" and isinstance(copied["content"][0]["logprobs"], list)
    json.dumps(copied)  # validated payloads may hold iterators that json cannot write: none are left


def test_input_to_new_input_list_gives_our_items_in_the_responses_format() -> None:
    items = ItemHelpers.input_to_new_input_list([UserMessage("hi"), AssistantMessage("hello")])
    assert items[0] == {"role": "user", "content": "hi"}
    assert items[1]["type"] == "message" and items[1]["content"][0]["text"] == "hello"


async def test_text_message_outputs_join_only_the_messages_of_a_run(tracing: Tracing) -> None:
    @function_tool
    def lookup() -> str:
        return "42"

    model = ScriptedModel(
        [[assistant_message("Let me look. "), function_call("lookup", {})], [assistant_message("It is 42.")]]
    )
    result = await Runner.run(Agent(name="A", tools=[lookup], model=model), "go", run_config=tracing.config)
    assert any(isinstance(item, ToolCallItem) for item in result.new_items)
    assert ItemHelpers.text_message_outputs(result.new_items) == "Let me look. It is 42."
    messages = [item for item in result.new_items if isinstance(item, MessageOutputItem)]
    assert [ItemHelpers.text_message_output(m) for m in messages] == ["Let me look. ", "It is 42."]
    assert ItemHelpers.extract_last_text(result.raw_responses[-1].output[-1]) == "It is 42."


async def test_the_sdk_streaming_guide_loop_runs_as_written(
    tracing: Tracing, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run-item loop of the SDK's streaming guide, unchanged but for the run_config: every branch it takes."""

    @function_tool
    def how_many_jokes() -> int:
        return 2

    model = ScriptedModel([[function_call("how_many_jokes", {})], [assistant_message("Joke one. Joke two.")]])
    agent = Agent(
        name="Joker", instructions="First call the `how_many_jokes` tool.", tools=[how_many_jokes], model=model
    )
    result = Runner.run_streamed(agent, input="Hello", run_config=tracing.config)
    print("=== Run starting ===")
    async for event in result.stream_events():
        if event.type == "raw_response_event":
            continue
        elif event.type == "agent_updated_stream_event":
            print(f"Agent updated: {event.new_agent.name}")
            continue
        elif event.type == "run_item_stream_event":
            if event.item.type == "tool_call_item":
                print("-- Tool was called")
            elif event.item.type == "tool_call_output_item":
                print(f"-- Tool output: {event.item.output}")
            elif event.item.type == "message_output_item":
                print(f"-- Message output:\n {ItemHelpers.text_message_output(event.item)}")
            else:
                pass
    print("=== Run complete ===")
    assert capsys.readouterr().out.splitlines() == [
        "=== Run starting ===",
        "Agent updated: Joker",
        "-- Tool was called",
        "-- Tool output: 2",
        "-- Message output:",
        " Joke one. Joke two.",
        "=== Run complete ===",
    ]
