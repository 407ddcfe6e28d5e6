"""``OpenAISTTModel``: speech to text through the openai client's ``audio.transcriptions.create``, as in the SDK.

Why only the whole-recording path: the SDK transcribes a ``StreamedAudioInput`` over OpenAI's realtime
transcription websocket, which this package does not speak yet; ``create_session`` says so with a typed error
instead of doing something else. Each transcription is a ``transcription {model}`` span.
"""

from __future__ import annotations

from typing import Any

import openai

from ...tracing import attributes as A
from ...tracing.sdk_voice_spans import capturing, transcription_span
from ..exceptions import StreamedTranscriptionNotSupportedError
from ..input import AudioInput, StreamedAudioInput
from ..model import StreamedTranscriptionSession, STTModel, STTModelSettings
from ._audio_spans import config_for, record_size


def _given(value: Any) -> Any:
    return openai.NOT_GIVEN if value is None else value


class OpenAISTTModel(STTModel):
    """An OpenAI speech-to-text model (``gpt-4o-transcribe``, ``whisper-1``, ...) on an ``AsyncOpenAI`` client."""

    def __init__(self, model: str, openai_client: openai.AsyncOpenAI) -> None:
        self.model = model
        self._client = openai_client

    @property
    def model_name(self) -> str:
        return self.model

    async def transcribe(
        self,
        input: AudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> str:
        """The transcript of ``input`` (sent as a WAV file); the span records the audio and the transcript only
        when the flags allow."""
        config = config_for(
            {"temperature": settings.temperature, "language": settings.language, "prompt": settings.prompt},
            trace_include_sensitive_data, ("prompt",),
        )
        audio = input.to_base64() if trace_include_sensitive_audio_data else None
        span = transcription_span(model=self.model, input=audio, input_format="pcm", model_config=config)
        with capturing(span, trace_include_sensitive_data or trace_include_sensitive_audio_data):
            if audio is None:
                record_size(span, A.AUDIO_INPUT_SIZE, input.buffer.size * 2)  # as 16-bit PCM, like the audio
            response = await self._client.audio.transcriptions.create(
                model=self.model,
                file=input.to_audio_file(),
                prompt=_given(settings.prompt),
                language=_given(settings.language),
                temperature=_given(settings.temperature),
            )
            text = response if isinstance(response, str) else getattr(response, "text", None)
            if not isinstance(text, str):
                raise TypeError(f"audio.transcriptions.create answered {type(response).__name__}, not a transcript")
            if trace_include_sensitive_data:
                span.span_data.output = text
            return text

    async def create_session(
        self,
        input: StreamedAudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> StreamedTranscriptionSession:
        """Not supported yet: a :class:`StreamedTranscriptionNotSupportedError`."""
        raise streamed_transcription_unsupported(self.model)


def streamed_transcription_unsupported(model: str) -> StreamedTranscriptionNotSupportedError:
    """The error for a ``StreamedAudioInput`` on OpenAI's speech-to-text model (the pipeline raises it at ``run``)."""
    return StreamedTranscriptionNotSupportedError(
        f"OpenAISTTModel({model!r}): streamed transcription (a StreamedAudioInput, over OpenAI's realtime "
        "transcription websocket) is not supported yet in agents_otel; pass an AudioInput, or an STTModel of your "
        "own whose create_session returns a StreamedTranscriptionSession"
    )


__all__ = ["OpenAISTTModel"]
