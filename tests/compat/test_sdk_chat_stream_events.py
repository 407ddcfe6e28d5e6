"""Compatibility: a streamed run on a Chat Completions model yields the Responses API stream events the OpenAI Agents
SDK makes of the chunks — ``response.created``, ``output_item.added`` / ``content_part.added`` before the first
text, the text and refusal deltas, each function call announced with its name and id (arguments ``""``) and then its
``function_call_arguments.delta`` events, the ``.done`` events and ``response.completed`` with the whole answer and
its usage — with the SDK's output indexes and sequence numbers. The run's result is what it was, and the ``chat``
span's chunk metrics still count the wire's chunks. Driven over the real wire: the official ``openai`` client
talking HTTP to the local fake server.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import (
    ResponseCompletedEvent,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseOutputText,
    ResponseTextDeltaEvent,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from support import Tracing, histogram_points

from agents_otel import (
    Agent,
    ModelRefusalError,
    ModelSettings,
    OpenAIChatCompletionsModel,
    RawResponsesStreamEvent,
    RunConfig,
    Runner,
    function_tool,
)
from agents_otel import metrics as runtime_metrics
from agents_otel.models._openai_chat_output import ChatStreamAssembler
from agents_otel.models.chat_stream_events import ChatStreamEvents, created_response, with_deltas
from agents_otel.models.interface import ModelRequest, ProviderEvent, TextDelta

OPENING = ["response.created"]
MESSAGE_OPEN = ["response.output_item.added", "response.content_part.added"]
MESSAGE_CLOSE = ["response.content_part.done", "response.output_item.done"]
COMPLETED = ["response.completed"]
TEXT = "response.output_text.delta"
ARGS = "response.function_call_arguments.delta"


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def chat_agent(client: openai.AsyncOpenAI, *, buffered: bool = False, tools: bool = False) -> Agent[Any]:
    model = OpenAIChatCompletionsModel("gpt-test", openai_client=client, buffer_streamed_tool_calls=buffered)
    return Agent("A", model=model, tools=[add] if tools else [])


async def raw_events(result: Any, data: list[Any] | None = None) -> list[Any]:
    """The run's raw events' data, in order (into ``data`` as they come: a run that fails keeps what arrived)."""
    data = [] if data is None else data
    async for event in result.stream_events():
        if isinstance(event, RawResponsesStreamEvent):
            data.append(event.data)
    return data


def calls_of(events: list[Any]) -> list[list[Any]]:
    calls: list[list[Any]] = []
    for event in events:
        if event.type == "response.created":
            calls.append([])
        calls[-1].append(event)
    return calls


def assert_numbered(events: list[Any]) -> None:
    assert [e.sequence_number for e in events] == list(range(len(events)))


async def test_text_streams_as_the_sdk_events(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text=["He", "llo"], usage=(7, 5))
    result = Runner.run_streamed(chat_agent(client), "hi", run_config=tracing.config)
    events = await raw_events(result)

    assert [e.type for e in events] == OPENING + MESSAGE_OPEN + [TEXT] * 2 + MESSAGE_CLOSE + COMPLETED
    assert_numbered(events)
    created = events[0].response
    assert (created.id, created.model, created.output, created.tool_choice) == ("__fake_id__", "gpt-test", [], "auto")
    added = events[1].item
    assert isinstance(added, ResponseOutputMessage) and added.status == "in_progress" and added.content == []
    deltas = [e for e in events if isinstance(e, ResponseTextDeltaEvent)]
    assert [(d.delta, d.output_index, d.content_index, d.item_id) for d in deltas] == [
        ("He", 0, 0, "__fake_id__"),
        ("llo", 0, 0, "__fake_id__"),
    ]
    assert isinstance(events[5].part, ResponseOutputText) and events[5].part.text == "Hello"
    completed = events[-1]
    assert isinstance(completed, ResponseCompletedEvent)
    (message,) = completed.response.output
    assert isinstance(message, ResponseOutputMessage) and message.status == "completed"
    assert [getattr(p, "text", None) for p in message.content] == ["Hello"]
    usage = completed.response.usage
    assert usage is not None and (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (7, 5, 12)
    # the provider's names ride along as the SDK's provider_data
    assert message.model_dump()["provider_data"]["model"] == "gpt-test"

    assert result.final_output == "Hello"
    # protocol adapters read only the text
    assert [RawResponsesStreamEvent(e).text_delta for e in events if e.type.endswith("text.delta")] == ["He", "llo"]
    assert sum(RawResponsesStreamEvent(e).text_delta is not None for e in events) == 2


async def test_refusal_streams_as_the_sdk_events(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    fake_openai.enqueue(refusal="I can't help")
    result = Runner.run_streamed(chat_agent(client), "hi")
    events: list[Any] = []
    with pytest.raises(ModelRefusalError):
        await raw_events(result, events)

    refusals = [e for e in events if e.type == "response.refusal.delta"]
    assert [e.type for e in events] == OPENING + MESSAGE_OPEN + ["response.refusal.delta"] * len(refusals) + (
        MESSAGE_CLOSE + COMPLETED
    )
    assert "".join(e.delta for e in refusals) == "I can't help" and len(refusals) > 1
    assert isinstance(events[2].part, ResponseOutputRefusal)
    (message,) = events[-1].response.output
    assert [(type(p), p.refusal) for p in message.content] == [(ResponseOutputRefusal, "I can't help")]
    assert all(RawResponsesStreamEvent(e).text_delta is None for e in events)


@pytest.mark.parametrize("count", [1, 2])
async def test_function_calls_stream_their_arguments(
    count: int, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    calls = [("add", {"a": 1, "b": 2}, "call_1"), ("add", {"a": 30, "b": 4}, "call_2")][:count]
    fake_openai.enqueue(tool_calls=calls, args_chunk_size=6, usage=(11, 3))
    fake_openai.enqueue(text="done")
    result = Runner.run_streamed(chat_agent(client, tools=True), "add")
    first, second = calls_of(await raw_events(result))

    expected: list[str] = OPENING
    for _ in calls:
        expected = expected + ["response.output_item.added"] + [ARGS] * 3  # '{"a": ', '1, "b"', ': 2}'
    expected = expected + ["response.output_item.done"] * count + COMPLETED
    assert [e.type for e in first] == expected
    assert_numbered(first)
    added = [e for e in first if e.type == "response.output_item.added"]
    assert [(e.output_index, e.item.name, e.item.call_id, e.item.arguments) for e in added] == [
        (i, "add", call_id, "") for i, (_, _, call_id) in enumerate(calls)
    ]
    for index, (_, arguments, _) in enumerate(calls):
        pieces = [e.delta for e in first if e.type == ARGS and e.output_index == index]
        assert "".join(pieces) == openai_json(arguments)
    done = [e for e in first if e.type == "response.output_item.done"]
    assert [(e.output_index, e.item.call_id, e.item.arguments) for e in done] == [
        (i, call_id, openai_json(arguments)) for i, (_, arguments, call_id) in enumerate(calls)
    ]
    response = first[-1].response
    assert all(isinstance(item, ResponseFunctionToolCall) for item in response.output)
    assert [item.call_id for item in response.output] == [c[2] for c in calls]
    assert response.usage is not None and response.usage.total_tokens == 14
    assert [e.type for e in second] == OPENING + MESSAGE_OPEN + [TEXT] + MESSAGE_CLOSE + COMPLETED
    assert_numbered(second)
    assert result.final_output == "done"
    outputs = [item.output for item in result.new_items if item.type == "tool_call_output_item"]
    assert sorted(outputs) == [3, 34][:count]  # each output as its call finished: parallel calls in either order


async def test_buffered_calls_arrive_whole_at_the_end(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    """``buffer_streamed_tool_calls=True``: as the SDK, each call is announced after the stream with all its
    arguments in one delta."""
    fake_openai.enqueue(tool_calls=[("add", {"a": 1, "b": 2}, "call_1"), ("add", {"a": 3, "b": 4}, "call_2")])
    fake_openai.enqueue(text="done")
    result = Runner.run_streamed(chat_agent(client, buffered=True, tools=True), "add")
    first, _ = calls_of(await raw_events(result))

    assert [e.type for e in first] == OPENING + (["response.output_item.added", ARGS] * 2) + (
        ["response.output_item.done"] * 2 + COMPLETED
    )
    assert [e.delta for e in first if e.type == ARGS] == ['{"a": 1, "b": 2}', '{"a": 3, "b": 4}']
    assert result.final_output == "done"


async def test_chunk_metrics_still_count_wire_chunks(
    fake_openai: FakeOpenAIServer,
    client: openai.AsyncOpenAI,
    tracing: Tracing,
    meter: tuple[MeterProvider, InMemoryMetricReader],
) -> None:
    """Role chunk, two text chunks, the finish chunk and the usage chunk: five wire chunks, so four gaps, however
    many Responses events they made."""
    provider, reader = meter
    fake_openai.enqueue(text=["He", "llo"])
    config = RunConfig(tracer_provider=tracing.provider, meter_provider=provider)
    result = Runner.run_streamed(chat_agent(client), "hi", run_config=config)
    events = await raw_events(result)
    assert len(events) == 8  # created, two to open the message, two deltas, two to close it, completed

    (first,) = histogram_points(reader, runtime_metrics.TIME_TO_FIRST_CHUNK)
    (per_chunk,) = histogram_points(reader, runtime_metrics.TIME_PER_OUTPUT_CHUNK)
    assert (first.count, per_chunk.count) == (1, 4)
    (chat,) = tracing.named("chat")
    assert "gen_ai.response.time_to_first_chunk" in (chat.attributes or {})


def test_converter_on_hand_built_chunks() -> None:
    """Without a server: a call whose name comes after its id is announced only then, text after the calls is
    placed after them, and every chunk still gives exactly one delta."""
    chunks = [
        _chunk({"tool_calls": [{"index": 0, "id": "c1", "function": {"arguments": '{"a"'}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"name": "f", "arguments": ":1}"}}]}),
        _chunk({"content": "ok"}),
        _chunk({}, "tool_calls"),
    ]
    request = ModelRequest(None, [], [], ModelSettings(tool_choice="f", temperature=0.5))
    assembler, converter = ChatStreamAssembler(), ChatStreamEvents(created_response("m", request))
    provider: list[Any] = []
    deltas = 0
    for chunk in chunks:
        for event in with_deltas(assembler.feed(chunk), chunk, converter.feed(chunk)):
            if isinstance(event, ProviderEvent):
                provider.append(event.data)
            else:
                deltas += 1
                if isinstance(event, TextDelta) and event.delta:
                    provider.append(event.raw)
    provider += converter.finish(assembler.finish())

    assert deltas == len(chunks)
    assert [(e.type, getattr(e, "output_index", None)) for e in provider] == [
        ("response.created", None),
        ("response.output_item.added", 0),
        (ARGS, 0),  # only the piece after the announcement; the first piece is in the done item
        ("response.output_item.added", 1),
        ("response.content_part.added", 1),
        ("response.output_text.delta", 1),
        ("response.content_part.done", 1),
        ("response.output_item.done", 0),
        ("response.output_item.done", 1),
        ("response.completed", None),
    ]
    assert_numbered(provider)
    created = provider[0].response
    assert (created.tool_choice.name, created.temperature) == ("f", 0.5)
    assert provider[7].item.arguments == '{"a":1}'
    output = provider[-1].response.output
    assert [type(item) for item in output] == [ResponseFunctionToolCall, ResponseOutputMessage]
    assert provider[-1].response.usage is None  # the stream reported none


def openai_json(arguments: dict[str, Any]) -> str:
    """How the fake server encodes a call's arguments (``json.dumps``' default separators)."""
    import json

    return json.dumps(arguments)


def _chunk(delta: dict[str, Any], finish_reason: str | None = None) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }
    )




async def test_a_content_filtered_answer_streams_its_refusal(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    """Nothing but ``finish_reason="content_filter"``: the SDK's refusal, streamed after the last chunk."""
    fake_openai.enqueue(text=[], finish_reason="content_filter")
    result = Runner.run_streamed(chat_agent(client), "hi")
    events: list[Any] = []
    with pytest.raises(ModelRefusalError):
        await raw_events(result, events)
    assert [e.type for e in events] == OPENING + MESSAGE_OPEN + ["response.refusal.delta"] + MESSAGE_CLOSE + COMPLETED
    assert events[3].delta == "Response withheld by the provider's content filter."
    assert_numbered(events)
