"""``OpenAITTSModel``: text to speech through the openai client's ``audio.speech.create``, as in the SDK.

Why streamed PCM: the pipeline plays the answer while it is still being spoken, so the audio is read from the
streaming response in chunks as they arrive, as raw 16-bit PCM (no container to parse).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import openai

from ..model import TTSModel, TTSModelSettings

DEFAULT_VOICE = "ash"
_CHUNK_BYTES = 1024


class OpenAITTSModel(TTSModel):
    """An OpenAI text-to-speech model (``gpt-4o-mini-tts``, ``tts-1``, ...) on an ``AsyncOpenAI`` client."""

    def __init__(self, model: str, openai_client: openai.AsyncOpenAI) -> None:
        self.model = model
        self._client = openai_client

    @property
    def model_name(self) -> str:
        return self.model

    async def run(self, text: str, settings: TTSModelSettings) -> AsyncIterator[bytes]:
        """``text`` spoken in ``settings.voice`` (else ``ash``) with ``settings.instructions``, as PCM chunks."""
        voice: Any = settings.voice or DEFAULT_VOICE
        speed: dict[str, Any] = {} if settings.speed is None else {"speed": settings.speed}
        request = self._client.audio.speech.with_streaming_response.create(
            model=self.model,
            voice=voice,
            input=text,
            response_format="pcm",
            instructions=settings.instructions,
            **speed,
        )
        async with request as response:
            async for chunk in response.iter_bytes(chunk_size=_CHUNK_BYTES):
                yield chunk


__all__ = ["OpenAITTSModel"]
