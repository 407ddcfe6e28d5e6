"""Compatibility: the SDK's ``AnyLLMModel`` / ``AnyLLMProvider`` (``agents.extensions.models``) and
``MultiProvider``'s ``any-llm/`` prefix, here as ``agents_otel.extensions.models.any_llm_model`` / ``any_llm_provider``.

Over the real wire: ``AnyLLMModel("openai/<name>", base_url=..., api_key=...)`` makes any-llm's OpenAI provider
speak HTTP to the local OpenAI-compatible server, on the Responses API and on Chat Completions, so each test runs
any-llm's own request building, response parsing and streaming. The cases the SDK's any-llm tests pin down: the
Responses API when the provider has it, Chat Completions when it has not or ``api="chat_completions"`` says so, and
``api="responses"`` on a provider without it an error; ``parallel_tool_calls`` only with tools; ``extra_body`` sent
nested; ``logprobs`` with ``top_logprobs``; a content-filtered answer is a refusal; a failed response is an error;
a stored prompt is refused; the provider's own resends off on the runtime's replays; the provider stream closed
however it ends; ``any-llm/`` routes to ``AnyLLMProvider`` without the prefix; the provider's default model is read
at each call and its ``api`` reaches its models.

Ours on top: each call is the same ``chat`` span as the OpenAI models' (``gen_ai.provider.name`` from any-llm's
prefix in the GenAI conventions' spelling), an HTTP error is the typed ``ModelHTTPError`` that is also the openai
class, and ``import agents_otel`` never imports ``any_llm``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openai
import pytest
from adapter_support import chat_attributes, run
from any_llm.exceptions import ProviderError, RateLimitError
from fake_openai.server import FakeOpenAIServer
from pydantic import BaseModel
from support import Tracing

from agents_otel import (
    Agent,
    ModelHTTPError,
    ModelRateLimitError,
    ModelRefusalError,
    ModelRetrySettings,
    ModelSettings,
    MultiProvider,
    UserError,
    function_tool,
)
from agents_otel.extensions.models.any_llm_model import AnyLLMModel, any_llm_errors
from agents_otel.extensions.models.any_llm_provider import AnyLLMProvider
from agents_otel.model_retry import client_retries
from agents_otel.models import route_model_name
from agents_otel.models.interface import ModelRequest, ModelResponse, ProviderEvent, TextDelta, ToolSpec

ROOT = Path(__file__).resolve().parent.parent.parent

MODES = ["plain", "streamed"]
APIS = ["responses", "chat_completions"]
PATHS = {"responses": "/v1/responses", "chat_completions": "/v1/chat/completions"}


MADE: list[AnyLLMModel] = []


@pytest.fixture(autouse=True)
async def close_models() -> AsyncIterator[None]:
    """The provider clients the wire tests' models made are closed after each test (``AnyLLMModel.aclose``)."""
    yield
    while MADE:
        await MADE.pop().aclose()


def model(server: FakeOpenAIServer, api: str | None = None, name: str = "openai/gpt-wire") -> AnyLLMModel:
    made = AnyLLMModel(name, base_url=server.base_url, api_key="sk-anyllm", api=api)  # type: ignore[arg-type]
    MADE.append(made)
    return made


# ------------------------------------------------------------------------------------------------ over the wire


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("mode", MODES)
async def test_an_answer_over_the_wire_is_a_chat_span_like_any_models(
    mode: str, api: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Hello from any-llm.", usage=(12, 3))
    result = await run(Agent("A", instructions="Be brief.", model=model(fake_openai, api)), mode, tracing)
    assert result.final_output == "Hello from any-llm."
    (request,) = fake_openai.requests
    assert request.path == PATHS[api] and request.model == "gpt-wire"  # the provider's name, without its prefix
    assert request.headers["authorization"] == "Bearer sk-anyllm"
    if api == "responses":
        assert request.body["instructions"] == "Be brief."
        assert request.body["input"] == [{"role": "user", "content": "hi"}]
    else:
        assert request.body["messages"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hi"},
        ]
    if mode == "streamed":
        assert request.body["stream"] is True
        assert "".join(result.deltas) == "Hello from any-llm." and len(result.deltas) > 1
        if api == "chat_completions":
            assert request.body["stream_options"] == {"include_usage": True}
    (chat,) = tracing.named("chat")
    attributes = dict(chat.attributes or {})
    assert chat.name == "chat openai/gpt-wire"
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["gen_ai.request.model"] == "openai/gpt-wire"
    assert attributes["gen_ai.response.model"] == "gpt-wire"
    assert (attributes["gen_ai.usage.input_tokens"], attributes["gen_ai.usage.output_tokens"]) == (12, 3)
    assert attributes["server.address"] == "127.0.0.1" and attributes["server.port"] == fake_openai.port
    assert "gen_ai.input.messages" not in attributes  # content is captured only when asked for, as for every model
    assert result.context_wrapper.usage.requests == 1 and result.context_wrapper.usage.input_tokens == 12


@pytest.mark.parametrize(
    ("name", "api", "path"),
    [
        ("openai/gpt-wire", None, "/v1/responses"),  # OpenAI has the Responses API: used, as in the SDK
        ("gpt-wire", None, "/v1/responses"),  # no prefix: an OpenAI model
        ("openai/gpt-wire", "chat_completions", "/v1/chat/completions"),
        ("vllm/gpt-wire", None, "/v1/chat/completions"),  # no Responses API: Chat Completions
    ],
)
async def test_the_api_follows_the_provider_unless_pinned(
    name: str, api: str | None, path: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="ok")
    chosen = model(fake_openai, api, name)
    result = await run(Agent("A", model=chosen), "plain", tracing)
    assert result.final_output == "ok" and fake_openai.last_request.path == path
    assert chosen.selected_api() == ("responses" if path == "/v1/responses" else "chat_completions")


async def test_responses_on_a_provider_without_it_is_a_user_error(
    fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    with pytest.raises(UserError, match="has no Responses API"):
        await run(Agent("A", model=model(fake_openai, "responses", "mistral/m")), "plain", tracing)
    assert fake_openai.requests == []


async def test_content_is_captured_when_asked_for(fake_openai: FakeOpenAIServer, tracing: Tracing) -> None:
    fake_openai.enqueue(text="Captured.")
    await run(Agent("A", model=model(fake_openai)), "plain", tracing, capture_content=True)
    (attributes,) = chat_attributes(tracing)
    assert "hi" in str(attributes["gen_ai.input.messages"]) and "Captured." in str(attributes["gen_ai.output.messages"])


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}"


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("mode", MODES)
async def test_an_agent_run_calls_a_function_tool_through_any_llm(
    mode: str, api: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Paris"}, "call_paris")])
    fake_openai.enqueue(text="It is sunny in Paris.")
    agent = Agent("A", model=model(fake_openai, api), tools=[get_weather])
    result = await run(agent, mode, tracing)
    assert result.final_output == "It is sunny in Paris."
    first, second = fake_openai.requests
    (tool,) = first.body["tools"]
    if api == "responses":
        assert tool["name"] == "get_weather" and tool["parameters"]["required"] == ["city"]
        call, output = second.body["input"][1:]
        assert call["type"] == "function_call" and call["call_id"] == "call_paris"
        assert output == {"type": "function_call_output", "call_id": "call_paris", "output": "Sunny in Paris"}
    else:
        assert tool["function"]["name"] == "get_weather" and tool["function"]["parameters"]["required"] == ["city"]
        assert second.body["messages"][1]["tool_calls"][0]["id"] == "call_paris"
        assert second.body["messages"][2] == {"role": "tool", "tool_call_id": "call_paris", "content": "Sunny in Paris"}
    assert [s.name for s in tracing.named("execute_tool")] == ["execute_tool get_weather"]
    assert [a["gen_ai.response.finish_reasons"] for a in chat_attributes(tracing)] == [("tool_call",), ("stop",)]


class Forecast(BaseModel):
    city: str
    degrees: int


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("mode", MODES)
async def test_structured_output_is_sent_as_a_json_schema_and_parsed(
    mode: str, api: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text='{"city": "Oslo", "degrees": 4}')
    result = await run(Agent("A", model=model(fake_openai, api), output_type=Forecast), mode, tracing)
    assert result.final_output == Forecast(city="Oslo", degrees=4)
    body = fake_openai.last_request.body
    if api == "responses":
        schema = body["text"]["format"]
        assert schema["type"] == "json_schema" and schema["strict"] is True
    else:
        assert body["response_format"]["type"] == "json_schema"
        schema = body["response_format"]["json_schema"]
        assert schema["strict"] is True
    assert set(schema["schema"]["properties"]) == {"city", "degrees"}


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("mode", MODES)
async def test_an_http_error_is_the_typed_model_error_and_the_openai_class(
    mode: str, api: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue_error(400, message="bad things")
    with pytest.raises(ModelHTTPError) as caught:
        await run(Agent("A", model=model(fake_openai, api)), mode, tracing)
    assert caught.value.status_code == 400 and isinstance(caught.value, openai.BadRequestError)
    assert "bad things" in str(caught.value)
    (attributes,) = chat_attributes(tracing)
    assert attributes["error.type"] == "400"
    assert len(fake_openai.requests) == 1  # a 400 is never resent


@pytest.mark.parametrize("api", APIS)
async def test_no_retries_means_one_request_even_for_a_server_error(
    api: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    """``ModelRetrySettings(max_retries=0)`` turns the provider client's own resends off too, as for every model."""
    fake_openai.enqueue_error(503)
    settings = ModelSettings(retry=ModelRetrySettings(max_retries=0))
    with pytest.raises(ModelHTTPError) as caught:
        await run(Agent("A", model=model(fake_openai, api), model_settings=settings), "plain", tracing)
    assert caught.value.status_code == 503 and len(fake_openai.requests) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_a_content_filtered_answer_is_a_refusal(
    mode: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="", finish_reason="content_filter")
    with pytest.raises(ModelRefusalError) as caught:
        await run(Agent("A", model=model(fake_openai, "chat_completions")), mode, tracing)
    assert caught.value.refusal == "Response withheld by the provider's content filter."


@pytest.mark.parametrize("api", APIS)
async def test_a_refusal_is_a_refusal(api: str, fake_openai: FakeOpenAIServer, tracing: Tracing) -> None:
    fake_openai.enqueue(refusal="I cannot help with that.")
    with pytest.raises(ModelRefusalError) as caught:
        await run(Agent("A", model=model(fake_openai, api)), "plain", tracing)
    assert caught.value.refusal == "I cannot help with that."


@pytest.mark.parametrize("api", APIS)
async def test_a_stored_prompt_is_a_user_error_before_anything_is_sent(
    api: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    with pytest.raises(UserError, match="cannot send stored prompt templates"):
        await run(Agent("A", model=model(fake_openai, api), prompt={"id": "pmpt_1"}), "plain", tracing)
    assert fake_openai.requests == []


# ------------------------------------------------------------------------------------------------ what is sent


def request(settings: ModelSettings, tools: list[ToolSpec] | None = None) -> ModelRequest:
    return ModelRequest("Be brief.", [], tools or [], settings)


TOOL = ToolSpec("lookup", "Look up.", {"type": "object", "properties": {}, "additionalProperties": False})


@pytest.mark.parametrize("api", APIS)
def test_model_settings_become_any_llm_kwargs(api: str) -> None:
    settings = ModelSettings(
        temperature=0.3,
        parallel_tool_calls=True,
        top_logprobs=2,
        extra_headers={"X-Trace": "1"},
        extra_body={"cache": {"no-cache": True}},
        extra_args={"user": "u-1"},
    )
    chosen = AnyLLMModel("openai/gpt-x", api=api)  # type: ignore[arg-type]
    params = chosen.request_params(request(settings))
    assert params["model"] == "gpt-x" and params["temperature"] == 0.3 and params["user"] == "u-1"
    assert params["extra_headers"] == {"X-Trace": "1"}
    assert params["extra_body"] == {"cache": {"no-cache": True}}  # nested, never flattened into the request
    assert "parallel_tool_calls" not in params and "tools" not in params  # only with tools, as in the SDK
    with_tools = chosen.request_params(request(settings, [TOOL]))
    assert with_tools["parallel_tool_calls"] is True and len(with_tools["tools"]) == 1
    if api == "chat_completions":
        assert (params["top_logprobs"], params["logprobs"]) == (2, True)  # the API refuses top_logprobs without it
        assert params["messages"][0] == {"role": "system", "content": "Be brief."}
    else:
        assert params["instructions"] == "Be brief." and params["top_logprobs"] == 2


async def test_extra_body_reaches_the_wire_nested(fake_openai: FakeOpenAIServer, tracing: Tracing) -> None:
    fake_openai.enqueue(text="ok")
    settings = ModelSettings(extra_body={"custom_flag": True}, extra_headers={"X-Trace": "t-1"})
    await run(Agent("A", model=model(fake_openai, "chat_completions"), model_settings=settings), "plain", tracing)
    assert fake_openai.last_request.body["custom_flag"] is True
    assert fake_openai.last_request.headers["x-trace"] == "t-1"


def test_the_providers_own_resends_are_off_on_the_runtimes_replays() -> None:
    chosen = AnyLLMModel("openai/x", api_key="k")
    first = chosen._provider()
    with client_retries(True):
        replay = chosen._provider()
    assert replay is not first and replay.client.max_retries == 0 and first.client.max_retries > 0
    assert chosen._provider() is first  # made once, then reused


async def test_aclose_closes_the_provider_clients_it_made() -> None:
    chosen = AnyLLMModel("openai/x", api_key="k")
    first = chosen._provider()
    with client_retries(True):
        replay = chosen._provider()
    await chosen.close()  # the SDK's name
    assert first.client.is_closed() and replay.client.is_closed() and chosen._provider() is not first
    await chosen.aclose()


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("openai/gpt-4.1", "openai"),
        ("gpt-4.1", "openai"),  # no prefix: OpenAI
        ("anthropic/claude-sonnet-4-5", "anthropic"),
        ("bedrock/anthropic.claude-3", "aws.bedrock"),
        ("gemini/gemini-2.5-pro", "gcp.gemini"),
        ("vertexai/gemini-2.5-pro", "gcp.vertex_ai"),
        ("mistral/mistral-large", "mistral_ai"),
        ("azure/my-deployment", "azure.ai.inference"),  # any-llm's azure is Azure AI Inference
        ("azureopenai/my-deployment", "azure.ai.openai"),
        ("openrouter/openai/gpt-4.1", "openrouter"),  # no well-known value: the prefix itself
    ],
)
def test_the_provider_name_follows_any_llms_prefix(name: str, provider: str) -> None:
    assert AnyLLMModel(name).provider_name == provider


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": ""}, "needs a model name"),
        ({"model": "openai/"}, "'provider/model'"),
        ({"model": "/gpt-4.1"}, "'provider/model'"),
        ({"model": "openai/x", "api": "realtime"}, "takes None, 'responses' or 'chat_completions'"),
    ],
)
def test_bad_arguments_are_user_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(UserError, match=match):
        AnyLLMModel(**kwargs)


async def test_an_unknown_provider_is_a_user_error_at_the_first_call() -> None:
    chosen = AnyLLMModel("nosuchprovider/x")
    with pytest.raises(UserError, match="nosuchprovider"):
        await chosen.get_response(request(ModelSettings()))


async def test_a_missing_key_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERPLEXITY_API_KEY", raising=False)
    with pytest.raises(UserError, match="PERPLEXITY_API_KEY"):
        await AnyLLMModel("perplexity/m").get_response(request(ModelSettings()))


def test_other_providers_errors_are_typed_by_their_status() -> None:
    with pytest.raises(ModelRateLimitError) as limited, any_llm_errors():
        raise RateLimitError("slow down", original_exception=RuntimeError("sdk"), provider_name="x", status_code=429)
    assert limited.value.status_code == 429 and limited.value.error_type == "429"
    with pytest.raises(ModelHTTPError) as failed, any_llm_errors():
        raise ProviderError("down", provider_name="x", status_code=502)
    assert failed.value.error_type == "502" and isinstance(failed.value.__cause__, ProviderError)


# ------------------------------------------------------------------------------------------------ the stream


class FakeStream:
    """A provider stream stand-in whose ``aclose`` is recorded (and may fail)."""

    def __init__(self, chunks: list[Any], close_error: Exception | None = None) -> None:
        self.chunks, self.close_error, self.closed = chunks, close_error, 0

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        for chunk in self.chunks:
            yield chunk

    async def aclose(self) -> None:
        self.closed += 1
        if self.close_error is not None:
            raise self.close_error


def chunks() -> list[Any]:
    from openai.types.chat import ChatCompletionChunk

    head = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    last = {"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}
    return [
        ChatCompletionChunk.model_validate({**head, "choices": [{"index": 0, "delta": {"content": "Hel"}}]}),
        ChatCompletionChunk.model_validate({**head, "choices": [last]}),
    ]


def streaming(stream: FakeStream) -> AnyLLMModel:
    chosen = AnyLLMModel("mistral/m", api_key="k")

    class Provider:
        SUPPORTS_RESPONSES = False

        async def acompletion(self, **kwargs: Any) -> FakeStream:
            assert kwargs["stream"] is True
            return stream

    chosen._providers[False] = Provider()
    return chosen


async def test_the_provider_stream_is_closed_once_exhausted() -> None:
    stream = FakeStream(chunks())
    events = [e async for e in streaming(stream).stream_response(request(ModelSettings()))]
    assert [e.delta for e in events if isinstance(e, TextDelta)] == ["Hel", "lo"]
    assert isinstance(events[-1], ModelResponse) and events[-1].finish_reasons == ("stop",)
    assert stream.closed == 1


async def test_the_provider_stream_is_closed_when_the_consumer_stops_early() -> None:
    stream = FakeStream(chunks())
    events = streaming(stream).stream_response(request(ModelSettings()))
    assert isinstance(await anext(events), ProviderEvent)  # response.created, at the first chunk
    await events.aclose()  # type: ignore[attr-defined]
    assert stream.closed == 1


async def test_a_close_failure_after_the_whole_answer_is_only_logged() -> None:
    stream = FakeStream(chunks(), close_error=RuntimeError("socket already gone"))
    events = [e async for e in streaming(stream).stream_response(request(ModelSettings()))]
    assert isinstance(events[-1], ModelResponse) and stream.closed == 1


async def test_a_close_failure_before_the_answer_is_whole_is_raised() -> None:
    stream = FakeStream(chunks()[:1], close_error=RuntimeError("socket already gone"))
    with pytest.raises(RuntimeError, match="socket already gone"):
        async for _ in streaming(stream).stream_response(request(ModelSettings())):
            pass


# ------------------------------------------------------------------------------------------------ the prefix


def test_the_any_llm_prefix_routes_to_any_llm_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    routed = MultiProvider().get_model("any-llm/openrouter/openai/gpt-4.1")
    assert isinstance(routed, AnyLLMModel) and routed.model == "openrouter/openai/gpt-4.1"
    assert routed.provider_model == "openai/gpt-4.1" and routed.provider_name == "openrouter"
    monkeypatch.delenv("OPENAI_DEFAULT_MODEL", raising=False)
    default = AnyLLMProvider().get_model(None)
    assert isinstance(default, AnyLLMModel) and default.model == "openai/gpt-5.6-luna"
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", "gpt-5-mini")  # read at each call, as in the SDK
    assert AnyLLMProvider().get_model(None).model == "openai/gpt-5-mini"  # type: ignore[attr-defined]


def test_the_providers_options_reach_its_models() -> None:
    made = AnyLLMProvider(api_key="k", base_url="http://gw/v1", api="chat_completions").get_model("openai/x")
    assert isinstance(made, AnyLLMModel)
    assert (made.api_key, made.base_url, made.api) == ("k", "http://gw/v1", "chat_completions")
    with pytest.raises(UserError, match="api"):
        AnyLLMProvider(api="realtime")  # type: ignore[arg-type]


@pytest.mark.parametrize("through", ["MultiProvider", "the default routing"])
async def test_an_any_llm_prefixed_name_runs_over_the_wire(
    through: str, fake_openai: FakeOpenAIServer, tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")  # any-llm's own environment variables for openai/ models
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    fake_openai.enqueue(text="Routed.")
    agent = Agent("A", model="any-llm/openai/gpt-routed")
    provider = MultiProvider()
    kwargs: dict[str, Any] = {"model_provider": provider} if through == "MultiProvider" else {}
    result = await run(agent, "plain", tracing, **kwargs)
    adapter = route_model_name("any-llm/x")[0] if through != "MultiProvider" else provider
    await adapter.aclose()  # type: ignore[union-attr]  # the routed model's connections, closed with its provider
    assert result.final_output == "Routed."
    assert fake_openai.last_request.model == "gpt-routed" and fake_openai.last_request.path == "/v1/responses"
    assert fake_openai.last_request.headers["authorization"] == "Bearer sk-env"
    (attributes,) = chat_attributes(tracing)
    assert attributes["gen_ai.request.model"] == "openai/gpt-routed" and attributes["gen_ai.provider.name"] == "openai"


async def test_a_routed_model_is_kept_per_loop_and_closed_with_the_provider_that_routed_it(
    fake_openai: FakeOpenAIServer, tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A model holds its provider client's connection pool: made once per loop and name, not once per run (which
    # left a pool open behind every run), and closed by the MultiProvider's aclose().
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    provider = MultiProvider()
    first = provider.get_model("any-llm/openai/gpt-routed")
    assert isinstance(first, AnyLLMModel)
    assert provider.get_model("any-llm/openai/gpt-routed") is first
    assert provider.get_model("any-llm/openai/other") is not first
    assert MultiProvider().get_model("any-llm/openai/gpt-routed") is not first  # each MultiProvider its own
    fake_openai.enqueue(text="Routed.")
    result = await run(Agent("A", model="any-llm/openai/gpt-routed"), "plain", tracing, model_provider=provider)
    assert result.final_output == "Routed." and first._providers  # the run opened the model's client
    await provider.aclose()
    assert not first._providers
    assert provider.get_model("any-llm/openai/gpt-routed") is not first  # a closed model is not handed out again


def test_runs_without_a_model_provider_share_one_adapter_per_prefix() -> None:
    assert route_model_name("any-llm/openai/a")[0] is route_model_name("any-llm/mistral/b")[0]
    assert isinstance(route_model_name("any-llm/openai/a")[0], AnyLLMProvider)
    assert AnyLLMProvider().get_model("openai/x") is not AnyLLMProvider().get_model("openai/x")  # outside a loop


# ------------------------------------------------------------------------------------------------ the package


def test_importing_agents_otel_does_not_import_any_llm() -> None:
    code = (
        "import sys, agents_otel, agents_otel.extensions, agents_otel.models.multi_provider\n"
        "import agents_otel.extensions.models\n"
        "from agents_otel import MultiProvider\n"
        "MultiProvider().get_model('openai/gpt-4.1')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'any_llm')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []


def test_a_missing_any_llm_is_an_import_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for loaded in [m for m in sys.modules if m == "any_llm" or m.startswith("any_llm.")]:
        monkeypatch.setitem(sys.modules, loaded, None)  # importing it now fails, as when it is not installed
    for ours in ("agents_otel.extensions.models.any_llm_model", "agents_otel.extensions.models.any_llm_provider"):
        monkeypatch.delitem(sys.modules, ours)
    with pytest.raises(ImportError, match=r"pip install 'agents_otel\[any-llm\]'"):
        MultiProvider().get_model("any-llm/openai/gpt-4.1")
