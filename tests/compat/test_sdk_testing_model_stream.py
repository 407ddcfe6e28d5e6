"""The SDK's ``agents.testing`` automatic stream of a ``ModelStep`` (one without exact events), as a consumer of
``Runner.run_streamed(...).stream_events()`` reads it: the whole Responses event sequence the SDK's testing model
makes (``response.created`` ... ``response.completed``), with its sequence numbers, output and content indexes and
item ids, for a text, a refusal, one and two function calls and a reasoning item; the run's answer and the call's
``ModelResponse`` are what they were, and every event is a timed chunk of the ``chat`` span, as from a real stream.
"""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.responses import (
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseReasoningItem,
    ResponseRefusalDeltaEvent,
    ResponseTextDeltaEvent,
)
from openai.types.responses.response_reasoning_item import Content, Summary
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from support import Tracing, histogram_points

import agents_otel.metrics as runtime_metrics
from agents_otel import Agent, ModelRefusalError, RunConfig, Runner, function_tool
from agents_otel.items import AssistantMessage, FunctionCall
from agents_otel.models.interface import Usage
from agents_otel.testing import ModelStep, ScriptedModel, assistant_message, function_call
from agents_otel.tracing import attributes as A

TEXT_EVENTS = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]
CALL_EVENTS = [
    "response.output_item.added",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.output_item.done",
]


@function_tool
def lookup(city: str) -> str:
    """Look the weather up."""
    return f"{city}: sunny"


async def _raw(agent: Agent[Any], config: RunConfig | None = None) -> tuple[Any, list[list[Any]]]:
    """The run and the raw events of each model call in turn (a call's events end on its ``response.completed``)."""
    run = Runner.run_streamed(agent, "hi", run_config=config)
    calls: list[list[Any]] = [[]]
    async for event in run.stream_events():
        if event.type == "raw_response_event":
            calls[-1].append(event.data)
            if event.data.type == "response.completed":
                calls.append([])
    return run, calls[:-1]


def _numbered(events: list[Any]) -> bool:
    return [event.sequence_number for event in events] == list(range(len(events)))


async def test_a_text_step_streams_the_sdks_message_events_and_answers_once() -> None:
    model = ScriptedModel([ModelStep(output=[assistant_message("hello there")])])
    run, (events,) = await _raw(Agent(name="test", model=model))
    assert [event.type for event in events] == TEXT_EVENTS and _numbered(events)
    assert run.final_output == "hello there"
    assert [e.delta for e in events if isinstance(e, ResponseTextDeltaEvent)] == ["hello there"]  # the text once
    content = events[3:7]
    assert all((e.item_id, e.output_index, e.content_index) == ("scripted-message", 0, 0) for e in content)
    added, done = events[2], events[7]
    assert isinstance(added, ResponseOutputItemAddedEvent) and isinstance(added.item, ResponseOutputMessage)
    assert added.item.content == [] and added.item.status == "in_progress"
    assert isinstance(done, ResponseOutputItemDoneEvent) and done.item.status == "completed"
    assert isinstance(content[0], ResponseContentPartAddedEvent) and getattr(content[0].part, "text", None) == ""
    assert events[5].text == "hello there"
    assert isinstance(content[3], ResponseContentPartDoneEvent)
    assert getattr(content[3].part, "text", None) == "hello there"
    opening = [events[0].response, events[1].response]
    assert [(r.output, r.status, r.usage) for r in opening] == [([], "in_progress", None)] * 2
    # the call's ModelResponse is what it always was
    response = run.raw_responses[0].source  # type: ignore[attr-defined]  # the runtime's own record of the answer
    assert response.output == [AssistantMessage("hello there")] and response.response_id == "resp-789"


async def test_a_refusal_streams_the_sdks_refusal_events() -> None:
    refusal = ResponseOutputRefusal(type="refusal", refusal="I cannot help with that.")
    message = ResponseOutputMessage(
        id="message_1", type="message", role="assistant", status="completed", content=[refusal]
    )
    model = ScriptedModel([ModelStep(output=[message])])
    run = Runner.run_streamed(Agent(name="test", model=model), "hi")
    events: list[Any] = []
    with pytest.raises(ModelRefusalError):
        async for event in run.stream_events():
            if event.type == "raw_response_event":
                events.append(event.data)
    assert [event.type for event in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.refusal.delta",
        "response.refusal.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert _numbered(events)
    content = events[3:7]
    assert all((e.item_id, e.output_index, e.content_index) == ("message_1", 0, 0) for e in content)
    assert getattr(content[0].part, "refusal", None) == ""
    assert isinstance(content[1], ResponseRefusalDeltaEvent) and content[1].delta == "I cannot help with that."
    assert content[2].refusal == "I cannot help with that." and content[3].part == refusal


async def test_one_function_call_streams_its_arguments_under_the_call_id() -> None:
    model = ScriptedModel(
        [
            ModelStep(output=[function_call("lookup", '{"city":"Tokyo"}', call_id="call_1")]),
            ModelStep(output=[assistant_message("sunny")]),
        ]
    )
    run, (first, second) = await _raw(Agent(name="weather", model=model, tools=[lookup]))
    assert run.final_output == "sunny"
    assert [e.type for e in first] == ["response.created", "response.in_progress", *CALL_EVENTS, "response.completed"]
    assert _numbered(first) and [e.type for e in second] == TEXT_EVENTS and _numbered(second)
    added, delta, done = first[2:5]
    assert isinstance(added.item, ResponseFunctionToolCall)
    assert (added.item.arguments, added.item.status, added.item.id) == ("", "in_progress", "call_1")
    assert isinstance(delta, ResponseFunctionCallArgumentsDeltaEvent) and delta.delta == '{"city":"Tokyo"}'
    assert isinstance(done, ResponseFunctionCallArgumentsDoneEvent) and done.arguments == '{"city":"Tokyo"}'
    assert (delta.item_id, done.item_id, delta.output_index, done.output_index) == ("call_1", "call_1", 0, 0)
    assert done.model_dump()["name"] == "lookup"  # kept, as the SDK's event has it
    source = run.raw_responses[0].source  # type: ignore[attr-defined]
    assert source.output == [FunctionCall("lookup", '{"city":"Tokyo"}', "call_1")]


async def test_two_function_calls_stream_one_after_the_other_with_their_item_ids() -> None:
    calls = [
        function_call("lookup", {"city": "Oslo"}, call_id="call_1"),
        ResponseFunctionToolCall(
            type="function_call", id="fc_2", call_id="call_2", name="lookup", arguments='{"city":"Rome"}'
        ),
    ]
    model = ScriptedModel([ModelStep(output=calls), ModelStep(output=[assistant_message("both sunny")])])
    run, (first, _) = await _raw(Agent(name="weather", model=model, tools=[lookup]))
    assert run.final_output == "both sunny"
    expected = ["response.created", "response.in_progress", *CALL_EVENTS, *CALL_EVENTS, "response.completed"]
    assert [e.type for e in first] == expected and _numbered(first)
    item_events = first[2:10]
    assert [e.output_index for e in item_events] == [0] * 4 + [1] * 4
    arguments = [e for e in item_events if isinstance(e, ResponseFunctionCallArgumentsDeltaEvent)]
    assert [(e.item_id, e.delta) for e in arguments] == [("call_1", '{"city": "Oslo"}'), ("fc_2", '{"city":"Rome"}')]
    assert [e.item.call_id for e in item_events if isinstance(e, ResponseOutputItemDoneEvent)] == ["call_1", "call_2"]


async def test_a_reasoning_item_streams_its_summary_and_text_events() -> None:
    reasoning = ResponseReasoningItem(
        id="reasoning_1",
        type="reasoning",
        summary=[Summary(text="summary", type="summary_text")],
        content=[Content(text="think carefully", type="reasoning_text")],
        encrypted_content="encrypted-reasoning",
        status="completed",
    )
    model = ScriptedModel([ModelStep(output=[reasoning, assistant_message("done")])])
    run, (events,) = await _raw(Agent(name="test", model=model))
    assert run.final_output == "done" and _numbered(events)
    assert [e.type for e in events[:10]] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
        "response.output_item.done",
    ]
    assert [e.type for e in events[10:]] == TEXT_EVENTS[2:]
    added = events[2].item
    assert (added.summary, added.content, added.encrypted_content, added.status) == ([], [], None, "in_progress")
    assert events[3].part.text == "" and events[4].delta == "summary" and events[6].part.text == "summary"
    assert (events[7].item_id, events[7].output_index, events[7].content_index) == ("reasoning_1", 0, 0)
    assert events[7].delta == "think carefully" and events[8].text == "think carefully"
    assert events[9].item == reasoning and events[10].output_index == 1


@pytest.mark.parametrize("response_id", ["resp_1", None])
async def test_the_completed_event_carries_the_whole_response(response_id: str | None) -> None:
    message = assistant_message("hi")
    usage = Usage(requests=1, input_tokens=4, output_tokens=5, total_tokens=9)
    model = ScriptedModel([ModelStep(output=[message], usage=usage, response_id=response_id, request_id="req_1")])
    run, (events,) = await _raw(Agent(name="test", model=model))
    completed = events[-1]
    assert isinstance(completed, ResponseCompletedEvent)
    response = completed.response
    assert response.id == response_id and response.status == "completed" and response._request_id == "req_1"
    assert response.output == [events[-2].item] and response.output[0].id == "scripted-message"
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens, response.usage.total_tokens) == (4, 5, 9)
    assert run.raw_responses[0].response_id == response_id and run.raw_responses[0].request_id == "req_1"




async def test_each_event_is_a_timed_chunk_of_the_chat_span(tracing: Tracing) -> None:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    model = ScriptedModel([ModelStep(output=[assistant_message("hello")])])
    config = RunConfig(tracer_provider=tracing.provider, meter_provider=provider)
    _, (events,) = await _raw(Agent(name="test", model=model), config)
    (per_chunk,) = histogram_points(reader, runtime_metrics.TIME_PER_OUTPUT_CHUNK)
    assert per_chunk.count == len(events) - 1  # every event after the first, as from a real Responses stream
    (chat,) = tracing.named("chat")
    assert A.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK in (chat.attributes or {})


async def test_our_list_steps_still_stream_word_sized_deltas_only() -> None:
    run = Runner.run_streamed(Agent(name="test", model=ScriptedModel([[assistant_message("hello there")]])), "hi")
    raw = [event.data async for event in run.stream_events() if event.type == "raw_response_event"]
    assert [e.type for e in raw] == ["response.output_text.delta"] * 2  # the fast path: its text deltas, no more
    assert [e.delta for e in raw] == ["hello ", "there"]
