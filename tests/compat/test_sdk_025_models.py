"""Compatibility with the OpenAI Agents SDK 0.25.0's model defaults: which settings a run sends when the agent sets
none (#5425 "align implicit settings with provider-selected models", #6064 "align model defaults with TS SDK",
#5420 "default GPT-6 Chat Completions tool requests to non-reasoning") and ``Model.get_default_model_settings()``.

Learnt from the SDK 0.25's ``models/default_models.py``, ``run_internal/turn_preparation.py``, ``agent.py`` and its
tests (``tests/test_run_config.py``, ``tests/models/test_default_models.py``, ``test_gpt6_chat_tool_defaults.py``);
the requests are checked over the real wire (the official ``openai`` client talking HTTP to the local fake server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.shared import Reasoning

from agents_otel import (
    Agent,
    Model,
    ModelProvider,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIProvider,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    function_tool,
)
from agents_otel.models.default_models import (
    get_default_model_settings,
    gpt_5_reasoning_settings_required,
    is_gpt_5_default,
)
from agents_otel.testing import ScriptedModel, assistant_message


@function_tool
def weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


def gpt5(effort: str | None) -> ModelSettings:
    return ModelSettings(reasoning=Reasoning(effort=effort) if effort else None, verbosity="low")  # type: ignore[arg-type]


class OneModel(ModelProvider):
    """A provider that answers every name with one model (the SDK tests' DummyProvider)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.asked: list[str | None] = []

    def get_model(self, model_name: str | None) -> Model:
        self.asked.append(model_name)
        return self.model


class NamedScripted(ScriptedModel):
    """A scripted model that reports a name the SDK's way (a string ``model`` attribute)."""

    def __init__(self, model: str) -> None:
        super().__init__([[assistant_message("chosen")]])
        self.model = model


@pytest.fixture(autouse=True)
def default_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", "gpt-5.6-luna")


@pytest.fixture
async def client(fake_openai: FakeOpenAIServer) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=fake_openai.base_url, api_key="sk-test") as opened:
        yield opened


async def run(agent: Agent[Any], config: RunConfig, streamed: bool) -> Any:
    if not streamed:
        return (await Runner.run(agent, "Weather?", run_config=config)).final_output
    result = Runner.run_streamed(agent, "Weather?", run_config=config)
    async for _ in result.stream_events():
        pass
    return result.final_output


# --- the names that imply settings (#6064) ---------------------------------------------------------------------


@pytest.mark.parametrize(("model", "expected"), [
    ("gpt-6-astra", gpt5("low")), ("gpt-6-astra-2026-01-01", gpt5(None)), ("gpt-6-sol", gpt5(None)),
    ("gpt-10.1", gpt5(None)), ("gpt-05", gpt5(None)), ("gpt-5custom", ModelSettings()),
    ("gpt-5.3-chat-latest", ModelSettings()), ("gpt-4.1", ModelSettings()), ("openai/gpt-6", ModelSettings()),
])  # fmt: skip
def test_gpt_5_and_newer_models_imply_low_verbosity(model: str, expected: ModelSettings) -> None:
    assert get_default_model_settings(model) == expected


def test_a_gpt_6_default_model_is_no_gpt_5_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", "GPT-6-ASTRA")
    assert get_default_model_settings() == gpt5("low")
    assert not is_gpt_5_default() and not gpt_5_reasoning_settings_required("gpt-6-astra")


async def test_an_agent_on_gpt_6_sends_its_implied_settings(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="ok")
    provider = OpenAIProvider(base_url=fake_openai.base_url, api_key="sk-test")
    await Runner.run(Agent("A", model="gpt-6-astra"), "hi", run_config=RunConfig(model_provider=provider))
    body = fake_openai.last_request.body
    assert body["reasoning"] == {"effort": "low"} and body["text"] == {"verbosity": "low"}
    await provider.aclose()


# --- GPT-6 Chat Completions tool requests (#5420) ---------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize(("name", "tools", "settings", "expected"), [
    ("gpt-6-sol", True, None, "none"),
    ("gpt-6-luna", True, None, "none"),
    ("gpt-6-sol", True, ModelSettings(reasoning=Reasoning(effort="high")), "high"),
    ("gpt-6-sol", True, ModelSettings(extra_args={"reasoning_effort": "low"}), "low"),
    ("gpt-6-sol", True, ModelSettings(extra_body={"reasoning_effort": "low"}), "low"),
    ("gpt-6-sol", False, None, None),
    ("gpt-6.1-sol", True, None, None),
    ("gpt-6-astra", True, ModelSettings(), None),
    ("gpt-6-sol-unknown", True, None, None),
])  # fmt: skip
async def test_gpt_6_chat_tool_requests_default_to_non_reasoning(
    fake_openai: FakeOpenAIServer,
    client: openai.AsyncOpenAI,
    streamed: bool,
    name: str,
    tools: bool,
    settings: ModelSettings | None,
    expected: str | None,
) -> None:
    fake_openai.enqueue(text="sunny")
    model = OpenAIChatCompletionsModel(name, openai_client=client)
    kwargs: dict[str, Any] = {} if settings is None else {"model_settings": settings}
    agent = Agent("A", model=model, tools=[weather] if tools else [], **kwargs)
    assert await run(agent, RunConfig(), streamed) == "sunny"
    body = fake_openai.last_request.body
    assert body.get("reasoning_effort") == expected
    assert bool(body.get("tools")) == tools


async def test_a_handoff_alone_counts_as_a_tool(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    fake_openai.enqueue(text="sunny")
    model = OpenAIChatCompletionsModel("gpt-6-sol", openai_client=client)
    agent = Agent("A", handoffs=[Agent("B")])
    await Runner.run(agent, "hi", run_config=RunConfig(model=model))
    assert fake_openai.last_request.body["reasoning_effort"] == "none"


async def test_the_responses_api_keeps_a_gpt_6_models_defaults(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="sunny")
    model = OpenAIResponsesModel("gpt-6-sol", openai_client=client)
    await Runner.run(Agent("A", model=model, tools=[weather]), "hi")
    assert "reasoning" not in fake_openai.last_request.body


class RoutedProvider(ModelProvider):
    """Answers ``gpt-6-astra`` with a Chat Completions ``gpt-6-sol``, as the SDK test's routing provider."""

    def __init__(self, client: openai.AsyncOpenAI) -> None:
        self.client = client

    def get_model(self, model_name: str | None) -> Model:
        assert model_name == "gpt-6-astra"
        return OpenAIChatCompletionsModel("gpt-6-sol", openai_client=self.client)


@pytest.mark.parametrize(("tools", "override", "effort", "verbosity"), [
    (True, None, "none", "low"),
    (False, None, "low", "low"),
    (True, ModelSettings(reasoning=Reasoning(effort="low")), "low", "low"),
    (True, ModelSettings(extra_args={"reasoning_effort": "high", "verbosity": "medium"}), "high", "medium"),
])  # fmt: skip
async def test_an_implied_effort_gives_way_to_the_routed_models_tool_mode(
    fake_openai: FakeOpenAIServer,
    client: openai.AsyncOpenAI,
    tools: bool,
    override: ModelSettings | None,
    effort: str,
    verbosity: str,
) -> None:
    fake_openai.enqueue(text="sunny")
    agent = Agent("A", model="gpt-6-astra", tools=[weather] if tools else [])
    await Runner.run(agent, "hi", run_config=RunConfig(model_provider=RoutedProvider(client), model_settings=override))
    body = fake_openai.last_request.body
    assert body["model"] == "gpt-6-sol"
    assert body["reasoning_effort"] == effort and body["verbosity"] == verbosity


# --- settings of a model the provider chose (#5425) ------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize(("model_name", "agent_settings", "run_settings", "expected"), [
    ("other-model", None, None, ModelSettings()),
    ("gpt-5", None, None, gpt5("low")),
    ("other-model", ModelSettings(temperature=0.3), None, ModelSettings(temperature=0.3)),
    ("gpt-5", ModelSettings(), None, ModelSettings()),  # an explicit empty ModelSettings() is a choice
    ("other-model", None, ModelSettings(reasoning=Reasoning(effort="none")),
     ModelSettings(reasoning=Reasoning(effort="none"))),
    (None, None, None, gpt5("none")),  # a model without a name: the default model's
])  # fmt: skip
async def test_the_provider_chosen_models_own_defaults(
    streamed: bool,
    model_name: str | None,
    agent_settings: ModelSettings | None,
    run_settings: ModelSettings | None,
    expected: ModelSettings,
) -> None:
    model = NamedScripted(model_name) if model_name else ScriptedModel([[assistant_message("chosen")]])
    provider = OneModel(model)
    agent = Agent("A") if agent_settings is None else Agent("A", model_settings=agent_settings)
    before = agent.model_settings
    assert await run(agent, RunConfig(model_provider=provider, model_settings=run_settings), streamed) == "chosen"
    assert provider.asked == [None]
    assert model.calls[0].settings == expected
    assert agent.model_settings is before


@pytest.mark.parametrize("source", ["agent-name", "run-name", "agent-object", "run-object"])
async def test_a_selected_model_precedes_what_the_provider_reports(source: str) -> None:
    model = NamedScripted("other-model" if source.endswith("name") else "gpt-5")
    selection: str | Model = "gpt-5" if source.endswith("name") else model
    agent = Agent("A", model=selection if source.startswith("agent") else None)
    config = RunConfig(model=selection if source.startswith("run") else None, model_provider=OneModel(model))
    await Runner.run(agent, "hi", run_config=config)
    assert model.calls[0].settings == (gpt5("low") if source.endswith("name") else ModelSettings())


async def test_a_provider_chosen_chat_model_gets_no_gpt_5_fields(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="chosen")
    provider = OneModel(OpenAIChatCompletionsModel("other-model", openai_client=client))
    await Runner.run(Agent("A"), "hi", run_config=RunConfig(model_provider=provider))
    body = fake_openai.last_request.body
    assert body["model"] == "other-model" and "reasoning_effort" not in body and "verbosity" not in body


@pytest.mark.parametrize("default_name", ["gpt-4o", "gpt-5.6-luna"])
async def test_settings_equal_to_the_defaults_are_kept_as_given(
    monkeypatch: pytest.MonkeyPatch, default_name: str
) -> None:
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", default_name)
    explicit = get_default_model_settings()
    agent = Agent("A", model_settings=explicit)
    model = NamedScripted("gpt-5" if default_name == "gpt-4o" else "other-model")
    await Runner.run(agent, "hi", run_config=RunConfig(model_provider=OneModel(model)))
    assert model.calls[0].settings == explicit and agent.model_settings is explicit


async def test_a_model_may_supply_defaults_without_a_name() -> None:
    class Defaulting(ScriptedModel):
        def get_default_model_settings(self) -> ModelSettings:
            return ModelSettings(temperature=0.2)

    model = Defaulting([[assistant_message("chosen")]])
    config = RunConfig(model_provider=OneModel(model), model_settings={"top_p": 0.5})  # type: ignore[arg-type]
    await Runner.run(Agent("A"), "hi", run_config=config)
    assert model.calls[0].settings == ModelSettings(temperature=0.2, top_p=0.5)


def test_the_models_say_what_they_imply(client: openai.AsyncOpenAI) -> None:
    assert Model.get_default_model_settings(ScriptedModel([])) is None
    assert NamedScripted("gpt-5").get_default_model_settings() == gpt5("low")
    assert OpenAIResponsesModel("gpt-5.4", openai_client=client).get_default_model_settings() == gpt5("none")
    assert OpenAIChatCompletionsModel("gpt-4.1", openai_client=client).get_default_model_settings() == ModelSettings()


@pytest.mark.parametrize(("name", "expected"), [
    ("openrouter/openai/gpt-5.4-mini", gpt5("none")), ("openai/gpt-5", gpt5("low")),
    ("openrouter/anthropic/claude-sonnet-4.5", ModelSettings()), ("openrouter/other-vendor/gpt-5.4-mini",
    ModelSettings()), ("ollama/gpt-5.4-mini", ModelSettings()),
])  # fmt: skip
def test_routed_adapters_imply_the_openai_models_settings(name: str, expected: ModelSettings) -> None:
    pytest.importorskip("any_llm")
    from agents_otel.extensions.models.any_llm_model import AnyLLMModel
    from agents_otel.extensions.models.litellm_model import LitellmModel

    assert AnyLLMModel(name).get_default_model_settings() == expected
    assert LitellmModel(name).get_default_model_settings() == expected


async def test_a_routed_litellm_name_sends_the_openai_models_defaults(fake_openai: FakeOpenAIServer) -> None:
    from agents_otel.extensions.models.litellm_model import LitellmModel

    fake_openai.enqueue(text="chosen")
    model = LitellmModel("openai/gpt-5", base_url=fake_openai.base_url, api_key="sk-litellm")
    await Runner.run(Agent("A"), "hi", run_config=RunConfig(model_provider=OneModel(model)))
    body = fake_openai.last_request.body
    assert body["reasoning_effort"] == "low" and body["verbosity"] == "low"


@pytest.mark.parametrize(("initial", "later", "expected"), [
    ("gpt-5.4-mini", "gpt-4.1", gpt5("none")), ("gpt-4.1", "gpt-5.4-mini", ModelSettings()),
])  # fmt: skip
async def test_an_unnamed_provider_model_keeps_the_default_of_when_the_agent_was_built(
    monkeypatch: pytest.MonkeyPatch, initial: str, later: str, expected: ModelSettings
) -> None:
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", initial)
    agent = Agent("A")
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", later)
    model = ScriptedModel([[assistant_message("chosen")]])
    await Runner.run(agent, "hi", run_config=RunConfig(model_provider=OneModel(model)))
    assert model.calls[0].settings == expected


# --- left out, cloned, edited ----------------------------------------------------------------------------------


def test_clones_share_left_out_settings_and_keep_given_ones() -> None:
    agent = Agent("A", model="gpt-5")
    cloned = agent.clone(name="B")
    assert cloned.model_settings is agent.model_settings and cloned._omitted_settings is agent._omitted_settings
    moved = agent.clone(model="gpt-4.1")
    assert moved.model_settings is not agent.model_settings and moved._omitted_settings is not None
    given = get_default_model_settings("gpt-5")
    assert Agent("A", model="gpt-5", model_settings=given).clone(model="gpt-4.1").model_settings is given
    assert Agent("A", model="gpt-5", model_settings=given)._omitted_settings is None


async def test_settings_edited_in_place_keep_the_other_implied_ones() -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    agent = Agent("A", model="gpt-5")
    agent.model_settings.temperature = 0.3
    await Runner.run(agent, "hi", run_config=RunConfig(model_provider=OneModel(model)))
    assert model.calls[0].settings == ModelSettings(temperature=0.3, reasoning=Reasoning(effort="low"), verbosity="low")


async def test_an_assigned_equal_object_is_a_choice() -> None:
    model = NamedScripted("gpt-4.1")
    agent = Agent("A", model="gpt-5")
    agent.model_settings = ModelSettings()
    await Runner.run(agent.clone(model=None), "hi", run_config=RunConfig(model_provider=OneModel(model)))
    assert model.calls[0].settings == ModelSettings()


async def test_a_stored_prompt_that_picks_the_model_gets_no_implied_settings(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="ok")
    provider = OpenAIProvider(base_url=fake_openai.base_url, api_key="sk-test")
    agent = Agent("A", prompt={"id": "pmpt_1"})
    await Runner.run(agent, "hi", run_config=RunConfig(model_provider=provider))
    body = fake_openai.last_request.body
    assert "model" not in body and "reasoning" not in body and "verbosity" not in body.get("text", {})
    fake_openai.enqueue(text="ok")
    await Runner.run(agent.clone(model="gpt-5"), "hi", run_config=RunConfig(model_provider=provider))
    body = fake_openai.last_request.body  # a model the agent names is explicit: its defaults are sent
    assert body["model"] == "gpt-5" and body["reasoning"] == {"effort": "low"}
    await provider.aclose()
