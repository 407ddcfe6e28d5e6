"""Choosing and configuring OpenAI models: models given by name, the default client from the environment (over real
HTTP to the local fake server), span identity per client, and stream endings the fake server cannot script."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import ResponseErrorEvent, ResponseFailedEvent
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from support import Tracing

from agents_otel import (
    Agent,
    ModelError,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    UserError,
    models,
    set_default_openai_api,
    set_default_openai_client,
    set_default_openai_key,
)
from agents_otel.models import _openai_client, resolve_model
from agents_otel.models._openai_chat_output import ChatStreamAssembler
from agents_otel.models._openai_responses_output import ResponsesStreamAssembler
from agents_otel.models.openai_responses import model_response


@pytest.fixture
def env_points_at(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "env-key")
    return fake_openai


@pytest.fixture
def exporter() -> Iterator[tuple[InMemorySpanExporter, RunConfig]]:
    traced = Tracing.new()
    yield traced.exporter, traced.config
    traced.provider.shutdown()


async def test_a_model_given_by_name_runs_on_the_responses_api_with_the_default_client(
    env_points_at: FakeOpenAIServer, exporter: tuple[InMemorySpanExporter, RunConfig]
) -> None:
    memory, config = exporter
    env_points_at.enqueue(text="hello")
    result = await Runner.run(Agent("A", model="gpt-named"), "hi", run_config=config)

    assert result.final_output == "hello"
    request = env_points_at.last_request
    assert (request.path, request.model, request.headers["authorization"]) == (
        "/v1/responses",
        "gpt-named",
        "Bearer env-key",
    )
    (span,) = [s for s in memory.get_finished_spans() if s.name.startswith("chat")]
    attributes = dict(span.attributes or {})
    assert span.name == "chat gpt-named"
    assert (attributes["server.address"], attributes["server.port"]) == ("127.0.0.1", env_points_at.port)
    assert attributes["gen_ai.provider.name"] == "openai"


async def test_the_run_default_model_by_name(env_points_at: FakeOpenAIServer) -> None:
    env_points_at.enqueue(text="ok")
    await Runner.run(Agent("A"), "hi", run_config=RunConfig(model="gpt-run-default"))
    assert env_points_at.last_request.model == "gpt-run-default"


def test_models_by_name_are_shared_instances() -> None:
    model = resolve_model("gpt-shared", None)
    assert isinstance(model, OpenAIResponsesModel)
    assert model is OpenAIResponsesModel.for_name("gpt-shared")
    chat = OpenAIChatCompletionsModel.for_name("gpt-shared")
    assert isinstance(chat, OpenAIChatCompletionsModel)
    assert chat is OpenAIChatCompletionsModel.for_name("gpt-shared")


def test_run_sync_twice_gets_a_client_per_event_loop(env_points_at: FakeOpenAIServer) -> None:
    """Each run_sync has its own loop; a pooled connection from a closed loop must never be reused."""
    env_points_at.enqueue(text="one")
    env_points_at.enqueue(text="two")
    agent = Agent("A", model="gpt-sync")
    assert Runner.run_sync(agent, "1").final_output == "one"
    assert Runner.run_sync(agent, "2").final_output == "two"


async def test_a_base_url_without_a_key_works_for_local_servers(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    fake_openai.enqueue(text="local")
    result = await Runner.run(Agent("A", model=OpenAIChatCompletionsModel("llama3.1")), "hi")
    assert result.final_output == "local"
    assert fake_openai.last_request.path == "/v1/chat/completions"


async def test_no_key_and_no_base_url_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        await Runner.run(Agent("A", model=OpenAIResponsesModel("gpt-x")), "hi")


async def test_set_default_openai_client(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    fake_openai.enqueue(text="from the default client")
    async with fake_openai.client(api_key="explicit") as client:
        set_default_openai_client(client)
        try:
            model = OpenAIResponsesModel.for_name("gpt-default-client")
            assert model.server_address == "127.0.0.1"
            result = await Runner.run(Agent("A", model=model), "hi")
        finally:
            set_default_openai_client(None)
    assert result.final_output == "from the default client"
    assert fake_openai.last_request.headers["authorization"] == "Bearer explicit"


def test_span_identity_follows_the_client() -> None:
    """Constructing clients opens no connection; nothing here touches the network."""
    azure = openai.AsyncAzureOpenAI(
        azure_endpoint="https://contoso.openai.azure.com", api_key="k", api_version="2024-10-21"
    )
    model = OpenAIChatCompletionsModel("my-deployment", openai_client=azure)
    assert (model.provider_name, model.server_address, model.server_port) == (
        "azure.ai.openai",
        "contoso.openai.azure.com",
        443,
    )
    local = openai.AsyncOpenAI(base_url="http://gpu-box:8000/v1", api_key="x")
    vllm = OpenAIChatCompletionsModel("qwen", openai_client=local)
    assert (vllm.provider_name, vllm.server_address, vllm.server_port) == ("openai", "gpu-box", 8000)
    vllm.provider_name = "vllm-cluster"
    assert vllm.provider_name == "vllm-cluster"


# ----- stream endings the fake server cannot script: the assemblers fed real openai event types, no network


def _chunk(**delta: Any) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
    )


def test_a_chat_stream_cut_before_its_finish_reason_is_an_error() -> None:
    assembler = ChatStreamAssembler()
    assembler.feed(_chunk(tool_calls=[{"index": 0, "id": "call_1", "function": {"name": "f", "arguments": '{"a'}}]))
    with pytest.raises(ModelError) as excinfo:
        assembler.finish()
    assert excinfo.value.error_type == "incomplete_stream"


def test_a_responses_stream_cut_before_completion_is_an_error() -> None:
    with pytest.raises(ModelError) as excinfo:
        ResponsesStreamAssembler().finish()
    assert excinfo.value.error_type == "incomplete_stream"


def test_errors_reported_inside_a_responses_stream() -> None:
    error = ResponseErrorEvent.model_validate(
        {"type": "error", "code": "server_error", "message": "boom", "param": None, "sequence_number": 3}
    )
    with pytest.raises(ModelError, match="boom") as excinfo:
        ResponsesStreamAssembler().feed(error)
    assert excinfo.value.error_type == "server_error"

    failed = ResponseFailedEvent.model_construct(
        type="response.failed",
        sequence_number=4,
        response=openai.types.responses.Response.model_construct(
            id="resp_1",
            model="m",
            status="failed",
            output=[],
            usage=None,
            error=openai.types.responses.ResponseError(code="rate_limit_exceeded", message="slow down"),
        ),
    )
    assembler = ResponsesStreamAssembler()
    assembler.feed(failed)
    final, _ = assembler.finish()

    with pytest.raises(ModelError, match="slow down") as excinfo:
        model_response(final)
    assert excinfo.value.error_type == "rate_limit_exceeded"


async def test_set_default_openai_key_is_the_default_clients_key(
    env_points_at: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, exporter: tuple[InMemorySpanExporter, RunConfig]
) -> None:
    monkeypatch.setattr(_openai_client, "_default_key", None)  # restored after the test, as it was
    _, config = exporter
    env_points_at.enqueue(text="one")
    await Runner.run(Agent("A", model="gpt-key"), "hi", run_config=config)
    set_default_openai_key("sk-set-in-code", use_for_tracing=False)
    env_points_at.enqueue(text="two")
    await Runner.run(Agent("A", model="gpt-key"), "hi", run_config=config)
    first, second = env_points_at.requests
    assert first.headers["authorization"] == "Bearer env-key"
    assert second.headers["authorization"] == "Bearer sk-set-in-code"  # a client built before is not reused


async def test_set_default_openai_api_runs_models_given_by_name_on_chat_completions(
    env_points_at: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, exporter: tuple[InMemorySpanExporter, RunConfig]
) -> None:
    monkeypatch.setattr(models, "_default_api", "responses")
    _, config = exporter
    set_default_openai_api("chat_completions")
    env_points_at.enqueue(text="via chat")
    result = await Runner.run(Agent("A", model="gpt-chat"), "hi", run_config=config)
    assert result.final_output == "via chat" and env_points_at.last_request.path == "/v1/chat/completions"
    assert isinstance(resolve_model(None, "gpt-chat"), OpenAIChatCompletionsModel)
    with pytest.raises(UserError, match="chat_completions"):
        set_default_openai_api("chat")  # type: ignore[arg-type]
