"""``ModelSettings`` as request parameters of each OpenAI API.

The two APIs take the same sampling parameters except the output-token cap (``max_output_tokens`` on Responses,
``max_tokens`` on Chat Completions). ``extra_args`` come last so a caller can override anything.
"""

from __future__ import annotations

from typing import Any

from ._openai_tools import Api
from .interface import ModelSettings

_MAX_TOKENS_PARAM: dict[Api, str] = {"responses": "max_output_tokens", "chat": "max_tokens"}


def settings_params(settings: ModelSettings, api: Api) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if settings.temperature is not None:
        params["temperature"] = settings.temperature
    if settings.top_p is not None:
        params["top_p"] = settings.top_p
    if settings.max_tokens is not None:
        params[_MAX_TOKENS_PARAM[api]] = settings.max_tokens
    params.update(settings.extra_args or {})
    return params
