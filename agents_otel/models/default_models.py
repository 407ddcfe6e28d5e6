"""The SDK's ``agents.models.default_models`` path: which model an agent that names none runs on.

Here that is ``$OPENAI_DEFAULT_MODEL`` or the runtime's default, for every provider. The SDK's GPT-5 default
reasoning settings are not applied (an agent naming no model gets no implied ``ModelSettings``), so those helpers
are not offered and importing them says so.
"""

from __future__ import annotations

import os

from .._sdk_paths import not_supported
from .interface import DEFAULT_MODEL, DEFAULT_MODEL_ENV

OPENAI_DEFAULT_MODEL_ENV_VARIABLE_NAME = DEFAULT_MODEL_ENV


def get_default_model() -> str:
    """The model name an agent that names none runs on (read when called, as the run reads it)."""
    return os.environ.get(DEFAULT_MODEL_ENV, DEFAULT_MODEL)


__all__ = ["OPENAI_DEFAULT_MODEL_ENV_VARIABLE_NAME", "get_default_model"]

_GPT5 = "no GPT-5 default reasoning settings are implied; set ModelSettings(reasoning=...) on the agent"

__getattr__ = not_supported(
    __name__,
    {
        name: _GPT5
        for name in (
            "GPT5DefaultReasoningEffort",
            "get_default_model_settings",
            "gpt_5_reasoning_settings_required",
            "is_gpt_5_default",
        )
    },
)
