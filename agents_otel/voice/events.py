"""What ``StreamedAudioResult.stream()`` yields, as in the SDK: audio chunks, turn and session lifecycle, errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from .imports import np, npt


@dataclass
class VoiceStreamEventAudio:
    """A chunk of the spoken answer: PCM samples in ``TTSModelSettings.dtype`` (after ``transform_data``)."""

    data: npt.NDArray[np.int16 | np.float32] | None
    type: Literal["voice_stream_event_audio"] = "voice_stream_event_audio"


@dataclass
class VoiceStreamEventLifecycle:
    """``turn_started`` before a turn's first audio, ``turn_ended`` after its last, ``session_ended`` last of all:
    what an application needs to mute the microphone while the answer plays."""

    event: Literal["turn_started", "turn_ended", "session_ended"]
    type: Literal["voice_stream_event_lifecycle"] = "voice_stream_event_lifecycle"


@dataclass
class VoiceStreamEventError:
    """The pipeline failed (transcription, workflow or speech): the last event; ``stream()`` then raises it."""

    error: Exception
    type: Literal["voice_stream_event_error"] = "voice_stream_event_error"


VoiceStreamEvent: TypeAlias = VoiceStreamEventAudio | VoiceStreamEventLifecycle | VoiceStreamEventError
"""Any event of ``StreamedAudioResult.stream()``."""

__all__ = ["VoiceStreamEvent", "VoiceStreamEventAudio", "VoiceStreamEventError", "VoiceStreamEventLifecycle"]
