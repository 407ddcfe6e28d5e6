"""The pipeline's audio input: a whole recording (``AudioInput``) or audio pushed as it is heard
(``StreamedAudioInput``), as in the SDK.

Why the WAV encoding lives here: the transcription endpoint takes a file, and the input knows its own sample
rate, sample width and channel count; bad ones are a ``UserError`` before anything is sent.
"""

from __future__ import annotations

import asyncio
import base64
import io
import wave
from dataclasses import dataclass

from ..exceptions import UserError
from .imports import np, npt

DEFAULT_SAMPLE_RATE = 24000

AudioBuffer = npt.NDArray[np.int16 | np.float32]


def _check_buffer(buffer: AudioBuffer) -> None:
    if not isinstance(buffer, np.ndarray) or buffer.dtype not in (np.int16, np.float32):
        raise UserError("Buffer must be a numpy array of int16 or float32")


def _pcm(buffer: AudioBuffer, sample_width: int) -> bytes:
    """Little-endian PCM of ``sample_width`` bytes per sample (1 is unsigned, as WAV wants)."""
    if buffer.dtype == np.float32:
        unit = np.clip(buffer, -1.0, 1.0)
        if sample_width == 1:
            return bytes(np.rint((unit.astype(np.float64) + 1.0) * 127.5).astype(np.uint8).tobytes())
        if sample_width == 2:
            return bytes((unit * 32767).astype("<i2").tobytes())
        wide = (unit.astype(np.float64) * ((1 << (8 * sample_width - 1)) - 1)).astype(np.int32)
    else:
        if sample_width == 1:
            return bytes(((buffer.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes())
        wide = buffer.astype(np.int32) << (8 * (sample_width - 2))
    if sample_width == 2:
        return bytes(wide.astype("<i2").tobytes())
    four = np.ascontiguousarray(wide, dtype="<i4")
    if sample_width == 4:
        return bytes(four.tobytes())
    return bytes(four.view(np.uint8).reshape(-1, 4)[:, :3].tobytes())  # 24-bit: the low three bytes


def _buffer_to_audio_file(
    buffer: AudioBuffer, frame_rate: int = DEFAULT_SAMPLE_RATE, sample_width: int = 2, channels: int = 1
) -> tuple[str, io.BytesIO, str]:
    """``(filename, WAV bytes, content type)``, the file tuple the openai client uploads."""
    if sample_width not in (1, 2, 3, 4):
        raise UserError("Sample width must be between 1 and 4 bytes")
    if frame_rate <= 0:
        raise UserError("Frame rate must be greater than zero")
    _check_buffer(buffer)
    if channels <= 0:
        raise UserError("Channels must be greater than zero")
    if buffer.size % channels:
        raise UserError(f"Buffer must contain complete channel frames ({buffer.size} samples, {channels} channels)")
    file = io.BytesIO()
    with wave.open(file, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(sample_width)
        wav.setframerate(frame_rate)
        wav.writeframes(_pcm(buffer, sample_width))
    file.seek(0)
    return ("audio.wav", file, "audio/wav")


def _int16(buffer: AudioBuffer) -> npt.NDArray[np.int16]:
    """16-bit PCM samples, without touching the caller's array."""
    _check_buffer(buffer)
    if buffer.dtype == np.float32:
        return (np.clip(buffer, -1.0, 1.0) * 32767).astype(np.int16)
    return buffer.astype(np.int16, copy=False)


@dataclass
class AudioInput:
    """A whole recording (push-to-talk, a file): transcribed once, answered in one turn."""

    buffer: AudioBuffer
    """The samples: a numpy array of int16 or float32 (float in [-1, 1])."""
    frame_rate: int = DEFAULT_SAMPLE_RATE
    sample_width: int = 2
    """Bytes per sample of the WAV file sent for transcription."""
    channels: int = 1

    def to_audio_file(self) -> tuple[str, io.BytesIO, str]:
        """The recording as a WAV file tuple ``(filename, bytes, content type)``."""
        return _buffer_to_audio_file(self.buffer, self.frame_rate, self.sample_width, self.channels)

    def to_base64(self) -> str:
        """The samples as base64 16-bit PCM (what a transcription span records under content capture)."""
        return base64.b64encode(_int16(self.buffer).tobytes()).decode("ascii")


class StreamedAudioInput:
    """Audio pushed while the user speaks; the speech-to-text model's session decides where turns end.
    ``add_audio(None)`` ends the stream."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[AudioBuffer | None] = asyncio.Queue()

    async def add_audio(self, audio: AudioBuffer | None) -> None:
        """Push more samples (int16 or float32), or ``None`` for the end of the stream."""
        if audio is not None:
            _check_buffer(audio)
        await self.queue.put(audio)


__all__ = ["AudioInput", "StreamedAudioInput"]
