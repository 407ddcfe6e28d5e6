"""``AnyLLMProvider``: the SDK's provider that runs every model given by name through any-llm
(``RunConfig(model_provider=AnyLLMProvider())``), and what ``MultiProvider`` routes an ``any-llm/...`` name to.
"""

from __future__ import annotations

import os

from ...exceptions import UserError
from ...models.interface import DEFAULT_MODEL as _RUNTIME_DEFAULT
from ...models.interface import DEFAULT_MODEL_ENV, Model, ModelProvider
from .any_llm_model import AnyLLMApi, AnyLLMModel

__all__ = ["DEFAULT_MODEL", "AnyLLMProvider"]

DEFAULT_MODEL = f"openai/{_RUNTIME_DEFAULT}"
"""The model of an agent that names none, as any-llm spells it; ``$OPENAI_DEFAULT_MODEL`` wins when set."""


class AnyLLMProvider(ModelProvider):
    """Models by any-llm name (``"mistral/mistral-small-latest"``, ``"openrouter/openai/gpt-4.1"``); ``None``:
    ``openai/`` and ``$OPENAI_DEFAULT_MODEL``, else the runtime's default model, read at each call.

    ``api_key``, ``base_url`` and ``api`` are given to every model (see ``AnyLLMModel``); without them keys and
    endpoints come from the environment variables any-llm reads (``OPENAI_API_KEY``, ``MISTRAL_API_KEY``, ...).
    """

    def __init__(
        self, *, api_key: str | None = None, base_url: str | None = None, api: AnyLLMApi | None = None
    ) -> None:
        if api not in (None, "responses", "chat_completions"):
            raise UserError(f"AnyLLMProvider(api=...) takes None, 'responses' or 'chat_completions', got {api!r}")
        self.api_key = api_key
        self.base_url = base_url
        self.api = api

    def get_model(self, model_name: str | None) -> Model:
        name = model_name or f"openai/{os.environ.get(DEFAULT_MODEL_ENV) or _RUNTIME_DEFAULT}"
        return AnyLLMModel(name, base_url=self.base_url, api_key=self.api_key, api=self.api)

    def __repr__(self) -> str:
        return f"AnyLLMProvider(base_url={self.base_url!r}, api={self.api!r})"
