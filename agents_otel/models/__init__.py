"""Model implementations and how a model given by name is resolved."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from ..exceptions import UserError
from .interface import Model, ModelProvider

if TYPE_CHECKING:
    import openai

    from ._openai_client import OpenAIClientModel

DEFAULT_MODEL_ENV = "OPENAI_DEFAULT_MODEL"
DEFAULT_MODEL = "gpt-4.1-mini"

OpenAIApi = Literal["responses", "chat_completions"]
_default_api: OpenAIApi = "responses"


def set_default_openai_api(api: OpenAIApi) -> None:
    """As in the OpenAI Agents SDK: which OpenAI API a model given by name runs on (``"responses"`` by default,
    or ``"chat_completions"``); a model given as an object keeps its own."""
    global _default_api
    if api not in ("responses", "chat_completions"):
        raise UserError(f"set_default_openai_api takes 'responses' or 'chat_completions', got {api!r}")
    _default_api = api


def resolve_model(
    run_model: str | Model | None, agent_model: str | Model | None, provider: ModelProvider | None = None
) -> Model:
    """The run's model (``RunConfig.model``, which overrides every agent's, as in the OpenAI Agents SDK), else the
    agent's, else ``$OPENAI_DEFAULT_MODEL`` or gpt-4.1-mini.

    A model given as an object is used as it is. One given by name (or none) comes from ``provider``
    (``RunConfig.model_provider``) when the run has one, which gets the name as given (``None``: its default);
    otherwise it runs on the OpenAI Responses API (or the API ``set_default_openai_api`` chose) with the default
    client."""
    chosen = run_model if run_model is not None else agent_model
    if isinstance(chosen, Model):
        return chosen
    if provider is not None:
        model = provider.get_model(chosen)
        if not isinstance(model, Model):
            raise UserError(
                f"{type(provider).__name__}.get_model({chosen!r}) returned {type(model).__name__}, not a Model"
            )
        return model
    return openai_model(chosen)


def openai_model(
    model_name: str | None, *, use_responses: bool | None = None, client: openai.AsyncOpenAI | None = None
) -> OpenAIClientModel:
    """An OpenAI model by name (``None``: ``$OPENAI_DEFAULT_MODEL``, else gpt-4.1-mini), on the Responses API or Chat
    Completions as ``use_responses`` says (``None``: as ``set_default_openai_api`` chose), on ``client`` (``None``:
    the shared instance on the default client). The one rule for both a model given by name and ``OpenAIProvider``.
    """
    name = model_name if model_name is not None else os.environ.get(DEFAULT_MODEL_ENV, DEFAULT_MODEL)
    if use_responses is None:
        use_responses = _default_api == "responses"
    cls: type[OpenAIClientModel]
    if use_responses:
        from .openai_responses import OpenAIResponsesModel  # lazily: runs on other models never import openai

        cls = OpenAIResponsesModel
    else:
        from .openai_chatcompletions import OpenAIChatCompletionsModel

        cls = OpenAIChatCompletionsModel
    return cls.for_name(name) if client is None else cls(name, openai_client=client)
