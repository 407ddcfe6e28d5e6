"""Model implementations and how a model given by name is resolved."""

from __future__ import annotations

import os

from .interface import Model

DEFAULT_MODEL_ENV = "OPENAI_DEFAULT_MODEL"
DEFAULT_MODEL = "gpt-4.1-mini"


def resolve_model(run_model: str | Model | None, agent_model: str | Model | None) -> Model:
    """The run's model (``RunConfig.model``, which overrides every agent's, as in the OpenAI Agents SDK), else the
    agent's, else ``$OPENAI_DEFAULT_MODEL`` or gpt-4.1-mini.

    A model given as a string runs on the OpenAI Responses API with the default client."""
    chosen = run_model if run_model is not None else agent_model
    if chosen is None:
        chosen = os.environ.get(DEFAULT_MODEL_ENV, DEFAULT_MODEL)
    if isinstance(chosen, Model):
        return chosen
    from .openai_responses import OpenAIResponsesModel  # lazily: runs on other models never import openai

    return OpenAIResponsesModel.for_name(chosen)
