"""Compatibility: ``MultiProvider`` and ``MultiProviderMap`` as in the OpenAI Agents SDK — a run whose models given by
name pick their provider by prefix (``"openai/gpt-4.1"``, ``"my_prefix/model"``), and the SDK's default routing of a
prefixed name in a run with no ``model_provider`` (the SDK's default provider is a ``MultiProvider()``).

The cases the SDK's tests pin down: no prefix and ``openai/`` go to the OpenAI provider (the prefix stripped, or kept
with ``openai_prefix_mode="model_id"``); a ``provider_map`` entry wins over every built-in rule, even for a falsy
provider; an unknown prefix is ``UserError("Unknown prefix: ...")``, or goes whole to OpenAI with
``unknown_prefix_mode="model_id"``; invalid modes are a ``UserError``; ``aclose`` closes every provider once, keeps
going after a failure and raises the first, and lets a cancellation through at once. The OpenAI side is driven over
the real wire: the official ``openai`` client talking HTTP to the local OpenAI-compatible server.

``litellm/`` and ``any-llm/`` go to ``LitellmProvider`` and ``AnyLLMProvider``, as in the SDK (see
tests/compat/test_sdk_litellm.py and test_sdk_any_llm.py). Different on purpose: the SDK's websocket,
agent-registration, ``strict_feature_validation`` and ``buffer_streamed_tool_calls`` options are a ``TypeError``.
Added: a ``provider_map`` that is not a map is refused at once.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing

import agents_otel
from agents_otel import (
    Agent,
    Model,
    ModelProvider,
    MultiProvider,
    OpenAIChatCompletionsModel,
    OpenAIProvider,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    UserError,
)
from agents_otel.models.multi_provider import MultiProviderMap
from agents_otel.testing import ScriptedModel, assistant_message


class Recording(ModelProvider):
    """A provider of one's own: answers with the name it was asked for, and records every name."""

    def __init__(self, label: str = "custom") -> None:
        self.label = label
        self.asked: list[str | None] = []
        self.closed = 0

    def get_model(self, model_name: str | None) -> Model:
        self.asked.append(model_name)
        return ScriptedModel([[assistant_message(f"{self.label}: {model_name}")]])

    async def aclose(self) -> None:
        self.closed += 1


def mapping(providers: dict[str, Any]) -> MultiProviderMap:
    provider_map = MultiProviderMap()
    for prefix, provider in providers.items():
        provider_map.add_provider(prefix, provider)
    return provider_map


# ---------------------------------------------------------------------------------------------- OpenAI, on the wire


@pytest.mark.parametrize("name", ["gpt-wire", "openai/gpt-wire"])
@pytest.mark.parametrize(("use_responses", "path"), [(True, "/responses"), (False, "/chat/completions")])
async def test_no_prefix_and_the_openai_prefix_run_on_the_openai_provider(
    name: str, use_responses: bool, path: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Hello over the wire.")
    provider = MultiProvider(
        openai_base_url=fake_openai.base_url, openai_api_key="sk-multi", openai_use_responses=use_responses
    )
    config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    result = await Runner.run(Agent("A", model=name), "hi", run_config=config)
    assert result.final_output == "Hello over the wire."
    (request,) = fake_openai.requests
    assert request.path.endswith(path) and request.model == "gpt-wire"  # the prefix is not sent
    assert request.headers["authorization"] == "Bearer sk-multi"
    (chat,) = tracing.named("chat")
    assert chat.attributes is not None and chat.attributes["gen_ai.request.model"] == "gpt-wire"
    assert chat.attributes["server.port"] == urlsplit(fake_openai.base_url).port
    await provider.aclose()


async def test_an_agent_without_a_model_gets_the_openai_providers_default(
    fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="ok")
    provider = MultiProvider(openai_base_url=fake_openai.base_url, openai_api_key="sk")
    await Runner.run(Agent("A"), "hi", run_config=RunConfig(model_provider=provider, tracer_provider=tracing.provider))
    assert fake_openai.last_request.model == "gpt-5.6-luna"
    await provider.aclose()


async def test_organization_and_project_reach_the_wire(fake_openai: FakeOpenAIServer, tracing: Tracing) -> None:
    fake_openai.enqueue(text="ok")
    provider = MultiProvider(
        openai_base_url=fake_openai.base_url, openai_api_key="sk", openai_organization="org-1", openai_project="p-1"
    )
    config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    await Runner.run(Agent("A", model="openai/m"), "hi", run_config=config)
    headers = fake_openai.last_request.headers
    assert (headers["openai-organization"], headers["openai-project"]) == ("org-1", "p-1")
    await provider.aclose()


async def test_the_client_it_was_given_is_the_openai_providers(fake_openai: FakeOpenAIServer, tracing: Tracing) -> None:
    fake_openai.enqueue(text="ok")
    async with fake_openai.client(api_key="sk-client") as client:
        provider = MultiProvider(openai_client=client, openai_use_responses=False)
        assert isinstance(provider.openai_provider, OpenAIProvider)
        model = provider.get_model("openai/m")
        assert isinstance(model, OpenAIChatCompletionsModel) and model.client is client
        config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
        await Runner.run(Agent("A", model="m"), "hi", run_config=config)
    assert fake_openai.last_request.headers["authorization"] == "Bearer sk-client"
    with pytest.raises(UserError, match="Don't provide api_key"):
        MultiProvider(openai_client=client, openai_api_key="sk")


@pytest.mark.parametrize(
    ("mode", "name", "sent"),
    [
        ({"openai_prefix_mode": "model_id"}, "openai/gpt-4o", "openai/gpt-4o"),
        ({"unknown_prefix_mode": "model_id"}, "openrouter/openai/gpt-4o", "openrouter/openai/gpt-4o"),
        ({"unknown_prefix_mode": "model_id"}, "openai/gpt-4o", "gpt-4o"),  # openai/ is still an alias
    ],
)
async def test_model_id_modes_send_the_whole_name_to_the_openai_endpoint(
    mode: dict[str, Any], name: str, sent: str, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="ok")
    provider = MultiProvider(openai_base_url=fake_openai.base_url, openai_api_key="sk", **mode)
    await Runner.run(
        Agent("A", model=name), "hi", run_config=RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    )
    assert fake_openai.last_request.model == sent
    await provider.aclose()


# ------------------------------------------------------------------------------------------------------ provider_map


async def test_a_mapped_prefix_goes_to_its_provider_without_the_prefix(tracing: Tracing) -> None:
    custom = Recording()
    provider = MultiProvider(provider_map=mapping({"custom": custom}))
    config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    result = await Runner.run(Agent("A", model="custom/llama/3.1"), "hi", run_config=config)
    assert result.final_output == "custom: llama/3.1" and custom.asked == ["llama/3.1"]
    # RunConfig.model by name is routed the same way
    config = RunConfig(model="custom/eval", model_provider=provider, tracer_provider=tracing.provider)
    result = await Runner.run(Agent("A", model="gpt-4o"), "hi", run_config=config)
    assert result.final_output == "custom: eval" and custom.asked == ["llama/3.1", "eval"]


@pytest.mark.parametrize("prefix", ["openai", "litellm", "any-llm"])
def test_the_map_wins_over_every_built_in_prefix(prefix: str) -> None:
    mine = Recording()
    provider = MultiProvider(provider_map=mapping({prefix: mine}), openai_prefix_mode="model_id")
    provider.get_model(f"{prefix}/gpt-4o")
    assert mine.asked == ["gpt-4o"]
    assert isinstance(provider.get_model("gpt-4o"), OpenAIResponsesModel)  # no prefix: still OpenAI


def test_a_falsy_provider_in_the_map_is_still_used() -> None:
    class Falsy(Recording):
        def __bool__(self) -> bool:
            return False

    falsy = Falsy()
    MultiProvider(provider_map=mapping({"custom": falsy})).get_model("custom/m")
    assert falsy.asked == ["m"]


def test_the_maps_methods() -> None:
    a, b = Recording("a"), Recording("b")
    provider_map = MultiProviderMap()
    assert not provider_map.has_prefix("a") and provider_map.get_provider("a") is None
    provider_map.add_provider("a", a)
    assert provider_map.has_prefix("a") and provider_map.get_provider("a") is a
    copy = provider_map.get_mapping()
    copy["b"] = b
    assert not provider_map.has_prefix("b")  # get_mapping is a copy
    provider_map.set_mapping({"b": b})
    assert provider_map.get_mapping() == {"b": b} and not provider_map.has_prefix("a")
    provider_map.add_provider("b", a)  # a prefix maps to one provider: the last added
    assert provider_map.get_provider("b") is a
    provider_map.remove_provider("b")
    assert provider_map.get_mapping() == {}
    with pytest.raises(KeyError):
        provider_map.remove_provider("b")


def test_a_provider_map_that_is_not_a_map_is_refused_at_once() -> None:
    with pytest.raises(UserError, match="provider_map must be a MultiProviderMap, got dict"):
        MultiProvider(provider_map={"custom": Recording()})  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------- prefixes not routed


def test_an_unknown_prefix_is_the_sdks_user_error() -> None:
    with pytest.raises(UserError, match="Unknown prefix: openrouter") as e:
        MultiProvider().get_model("openrouter/openai/gpt-4o")
    assert "unknown_prefix_mode='model_id'" in str(e.value)


@pytest.mark.parametrize("option", ["openai_prefix_mode", "unknown_prefix_mode"])
def test_an_invalid_mode_is_a_user_error(option: str) -> None:
    with pytest.raises(UserError, match=rf"{option} takes .* got 'invalid'"):
        options: dict[str, Any] = {option: "invalid"}
        MultiProvider(**options)


# ------------------------------------------------------------------------------- a run without a model_provider


@pytest.fixture
def env_points_at(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "env-key")
    return fake_openai


async def test_the_default_routes_an_openai_prefixed_name_as_the_sdks_default_provider(
    env_points_at: FakeOpenAIServer, tracing: Tracing
) -> None:
    env_points_at.enqueue(text="one")
    env_points_at.enqueue(text="two")
    await Runner.run(Agent("A", model="openai/gpt-4.1"), "hi", run_config=tracing.config)
    await Runner.run(Agent("A"), "hi", run_config=RunConfig(model="openai/gpt-run", tracer_provider=tracing.provider))
    assert [r.model for r in env_points_at.requests] == ["gpt-4.1", "gpt-run"]
    assert OpenAIResponsesModel.for_name("gpt-4.1") is MultiProvider().get_model("openai/gpt-4.1")  # one rule


async def test_the_default_refuses_the_prefixes_the_sdks_default_provider_refuses(
    env_points_at: FakeOpenAIServer, tracing: Tracing
) -> None:
    with pytest.raises(UserError, match="Unknown prefix: openrouter"):
        await Runner.run(Agent("A", model="openrouter/x"), "hi", run_config=tracing.config)
    assert env_points_at.requests == []


# ----------------------------------------------------------------------------------------------------------- aclose


async def test_aclose_closes_each_provider_once_and_raises_the_first_failure() -> None:
    class Failing(Recording):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

        async def aclose(self) -> None:
            self.closed += 1
            raise self.error

    first, later, shared = Failing(RuntimeError("first")), Failing(ValueError("later")), Recording()

    class NoClose:  # a duck-typed provider: nothing to close
        def get_model(self, model_name: str | None) -> Model:
            raise AssertionError

    provider_map = mapping({"a": first, "b": shared, "c": later, "d": shared, "e": NoClose()})
    provider = MultiProvider(provider_map=provider_map, openai_api_key="sk")
    with pytest.raises(RuntimeError, match="first"):
        await provider.aclose()
    assert (first.closed, later.closed, shared.closed) == (1, 1, 1)


async def test_aclose_lets_a_cancellation_through_at_once() -> None:
    class Cancelling(Recording):
        async def aclose(self) -> None:
            self.closed += 1
            raise asyncio.CancelledError

    cancelling, after = Cancelling(), Recording()
    provider = MultiProvider(provider_map=mapping({"a": cancelling, "b": after}))
    with pytest.raises(asyncio.CancelledError):
        await provider.aclose()
    assert (cancelling.closed, after.closed) == (1, 0)


async def test_aclose_closes_the_client_the_openai_provider_built(fake_openai: FakeOpenAIServer) -> None:
    provider = MultiProvider(openai_base_url=fake_openai.base_url, openai_api_key="sk")
    model: Any = provider.get_model("m")
    await provider.aclose()
    assert model.client.is_closed()


def test_the_sdks_import_paths() -> None:
    from agents_otel.models import multi_provider

    assert agents_otel.MultiProvider is multi_provider.MultiProvider and "MultiProvider" in agents_otel.__all__
    assert isinstance(MultiProvider(), ModelProvider)
