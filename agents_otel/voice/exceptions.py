"""The voice pipeline's errors.

Why typed: a pipeline that cannot do what it is asked (streamed transcription on the OpenAI model, for now) must
say so at once with an error a program can catch by class, never fall back to something else.
"""

from __future__ import annotations

from ..exceptions import AgentsException, UserError


class STTWebsocketConnectionError(AgentsException):
    """As in the SDK: the speech-to-text websocket failed. Kept for code that catches it; the OpenAI model here
    opens no websocket (see :class:`StreamedTranscriptionNotSupportedError`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StreamedTranscriptionNotSupportedError(UserError):
    """``OpenAISTTModel.create_session`` (a :class:`StreamedAudioInput` transcribed over OpenAI's realtime
    transcription websocket) is not supported yet. An ``STTModel`` of your own whose ``create_session`` returns a
    session still runs a pipeline on streamed input."""


__all__ = ["STTWebsocketConnectionError", "StreamedTranscriptionNotSupportedError"]
