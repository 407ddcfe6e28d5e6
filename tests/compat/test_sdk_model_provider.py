"""Compatibility: ``RunConfig(model_provider=...)``, ``ModelProvider`` and ``OpenAIProvider`` as in the OpenAI
Agents SDK — a run whose models given by name come from a provider, the way the SDK's custom-provider example puts
every agent of a run on another endpoint.

The cases its ``_get_model`` and provider tests pin down: the provider gets the agent's model name, or ``None`` for
an agent that names none; ``RunConfig.model`` given as a name goes through the provider for every agent; a model
given as an object never does; ``OpenAIProvider`` refuses a client together with client options, builds its client
from ``api_key`` / ``base_url`` otherwise, and picks the API by ``use_responses``. ``OpenAIProvider`` is driven over
the real wire: the official ``openai`` client talking HTTP to the local OpenAI-compatible server.

Added here, because the SDK is silent: a provider that returns something other than a ``Model``, or a
``model_provider`` without ``get_model``, is a ``UserError`` naming it, not an ``AttributeError`` mid-run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing

from agents_otel import (
    Agent,
    Model,
    ModelProvider,
    OpenAIChatCompletionsModel,
    OpenAIProvider,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    UserError,
    set_default_openai_api,
)
from agents_otel.testing import ScriptedModel, assistant_message


class Recording(ModelProvider):
    """The SDK example's provider shape: one model per name asked, every name recorded."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []

    def get_model(self, model_name: str | None) -> Model:
        self.asked.append(model_name)
        return ScriptedModel([[assistant_message(f"from {model_name}")]])


async def test_models_given_by_name_or_not_at_all_come_from_the_provider(tracing: Tracing) -> None:
    provider = Recording()
    config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    named = await Runner.run(Agent("A", model="my-model"), "hi", run_config=config)
    unnamed = await Runner.run(Agent("B"), "hi", run_config=config)
    assert (named.final_output, unnamed.final_output) == ("from my-model", "from None")
    assert provider.asked == ["my-model", None]


async def test_a_model_object_is_used_as_it_is(tracing: Tracing) -> None:
    provider = Recording()
    agent = Agent("A", model=ScriptedModel([[assistant_message("own model")]]))
    config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    result = await Runner.run(agent, "hi", run_config=config)
    assert result.final_output == "own model" and provider.asked == []


async def test_run_config_model_by_name_goes_through_the_provider_for_every_agent(tracing: Tracing) -> None:
    provider = Recording()
    agent = Agent("A", model=ScriptedModel([[assistant_message("never used")]]))
    config = RunConfig(model="eval-model", model_provider=provider, tracer_provider=tracing.provider)
    result = await Runner.run(agent, "hi", run_config=config)
    assert result.final_output == "from eval-model" and provider.asked == ["eval-model"]


async def test_a_provider_that_returns_no_model_is_a_user_error(tracing: Tracing) -> None:
    class Broken(ModelProvider):
        def get_model(self, model_name: str | None) -> Model:
            return "gpt-4o"  # type: ignore[return-value]

    with pytest.raises(UserError, match=r"Broken.get_model\('x'\) returned str, not a Model"):
        await Runner.run(Agent("A", model="x"), "hi", run_config=RunConfig(model_provider=Broken()))


def test_a_model_provider_without_get_model_is_refused_at_once() -> None:
    with pytest.raises(UserError, match="model_provider must have get_model"):
        RunConfig(model_provider=object())  # type: ignore[arg-type]


@pytest.mark.parametrize(("use_responses", "path"), [(True, "/responses"), (False, "/chat/completions")])
async def test_openai_provider_runs_on_the_endpoint_and_key_it_was_given(
    use_responses: bool, path: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Hello from the gateway.")
    provider = OpenAIProvider(base_url=fake_openai.base_url, api_key="sk-gateway", use_responses=use_responses)
    config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    result = await Runner.run(Agent("A", model="gw-model"), "hi", run_config=config)
    assert result.final_output == "Hello from the gateway."
    (request,) = fake_openai.requests
    assert request.path.endswith(path) and request.model == "gw-model"
    assert request.headers["authorization"] == "Bearer sk-gateway"
    (chat,) = [s for s in tracing.spans() if s.name.startswith("chat")]
    assert chat.attributes is not None and chat.attributes["server.port"] == urlsplit(fake_openai.base_url).port
    await provider.aclose()


async def test_openai_provider_without_a_key_sends_a_placeholder_to_a_local_server(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, tracing: Tracing
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    fake_openai.enqueue(text="ok")
    provider = OpenAIProvider(base_url=fake_openai.base_url, use_responses=False)
    config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    result = await Runner.run(Agent("A"), "hi", run_config=config)
    assert result.final_output == "ok"
    assert fake_openai.last_request.model == "gpt-5.6-luna"  # the SDK's default model: the agent named none
    body = fake_openai.last_request.body  # with the settings the SDK implies for it (Chat Completions' names)
    assert body["reasoning_effort"] == "none" and body["verbosity"] == "low"
    await provider.aclose()


async def test_openai_provider_uses_the_client_it_was_given(fake_openai: FakeOpenAIServer, tracing: Tracing) -> None:
    fake_openai.enqueue(text="ok")
    async with fake_openai.client() as client:
        provider = OpenAIProvider(openai_client=client)
        model = provider.get_model("m")
        assert isinstance(model, OpenAIResponsesModel) and model.client is client
        result = await Runner.run(
            Agent("A", model="m"), "hi", run_config=RunConfig(model_provider=provider, tracer_provider=tracing.provider)
        )
        assert result.final_output == "ok"


def test_openai_provider_refuses_a_client_together_with_client_options() -> None:
    with pytest.raises(UserError, match="Don't provide api_key, base_url"):
        OpenAIProvider(openai_client=object(), api_key="sk")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="websocket_base_url"):
        OpenAIProvider(openai_client=object(), websocket_base_url="ws://x")  # type: ignore[arg-type]


@pytest.fixture
def chat_completions_default() -> Iterator[None]:
    set_default_openai_api("chat_completions")
    yield
    set_default_openai_api("responses")


def test_openai_provider_without_options_uses_the_default_client_and_api(chat_completions_default: None) -> None:
    provider = OpenAIProvider()
    model: Any = provider.get_model("gpt-4o")
    assert model is OpenAIChatCompletionsModel.for_name("gpt-4o")  # the shared default-client model
    assert isinstance(OpenAIProvider(use_responses=True).get_model(None), OpenAIResponsesModel)
