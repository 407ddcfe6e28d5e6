"""Compatibility: the default model and the settings a GPT-5 model implies (``agents.models.default_models``).

As the SDK's src/agents/models/default_models.py and tests/models/test_default_models.py: an agent without a model
runs on ``$OPENAI_DEFAULT_MODEL`` (lower-cased) or ``gpt-5.6-luna``; a GPT-5 model (not a ``-chat-latest`` alias)
gets ``verbosity="low"`` and its implied reasoning effort when the agent set no settings, resolved for the model the
run uses (``RunConfig.model`` first); settings the agent set are sent as given. Deliberate difference: the implied
settings are applied when the run asks for the agent's settings, so ``agent.model_settings`` stays what the agent
was given (``ModelSettings()``), where the SDK's shows the implied ones.
"""

from __future__ import annotations

from typing import Any

import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.shared import Reasoning
from support import Tracing

from agents_otel import Agent, Model, ModelSettings, OpenAIProvider, RunConfig, Runner
from agents_otel.models.default_models import (
    get_default_model,
    get_default_model_settings,
    gpt_5_reasoning_settings_required,
    is_gpt_5_default,
)
from agents_otel.models.implied_settings import agent_settings
from agents_otel.testing import ScriptedModel, assistant_message


def gpt5(effort: str | None) -> ModelSettings:
    return ModelSettings(reasoning=Reasoning(effort=effort) if effort else None, verbosity="low")  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_default_model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_DEFAULT_MODEL", raising=False)


def test_the_default_model_is_the_sdks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_default_model() == "gpt-5.6-luna" and is_gpt_5_default()
    assert get_default_model_settings() == gpt5("none")
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", "GPT-4.1")
    assert get_default_model() == "gpt-4.1" and not is_gpt_5_default()
    assert get_default_model_settings() == ModelSettings()


@pytest.mark.parametrize(("model", "required"), [
    ("gpt-5", True), ("gpt-5.2-codex", True), ("gpt-5.4-pro", True), ("gpt-5-mini", True), ("gpt-5-nano", True),
    ("gpt-5-chat-latest", False), ("gpt-5.1-chat-latest", False), ("gpt-5.3-chat-latest", False),
    ("gpt-4.1", False), ("openai/gpt-5", False),
])
def test_which_models_take_reasoning_settings(model: str, required: bool) -> None:
    assert gpt_5_reasoning_settings_required(model) is required


@pytest.mark.parametrize(("model", "effort"), [
    ("gpt-5", "low"), ("gpt-5-2025-08-07", "low"), ("gpt-5.2-codex", "low"),
    ("gpt-5.1", "none"), ("gpt-5.1-2025-11-13", "none"), ("gpt-5.2-2025-12-11", "none"), ("gpt-5.3-codex", "none"),
    ("gpt-5.4", "none"), ("gpt-5.4-mini-2026-03-17", "none"), ("gpt-5.4-nano", "none"), ("gpt-5.5-2026-04-23", "none"),
    ("gpt-5.6", "none"), ("gpt-5.6-sol", "none"), ("gpt-5.6-terra", "none"), ("gpt-5.6-luna", "none"),
    ("gpt-5.2-pro", "medium"), ("gpt-5.4-pro-2026-03-05", "medium"),
    ("gpt-5-mini", None), ("gpt-5-nano-2025-08-07", None), ("gpt-5.1-codex", None), ("gpt-5.3-codex-2026-01-01", None),
])
def test_a_gpt_5_models_implied_settings(model: str, effort: str | None) -> None:
    assert get_default_model_settings(model) == gpt5(effort)


@pytest.mark.parametrize("model", ["gpt-5-chat-latest", "gpt-5.2-chat-latest", "gpt-4.1"])
def test_other_models_imply_no_settings(model: str) -> None:
    assert get_default_model_settings(model) == ModelSettings()
    assert get_default_model_settings(model) is not get_default_model_settings(model)  # a new object each call


def test_the_settings_a_run_uses_for_each_agent_and_run_model() -> None:
    scripted = ScriptedModel([])
    provider = OpenAIProvider(api_key="sk-test")

    def run_settings(agent: Agent[Any], run_model: Any = None) -> ModelSettings:
        selection = run_model if run_model is not None else agent.model
        model = selection if isinstance(selection, Model) else provider.get_model(selection)
        return agent_settings(agent, run_model, model, None)[0]

    assert run_settings(Agent("A")) == gpt5("none")  # the default model's
    assert run_settings(Agent("A", model="gpt-5")) == gpt5("low")
    assert run_settings(Agent("A", model="gpt-4.1")) == ModelSettings()
    assert run_settings(Agent("A", model="gpt-5"), "gpt-4.1") == ModelSettings()  # the run's model decides
    assert run_settings(Agent("A"), scripted) == ModelSettings()  # a model object implies nothing
    assert run_settings(Agent("A", model=scripted)) == ModelSettings()
    explicit = ModelSettings(temperature=0.3)
    assert run_settings(Agent("A", model="gpt-5", model_settings=explicit), "gpt-5.4") is explicit  # kept
    # SDK 0.25: settings passed are the application's, even when equal to some model's implied ones
    assert run_settings(Agent("A", model="gpt-5", model_settings=gpt5("low")), "gpt-5.4") == gpt5("low")
    assert run_settings(Agent("A", model="gpt-5", model_settings=ModelSettings())) == ModelSettings()


async def test_an_agent_without_a_model_sends_the_sdks_default_request(
    fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="ok")
    provider = OpenAIProvider(base_url=fake_openai.base_url, api_key="sk-test")
    config = RunConfig(model_provider=provider, tracer_provider=tracing.provider)
    agent = Agent("A")
    await Runner.run(agent, "hi", run_config=config)
    body: dict[str, Any] = fake_openai.last_request.body
    assert body["model"] == "gpt-5.6-luna"
    assert body["reasoning"] == {"effort": "none"} and body["text"]["verbosity"] == "low"
    assert agent.model_settings == ModelSettings()  # ours: applied per run, the agent unchanged (see the docstring)

    fake_openai.enqueue(text="ok")
    run_settings = RunConfig(model_provider=provider, model_settings=ModelSettings(verbosity="high"))
    await Runner.run(Agent("A", model="gpt-4.1"), "hi", run_config=run_settings)
    body = fake_openai.last_request.body
    assert body["model"] == "gpt-4.1" and "reasoning" not in body and body["text"]["verbosity"] == "high"

    fake_openai.enqueue(text="ok")
    await Runner.run(Agent("A", model="gpt-5", model_settings=ModelSettings(temperature=0.5)), "hi",
                     run_config=RunConfig(model_provider=provider))
    body = fake_openai.last_request.body
    assert body["temperature"] == 0.5 and "reasoning" not in body and "verbosity" not in body.get("text", {})
    await provider.aclose()


async def test_a_scripted_model_gets_no_implied_settings() -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    await Runner.run(Agent("A", model=model), "hi")
    assert model.calls[0].settings == ModelSettings()
