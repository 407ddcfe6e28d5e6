"""Which model the examples run on: a real one when the environment configures one, else ``None`` (offline).

``OPENAI_API_KEY`` alone means OpenAI itself, on the Responses API. ``OPENAI_BASE_URL`` means an OpenAI-compatible
server (vLLM, Ollama, LiteLLM), on Chat Completions because nearly every such server speaks it. Override with
``AGENTS_OTEL_OPENAI_API=responses|chat`` and pick the model with ``OPENAI_DEFAULT_MODEL``.
"""

from __future__ import annotations

import os

from agents_otel import Model, OpenAIChatCompletionsModel, OpenAIResponsesModel
from agents_otel.models import DEFAULT_MODEL, DEFAULT_MODEL_ENV

API_ENV = "AGENTS_OTEL_OPENAI_API"


def choose_model() -> tuple[Model | None, str]:
    """(model, human-readable description); the model is ``None`` when no real model is configured."""
    base_url = os.environ.get("OPENAI_BASE_URL")
    if not (os.environ.get("OPENAI_API_KEY") or base_url):
        return None, "offline ScriptedModel (set OPENAI_API_KEY or OPENAI_BASE_URL for a real model)"
    name = os.environ.get(DEFAULT_MODEL_ENV, DEFAULT_MODEL)
    api = os.environ.get(API_ENV, "chat" if base_url else "responses").strip().lower()
    model: Model
    if api == "chat":
        model = OpenAIChatCompletionsModel(name)
        api_name = "Chat Completions"
    else:
        model = OpenAIResponsesModel(name)
        api_name = "Responses"
    where = base_url or "api.openai.com"
    return model, f"{name} via the OpenAI {api_name} API at {where}"
