"""The SDK's ``agents.models.chatcmpl_converter`` path.

Its ``Converter`` turns the SDK's items into Chat Completions messages inside the SDK's model; agents_otel's Chat
Completions model converts in code of its own that is not public, so the import says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

__getattr__ = not_supported(
    __name__,
    {
        "Converter": (
            "the Chat Completions conversion is internal to OpenAIChatCompletionsModel; run the model (or "
            "LitellmModel / AnyLLMModel) instead of calling the converter"
        ),
    },
)
