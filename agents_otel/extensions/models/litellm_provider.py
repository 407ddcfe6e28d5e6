"""``LitellmProvider``: the SDK's provider that runs every model given by name through LiteLLM
(``RunConfig(model_provider=LitellmProvider())``), and what ``MultiProvider`` routes a ``litellm/...`` name to.
"""

from __future__ import annotations

from ...models.gpt5_defaults import get_default_model
from ...models.interface import DEFAULT_MODEL, Model, ModelProvider
from .litellm_model import LitellmModel

__all__ = ["DEFAULT_MODEL", "LitellmProvider"]


class LitellmProvider(ModelProvider):
    """Models by LiteLLM name (``"anthropic/claude-sonnet-4-5"``, ``"openai/gpt-4.1"``); ``None``:
    ``$OPENAI_DEFAULT_MODEL``, else the runtime's default model, as for the OpenAI provider.

    Keys and endpoints come from the environment variables LiteLLM reads (``ANTHROPIC_API_KEY``, ...); for a key or
    base URL in code, give the agent a ``LitellmModel(model, base_url=..., api_key=...)`` instead."""

    def get_model(self, model_name: str | None) -> Model:
        return LitellmModel(model_name or get_default_model())

    def __repr__(self) -> str:
        return "LitellmProvider()"
