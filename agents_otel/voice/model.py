"""The interfaces a voice pipeline's models implement, and their settings, as in the SDK: ``STTModel`` (speech to
text), ``TTSModel`` (text to speech), ``VoiceModelProvider`` (models by name).

Why abstract classes: the pipeline runs any speech-to-text or text-to-speech service through them — OpenAI's
(:mod:`.models`) or one of the application's own — and records each call as the same span.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from .imports import np, npt
from .input import AudioInput, StreamedAudioInput
from .utils import get_sentence_based_splitter

DEFAULT_TTS_INSTRUCTIONS = "The text may stop mid-sentence: read it out exactly as written, without completing it."
"""Why a default: the pipeline speaks an answer a few sentences at a time, and a speech model told nothing tends
to finish a sentence it was given only the start of."""
DEFAULT_TTS_BUFFER_SIZE = 120
_DEFAULT_TEXT_SPLITTER = get_sentence_based_splitter()
"""The default splitter, made once: it keeps no state, so every settings object can share it."""


class TTSCustomVoice(TypedDict):
    """A custom voice, by its id."""

    id: str


TTSVoice = (
    Literal["alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin",
            "cedar"]
    | TTSCustomVoice
)
"""A built-in voice's name, or a custom voice."""


@dataclass
class TTSModelSettings:
    """How the answer is spoken and how its audio is streamed out."""

    voice: TTSVoice | None = None
    """``None``: the model's default voice."""
    buffer_size: int = DEFAULT_TTS_BUFFER_SIZE
    """How many chunks from the model make one audio event (fewer, larger events; the last one may be smaller)."""
    dtype: npt.DTypeLike = np.int16
    """The samples' type in audio events: ``np.int16`` (as the model sends them) or ``np.float32`` (in [-1, 1])."""
    transform_data: Callable[[npt.NDArray[np.int16 | np.float32]], npt.NDArray[np.int16 | np.float32]] | None = None
    """Applied to each audio event's samples, to hand the player the shape it wants."""
    instructions: str = DEFAULT_TTS_INSTRUCTIONS
    """Sent to the model with each text: tone, pace, accent."""
    text_splitter: Callable[[str], tuple[str, str]] = _DEFAULT_TEXT_SPLITTER
    """``buffered text -> (text to speak now, text to keep)``; see :func:`get_sentence_based_splitter`. A class
    default, as in the SDK (``TTSModelSettings.text_splitter`` is the default splitter); it keeps no state."""
    speed: float | None = None
    """Speaking speed, 0.25 to 4.0; ``None``: the model's default."""


class TTSModel(abc.ABC):
    """A text-to-speech model."""

    @property
    @abc.abstractmethod
    def model_name(self) -> str:
        """The name its ``speech`` span records."""

    @abc.abstractmethod
    def run(self, text: str, settings: TTSModelSettings) -> AsyncIterator[bytes]:
        """Speak ``text``: 16-bit little-endian mono PCM, in chunks as they arrive."""


class StreamedTranscriptionSession(abc.ABC):
    """Transcription of a :class:`StreamedAudioInput`, one text per turn the user speaks."""

    @abc.abstractmethod
    def transcribe_turns(self) -> AsyncIterator[str]:
        """Each turn's transcript as it ends; returns when the input or the session ends."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the session (the pipeline calls it once, also after an error)."""


@dataclass
class STTModelSettings:
    """What the speech-to-text model is told."""

    prompt: str | None = None
    """Text that guides the transcription (names, spelling, style)."""
    language: str | None = None
    """The audio's language (ISO-639-1), if known."""
    temperature: float | None = None
    turn_detection: dict[str, Any] | None = None
    """For a streamed session: how the model detects the end of a turn."""
    languages: list[str] | None = field(default=None, kw_only=True)
    """For a streamed session: the languages the audio may be in (API language codes); sent instead of
    ``language`` when set. The ``gpt-transcribe`` / ``gpt-live-transcribe`` models take it."""
    keywords: list[str] | None = field(default=None, kw_only=True)
    """For a streamed session: words or phrases that guide the transcription (``gpt-transcribe`` /
    ``gpt-live-transcribe``). Content: the span records them only when text may be recorded."""


class STTModel(abc.ABC):
    """A speech-to-text model."""

    @property
    @abc.abstractmethod
    def model_name(self) -> str:
        """The name its ``transcription`` span records."""

    @abc.abstractmethod
    async def transcribe(
        self,
        input: AudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> str:
        """The text spoken in ``input``. The two flags say whether its span may record the transcript and the
        audio."""

    @abc.abstractmethod
    async def create_session(
        self,
        input: StreamedAudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> StreamedTranscriptionSession:
        """A session that transcribes ``input`` turn by turn as audio is pushed into it."""


class VoiceModelProvider(abc.ABC):
    """Voice models by name (``VoicePipeline(stt_model="...")``, or ``None`` for the provider's default)."""

    @abc.abstractmethod
    def get_stt_model(self, model_name: str | None) -> STTModel:
        """The speech-to-text model called ``model_name``."""

    @abc.abstractmethod
    def get_tts_model(self, model_name: str | None) -> TTSModel:
        """The text-to-speech model called ``model_name``."""


__all__ = [
    "STTModel",
    "STTModelSettings",
    "StreamedTranscriptionSession",
    "TTSCustomVoice",
    "TTSModel",
    "TTSModelSettings",
    "TTSVoice",
    "VoiceModelProvider",
]
