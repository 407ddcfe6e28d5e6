"""The SDK's ``agents.models.chatcmpl_stream_handler`` path.

The SDK's handler turns Chat Completions chunks into Responses stream events; agents_otel's model makes the same
events itself (``models/chat_stream_events``), beside the deltas and the one final response its stream yields, so
the handler's classes are not offered and the import says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

_REASON = (
    "streamed Chat Completions chunks are read inside OpenAIChatCompletionsModel.stream_response, which yields "
    "the Responses stream events the handler would make (RawResponsesStreamEvent.data of a streamed run), its "
    "deltas and one ModelResponse"
)

__getattr__ = not_supported(
    __name__,
    {name: _REASON for name in ("ChatCmplStreamHandler", "Part", "SequenceNumber", "StreamingState")},
)
