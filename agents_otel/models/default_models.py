"""The SDK's ``agents.models.default_models`` path: which model an agent that names none runs on, and the settings
a GPT-5 model gets when the agent sets none (defined in ``models.gpt5_defaults``, which the run itself uses)."""

from __future__ import annotations

from .gpt5_defaults import (
    GPT5DefaultReasoningEffort,
    get_default_model,
    get_default_model_settings,
    gpt_5_reasoning_settings_required,
    is_gpt_5_default,
)
from .interface import DEFAULT_MODEL_ENV

OPENAI_DEFAULT_MODEL_ENV_VARIABLE_NAME = DEFAULT_MODEL_ENV

__all__ = [
    "OPENAI_DEFAULT_MODEL_ENV_VARIABLE_NAME", "GPT5DefaultReasoningEffort", "get_default_model",
    "get_default_model_settings", "gpt_5_reasoning_settings_required", "is_gpt_5_default",
]
