"""One piece of the answer spoken: the TTS model's PCM chunks as audio events, under a ``speech {model}`` span.

Why apart from the result: this is the part that touches the model and the span, per piece of text; the result
(:mod:`.result`) only orders pieces and turns. Audio is kept for the span only when audio may be recorded — a
whole piece of PCM held for nothing otherwise — but its size is recorded always.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..exceptions import UserError
from ..tracing import attributes as A
from ..tracing.sdk_spans import SdkSpan
from ..tracing.sdk_voice_spans import capturing, speech_span
from .events import VoiceStreamEvent, VoiceStreamEventAudio
from .imports import np, npt
from .model import TTSModel, TTSModelSettings
from .models._audio_spans import config_for, record_size

Segment = asyncio.Queue[VoiceStreamEvent | None]
"""A piece's audio events, ``None`` after the last."""


def output_dtype(settings: TTSModelSettings) -> np.dtype[Any]:
    """``settings.dtype`` checked: the pipeline converts to int16 or float32 only."""
    try:
        dtype = np.dtype(settings.dtype)
    except TypeError:
        dtype = None
    if dtype not in (np.dtype(np.int16), np.dtype(np.float32)):
        raise UserError(f"TTSModelSettings.dtype must be np.int16 or np.float32, got {settings.dtype!r}")
    assert dtype is not None
    return dtype


class _Chunker:
    """``buffer_size`` model chunks per audio event, never splitting a 16-bit sample between two events."""

    def __init__(self, settings: TTSModelSettings, dtype: np.dtype[Any]) -> None:
        self._settings = settings
        self._dtype = dtype
        self._pending: list[bytes] = []
        self._carry = b""

    def add(self, chunk: bytes) -> VoiceStreamEventAudio | None:
        self._pending.append(chunk)
        if len(self._pending) < max(self._settings.buffer_size, 1):
            return None
        data = self._carry + b"".join(self._pending)
        self._pending = []
        whole = len(data) - len(data) % 2
        self._carry = data[whole:]
        return self._event(data[:whole]) if whole else None

    def flush(self) -> VoiceStreamEventAudio | None:
        data = self._carry + b"".join(self._pending)
        self._pending, self._carry = [], b""
        if not data:
            return None
        return self._event(data + b"\x00" * (len(data) % 2))  # a half sample at the very end: padded

    def _event(self, pcm: bytes) -> VoiceStreamEventAudio:
        samples: npt.NDArray[np.int16 | np.float32] = np.frombuffer(pcm, dtype=np.int16)
        if self._dtype == np.float32:
            samples = (samples.astype(np.float32) / 32767.0).reshape(-1, 1)
        transform = self._settings.transform_data
        return VoiceStreamEventAudio(data=transform(samples) if transform is not None else samples)


async def speak(
    model: TTSModel,
    text: str,
    settings: TTSModelSettings,
    out: Segment,
    group: SdkSpan[Any],
    include: tuple[bool, bool],
    fail: Callable[[Exception], None],
) -> None:
    """Speak ``text`` into ``out`` under a speech span (a child of ``group``); a failure goes to ``fail`` (the
    result ends the stream with it) and is recorded on the span. ``include``: (text, audio) may be recorded."""
    include_text, include_audio = include
    config = config_for(
        {"voice": settings.voice, "instructions": settings.instructions, "speed": settings.speed},
        include_text, ("instructions",),
    )
    span = speech_span(model=model.model_name, input=text if include_text else None, output_format="pcm",
                       model_config=config, parent=group)
    chunker = _Chunker(settings, output_dtype(settings))
    kept: list[bytes] = []
    size = 0
    try:
        with capturing(span, include_text or include_audio):
            async for chunk in model.run(text, settings):
                if span.span_data.first_content_at is None:
                    span.span_data.first_content_at = datetime.now(UTC).isoformat()
                if not isinstance(chunk, bytes | bytearray):
                    raise UserError(f"{type(model).__name__}.run must yield PCM bytes, got {type(chunk).__name__}")
                if not chunk:
                    continue
                size += len(chunk)
                if include_audio:
                    kept.append(bytes(chunk))
                event = chunker.add(bytes(chunk))
                if event is not None:
                    await out.put(event)
            event = chunker.flush()
            if event is not None:
                await out.put(event)
            if include_audio:
                span.span_data.output = base64.b64encode(b"".join(kept)).decode("ascii")
            else:
                record_size(span, A.AUDIO_OUTPUT_SIZE, size)
    except Exception as exc:
        fail(exc)
        return
    await out.put(None)


__all__ = ["Segment", "output_dtype", "speak"]
