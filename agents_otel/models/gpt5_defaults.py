"""Which model an agent that names none runs on, and the settings a GPT-5 (or newer) model gets when the agent
sets none.

Why: code written for the OpenAI Agents SDK relies on its defaults; a run here must send the same request. An
agent without a model runs on ``$OPENAI_DEFAULT_MODEL`` (lower-cased) or the SDK's default model, and an agent
whose ``model_settings`` were left out gets, for a GPT-5 or newer model, the SDK's implied reasoning effort and
``verbosity="low"`` (for the model the run actually resolves: ``RunConfig.model`` first, then the agent's, then
what the provider's model says of itself, ``Model.get_default_model_settings()``; see ``implied_settings``).
Pure functions over names; ``openai`` is imported only to build a ``Reasoning``.
"""

from __future__ import annotations

import os
import re
from typing import Literal

from .settings import ModelSettings

DEFAULT_MODEL_ENV = "OPENAI_DEFAULT_MODEL"
DEFAULT_MODEL = "gpt-5.6-luna"
"""The model of an agent that names none (``$OPENAI_DEFAULT_MODEL`` first), for every provider, as in the SDK (read
it with ``get_default_model()``); here, below ``interface``, so a provider module can read it without importing the
package that routes to it."""

GPT5DefaultReasoningEffort = Literal["none", "low", "medium"]

_CHAT_LATEST = frozenset({"gpt-5-chat-latest", "gpt-5.1-chat-latest", "gpt-5.2-chat-latest", "gpt-5.3-chat-latest"})
"""GPT-5 chat aliases that take no ``reasoning.effort``."""

_GPT_5_OR_NEWER = re.compile(r"gpt-0*(?:[5-9]|[1-9][0-9]+)(?:\.[0-9]+)?(?:-|\Z)")
"""A GPT model of major version 5 or more (``gpt-5``, ``gpt-5.4-mini``, ``gpt-6-sol``, ``gpt-10.1``), not
``gpt-5custom``: these get ``verbosity="low"`` by default, as in the SDK 0.25."""
_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")
_EFFORTS: dict[str, tuple[GPT5DefaultReasoningEffort, bool]] = {
    "gpt-6-astra": ("low", False),
    "gpt-5": ("low", True),  # "low", not "minimal": some hosted tools do not take "minimal"
    "gpt-5.1": ("none", True),
    "gpt-5.2": ("none", True),
    "gpt-5.2-pro": ("medium", True),
    "gpt-5.2-codex": ("low", False),
    "gpt-5.3-codex": ("none", False),
    "gpt-5.4": ("none", True),
    "gpt-5.4-pro": ("medium", True),
    "gpt-5.4-mini": ("none", True),
    "gpt-5.4-nano": ("none", True),
    "gpt-5.5": ("none", True),
    "gpt-5.6": ("none", True),
    "gpt-5.6-sol": ("none", True),
    "gpt-5.6-terra": ("none", True),
    "gpt-5.6-luna": ("none", True),
}
"""A model's implied effort, and whether a dated snapshot (``gpt-5.4-2026-03-05``) shares it (the SDK's table)."""


def get_default_model() -> str:
    """The model an agent that names none runs on (``$OPENAI_DEFAULT_MODEL``, read at each call, lower-cased)."""
    return os.getenv(DEFAULT_MODEL_ENV, DEFAULT_MODEL).lower()


def gpt_5_reasoning_settings_required(model_name: str) -> bool:
    """Whether ``model_name`` is a GPT-5 model that takes reasoning settings (not a ``-chat-latest`` alias)."""
    return model_name.startswith("gpt-5") and model_name not in _CHAT_LATEST


def is_gpt_5_default() -> bool:
    """Whether the default model (:func:`get_default_model`) is such a GPT-5 model."""
    return gpt_5_reasoning_settings_required(get_default_model())


def _effort(model_name: str) -> GPT5DefaultReasoningEffort | None:
    known = _EFFORTS.get(model_name)
    if known is not None:
        return known[0]
    undated = _DATED.sub("", model_name)
    known = _EFFORTS.get(undated) if undated != model_name else None
    return known[0] if known is not None and known[1] else None


def get_default_model_settings(model: str | None = None) -> ModelSettings:
    """The settings ``model`` (``None``: the default model) runs with when the agent sets none: for a GPT-5 or
    newer model (not a ``-chat-latest`` alias) its implied reasoning effort (none for a variant whose efforts are
    not known) and ``verbosity="low"``; otherwise empty settings. A new object each call."""
    name = model if model is not None else get_default_model()
    if name in _CHAT_LATEST or not _GPT_5_OR_NEWER.match(name):
        return ModelSettings()
    effort = _effort(name)
    if effort is None:
        return ModelSettings(verbosity="low")
    from openai.types.shared import Reasoning  # a GPT-5 model runs on OpenAI's client: openai is needed anyway

    return ModelSettings(reasoning=Reasoning(effort=effort), verbosity="low")
