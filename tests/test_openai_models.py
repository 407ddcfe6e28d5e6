"""OpenAIResponsesModel and OpenAIChatCompletionsModel end to end: the official openai client over real HTTP to the
local fake OpenAI server (``fake_openai`` fixture, 127.0.0.1 only), for both APIs, streamed and not.

Nothing is mocked: each test runs a real agent loop, real tools, a real SDK TracerProvider with an in-memory
exporter, and asserts on what went over the wire, what the run returned and what the trace holds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fake_openai.script import StreamGate
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseTextDeltaEvent
from openai.types.shared import Reasoning
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    ModelBehaviorError,
    ModelConnectionError,
    ModelHTTPError,
    ModelRateLimitError,
    ModelSettings,
    ModelTimeoutError,
    RawResponsesStreamEvent,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    RunResult,
    ToolContext,
    ToolProgressStreamEvent,
    UserError,
    function_tool,
)
from agents_otel.models.interface import FAKE_RESPONSES_ID

APIS = ["responses", "chat"]
MODES = ["non-streamed", "streamed"]


class Trace:
    def __init__(self) -> None:
        traced = Tracing.new()
        self.exporter = traced.exporter
        self.provider = traced.provider

    def config(self, **kwargs: Any) -> RunConfig:
        return RunConfig(tracer_provider=self.provider, **kwargs)

    def named(self, prefix: str) -> list[ReadableSpan]:
        spans = [s for s in self.exporter.get_finished_spans() if s.name.startswith(prefix)]
        return sorted(spans, key=lambda s: s.start_time or 0)

    def tool_span(self, call_id: str) -> ReadableSpan:
        (span,) = [s for s in self.named("execute_tool") if attrs(s).get("gen_ai.tool.call.id") == call_id]
        return span


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


@pytest.fixture
def trace() -> Iterator[Trace]:
    t = Trace()
    yield t
    t.provider.shutdown()




def path_of(api: str) -> str:
    return "/v1/responses" if api == "responses" else "/v1/chat/completions"


async def run(agent: Agent[Any], text: str, mode: str, config: RunConfig) -> tuple[RunResult | Any, list[Any]]:
    """Run either way; returns the result and, when streamed, every stream event."""
    if mode == "non-streamed":
        return await Runner.run(agent, text, run_config=config), []
    result = Runner.run_streamed(agent, text, run_config=config)
    events = [event async for event in result.stream_events()]
    return result, events


def tool_outputs_sent(api: str, body: dict[str, Any]) -> dict[str, str]:
    """call_id -> output text, as the next request carried them back to the model."""
    if api == "responses":
        return {i["call_id"]: i["output"] for i in body["input"] if i.get("type") == "function_call_output"}
    return {m["tool_call_id"]: m["content"] for m in body["messages"] if m["role"] == "tool"}


def tool_calls_sent(api: str, body: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(call_id, name, arguments) of the model's calls, as the next request carried them back."""
    if api == "responses":
        return [(i["call_id"], i["name"], i["arguments"]) for i in body["input"] if i.get("type") == "function_call"]
    return [
        (c["id"], c["function"]["name"], c["function"]["arguments"])
        for m in body["messages"]
        if m["role"] == "assistant"
        for c in m.get("tool_calls") or []
    ]


# --------------------------------------------------------------------------- tool call -> progress -> output -> text


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_tool_call_progress_output_and_final_text(
    api: str, mode: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    seen_ids: list[str] = []

    @function_tool
    async def lookup(ctx: ToolContext[Any], city: str) -> str:
        """Weather for a city.

        Args:
            city: The city.
        """
        seen_ids.append(ctx.tool_call_id)
        ctx.send_progress({"step": "fetching", "city": city})
        return f"sunny in {city}"

    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "call_paris")], usage=(12, 4))
    fake_openai.enqueue(text="It is sunny in Paris.", usage=(30, 7))
    agent = Agent("Weather", instructions="Be brief.", tools=[lookup], model=wire_model(api, client))

    result, events = await run(agent, "Weather in Paris?", mode, trace.config())

    assert result.final_output == "It is sunny in Paris."
    assert (result.usage.input_tokens, result.usage.output_tokens) == (42, 11)
    assert seen_ids == ["call_paris"]  # the model's own id reaches the tool unchanged

    # The wire: tools offered in the API's shape, then the call and its output sent back on the next turn.
    first, second = fake_openai.requests
    assert [r.path for r in fake_openai.requests] == [path_of(api)] * 2
    assert all(r.model == "gpt-test" and r.stream == (mode == "streamed") for r in fake_openai.requests)
    parameters = {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city."}},
        "required": ["city"],
        "additionalProperties": False,
    }
    if api == "responses":
        assert first.body["instructions"] == "Be brief."
        assert first.body["tools"] == [
            {
                "type": "function",
                "name": "lookup",
                "description": "Weather for a city.",
                "parameters": parameters,
                "strict": True,
            }
        ]
        assert second.body["input"] == [
            {"role": "user", "content": "Weather in Paris?"},
            {"type": "function_call", "call_id": "call_paris", "name": "lookup", "arguments": '{"city": "Paris"}'},
            {"type": "function_call_output", "call_id": "call_paris", "output": "sunny in Paris"},
        ]
    else:
        assert first.body["tools"] == [
            {
                "type": "function",
                "function": {
                    "name": "lookup",
                    "description": "Weather for a city.",
                    "parameters": parameters,
                    "strict": True,
                },
            }
        ]
        assert second.body["messages"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_paris",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_paris", "content": "sunny in Paris"},
        ]
        if mode == "streamed":
            assert first.body["stream_options"] == {"include_usage": True}

    # The trace: one chat span per model call, under the agent span, with the GenAI attributes.
    (agent_span,) = trace.named("invoke_agent")
    chat_spans = trace.named("chat")
    assert [s.name for s in chat_spans] == ["chat gpt-test"] * 2
    for span, usage, finish in zip(chat_spans, [(12, 4), (30, 7)], ["tool_call", "stop"], strict=True):
        a = attrs(span)
        assert span.kind == SpanKind.CLIENT
        assert span.parent is not None and span.parent.span_id == agent_span.context.span_id
        assert span.status.status_code == StatusCode.UNSET
        assert a["gen_ai.operation.name"] == "chat"
        assert a["gen_ai.provider.name"] == "openai"
        assert a["gen_ai.request.model"] == "gpt-test"
        assert a["gen_ai.response.model"] == "gpt-test"
        assert a["gen_ai.response.id"].startswith("resp_" if api == "responses" else "chatcmpl-")
        assert a["gen_ai.response.finish_reasons"] == (finish,)
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == usage
        assert (a["server.address"], a["server.port"]) == ("127.0.0.1", fake_openai.port)
        assert "gen_ai.input.messages" not in a and "gen_ai.tool.definitions" not in a  # content is opt-in
        if mode == "streamed":
            assert a["gen_ai.request.stream"] is True
            assert a["gen_ai.response.time_to_first_chunk"] >= 0
        else:
            assert "gen_ai.request.stream" not in a and "gen_ai.response.time_to_first_chunk" not in a
    tool_span = trace.tool_span("call_paris")
    assert [e.name for e in tool_span.events] == ["agents_otel.tool.progress"]

    if mode == "streamed":
        progress = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
        assert [(p.tool_call_id, p.data) for p in progress] == [("call_paris", {"step": "fetching", "city": "Paris"})]
        items = [(e.name, e.tool_call_id) for e in events if isinstance(e, RunItemStreamEvent)]
        assert ("tool_called", "call_paris") in items and ("tool_output", "call_paris") in items
        # every Responses stream event passes (response.created, output_item.added, ...); the text is in the deltas
        every = [e.data for e in events if isinstance(e, RawResponsesStreamEvent)]
        raw = [d for d in every if d.type == "response.output_text.delta"]
        deltas = [d.delta for d in raw]
        assert len(deltas) > 1 and "" not in deltas  # word by word, as the server sent them
        assert "".join(deltas) == "It is sunny in Paris."
        # SDK code tests isinstance(event.data, ResponseTextDeltaEvent): true for both APIs, as in the SDK, where
        # the Responses API's own event passes through and Chat Completions text gets the SDK's placeholder item id
        assert all(isinstance(d, ResponseTextDeltaEvent) for d in raw)
        if api == "responses":
            (item_id,) = {d.item_id for d in raw}  # the server's message id, one message
            assert item_id.startswith("msg_") and len({d.sequence_number for d in raw}) == len(raw)
        else:
            assert {d.item_id for d in raw} == {FAKE_RESPONSES_ID}
            # numbered as the SDK numbers each call's events: from 0 at its response.created, without a gap
            starts = [i for i, d in enumerate(every) if d.type == "response.created"] + [len(every)]
            assert len(starts) == 3  # two model calls
            for start, end in itertools.pairwise(starts):
                assert [d.sequence_number for d in every[start:end]] == list(range(end - start))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_two_tool_calls_in_one_response_run_in_parallel(
    api: str, mode: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    started: list[str] = []
    both_started = asyncio.Event()

    @function_tool
    async def fetch(ctx: ToolContext[Any], name: str) -> str:
        started.append(ctx.tool_call_id)
        if len(started) == 2:
            both_started.set()
        # Each call waits for the other to have started: only concurrent execution finishes. The timeout is a
        # safety net against a hanging test, not a synchronisation tool.
        await asyncio.wait_for(both_started.wait(), 10)
        return f"got {name}"

    fake_openai.enqueue(tool_calls=[("fetch", {"name": "a"}, "call_a"), ("fetch", {"name": "b"}, "call_b")])
    fake_openai.enqueue(text="Both fetched.")
    agent = Agent("Fetcher", tools=[fetch], model=wire_model(api, client))

    result, _ = await run(agent, "Fetch a and b", mode, trace.config())

    assert result.final_output == "Both fetched."
    assert sorted(started) == ["call_a", "call_b"]
    body = fake_openai.requests[1].body
    assert tool_calls_sent(api, body) == [
        ("call_a", "fetch", '{"name": "a"}'),
        ("call_b", "fetch", '{"name": "b"}'),
    ]
    assert tool_outputs_sent(api, body) == {"call_a": "got a", "call_b": "got b"}
    if api == "chat":  # one assistant message carries both calls, then one tool message per call
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool", "tool"]
    assert {attrs(s)["gen_ai.tool.call.id"] for s in trace.named("execute_tool")} == {"call_a", "call_b"}


# --------------------------------------------------------------------------- reasoning items


@pytest.mark.parametrize("mode", MODES)
async def test_a_reasoning_item_goes_back_to_the_model_and_into_the_run_items(
    mode: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    """As in the SDK: a reasoning model's ``reasoning`` item is sent back on the next turn, in its place before the
    call it led to (so the model keeps its reasoning across tool calls), is a ``reasoning_item`` run item (streamed
    as ``reasoning_item_created``) and stays in ``to_input_list()``."""

    @function_tool
    def lookup(city: str) -> str:
        return f"sunny in {city}"

    fake_openai.enqueue(reasoning="The user wants weather.", tool_calls=[("lookup", {"city": "Paris"}, "call_p")])
    fake_openai.enqueue(text="Sunny.")
    agent = Agent("Weather", tools=[lookup], model=wire_model("responses", client))
    result, events = await run(agent, "Weather in Paris?", mode, trace.config())

    assert result.final_output == "Sunny."
    sent = fake_openai.requests[1].body["input"]
    kinds = [i.get("type", i.get("role")) for i in sent]
    assert kinds == ["user", "reasoning", "function_call", "function_call_output"]
    reasoning = sent[1]
    assert reasoning["id"].startswith("rs_")
    assert reasoning["summary"] == [{"type": "summary_text", "text": "The user wants weather."}]
    assert None not in reasoning.values()  # only what the API set goes back
    assert [i.type for i in result.new_items] == [
        "reasoning_item",
        "tool_call_item",
        "tool_call_output_item",
        "message_output_item",
    ]
    assert result.new_items[0].summary_text == "The user wants weather." and result.new_items[0].data == reasoning
    assert [i.get("type") for i in result.to_input_list()][1] == "reasoning"
    if mode == "streamed":
        names = [e.name for e in events if isinstance(e, RunItemStreamEvent)]
        assert names == ["reasoning_item_created", "tool_called", "tool_output", "message_output_created"]


# --------------------------------------------------------------------------- malformed tool-call JSON


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_malformed_arguments_become_a_tool_error_the_model_sees(
    api: str, mode: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    calls: list[str] = []

    @function_tool
    def lookup(city: str) -> str:
        calls.append(city)
        return "sunny"

    broken = '{"city": "Par'
    fake_openai.enqueue(tool_calls=[("lookup", broken, "call_bad")])
    fake_openai.enqueue(text="Sorry, let me try again later.")
    agent = Agent("Weather", tools=[lookup], model=wire_model(api, client))

    result, _ = await run(agent, "Weather?", mode, trace.config())

    assert result.final_output == "Sorry, let me try again later."
    assert calls == []
    body = fake_openai.requests[1].body
    assert tool_calls_sent(api, body) == [("call_bad", "lookup", broken)]  # verbatim, so the output pairs with it
    output = tool_outputs_sent(api, body)["call_bad"]
    assert output.startswith("Error: Invalid arguments for tool 'lookup'")
    span = trace.tool_span("call_bad")
    assert span.status.status_code == StatusCode.ERROR
    assert attrs(span)["error.type"] == "invalid_arguments"


# --------------------------------------------------------------------------- errors


def assert_failed_chat_span(trace: Trace, error_type: str) -> None:
    (span,) = trace.named("chat")
    assert span.status.status_code == StatusCode.ERROR
    assert attrs(span)["error.type"] == error_type
    assert [e.name for e in span.events] == ["exception"]
    (agent_span,) = trace.named("invoke_agent")
    assert agent_span.status.status_code == StatusCode.ERROR


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_http_500_after_the_clients_retries_is_a_model_http_error(
    api: str, mode: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    for _ in range(3):  # the first attempt and the openai client's two default retries
        fake_openai.enqueue(error=500)
    agent = Agent("A", model=wire_model(api, client))

    with pytest.raises(ModelHTTPError) as excinfo:
        await run(agent, "hi", mode, trace.config())

    err = excinfo.value
    assert (err.status_code, err.error_type) == (500, "500")
    assert isinstance(err.__cause__, openai.InternalServerError)
    # SDK code catches the openai exception itself: the error is one too, with its attributes
    assert isinstance(err, openai.InternalServerError) and err.response.status_code == 500
    assert len(fake_openai.requests) == 3
    assert_failed_chat_span(trace, "500")


@pytest.mark.parametrize("api", APIS)
async def test_a_500_then_success_is_retried_by_the_client(
    api: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    fake_openai.enqueue(error=500)
    fake_openai.enqueue(text="recovered")
    result, _ = await run(Agent("A", model=wire_model(api, client)), "hi", "streamed", trace.config())
    assert result.final_output == "recovered"
    assert len(fake_openai.requests) == 2
    (span,) = trace.named("chat")  # retries happen inside one model call
    assert span.status.status_code == StatusCode.UNSET


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_429_without_retries_is_a_rate_limit_error(
    api: str, mode: str, fake_openai: FakeOpenAIServer, trace: Trace
) -> None:
    fake_openai.enqueue(error=429)
    async with fake_openai.client(max_retries=0) as client:  # retries are the client's policy, configured here
        with pytest.raises(ModelRateLimitError) as excinfo:
            await run(Agent("A", model=wire_model(api, client)), "hi", mode, trace.config())
    assert (excinfo.value.status_code, excinfo.value.error_type) == (429, "429")
    assert isinstance(excinfo.value, openai.RateLimitError) and excinfo.value.body is not None
    assert len(fake_openai.requests) == 1
    assert_failed_chat_span(trace, "429")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_refused_connection_is_a_connection_error(
    api: str, mode: str, refused_openai_base_url: str, trace: Trace
) -> None:
    async with openai.AsyncOpenAI(base_url=refused_openai_base_url, api_key="test", max_retries=0) as client:
        with pytest.raises(ModelConnectionError) as excinfo:
            await run(Agent("A", model=wire_model(api, client)), "hi", mode, trace.config())
    assert excinfo.value.error_type == "connection_error"
    assert isinstance(excinfo.value.__cause__, openai.APIConnectionError)
    assert isinstance(excinfo.value, openai.APIConnectionError)
    assert_failed_chat_span(trace, "connection_error")


@pytest.mark.parametrize("api", APIS)
async def test_a_stream_that_goes_silent_times_out(api: str, fake_openai: FakeOpenAIServer, trace: Trace) -> None:
    gate = StreamGate()  # the server sends the first delta, then holds the stream until teardown opens the gate
    fake_openai.enqueue(text=["held ", "forever"], gate=gate)
    async with fake_openai.client(max_retries=0, timeout=0.5) as client:
        with pytest.raises(ModelTimeoutError) as excinfo:
            await run(Agent("A", model=wire_model(api, client)), "hi", "streamed", trace.config())
    assert excinfo.value.error_type == "timeout"
    assert isinstance(excinfo.value, TimeoutError) and isinstance(excinfo.value, openai.APITimeoutError)
    assert_failed_chat_span(trace, "timeout")


@pytest.mark.parametrize("api", APIS)
async def test_sdk_style_handlers_catch_the_openai_exceptions(
    api: str, fake_openai: FakeOpenAIServer, trace: Trace
) -> None:
    """Retry and fallback code written for the SDK, where openai's exceptions propagate as they are, still runs."""
    handled: list[str] = []
    for status in (429, 400):
        fake_openai.enqueue(error=status)
    async with fake_openai.client(max_retries=0) as client:
        agent = Agent("A", model=wire_model(api, client))
        for _ in range(2):
            try:
                await Runner.run(agent, "hi", run_config=trace.config())
            except openai.RateLimitError:
                handled.append("back off")
            except openai.BadRequestError as exc:
                handled.append(f"trim history ({exc.status_code})")
    assert handled == ["back off", "trim history (400)"]


# --------------------------------------------------------------------------- settings and content


@pytest.mark.parametrize("api", APIS)
async def test_model_settings_pass_through(
    api: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    @function_tool
    def lookup(city: str) -> str:
        return "sunny"

    fake_openai.enqueue(text="ok")
    settings = ModelSettings(
        temperature=0.25,
        top_p=0.5,
        max_tokens=64,
        tool_choice="lookup",
        parallel_tool_calls=False,
        extra_args={"user": "tester"},
    )
    agent = Agent("A", tools=[lookup], model=wire_model(api, client), model_settings=settings)

    await Runner.run(agent, "hi", run_config=trace.config())

    body = fake_openai.last_request.body
    assert (body["temperature"], body["top_p"], body["parallel_tool_calls"], body["user"]) == (
        0.25,
        0.5,
        False,
        "tester",
    )
    if api == "responses":
        assert body["max_output_tokens"] == 64
        assert body["tool_choice"] == {"type": "function", "name": "lookup"}
    else:
        assert body["max_tokens"] == 64
        assert body["tool_choice"] == {"type": "function", "function": {"name": "lookup"}}
    a = attrs(trace.named("chat")[0])
    assert (a["gen_ai.request.temperature"], a["gen_ai.request.top_p"], a["gen_ai.request.max_tokens"]) == (
        0.25,
        0.5,
        64,
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_the_sdks_other_model_settings_reach_each_api_as_the_sdk_sends_them(
    api: str, mode: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    fake_openai.enqueue(text="ok")
    shared = {
        "reasoning": Reasoning(effort="low", summary="auto"),
        "verbosity": "low",
        "metadata": {"team": "billing"},
        "store": False,
        "top_logprobs": 2,
        "extra_headers": {"x-tenant": "acme"},
        "extra_body": {"service_tier": "flex"},
    }
    only = (
        {"truncation": "auto", "response_include": ["reasoning.encrypted_content"]}
        if api == "responses"
        else {"frequency_penalty": 0.5, "presence_penalty": 0.25, "include_usage": False}
    )
    settings = ModelSettings(**shared, **only)  # type: ignore[arg-type]
    agent = Agent("A", model=wire_model(api, client), model_settings=settings, output_type=list[int])
    with pytest.raises(ModelBehaviorError):  # "ok" is no list[int]: the request is what this test reads
        await run(agent, "hi", mode, trace.config())
    request = fake_openai.last_request
    body = request.body
    assert request.headers["x-tenant"] == "acme" and body["service_tier"] == "flex"
    assert (body["metadata"], body["store"], body["top_logprobs"]) == ({"team": "billing"}, False, 2)
    if api == "responses":
        assert body["reasoning"] == {"effort": "low", "summary": "auto"}
        assert body["text"]["verbosity"] == "low" and body["text"]["format"]["type"] == "json_schema"
        assert body["truncation"] == "auto"
        assert sorted(body["include"]) == ["message.output_text.logprobs", "reasoning.encrypted_content"]
    else:
        assert (body["reasoning_effort"], body["verbosity"], body["logprobs"]) == ("low", "low", True)
        assert (body["frequency_penalty"], body["presence_penalty"]) == (0.5, 0.25)
        assert "response_format" in body
        if mode == "streamed":
            assert body["stream_options"] == {"include_usage": False}
        a = attrs(trace.named("chat")[0])
        assert (a["gen_ai.request.frequency_penalty"], a["gen_ai.request.presence_penalty"]) == (0.5, 0.25)


@pytest.mark.parametrize(
    ("api", "setting"),
    [
        ("responses", {"frequency_penalty": 0.5}),
        ("responses", {"presence_penalty": 0.5}),
        ("chat", {"truncation": "auto"}),
        ("chat", {"response_include": ["reasoning.encrypted_content"]}),
    ],
)
async def test_a_setting_the_api_has_no_parameter_for_is_a_user_error(
    api: str, setting: dict[str, Any], fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    agent = Agent("A", model=wire_model(api, client), model_settings=ModelSettings(**setting))
    with pytest.raises(UserError, match=f"ModelSettings.{next(iter(setting))} is a parameter of the"):
        await Runner.run(agent, "hi", run_config=trace.config())
    assert fake_openai.requests == []  # refused before anything was sent


@pytest.mark.parametrize("api", APIS)
async def test_no_tool_parameters_without_tools(
    api: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    """The APIs reject tool_choice / parallel_tool_calls on a request without tools."""
    fake_openai.enqueue(text="ok")
    settings = ModelSettings(tool_choice="auto", parallel_tool_calls=True)
    agent = Agent("A", model=wire_model(api, client), model_settings=settings)
    await Runner.run(agent, "hi", run_config=trace.config())
    assert not {"tools", "tool_choice", "parallel_tool_calls"} & fake_openai.last_request.body.keys()


@pytest.mark.parametrize("api", APIS)
async def test_content_capture_records_messages_and_tool_definitions(
    api: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    @function_tool
    def lookup(city: str) -> str:
        """Weather for a city."""
        return "sunny"

    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Oslo"}, "call_1")])
    fake_openai.enqueue(text="Sunny.")
    agent = Agent("A", instructions="Be brief.", tools=[lookup], model=wire_model(api, client))

    await Runner.run(agent, "Weather in Oslo?", run_config=trace.config(capture_content=True))

    first, second = (attrs(s) for s in trace.named("chat"))
    assert json.loads(first["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief."}]
    assert json.loads(first["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Oslo?"}]}
    ]
    assert json.loads(first["gen_ai.output.messages"])[0]["parts"] == [
        {"type": "tool_call", "id": "call_1", "name": "lookup", "arguments": {"city": "Oslo"}}
    ]
    assert [t["name"] for t in json.loads(first["gen_ai.tool.definitions"])] == ["lookup"]
    assert json.loads(second["gen_ai.input.messages"])[-1] == {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "call_1", "response": "sunny"}],
    }


@pytest.mark.parametrize("api", APIS)
async def test_history_carries_over_to_a_second_run(
    api: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, trace: Trace
) -> None:
    @function_tool
    def lookup(city: str) -> str:
        return "sunny"

    fake_openai.enqueue(text=["Checking. "], tool_calls=[("lookup", {"city": "Rome"}, "call_r")])
    fake_openai.enqueue(text="Sunny in Rome.")
    fake_openai.enqueue(text="You asked about Rome.")
    agent = Agent("A", tools=[lookup], model=wire_model(api, client))

    first = await Runner.run(agent, "Weather in Rome?", run_config=trace.config())
    follow_up = [*first.to_input_list(), {"role": "user", "content": "What did I ask?"}]
    second = await Runner.run(agent, follow_up, run_config=trace.config())

    assert second.final_output == "You asked about Rome."
    body = fake_openai.last_request.body
    if api == "responses":
        assert body["input"] == [
            {"role": "user", "content": "Weather in Rome?"},
            {"role": "assistant", "content": "Checking. "},
            {"type": "function_call", "call_id": "call_r", "name": "lookup", "arguments": '{"city": "Rome"}'},
            {"type": "function_call_output", "call_id": "call_r", "output": "sunny"},
            {"role": "assistant", "content": "Sunny in Rome."},
            {"role": "user", "content": "What did I ask?"},
        ]
    else:
        call = {"id": "call_r", "type": "function", "function": {"name": "lookup", "arguments": '{"city": "Rome"}'}}
        assert body["messages"] == [
            {"role": "user", "content": "Weather in Rome?"},
            {"role": "assistant", "content": "Checking. ", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_r", "content": "sunny"},
            {"role": "assistant", "content": "Sunny in Rome."},
            {"role": "user", "content": "What did I ask?"},
        ]
