"""The SDK's ``agents.models.chatcmpl_stream_handler`` path.

The SDK's handler turns Chat Completions chunks into Responses stream events; agents_otel's model streams text
deltas and one final response of its own, so the handler's classes are not offered and the import says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

_REASON = (
    "streamed Chat Completions chunks are read inside OpenAIChatCompletionsModel.stream_response, which yields "
    "TextDelta events and one ModelResponse"
)

__getattr__ = not_supported(
    __name__,
    {name: _REASON for name in ("ChatCmplStreamHandler", "Part", "SequenceNumber", "StreamingState")},
)
