"""The voice pipeline's errors.

Why typed: a failure a program handles differently (the transcription websocket failed: reconnect, or tell the user)
must be catchable by class, never a bare ``Exception`` to parse.
"""

from __future__ import annotations

from ..exceptions import AgentsException, UserError


class STTWebsocketConnectionError(AgentsException):
    """As in the SDK: OpenAI's realtime transcription websocket failed — could not connect, timed out setting the
    session up, sent an ``error`` event, or dropped the connection. The cause is chained."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StreamedTranscriptionNotSupportedError(UserError):
    """Raised by nothing any more: ``OpenAISTTModel.create_session`` (streamed transcription over OpenAI's
    realtime transcription websocket) is supported. Kept importable for code written when it was not."""


__all__ = ["STTWebsocketConnectionError", "StreamedTranscriptionNotSupportedError"]
