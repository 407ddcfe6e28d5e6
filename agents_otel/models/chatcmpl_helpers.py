"""The SDK's ``agents.models.chatcmpl_helpers`` path.

The SDK keeps its Chat Completions model's client helpers and default headers here; agents_otel's model sets its
headers itself (``ModelSettings.extra_headers`` adds yours), so the import says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

_HEADERS = "the models' default headers are internal; send yours with ModelSettings(extra_headers={...})"

__getattr__ = not_supported(
    __name__,
    {
        "ChatCmplHelpers": "the Chat Completions model's helpers are internal to OpenAIChatCompletionsModel",
        "HEADERS": _HEADERS,
        "HEADERS_OVERRIDE": _HEADERS,
    },
)
