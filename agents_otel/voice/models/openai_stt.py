"""``OpenAISTTModel``: speech to text through the openai client's ``audio.transcriptions.create``, as in the SDK.

A whole recording is one request; a ``StreamedAudioInput`` is a session over OpenAI's realtime transcription
websocket (:mod:`.openai_stt_session`), a transcript per turn. Each transcription is a ``transcription {model}``
span.
"""

from __future__ import annotations

import logging
from typing import Any

import openai

from ...tracing import attributes as A
from ...tracing.sdk_voice_spans import capturing, transcription_span
from ..input import AudioInput, StreamedAudioInput
from ..model import StreamedTranscriptionSession, STTModel, STTModelSettings
from ._audio_spans import config_for, record_size
from .openai_stt_session import OpenAISTTTranscriptionSession

logger = logging.getLogger(__name__)
_LANGUAGE_LIST_MODEL = "gpt-transcribe"
"""The model whose transcription request takes the language as a ``languages`` list (in the body), as in the
SDK."""


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
        if settings.languages is not None or settings.keywords is not None:
            logger.warning("STTModelSettings.languages / keywords are not sent for a whole recording: they apply "
                           "to a streamed session (StreamedAudioInput); use language / prompt here")
        listed = self.model == _LANGUAGE_LIST_MODEL and settings.language is not None
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
                language=openai.omit if listed else _given(settings.language),
                extra_body={"languages": [settings.language]} if listed else None,
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
        """A session transcribing ``input`` over the realtime transcription websocket of this model's client (its
        ``websocket_base_url``, else its ``base_url``); it connects when its turns are first read."""
        return OpenAISTTTranscriptionSession(
            input, self._client, self.model, settings, trace_include_sensitive_data, trace_include_sensitive_audio_data
        )


__all__ = ["OpenAISTTModel", "OpenAISTTTranscriptionSession"]
