"""Model implementations and how a model given by name is resolved."""

from __future__ import annotations

import os

from .interface import Model

DEFAULT_MODEL_ENV = "OPENAI_DEFAULT_MODEL"
DEFAULT_MODEL = "gpt-4.1-mini"


def resolve_model(model: str | Model | None, default: str | Model | None) -> Model:
    """An agent's model, else the run's default, else ``$OPENAI_DEFAULT_MODEL`` or gpt-4.1-mini.

    A model given as a string runs on the OpenAI Responses API with the default client."""
    chosen = model if model is not None else default
    if chosen is None:
        chosen = os.environ.get(DEFAULT_MODEL_ENV, DEFAULT_MODEL)
    if isinstance(chosen, Model):
        return chosen
    from .openai_responses import OpenAIResponsesModel  # lazily: runs on other models never import openai

    return OpenAIResponsesModel.for_name(chosen)
