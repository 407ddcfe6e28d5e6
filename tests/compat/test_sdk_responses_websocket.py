"""Compatibility: the Responses API over a websocket, as the OpenAI Agents SDK's websocket transport —
``OpenAIResponsesWSModel``, ``set_default_openai_responses_transport("websocket")``, ``OpenAIProvider`` /
``MultiProvider``'s websocket options, and ``responses_websocket_session()``.

The cases the SDK's websocket model and session tests pin down: requests are ``response.create`` messages on one
connection that later calls reuse; the answer is read from the stream events the HTTP stream carries, streamed or
not; the server's ``error`` event fails the call with its details; a call cut short drops the connection and the
next one opens a new one; a kept connection that closed is replaced; calls on one model take turns; client headers
and query reach the handshake, ``extra_body`` the message; the transport is chosen by the default, by a provider, or
by the model object; the session shares one ``RunConfig`` whose ``MultiProvider`` routes prefixes as usual, refuses a
``run_config`` of the caller's, and closes its connections when the block ends.

Everything runs on the real wire: the official ``openai`` client's settings, ``websockets`` talking to the fake
server's ``/v1/responses`` websocket, which answers from the same scripts as its HTTP endpoint. Added here: the
answer, the run's stream events and the ``chat`` span are checked to be the HTTP path's, and failures to be the
runtime's typed model errors (never a hang).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fake_openai.script import StreamGate
from fake_openai.server import FakeOpenAIServer
from opentelemetry.semconv.attributes.network_attributes import NETWORK_PROTOCOL_NAME
from support import Tracing, streamed_events

from agents_otel import (
    Agent,
    ModelConnectionError,
    ModelError,
    ModelHTTPError,
    ModelSettings,
    ModelTimeoutError,
    MultiProvider,
    OpenAIProvider,
    OpenAIResponsesModel,
    OpenAIResponsesWSModel,
    ResponsesWebSocketSession,
    RunConfig,
    Runner,
    function_tool,
    responses_websocket_session,
    set_default_openai_client,
    set_default_openai_responses_transport,
)
from agents_otel.models.interface import ModelRequest, ModelResponse
from agents_otel.models.responses_websocket import ResponsesWebSocketError
from agents_otel.tracing import attributes as A


def ws_model(client: Any, name: str = "gpt-test", **kwargs: Any) -> OpenAIResponsesWSModel:
    return OpenAIResponsesWSModel(name, openai_client=client, **kwargs)


def request(text: str = "hi", **kwargs: Any) -> ModelRequest:
    from agents_otel.items import UserMessage

    return ModelRequest(system_instructions=None, input=[UserMessage(text)], tools=[], **kwargs)


@pytest.fixture
def websocket_default() -> Iterator[None]:
    set_default_openai_responses_transport("websocket")
    try:
        yield
    finally:
        set_default_openai_responses_transport("http")


# ---- the wire ----------------------------------------------------------------------------------------------------


async def test_a_plain_answer_is_a_response_create_message_on_the_socket(fake_openai: FakeOpenAIServer, client: Any):
    fake_openai.enqueue("Hello over a socket", usage=(7, 3))
    model = ws_model(client)
    result = await Runner.run(Agent("A", instructions="Be brief.", model=model), "hi")
    await model.close()
    assert result.final_output == "Hello over a socket"
    assert (result.context_wrapper.usage.input_tokens, result.context_wrapper.usage.output_tokens) == (7, 3)
    (sent,) = fake_openai.requests_to("/responses")
    assert sent.method == "WS"
    assert sent.body["type"] == "response.create" and "stream" not in sent.body  # implicit on a websocket
    assert (sent.body["model"], sent.body["instructions"]) == ("gpt-test", "Be brief.")
    assert sent.body["input"] == [{"role": "user", "content": "hi"}]
    (handshake,) = fake_openai.ws_handshakes
    assert handshake["path"] == "/v1/responses" and handshake["authorization"] == "Bearer test"


async def test_the_answer_and_the_stream_events_are_the_http_paths(fake_openai: FakeOpenAIServer, client: Any):
    answers: dict[str, tuple[Any, ...]] = {}
    for name, model in (("http", OpenAIResponsesModel("gpt-test", openai_client=client)), ("ws", ws_model(client))):
        fake_openai.enqueue(["Hel", "lo", "!"], tool_calls=[("lookup", {"q": "x"}, "call_1")])
        events = [e async for e in model.stream_response(request())]
        final = events[-1]
        assert isinstance(final, ModelResponse)
        deltas = [e.delta for e in events[:-1] if hasattr(e, "delta") and e.delta]
        answers[name] = (final.output, final.usage.input_tokens, final.finish_reasons, deltas, len(events))
        fake_openai.enqueue("plain")
        plain = await model.get_response(request())
        answers[name] += (plain.output,)
    assert answers["ws"] == answers["http"]
    assert answers["ws"][3] == ["Hel", "lo", "!"]


async def test_a_streamed_run_gives_the_same_events_over_either_transport(fake_openai: FakeOpenAIServer, client: Any):
    kinds: dict[str, list[str]] = {}
    for name, model in (("http", OpenAIResponsesModel("gpt-test", openai_client=client)), ("ws", ws_model(client))):
        fake_openai.enqueue(["one ", "two"])
        events = await streamed_events(Agent("A", model=model), RunConfig())
        kinds[name] = [getattr(e, "name", None) or e.type for e in events if e.type != "raw_response_event"]
        kinds[name] += [e.data.type for e in events if e.type == "raw_response_event"]
    assert kinds["ws"] == kinds["http"]
    assert "response.output_text.delta" in kinds["ws"]


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


async def test_a_tool_call_and_the_answer_share_one_socket(
    fake_openai: FakeOpenAIServer, client: Any, tracing: Tracing
):
    fake_openai.enqueue(tool_calls=[("add", {"a": 2, "b": 3}, "call_sum")])
    fake_openai.enqueue("2 + 3 = 5")
    model = ws_model(client)
    result = Runner.run_streamed(Agent("Calc", tools=[add], model=model), "add 2 and 3", run_config=tracing.config)
    async for _ in result.stream_events():
        pass
    await model.close()
    assert result.final_output == "2 + 3 = 5"
    assert len(fake_openai.ws_handshakes) == 1  # both turns on one connection
    _, second = (r.body for r in fake_openai.requests_to("/responses"))
    assert [i.get("type") for i in second["input"]][-2:] == ["function_call", "function_call_output"]
    assert second["input"][-1] == {"type": "function_call_output", "call_id": "call_sum", "output": "5"}
    chats = tracing.named("chat")
    assert len(chats) == 2
    for span in chats:
        attributes = span.attributes or {}
        assert attributes[NETWORK_PROTOCOL_NAME] == "websocket" == attributes[A.NETWORK_PROTOCOL_NAME]
        assert attributes[A.GEN_AI_PROVIDER_NAME] == "openai" and attributes[A.GEN_AI_REQUEST_STREAM] is True
        assert attributes[A.SERVER_ADDRESS] == "127.0.0.1" and attributes[A.SERVER_PORT] == fake_openai.port
    assert chats[0].attributes[A.GEN_AI_RESPONSE_FINISH_REASONS] == ("tool_call",)  # type: ignore[index]
    assert tracing.tool_span("call_sum").parent.span_id == chats[0].parent.span_id  # type: ignore[union-attr]


async def test_the_chat_span_is_the_http_paths_plus_the_protocol(fake_openai: FakeOpenAIServer, client: Any):
    spans = {}
    for name, model in (("http", OpenAIResponsesModel("gpt-test", openai_client=client)), ("ws", ws_model(client))):
        traced = Tracing.new()
        fake_openai.enqueue("same answer", usage=(11, 4))
        await Runner.run(Agent("A", model=model), "hi", run_config=traced.config)
        (span,) = traced.named("chat")
        spans[name] = dict(span.attributes or {})
        spans[name].pop(A.GEN_AI_RESPONSE_ID)
        traced.provider.shutdown()
    assert spans["ws"].pop(A.NETWORK_PROTOCOL_NAME) == "websocket"
    assert A.NETWORK_PROTOCOL_NAME not in spans["http"]
    assert spans["ws"] == spans["http"]


async def test_calls_on_one_model_take_turns_on_its_socket(fake_openai: FakeOpenAIServer, client: Any):
    fake_openai.enqueue("first")
    fake_openai.enqueue("second")
    model = ws_model(client)
    answers = await asyncio.gather(model.get_response(request("a")), model.get_response(request("b")))
    await model.close()
    assert sorted(a.output[0].content for a in answers) == ["first", "second"]  # type: ignore[union-attr]
    assert len(fake_openai.ws_handshakes) == 1


async def test_client_headers_and_query_reach_the_handshake_and_extra_body_the_message(fake_openai: FakeOpenAIServer):
    async with fake_openai.client(default_headers={"X-Team": "a"}, default_query={"tenant": "t1"}) as client:
        fake_openai.enqueue("ok")
        settings = ModelSettings(
            extra_headers={"X-Call": "1"}, extra_query={"trace": "on"}, extra_body={"metadata": {"k": "v"}}
        )
        model = ws_model(client)
        await model.get_response(request(settings=settings))
        await model.close()
    (handshake,) = fake_openai.ws_handshakes
    assert (handshake["x-team"], handshake["x-call"]) == ("a", "1")
    assert handshake["query"] == {"tenant": "t1", "trace": "on"}
    assert fake_openai.last_request.body["metadata"] == {"k": "v"}
    assert not {"extra_headers", "extra_query", "extra_body"} & set(fake_openai.last_request.body)


async def test_websocket_base_url_is_where_the_socket_goes(fake_openai: FakeOpenAIServer):
    url = f"ws://127.0.0.1:{fake_openai.port}/v1"
    async with fake_openai.client(base_url="http://127.0.0.1:9/unused", websocket_base_url=url) as client:
        fake_openai.enqueue("via the websocket base url")
        model = ws_model(client)
        answer = await model.get_response(request())
        await model.close()
    assert answer.output[0].content == "via the websocket base url"  # type: ignore[union-attr]


# ---- failures: typed, and never a hang -----------------------------------------------------------------------------


async def test_the_servers_error_event_fails_the_call_with_its_details(
    fake_openai: FakeOpenAIServer, client: Any, tracing: Tracing
):
    fake_openai.enqueue_error(400, "bad input", code="invalid_value")
    fake_openai.enqueue("recovered")
    model = ws_model(client)
    with pytest.raises(ResponsesWebSocketError) as caught:
        await Runner.run(Agent("A", model=model), "hi", run_config=tracing.config)
    error = caught.value
    assert isinstance(error, ModelError)
    assert (error.status_code, error.code, error.error_message) == (400, "invalid_value", "bad input")
    assert error.error_type == "400"
    assert error.payload["type"] == "error"
    (span,) = tracing.named("chat")
    assert (span.attributes or {})[A.ERROR_TYPE] == "400"
    answer = await model.get_response(request())  # the next call opens a new connection and works
    await model.close()
    assert answer.output[0].content == "recovered"  # type: ignore[union-attr]
    assert len(fake_openai.ws_handshakes) == 2


async def test_a_socket_dropped_mid_answer_is_a_connection_error(fake_openai: FakeOpenAIServer, client: Any):
    fake_openai.enqueue("cut short here")
    fake_openai.ws_drops.append(4)  # after response.created, in_progress, the message's start and its first part
    model = ws_model(client)
    with pytest.raises(ModelConnectionError, match="closed before a terminal response event") as caught:
        async for _ in model.stream_response(request()):
            pass
    assert caught.value.error_type == "connection_error"
    assert caught.value.unsafe_to_replay is True  # type: ignore[attr-defined]  # the answer had begun
    fake_openai.enqueue("whole")
    answer = await model.get_response(request())
    await model.close()
    assert answer.output[0].content == "whole"  # type: ignore[union-attr]


async def test_a_dropped_stateless_request_before_any_event_may_be_replayed(fake_openai: FakeOpenAIServer, client: Any):
    fake_openai.enqueue("never sent")
    fake_openai.ws_drops.append(0)
    with pytest.raises(ModelConnectionError) as stateless:
        await ws_model(client).get_response(request())
    assert not getattr(stateless.value, "unsafe_to_replay", False)
    fake_openai.enqueue("never sent")
    fake_openai.ws_drops.append(0)
    with pytest.raises(ModelConnectionError) as stateful:
        await ws_model(client).get_response(request(previous_response_id="resp_1"))
    assert stateful.value.unsafe_to_replay is True  # type: ignore[attr-defined]


async def test_a_refused_connection_is_a_connection_error(refused_openai_base_url: str):
    async with openai.AsyncOpenAI(api_key="test", base_url=refused_openai_base_url) as client:
        with pytest.raises(ModelConnectionError, match="Could not reach the Responses websocket"):
            await ws_model(client).get_response(request())


async def test_a_refused_upgrade_is_an_http_error(fake_openai: FakeOpenAIServer):
    async with fake_openai.client(websocket_base_url=f"ws://127.0.0.1:{fake_openai.port}/nowhere") as client:
        with pytest.raises(ModelHTTPError) as caught:
            await ws_model(client).get_response(request())
    assert caught.value.status_code == 403


async def test_a_silent_server_is_a_timeout(fake_openai: FakeOpenAIServer):
    gate = StreamGate()  # holds the answer after its first delta, never released
    fake_openai.enqueue(["a", "b"], gate=gate)
    async with fake_openai.client(timeout=0.5) as client:
        with pytest.raises(ModelTimeoutError, match="receive timed out") as caught:
            await ws_model(client).get_response(request())
    assert caught.value.error_type == "timeout"


async def test_a_stream_left_early_drops_the_socket_and_a_closed_one_is_replaced(
    fake_openai: FakeOpenAIServer, client: Any
):
    fake_openai.enqueue(["a", "b", "c"])
    model = ws_model(client)
    stream = model.stream_response(request())
    await anext(stream)
    await stream.aclose()  # the rest of that answer must never be read as the next one
    fake_openai.enqueue("next")
    assert (await model.get_response(request())).output[0].content == "next"  # type: ignore[union-attr]
    assert len(fake_openai.ws_handshakes) == 2
    await model.close()  # closed between calls: the next call opens a new one
    fake_openai.enqueue("after close")
    assert (await model.get_response(request())).output[0].content == "after close"  # type: ignore[union-attr]
    assert len(fake_openai.ws_handshakes) == 3
    await model.close()


def test_without_websockets_the_model_is_an_import_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import agents_otel.models

    monkeypatch.delitem(sys.modules, "agents_otel.models._websockets", raising=False)
    monkeypatch.delattr(agents_otel.models, "_websockets", raising=False)
    monkeypatch.setitem(sys.modules, "websockets.asyncio.client", None)
    with pytest.raises(ImportError, match=r"pip install 'agents_otel\[websocket\]'"):
        OpenAIResponsesWSModel("gpt-test")


# ---- choosing the transport ----------------------------------------------------------------------------------------


def test_the_default_transport_takes_http_or_websocket_only() -> None:
    with pytest.raises(ValueError, match="Expected one of: 'http', 'websocket'"):
        set_default_openai_responses_transport("grpc")  # type: ignore[arg-type]


async def test_the_default_transport_puts_models_given_by_name_on_the_socket(
    fake_openai: FakeOpenAIServer, client: Any, websocket_default: None
):
    fake_openai.enqueue("by name, over a socket")
    set_default_openai_client(client)
    try:
        result = await Runner.run(Agent("A", model="gpt-by-name"), "hi")
    finally:
        set_default_openai_client(None)
        await OpenAIResponsesWSModel.for_name("gpt-by-name").close()
    assert result.final_output == "by name, over a socket"
    assert fake_openai.last_request.method == "WS" and fake_openai.last_request.model == "gpt-by-name"
    assert isinstance(OpenAIProvider(openai_client=client).get_model("x"), OpenAIResponsesWSModel)
    assert not isinstance(OpenAIProvider(openai_client=client, use_responses_websocket=False).get_model("x"),
                          OpenAIResponsesWSModel)


async def test_a_websocket_provider_keeps_one_model_per_name_until_closed(client: Any) -> None:
    provider = OpenAIProvider(openai_client=client, use_responses_websocket=True,
                              responses_websocket_options={"ping_interval": 5.0})
    model = provider.get_model("gpt-test")
    assert isinstance(model, OpenAIResponsesWSModel)
    assert provider.get_model("gpt-test") is model and provider.get_model("other") is not model
    assert type(OpenAIProvider(openai_client=client, use_responses_websocket=True, use_responses=False)
                .get_model("x")).__name__ == "OpenAIChatCompletionsModel"  # the transport is the Responses API's
    await provider.aclose()
    assert provider.get_model("gpt-test") is not model


async def test_multi_provider_and_the_environment_configure_the_socket(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("OPENAI_WEBSOCKET_BASE_URL", f"ws://127.0.0.1:{fake_openai.port}/v1")
    provider = MultiProvider(openai_base_url="http://127.0.0.1:9/unused", openai_api_key="sk-env",
                             openai_use_responses_websocket=True)
    fake_openai.enqueue("through MultiProvider")
    result = await Runner.run(Agent("A", model="openai/gpt-test"), "hi", run_config=RunConfig(model_provider=provider))
    await provider.aclose()
    assert result.final_output == "through MultiProvider"
    assert fake_openai.last_request.model == "gpt-test"
    assert fake_openai.ws_handshakes[0]["authorization"] == "Bearer sk-env"


# ---- responses_websocket_session() ------------------------------------------------------------------------------


async def test_a_session_runs_turns_and_runs_on_one_socket(fake_openai: FakeOpenAIServer):
    fake_openai.enqueue(tool_calls=[("add", {"a": 1, "b": 1}, "call_1")])
    fake_openai.enqueue("two")
    fake_openai.enqueue("bye")
    agent = Agent("Calc", tools=[add], model="gpt-test")
    async with responses_websocket_session(base_url=fake_openai.base_url, api_key="sk-ws") as ws:
        assert isinstance(ws.run_config.model_provider, MultiProvider)
        assert ws.run_config.model_provider.openai_provider is ws.provider
        first = await ws.run(agent, "1 + 1?")
        second = ws.run_streamed(agent, "bye", previous_response_id=first.last_response_id)
        async for _ in second.stream_events():
            pass
        with pytest.raises(ValueError, match="run_config"):
            await ws.run(agent, "x", run_config=RunConfig())
        (model,) = ws.provider._ws_models[asyncio.get_running_loop()].values()
        assert model._connection is not None
    assert model._connection is None  # closed with the block
    assert (first.final_output, second.final_output) == ("two", "bye")
    assert len(fake_openai.ws_handshakes) == 1  # three model calls, two runs, one connection
    assert fake_openai.last_request.body["previous_response_id"] == first.last_response_id
    assert fake_openai.ws_handshakes[0]["authorization"] == "Bearer sk-ws"


@pytest.mark.parametrize(
    ("options", "name", "sent"),
    [({}, "openai/gpt-test", "gpt-test"), ({"openai_prefix_mode": "model_id"}, "openai/gpt-test", "openai/gpt-test"),
     ({"unknown_prefix_mode": "model_id"}, "openrouter/x/y", "openrouter/x/y")],
)
async def test_a_session_routes_prefixes_as_multi_provider_does(
    fake_openai: FakeOpenAIServer, options: dict[str, Any], name: str, sent: str
):
    fake_openai.enqueue("ok")
    async with responses_websocket_session(base_url=fake_openai.base_url, **options) as ws:
        await ws.run(Agent("A", model=name), "hi")
    assert fake_openai.last_request.model == sent


def test_a_session_checks_its_provider_and_run_config() -> None:
    multi = MultiProvider(openai_use_responses_websocket=True)
    session = ResponsesWebSocketSession(multi.openai_provider, {"model_provider": multi, "workflow_name": "w"})
    assert isinstance(session.run_config, RunConfig) and session.run_config.workflow_name == "w"
    assert not hasattr(session, "run_sync")
    with pytest.raises(TypeError, match="must be a MultiProvider"):
        ResponsesWebSocketSession(multi.openai_provider, RunConfig(model_provider=multi.openai_provider))
    with pytest.raises(ValueError, match="not aligned"):
        ResponsesWebSocketSession(OpenAIProvider(), RunConfig(model_provider=multi))
    with pytest.raises(TypeError, match="Unknown run_config settings: tracin_disabled"):
        ResponsesWebSocketSession(multi.openai_provider, {"model_provider": multi, "tracin_disabled": True})
