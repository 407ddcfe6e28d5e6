"""``AnyLLMProvider``: the SDK's provider that runs every model given by name through any-llm
(``RunConfig(model_provider=AnyLLMProvider())``), and what ``MultiProvider`` routes an ``any-llm/...`` name to.
"""

from __future__ import annotations

import asyncio
import threading
import weakref

from ...exceptions import UserError
from ...models.gpt5_defaults import get_default_model
from ...models.interface import DEFAULT_MODEL as _RUNTIME_DEFAULT
from ...models.interface import Model, ModelProvider
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
        # A model holds its provider client's connection pool, which must not outlive the loop it was opened on:
        # models are kept per event loop and name, so runs reuse them instead of leaving a pool behind each.
        self._models: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, AnyLLMModel]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get_model(self, model_name: str | None) -> Model:
        name = model_name or f"openai/{get_default_model()}"
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # asked outside a run: a model of its own, not kept
            return self._make(name)
        with self._lock:
            models = self._models.setdefault(loop, {})
            model = models.get(name)
            if model is None:
                model = models[name] = self._make(name)
        return model

    def _make(self, name: str) -> AnyLLMModel:
        return AnyLLMModel(name, base_url=self.base_url, api_key=self.api_key, api=self.api)

    async def aclose(self) -> None:
        """Close the models this provider made on the running loop, all of them even when one fails (the first
        failure is raised after); the next ``get_model`` makes new ones."""
        with self._lock:
            models = self._models.pop(asyncio.get_running_loop(), {})
        first_error: Exception | None = None
        for model in models.values():
            try:
                await model.aclose()
            except Exception as error:
                first_error = first_error or error
        if first_error is not None:
            raise first_error

    def __repr__(self) -> str:
        return f"AnyLLMProvider(base_url={self.base_url!r}, api={self.api!r})"
