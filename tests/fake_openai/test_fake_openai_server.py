"""Self-tests of the fake OpenAI server, driven by the official ``openai`` client over HTTP.

``server.client()`` builds ``openai.AsyncOpenAI(base_url=..., api_key="test",
_strict_response_validation=True)`` so every body and stream event is validated
against the client's pydantic models, not merely constructed.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import openai
import pytest

from .script import StreamGate, ToolCall, Usage
from .server import FakeOpenAIServer

WEATHER_TOOL_RESPONSES = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}

WEATHER_TOOL_CHAT = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


# --------------------------------------------------------------------------- Responses API


async def test_responses_non_streaming_text(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="Hello there!", usage=(21, 3))
    async with fake_openai.client() as client:
        response = await client.responses.create(model="gpt-test-1", input="hi", instructions="Be nice.")

    assert response.object == "response"
    assert response.id.startswith("resp_")
    assert response.model == "gpt-test-1"
    assert response.status == "completed"
    assert response.output_text == "Hello there!"
    [message] = response.output
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.content[0].type == "output_text"
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens, response.usage.total_tokens) == (
        21,
        3,
        24,
    )

    [request] = fake_openai.requests
    assert request.path == "/v1/responses"
    assert request.body["input"] == "hi"
    assert request.body["instructions"] == "Be nice."
    assert request.headers["authorization"] == "Bearer test"


async def test_responses_non_streaming_function_calls(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(
        tool_calls=[("get_weather", {"city": "Paris"}, "call_abc"), ToolCall("get_time", {"tz": "CET"})]
    )
    async with fake_openai.client() as client:
        response = await client.responses.create(model="m", input="weather?", tools=[WEATHER_TOOL_RESPONSES])

    calls = [item for item in response.output if item.type == "function_call"]
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_time", {"tz": "CET"}),
    ]
    assert calls[0].call_id == "call_abc"
    assert calls[1].call_id.startswith("call_")
    assert all(c.id and c.id.startswith("fc_") for c in calls)
    assert response.tools[0].type == "function"  # request tools are echoed


async def test_responses_streaming_text_and_function_call(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(
        text=["Let me ", "check ", "that."],
        tool_calls=[("get_weather", {"city": "Paris"}, "call_abc")],
        usage=Usage(input_tokens=30, output_tokens=12),
        args_chunk_size=4,
    )
    async with fake_openai.client() as client:
        stream = await client.responses.create(model="m", input="weather?", stream=True)
        events = [event async for event in stream]

    types = [e.type for e in events]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    for expected in (
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.done",
        "response.function_call_arguments.done",
        "response.output_item.done",
    ):
        assert expected in types

    text_deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert text_deltas == ["Let me ", "check ", "that."]
    assert "".join(text_deltas) == next(e.text for e in events if e.type == "response.output_text.done")

    # Assemble the function call the way a runtime would: item added, then arg deltas by item id.
    calls: dict[str, dict[str, Any]] = {}
    for e in events:
        if e.type == "response.output_item.added" and e.item.type == "function_call":
            calls[e.item.id] = {"name": e.item.name, "call_id": e.item.call_id, "arguments": ""}
        elif e.type == "response.function_call_arguments.delta":
            calls[e.item_id]["arguments"] += e.delta
    [call] = calls.values()
    arg_deltas = [e for e in events if e.type == "response.function_call_arguments.delta"]
    assert len(arg_deltas) > 1
    assert call == {"name": "get_weather", "call_id": "call_abc", "arguments": '{"city": "Paris"}'}
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert done.arguments == call["arguments"]

    completed = events[-1]
    assert completed.response.status == "completed"
    assert completed.response.usage is not None
    assert completed.response.usage.total_tokens == 42
    assert completed.response.output_text == "Let me check that."
    assert fake_openai.last_request.stream


async def test_responses_stream_helper_final_response(fake_openai: FakeOpenAIServer) -> None:
    """The SDK's stricter ``responses.stream`` accumulator accepts the event sequence."""
    fake_openai.enqueue(text="Sunny in Paris.", tool_calls=[("get_weather", {"city": "Paris"}, "call_1")])
    async with (
        fake_openai.client() as client,
        client.responses.stream(model="m", input="hi", tools=[WEATHER_TOOL_RESPONSES]) as stream,
    ):
        deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
        final = await stream.get_final_response()
    assert "".join(deltas) == "Sunny in Paris."
    assert final.output_text == "Sunny in Paris."
    call = final.output[1]
    assert call.type == "function_call"
    assert (call.name, call.call_id, call.arguments) == ("get_weather", "call_1", '{"city": "Paris"}')


async def test_malformed_tool_arguments_are_sent_verbatim(fake_openai: FakeOpenAIServer) -> None:
    broken = '{"city": "Par'
    fake_openai.enqueue(tool_calls=[("get_weather", broken, "call_bad")])
    fake_openai.enqueue(tool_calls=[("get_weather", broken, "call_bad")])
    async with fake_openai.client() as client:
        response = await client.responses.create(model="m", input="x")
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], stream=True
        )
        pieces = [
            tc.function.arguments or ""
            async for chunk in stream
            for choice in chunk.choices
            for tc in choice.delta.tool_calls or []
            if tc.function is not None
        ]
    assert response.output[0].type == "function_call"
    assert response.output[0].arguments == broken
    assert "".join(pieces) == broken
    with pytest.raises(json.JSONDecodeError):
        json.loads("".join(pieces))


# --------------------------------------------------------------------------- Chat Completions


async def test_chat_non_streaming_tool_calls(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(
        tool_calls=[
            ("get_weather", {"city": "Paris"}, "call_abc"),
            ("get_weather", {"city": "Rome"}, "call_def"),
        ],
        usage=(40, 9),
    )
    async with fake_openai.client() as client:
        completion = await client.chat.completions.create(
            model="gpt-chat-test",
            messages=[{"role": "user", "content": "weather in Paris and Rome?"}],
            tools=[WEATHER_TOOL_CHAT],
        )

    assert completion.object == "chat.completion"
    assert completion.model == "gpt-chat-test"
    [choice] = completion.choices
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    tool_calls = choice.message.tool_calls or []
    assert [(tc.id, tc.function.name, json.loads(tc.function.arguments)) for tc in tool_calls] == [
        ("call_abc", "get_weather", {"city": "Paris"}),
        ("call_def", "get_weather", {"city": "Rome"}),
    ]
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (40, 9)
    assert completion.usage.total_tokens == 49
    assert fake_openai.last_request.body["tools"] == [WEATHER_TOOL_CHAT]


async def test_chat_non_streaming_text(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="Bonjour.")
    async with fake_openai.client() as client:
        completion = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
    assert completion.choices[0].message.content == "Bonjour."
    assert completion.choices[0].finish_reason == "stop"


async def test_chat_streaming_tool_calls_and_usage_chunk(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(
        text="Checking.",
        tool_calls=[
            ("get_weather", {"city": "Paris"}, "call_abc"),
            ("get_weather", {"city": "Rome"}, "call_def"),
        ],
        usage=(50, 11),
        args_chunk_size=3,
    )
    async with fake_openai.client() as client:
        stream = await client.chat.completions.create(
            model="gpt-chat-test",
            messages=[{"role": "user", "content": "weather?"}],
            tools=[WEATHER_TOOL_CHAT],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [chunk async for chunk in stream]

    assert all(c.object == "chat.completion.chunk" and c.model == "gpt-chat-test" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"

    content = ""
    calls: dict[int, dict[str, str]] = {}
    per_call_arg_chunks: dict[int, int] = {}
    finish_reasons = []
    for chunk in chunks:
        for choice in chunk.choices:
            content += choice.delta.content or ""
            if choice.finish_reason:
                finish_reasons.append(choice.finish_reason)
            for tc in choice.delta.tool_calls or []:
                entry = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                entry["id"] += tc.id or ""
                if tc.function is not None:
                    entry["name"] += tc.function.name or ""
                    entry["arguments"] += tc.function.arguments or ""
                    if tc.function.arguments:
                        per_call_arg_chunks[tc.index] = per_call_arg_chunks.get(tc.index, 0) + 1

    assert content == "Checking."
    assert finish_reasons == ["tool_calls"]
    assert calls == {
        0: {"id": "call_abc", "name": "get_weather", "arguments": '{"city": "Paris"}'},
        1: {"id": "call_def", "name": "get_weather", "arguments": '{"city": "Rome"}'},
    }
    assert min(per_call_arg_chunks.values()) > 1  # arguments really are split across chunks

    usage_chunk = chunks[-1]
    assert usage_chunk.choices == []
    assert usage_chunk.usage is not None
    assert (usage_chunk.usage.prompt_tokens, usage_chunk.usage.completion_tokens) == (50, 11)
    assert all(c.usage is None for c in chunks[:-1])
    assert fake_openai.last_request.body["stream_options"] == {"include_usage": True}


async def test_chat_streaming_without_usage_and_stream_helper(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="One two three.")
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Oslo"}, "call_o")])
    async with fake_openai.client() as client:
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "count"}], stream=True
        )
        chunks = [chunk async for chunk in stream]
        async with client.chat.completions.stream(
            model="m", messages=[{"role": "user", "content": "weather"}], tools=[WEATHER_TOOL_CHAT]
        ) as helper:
            final = await helper.get_final_completion()

    assert all(c.choices for c in chunks)  # no usage chunk unless asked for
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "One two three."
    assert chunks[-1].choices[0].finish_reason == "stop"
    [tool_call] = final.choices[0].message.tool_calls or []
    assert (tool_call.id, tool_call.function.name, tool_call.function.arguments) == (
        "call_o",
        "get_weather",
        '{"city": "Oslo"}',
    )
    assert final.choices[0].finish_reason == "tool_calls"


# --------------------------------------------------------------------------- refusals


async def test_responses_refusal_part_plain_and_streamed(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(refusal="I can't help with that.")
    fake_openai.enqueue(text="Partly: ", refusal="no more.")
    async with fake_openai.client() as client:
        response = await client.responses.create(model="m", input="hi")
        async with client.responses.stream(model="m", input="hi") as stream:
            deltas = [e.delta async for e in stream if e.type == "response.refusal.delta"]
            final = await stream.get_final_response()
    [message] = response.output
    assert message.type == "message"
    assert [p.model_dump() for p in message.content] == [{"type": "refusal", "refusal": "I can't help with that."}]
    assert "".join(deltas) == "no more." and len(deltas) == 2
    [streamed] = final.output
    assert streamed.type == "message"
    assert [p.type for p in streamed.content] == ["output_text", "refusal"]
    assert final.output_text == "Partly: "


async def test_chat_refusal_field_plain_and_streamed(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(refusal="I can't help with that.")
    fake_openai.enqueue(refusal="I can't help with that.")
    async with fake_openai.client() as client:
        completion = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        async with client.chat.completions.stream(model="m", messages=[{"role": "user", "content": "x"}]) as helper:
            deltas = [e.delta async for e in helper if e.type == "refusal.delta"]
            final = await helper.get_final_completion()
    assert completion.choices[0].message.refusal == "I can't help with that."
    assert completion.choices[0].message.content is None
    assert "".join(deltas) == "I can't help with that." and len(deltas) > 1
    assert final.choices[0].message.refusal == "I can't help with that."


# --------------------------------------------------------------------------- errors


async def test_500_then_success_is_retried_by_the_client(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(error=500)
    fake_openai.enqueue(text="recovered")
    async with fake_openai.client() as client:  # default max_retries=2
        response = await client.responses.create(model="m", input="hi")
    assert response.output_text == "recovered"
    assert len(fake_openai.requests) == 2
    first, second = fake_openai.requests
    assert first.body == second.body
    assert second.headers.get("x-stainless-retry-count") == "1"
    assert fake_openai.pending == 0


async def test_429_without_retries_raises_rate_limit_error(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(error=429)
    async with fake_openai.client(max_retries=0) as client:
        with pytest.raises(openai.RateLimitError) as excinfo:
            await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    err = excinfo.value
    assert err.status_code == 429
    assert err.code == "rate_limit_exceeded"
    assert err.response.headers["retry-after"] == "0"
    assert len(fake_openai.requests) == 1


async def test_429_is_retried_on_streaming_requests(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(error=429, error_message="slow down")
    fake_openai.enqueue(text="ok")
    async with fake_openai.client() as client:
        stream = await client.responses.create(model="m", input="hi", stream=True)
        events = [e async for e in stream]
    assert events[-1].type == "response.completed"
    assert len(fake_openai.requests) == 2


async def test_non_retryable_error_and_unscripted_request(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(error=400, error_message="bad tool schema")
    async with fake_openai.client() as client:
        with pytest.raises(openai.BadRequestError, match="bad tool schema"):
            await client.responses.create(model="m", input="hi")
        with pytest.raises(openai.BadRequestError, match="no scripted response left"):
            await client.responses.create(model="m", input="hi")
    assert len(fake_openai.requests) == 2  # neither was retried


async def test_refused_connection_raises_api_connection_error(refused_openai_base_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=refused_openai_base_url, api_key="test", max_retries=0) as client:
        with pytest.raises(openai.APIConnectionError):
            await client.responses.create(model="m", input="hi")


# --------------------------------------------------------------------------- recording


async def test_requests_are_recorded_for_the_next_turn(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Paris"}, "call_abc")])
    fake_openai.enqueue(text="It is sunny in Paris.")
    async with fake_openai.client() as client:
        first = await client.responses.create(model="m", input="weather?", tools=[WEATHER_TOOL_RESPONSES])
        call = first.output[0]
        assert call.type == "function_call"
        second = await client.responses.create(
            model="m",
            input=[
                {"role": "user", "content": "weather?"},
                {
                    "type": "function_call",
                    "call_id": call.call_id,
                    "name": call.name,
                    "arguments": call.arguments,
                },
                {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"},
            ],
            tools=[WEATHER_TOOL_RESPONSES],
        )
    assert second.output_text == "It is sunny in Paris."

    assert [r.path for r in fake_openai.requests] == ["/v1/responses", "/v1/responses"]
    assert fake_openai.requests_to("/chat/completions") == []
    turn2 = fake_openai.requests[1].body
    assert turn2["tools"] == [WEATHER_TOOL_RESPONSES]
    assert turn2["input"][-1] == {"type": "function_call_output", "call_id": "call_abc", "output": "sunny"}
    assert turn2["input"][1]["arguments"] == '{"city": "Paris"}'
    assert fake_openai.requests[0].model == "m"


# --------------------------------------------------------------------------- gating / lifecycle


async def test_gate_holds_the_stream_until_released(fake_openai: FakeOpenAIServer) -> None:
    gate = StreamGate()
    fake_openai.enqueue(text=["a", "b", "c"], gate=gate)
    async with fake_openai.client() as client:
        stream = await client.responses.create(model="m", input="hi", stream=True)
        received: list[str] = []
        async for event in stream:
            if event.type == "response.output_text.delta":
                received.append(event.delta)
                if event.delta == "a":
                    # Everything up to the first delta is out; the server now waits on the gate.
                    await gate.wait_paused()
                    assert gate.paused and gate.pauses == 1
                    gate.release()
                elif event.delta == "b":
                    await gate.wait_paused()
                    gate.open()  # the rest (delta "c" and response.completed) flows freely
            last = event
    assert received == ["a", "b", "c"]
    assert last.type == "response.completed"
    assert gate.pauses == 2


async def test_gated_chat_stream_releases_one_chunk_at_a_time(fake_openai: FakeOpenAIServer) -> None:
    gate = StreamGate()
    fake_openai.enqueue(text=["x", "y"], gate=gate)
    async with fake_openai.client() as client:
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        seen: list[str | None] = []
        async for chunk in stream:
            choice = chunk.choices[0]
            seen.append(choice.finish_reason if choice.delta.content is None else choice.delta.content)
            if choice.delta.content in ("x", "y"):
                await gate.wait_paused()  # before "y", then before the finish chunk
                gate.release()
    assert seen == ["", "x", "y", "stop"]
    assert gate.pauses == 2


def test_server_stops_cleanly_even_with_a_held_stream() -> None:
    """Teardown opens forgotten gates and joins the uvicorn thread."""
    import asyncio

    gate = StreamGate()
    server = FakeOpenAIServer().start()
    thread_name = f"fake-openai:{server.port}"
    server.enqueue(text=["held", "forever"], gate=gate)

    async def start_stream() -> str:
        async with server.client() as client:
            stream = await client.responses.create(model="m", input="hi", stream=True)
            async for event in stream:
                if event.type == "response.output_text.delta":
                    await gate.wait_paused()
                    return event.delta
        raise AssertionError("no delta")

    assert asyncio.run(start_stream()) == "held"
    server.stop()
    assert thread_name not in {t.name for t in threading.enumerate()}
    server.stop()  # idempotent


def test_context_manager_and_base_url() -> None:
    with FakeOpenAIServer() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.base_url.endswith("/v1")
        thread_name = f"fake-openai:{server.port}"
        assert thread_name in {t.name for t in threading.enumerate()}
    assert thread_name not in {t.name for t in threading.enumerate()}
