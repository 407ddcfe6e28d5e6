"""Compatibility: the SDK's ``LitellmModel`` / ``LitellmProvider`` (``agents.extensions.models``) and
``MultiProvider``'s ``litellm/`` prefix, here as ``agents_otel.extensions.models.litellm_model`` / ``litellm_provider``.

Over the real wire: ``LitellmModel("openai/<name>", base_url=..., api_key=...)`` makes LiteLLM speak HTTP to the
local OpenAI-compatible server, so each test runs LiteLLM's own request building, response parsing and streaming.
The cases the SDK's LiteLLM tests pin down: kwargs from ``ModelSettings`` reach LiteLLM (``extra_body``,
``extra_headers``, ``extra_args``, ``reasoning_effort`` from ``reasoning`` before ``extra_body``, ``logprobs`` with
``top_logprobs``, ``parallel_tool_calls`` only with tools); streamed text, refusals and tool calls; a content-filtered
answer is a refusal; usage; retries (LiteLLM's own resends off on the runner's replays, retry advice from the
response headers); the provider stream is closed, and a close failure after the whole answer is only logged;
``litellm/`` routes to ``LitellmProvider`` without the prefix.

Ours on top: each call is the same ``chat`` span as the OpenAI models' (``gen_ai.provider.name`` from LiteLLM's
prefix in the GenAI conventions' spelling), an HTTP error is the typed ``ModelHTTPError`` that is also the openai
class, and ``import agents_otel`` never imports ``litellm``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import litellm
import openai
import pytest
from adapter_support import chat_attributes, run
from fake_openai.server import FakeOpenAIServer
from pydantic import BaseModel
from support import Tracing

from agents_otel import (
    Agent,
    ModelHTTPError,
    ModelRefusalError,
    ModelRetrySettings,
    ModelSettings,
    MultiProvider,
    UserError,
    function_tool,
    retry_policies,
)
from agents_otel.extensions.models import litellm_model
from agents_otel.extensions.models.litellm_model import LitellmModel, genai_provider_name
from agents_otel.extensions.models.litellm_provider import LitellmProvider
from agents_otel.items import AssistantMessage
from agents_otel.model_retry import client_retries
from agents_otel.models.interface import ModelRequest, ModelResponse, ProviderEvent, RefusalDelta, TextDelta, ToolSpec
from agents_otel.retry import ModelRetryAdviceRequest, ModelRetryBackoffSettings

ROOT = Path(__file__).resolve().parent.parent.parent

MODES = ["plain", "streamed"]


def model(server: FakeOpenAIServer, name: str = "openai/gpt-wire") -> LitellmModel:
    return LitellmModel(model=name, base_url=server.base_url, api_key="sk-litellm")


# ------------------------------------------------------------------------------------------------ over the wire


@pytest.mark.parametrize("mode", MODES)
async def test_an_answer_over_the_wire_is_a_chat_span_like_any_models(
    mode: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Hello from LiteLLM.", usage=(12, 3))
    result = await run(Agent("A", model=model(fake_openai)), mode, tracing)
    assert result.final_output == "Hello from LiteLLM."
    (request,) = fake_openai.requests
    assert request.path == "/v1/chat/completions" and request.model == "gpt-wire"  # LiteLLM strips its prefix
    assert request.headers["authorization"] == "Bearer sk-litellm"
    assert request.body["messages"] == [{"role": "user", "content": "hi"}]
    if mode == "streamed":
        assert request.body["stream"] is True and request.body["stream_options"] == {"include_usage": True}
        assert "".join(result.deltas) == "Hello from LiteLLM." and len(result.deltas) > 1
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


async def test_content_is_captured_when_asked_for(fake_openai: FakeOpenAIServer, tracing: Tracing) -> None:
    fake_openai.enqueue(text="Captured.")
    await run(Agent("A", instructions="Be brief.", model=model(fake_openai)), "plain", tracing, capture_content=True)
    (attributes,) = chat_attributes(tracing)
    assert "hi" in str(attributes["gen_ai.input.messages"]) and "Captured." in str(attributes["gen_ai.output.messages"])


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}"


@pytest.mark.parametrize("mode", MODES)
async def test_an_agent_run_calls_a_function_tool_through_litellm(
    mode: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Paris"}, "call_paris")])
    fake_openai.enqueue(text="It is sunny in Paris.")
    agent = Agent("A", model=model(fake_openai), tools=[get_weather])
    result = await run(agent, mode, tracing)
    assert result.final_output == "It is sunny in Paris."
    first, second = fake_openai.requests
    (tool,) = first.body["tools"]
    assert tool["function"]["name"] == "get_weather" and tool["function"]["parameters"]["required"] == ["city"]
    assert second.body["messages"][1]["tool_calls"][0]["id"] == "call_paris"
    assert second.body["messages"][2] == {"role": "tool", "tool_call_id": "call_paris", "content": "Sunny in Paris"}
    assert [s.name for s in tracing.named("execute_tool")] == ["execute_tool get_weather"]
    assert [a["gen_ai.response.finish_reasons"] for a in chat_attributes(tracing)] == [("tool_call",), ("stop",)]


class Forecast(BaseModel):
    city: str
    degrees: int


@pytest.mark.parametrize("mode", MODES)
async def test_structured_output_is_sent_as_a_json_schema_and_parsed(
    mode: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text='{"city": "Oslo", "degrees": 4}')
    result = await run(Agent("A", model=model(fake_openai), output_type=Forecast), mode, tracing)
    assert result.final_output == Forecast(city="Oslo", degrees=4)
    response_format = fake_openai.last_request.body["response_format"]
    assert response_format["type"] == "json_schema" and response_format["json_schema"]["strict"] is True
    assert set(response_format["json_schema"]["schema"]["properties"]) == {"city", "degrees"}


@pytest.mark.parametrize("mode", MODES)
async def test_an_http_error_is_the_typed_model_error_and_the_openai_class(
    mode: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue_error(400, message="bad things")
    with pytest.raises(ModelHTTPError) as caught:
        await run(Agent("A", model=model(fake_openai)), mode, tracing)
    assert caught.value.status_code == 400 and isinstance(caught.value, openai.BadRequestError)
    assert "bad things" in str(caught.value)
    (attributes,) = chat_attributes(tracing)
    assert attributes["error.type"] == "400"
    assert len(fake_openai.requests) == 1  # a 400 is never resent


@pytest.mark.parametrize("mode", MODES)
async def test_a_content_filtered_answer_is_a_refusal(
    mode: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="", finish_reason="content_filter")
    with pytest.raises(ModelRefusalError) as caught:
        await run(Agent("A", model=model(fake_openai)), mode, tracing)
    assert caught.value.refusal == "Response withheld by the provider's content filter."


async def test_a_refusal_is_a_refusal(fake_openai: FakeOpenAIServer, tracing: Tracing) -> None:
    """Not streamed: LiteLLM (1.83 to 1.110) drops ``delta.refusal`` chunks from a stream before they reach the model; a
    refusal LiteLLM does pass on in a stream is one (``test_a_streamed_refusal_chunk_is_a_refusal_delta``)."""
    fake_openai.enqueue(refusal="I cannot help with that.")
    with pytest.raises(ModelRefusalError) as caught:
        await run(Agent("A", model=model(fake_openai)), "plain", tracing)
    assert caught.value.refusal == "I cannot help with that."


@pytest.mark.parametrize("mode", MODES)
async def test_a_server_error_is_retried_by_model_settings_retry(
    mode: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue_error(503)
    fake_openai.enqueue(text="recovered")
    retry = ModelRetrySettings(
        max_retries=1,
        backoff=ModelRetryBackoffSettings(initial_delay=0, jitter=False),
        policy=retry_policies.http_status([503]),
    )
    # extra_args turn LiteLLM's own resends off on the first attempt too, so the runtime's replay is the only one
    settings = ModelSettings(retry=retry, extra_args={"num_retries": 0, "max_retries": 0})
    result = await run(Agent("A", model=model(fake_openai), model_settings=settings), mode, tracing)
    assert result.final_output == "recovered" and len(fake_openai.requests) == 2
    failed, ok = chat_attributes(tracing)
    assert failed["error.type"] == "503" and ok["agents_otel.retry.attempt"] == 1


# ------------------------------------------------------------------------------------------------ what is sent


def request(settings: ModelSettings, tools: list[ToolSpec] | None = None, **kwargs: Any) -> ModelRequest:
    return ModelRequest("Be brief.", [], tools or [], settings, **kwargs)


TOOL = ToolSpec("lookup", "Look up.", {"type": "object", "properties": {}, "additionalProperties": False})


def test_model_settings_become_litellm_kwargs() -> None:
    settings = ModelSettings(
        temperature=0.3,
        max_tokens=99,
        parallel_tool_calls=True,
        top_logprobs=2,
        extra_headers={"X-Trace": "1"},
        extra_body={"cache": {"no-cache": True}},
        extra_query={"api-version": "v"},
        metadata={"team": "a"},
        extra_args={"user": "u-1", "drop_params": True},
    )
    params = LitellmModel("anthropic/claude", base_url="http://gw/v1", api_key="k").request_params(request(settings))
    assert params["model"] == "anthropic/claude" and params["messages"][0] == {"role": "system", "content": "Be brief."}
    assert (params["temperature"], params["max_tokens"]) == (0.3, 99)
    assert (params["top_logprobs"], params["logprobs"]) == (2, True)  # the API refuses top_logprobs without it
    assert params["extra_headers"] == {"X-Trace": "1"} and params["extra_body"] == {"cache": {"no-cache": True}}
    assert params["extra_query"] == {"api-version": "v"} and params["metadata"] == {"team": "a"}
    assert (params["user"], params["drop_params"], params["api_key"], params["base_url"]) == ("u-1", True, "k", "http://gw/v1")
    assert "parallel_tool_calls" not in params and "tools" not in params  # only with tools, as in the SDK
    with_tools = LitellmModel("openai/x").request_params(request(settings, [TOOL]))
    assert with_tools["parallel_tool_calls"] is True and with_tools["tools"][0]["function"]["name"] == "lookup"
    assert "api_key" not in with_tools and "base_url" not in with_tools  # LiteLLM's environment variables then


@pytest.mark.parametrize(
    ("settings", "effort", "body"),
    [
        (ModelSettings(extra_body={"reasoning_effort": "none", "x": 1}), "none", {"x": 1}),
        (ModelSettings(extra_body={"reasoning_effort": "low"}), "low", None),
        (ModelSettings(reasoning={"effort": "high"}, extra_body={"reasoning_effort": "low"}), "high", None),
        (ModelSettings(extra_body={"reasoning_effort": ""}), "", None),  # a falsy effort is kept
        (ModelSettings(extra_body={"reasoning_effort": "low"}, extra_args={"reasoning_effort": "hi"}), "hi", None),
    ],
)
def test_reasoning_effort_is_a_top_level_kwarg_litellm_translates(
    settings: ModelSettings, effort: str, body: dict[str, Any] | None
) -> None:
    params = LitellmModel("anthropic/claude").request_params(request(settings))
    assert params["reasoning_effort"] == effort and params.get("extra_body") == body


def test_litellms_own_retries_are_off_on_the_runtimes_replays() -> None:
    model = LitellmModel("openai/x")
    assert "num_retries" not in model.request_params(request(ModelSettings()))
    with client_retries(True):
        params = model.request_params(request(ModelSettings()))
    assert (params["num_retries"], params["max_retries"]) == (0, 0)


def test_retry_advice_reads_the_errors_response_headers() -> None:
    response = httpx.Response(429, headers={"retry-after-ms": "250"}, request=httpx.Request("POST", "http://x"))
    error = litellm.RateLimitError("slow down", llm_provider="openai", model="x", response=response)
    advice = LitellmModel("openai/x").get_retry_advice(
        ModelRetryAdviceRequest(error=error, attempt=1, stream=False)
    )
    assert advice is not None and advice.retry_after == 0.25


@pytest.mark.parametrize(
    "agent_kwargs",
    [{"prompt": {"id": "pmpt_1"}}],
)
async def test_what_chat_completions_cannot_carry_is_a_user_error(
    agent_kwargs: dict[str, Any], fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    with pytest.raises(UserError, match="stored prompt templates need the Responses API"):
        await run(Agent("A", model=model(fake_openai), **agent_kwargs), "plain", tracing)
    assert fake_openai.requests == []


@pytest.mark.parametrize("mode", MODES)
async def test_reasoning_content_is_read_and_replayed_through_litellm(
    mode: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    """LiteLLM passes a DeepSeek model's ``reasoning_content`` on: a reasoning item, sent back on the next request
    (the SDK's default rule, by the model's name), as on the Chat Completions model."""
    call = ("get_weather", {"city": "Oslo"})
    fake_openai.enqueue(reasoning="Look it up.", reasoning_field="reasoning_content", tool_calls=[call])
    fake_openai.enqueue(text="Sunny.")
    agent = Agent("A", model=model(fake_openai, "openai/deepseek-reasoner"), tools=[get_weather])
    result = await run(agent, mode, tracing)
    assert [i.type for i in result.new_items][:2] == ["reasoning_item", "tool_call_item"]
    raw = result.new_items[0].raw_item
    assert [s.text for s in raw.summary] == ["Look it up."]
    assert raw.model_dump()["provider_data"]["model"] == "openai/deepseek-reasoner"
    (sent,) = [m for m in fake_openai.requests[-1].body["messages"] if m["role"] == "assistant"]
    assert sent["reasoning_content"] == "Look it up."


def test_a_reasoning_replay_hook_is_kept_and_a_non_function_refused() -> None:
    def hook(context: Any) -> bool:
        return False

    model = LitellmModel("deepseek/deepseek-reasoner", should_replay_reasoning_content=hook)
    assert model.should_replay_reasoning_content is hook
    with pytest.raises(UserError, match="should_replay_reasoning_content"):
        LitellmModel("deepseek/deepseek-reasoner", should_replay_reasoning_content="yes")


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("openai/gpt-4.1", "openai"),
        ("anthropic/claude-sonnet-4-5", "anthropic"),
        ("bedrock/anthropic.claude-3", "aws.bedrock"),
        ("gemini/gemini-2.5-pro", "gcp.gemini"),
        ("vertex_ai/gemini-2.5-pro", "gcp.vertex_ai"),
        ("mistral/mistral-large", "mistral_ai"),
        ("xai/grok-4", "x_ai"),
        ("azure/my-deployment", "azure.ai.openai"),
        ("ollama/llama3.1", "ollama"),  # no well-known value: the prefix itself
        ("gpt-4o", "openai"),  # no prefix: the provider LiteLLM infers
    ],
)
def test_the_provider_name_follows_litellms_prefix(name: str, provider: str) -> None:
    assert genai_provider_name(name) == provider == LitellmModel(name).provider_name


# ------------------------------------------------------------------------------------------------ the stream


class FakeStream:
    """A LiteLLM stream stand-in whose ``aclose`` is recorded (and may fail)."""

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
    head = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    last = {"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}
    return [
        litellm.ModelResponseStream(**head, choices=[{"index": 0, "delta": {"content": "Hel"}}]),
        litellm.ModelResponseStream(**head, choices=[last]),
    ]


def streaming(monkeypatch: pytest.MonkeyPatch, stream: FakeStream) -> None:
    async def acompletion(**kwargs: Any) -> FakeStream:
        assert kwargs["stream"] is True
        return stream

    monkeypatch.setattr(litellm_model.litellm, "acompletion", acompletion)


async def test_the_provider_stream_is_closed_once_exhausted(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = FakeStream(chunks())
    streaming(monkeypatch, stream)
    events = [e async for e in LitellmModel("openai/x").stream_response(request(ModelSettings()))]
    assert [e.delta for e in events if isinstance(e, TextDelta)] == ["Hel", "lo"]
    final = events[-1]
    assert isinstance(final, ModelResponse) and final.finish_reasons == ("stop",)
    assert stream.closed == 1


async def test_a_streamed_refusal_chunk_is_a_refusal_delta(monkeypatch: pytest.MonkeyPatch) -> None:
    head = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    refused = {"index": 0, "delta": {"refusal": "No."}, "finish_reason": "stop"}
    streaming(monkeypatch, FakeStream([litellm.ModelResponseStream(**head, choices=[refused])]))
    events = [e async for e in LitellmModel("openai/x").stream_response(request(ModelSettings()))]
    (delta,) = [e for e in events if isinstance(e, RefusalDelta)]
    final = events[-1]
    assert isinstance(delta, RefusalDelta) and delta.delta == "No."
    assert isinstance(final, ModelResponse) and final.output == [AssistantMessage("", "No.")]
    # among the Responses events the SDK's handler makes of LiteLLM's chunks, the delta carrying its own
    assert [e.data.type for e in events if isinstance(e, ProviderEvent)] == [
        "response.created",
        "response.output_item.added",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert delta.raw.type == "response.refusal.delta" and delta.raw.sequence_number == 3


async def test_the_provider_stream_is_closed_when_the_consumer_stops_early(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = FakeStream(chunks())
    streaming(monkeypatch, stream)
    events = LitellmModel("openai/x").stream_response(request(ModelSettings()))
    assert isinstance(await anext(events), ProviderEvent)  # response.created, at the first chunk
    await events.aclose()  # type: ignore[attr-defined]
    assert stream.closed == 1


async def test_a_close_failure_after_the_whole_answer_is_only_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = FakeStream(chunks(), close_error=RuntimeError("socket already gone"))
    streaming(monkeypatch, stream)
    events = [e async for e in LitellmModel("openai/x").stream_response(request(ModelSettings()))]
    assert isinstance(events[-1], ModelResponse) and stream.closed == 1


async def test_a_close_failure_before_the_answer_is_whole_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = FakeStream(chunks()[:1], close_error=RuntimeError("socket already gone"))
    streaming(monkeypatch, stream)
    with pytest.raises(RuntimeError, match="socket already gone"):
        async for _ in LitellmModel("openai/x").stream_response(request(ModelSettings())):
            pass


# ------------------------------------------------------------------------------------------------ the prefix


def test_the_litellm_prefix_routes_to_litellm_without_it() -> None:
    routed = MultiProvider().get_model("litellm/anthropic/claude-sonnet-4-5")
    assert isinstance(routed, LitellmModel) and routed.model == "anthropic/claude-sonnet-4-5"
    assert routed.provider_name == "anthropic"
    default = LitellmProvider().get_model(None)
    assert isinstance(default, LitellmModel) and default.model == "gpt-5.6-luna"


@pytest.mark.parametrize("through", ["MultiProvider", "the default routing"])
async def test_a_litellm_prefixed_name_runs_over_the_wire(
    through: str, fake_openai: FakeOpenAIServer, tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")  # LiteLLM's own environment variables for openai/ models
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    fake_openai.enqueue(text="Routed.")
    agent = Agent("A", model="litellm/openai/gpt-routed")
    kwargs: dict[str, Any] = {"model_provider": MultiProvider()} if through == "MultiProvider" else {}
    result = await run(agent, "plain", tracing, **kwargs)
    assert result.final_output == "Routed."
    assert fake_openai.last_request.model == "gpt-routed"
    assert fake_openai.last_request.headers["authorization"] == "Bearer sk-env"
    (attributes,) = chat_attributes(tracing)
    assert attributes["gen_ai.request.model"] == "openai/gpt-routed" and attributes["gen_ai.provider.name"] == "openai"


# ------------------------------------------------------------------------------------------------ the package


def test_importing_agents_otel_does_not_import_litellm() -> None:
    code = (
        "import sys, agents_otel, agents_otel.extensions, agents_otel.models.multi_provider\n"
        "from agents_otel import MultiProvider\n"
        "MultiProvider().get_model('openai/gpt-4.1')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'litellm')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []


def test_a_missing_litellm_is_an_import_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for loaded in [m for m in sys.modules if m == "litellm" or m.startswith("litellm.")]:
        monkeypatch.setitem(sys.modules, loaded, None)  # importing it now fails, as when it is not installed
    for ours in ("agents_otel.extensions.models.litellm_model", "agents_otel.extensions.models.litellm_provider"):
        monkeypatch.delitem(sys.modules, ours)
    with pytest.raises(ImportError, match=r"pip install 'agents_otel\[litellm\]'"):
        MultiProvider().get_model("litellm/openai/gpt-4.1")
