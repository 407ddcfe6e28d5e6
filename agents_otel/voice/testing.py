"""The SDK's ``agents.voice.testing``: scripted speech-to-text, text-to-speech and workflow doubles.

Why: a voice pipeline test should exercise the pipeline (turns, text splitting, speech order, spans) without an
audio provider. Each double consumes one scripted step per call (an exception step is raised), records its calls,
raises :class:`UnexpectedVoiceCall` when called past its script and, from ``assert_complete()``,
:class:`UnconsumedVoiceSteps` for steps never asked for. Static audio and settings are snapshotted when a call is
made; a ``StreamedAudioInput`` and the sessions created keep their identity, since the pipeline goes on using them.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import UserError
from .imports import np
from .input import AudioInput, StreamedAudioInput
from .model import StreamedTranscriptionSession, STTModel, STTModelSettings, TTSModel, TTSModelSettings
from .workflow import VoiceWorkflowBase

__all__ = [
    "STTCall", "STTSessionCall", "ScriptedSTTModel", "ScriptedTTSModel", "ScriptedTranscriptionSession",
    "ScriptedVoiceWorkflow", "TTSCall", "TTSResult", "UnconsumedVoiceSteps", "UnexpectedVoiceCall",
    "VoiceScriptError", "pcm16_samples",
]


class VoiceScriptError(Exception):
    """A voice script was called past its end or left steps unused."""


class UnexpectedVoiceCall(VoiceScriptError):
    """A call with no scripted step left; ``operation`` names it: ``static_transcription``, ``streamed_session``,
    ``tts``, ``workflow_start`` or ``workflow_turn``."""

    def __init__(self, message: str, *, operation: str) -> None:
        super().__init__(message)
        self.operation = operation


class UnconsumedVoiceSteps(VoiceScriptError):
    """``assert_complete()`` found ``remaining_steps`` scripted steps nothing asked for."""

    def __init__(self, message: str, *, remaining_steps: int) -> None:
        super().__init__(message)
        self.remaining_steps = remaining_steps


@dataclass(frozen=True)
class STTCall:
    """One ``transcribe`` call, its audio and settings as they were then."""

    input: AudioInput
    settings: STTModelSettings
    trace_include_sensitive_data: bool
    trace_include_sensitive_audio_data: bool


@dataclass(frozen=True)
class STTSessionCall:
    """One ``create_session`` call (``input`` is the live stream)."""

    input: StreamedAudioInput
    settings: STTModelSettings
    trace_include_sensitive_data: bool
    trace_include_sensitive_audio_data: bool


@dataclass(frozen=True)
class TTSCall:
    """One text-to-speech call."""

    text: str
    settings: TTSModelSettings


@dataclass(frozen=True)
class TTSResult:
    """The PCM chunks one text-to-speech call yields."""

    chunks: Sequence[bytes] = field(default_factory=tuple)


TranscriptionResult = str | Exception
TTSResultItem = TTSResult | Sequence[bytes] | Exception
WorkflowResult = str | Sequence[str] | Exception

_NO_START: Any = object()


def _audio_snapshot(audio: AudioInput) -> AudioInput:
    return AudioInput(audio.buffer.copy(), audio.frame_rate, audio.sample_width, audio.channels)


def _steps(steps: str | Iterable[Any]) -> list[Any]:
    """A lone string is one step, as in the SDK (not one step per character)."""
    return [steps] if isinstance(steps, str) else list(steps)


def _fragments(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _unconsumed(count: int, what: str) -> UnconsumedVoiceSteps:
    return UnconsumedVoiceSteps(f"{count} scripted {what} were not consumed.", remaining_steps=count)


class ScriptedTranscriptionSession(StreamedTranscriptionSession):
    """A streamed transcription yielding its scripted turns; closing it stops the turns (those skipped stay for
    ``assert_complete()`` to report)."""

    def __init__(self, turns: str | Iterable[TranscriptionResult] = (), *, close_error: Exception | None = None):
        self._turns: list[TranscriptionResult] = _steps(turns)
        self._close_error = close_error
        self.closed = False
        self.close_calls = 0

    async def transcribe_turns(self) -> AsyncIterator[str]:
        while self._turns and not self.closed:
            turn = self._turns.pop(0)
            if isinstance(turn, Exception):
                raise turn
            yield turn

    async def close(self) -> None:
        self.close_calls += 1
        if not self.closed:
            self.closed = True
            if self._close_error is not None:
                raise self._close_error

    def assert_complete(self) -> None:
        if self._turns:
            raise _unconsumed(len(self._turns), "transcription turn(s)")


class ScriptedSTTModel(STTModel):
    """Static ``transcriptions`` (one per ``transcribe``) and streamed ``sessions`` (one per ``create_session``:
    a :class:`ScriptedTranscriptionSession`, its turns, a single string or an exception), scripted apart."""

    def __init__(
        self,
        transcriptions: str | Iterable[TranscriptionResult] = (),
        *,
        sessions: str | Iterable[ScriptedTranscriptionSession | Iterable[TranscriptionResult] | Exception] = (),
        model_name: str = "scripted-stt",
    ) -> None:
        self._transcriptions: list[TranscriptionResult] = _steps(transcriptions)
        self._sessions: list[ScriptedTranscriptionSession | tuple[TranscriptionResult, ...] | Exception] = [
            s if isinstance(s, ScriptedTranscriptionSession | Exception) else tuple(_steps(s)) for s in _steps(sessions)
        ]
        self._model_name = model_name
        self._calls: list[STTCall] = []
        self._session_calls: list[STTSessionCall] = []
        self._created: list[ScriptedTranscriptionSession] = []

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def calls(self) -> tuple[STTCall, ...]:
        """The ``transcribe`` calls, detached copies (a test changing one changes nothing recorded)."""
        return tuple(_call_copy(c, input=_audio_snapshot(c.input)) for c in self._calls)

    @property
    def session_calls(self) -> tuple[STTSessionCall, ...]:
        return tuple(_call_copy(c) for c in self._session_calls)

    @property
    def created_sessions(self) -> tuple[ScriptedTranscriptionSession, ...]:
        """The sessions handed out, the very objects the pipeline used."""
        return tuple(self._created)

    async def transcribe(
        self,
        input: AudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> str:
        self._calls.append(STTCall(_audio_snapshot(input), copy.deepcopy(settings), trace_include_sensitive_data,
                                   trace_include_sensitive_audio_data))
        if not self._transcriptions:
            raise UnexpectedVoiceCall("Unexpected static transcription call: no scripted transcriptions remain.",
                                      operation="static_transcription")
        result = self._transcriptions.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    async def create_session(
        self,
        input: StreamedAudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> StreamedTranscriptionSession:
        self._session_calls.append(STTSessionCall(input, copy.deepcopy(settings), trace_include_sensitive_data,
                                                  trace_include_sensitive_audio_data))
        if not self._sessions:
            raise UnexpectedVoiceCall("Unexpected streamed transcription session: no scripted sessions remain.",
                                      operation="streamed_session")
        step = self._sessions.pop(0)
        if isinstance(step, Exception):
            raise step
        session = step if isinstance(step, ScriptedTranscriptionSession) else ScriptedTranscriptionSession(step)
        self._created.append(session)
        return session

    def assert_complete(self) -> None:
        """Also checks the turns of the sessions it created."""
        remaining = len(self._transcriptions) + len(self._sessions)
        if remaining:
            raise _unconsumed(remaining, "STT step(s)")
        for session in self._created:
            session.assert_complete()


class ScriptedTTSModel(TTSModel):
    """One step per call: a :class:`TTSResult`, a sequence of byte chunks, or an exception."""

    def __init__(self, results: Iterable[TTSResultItem] = (), *, model_name: str = "scripted-tts") -> None:
        self._results = [_tts_step(r, i) for i, r in enumerate(results)]
        self._model_name = model_name
        self._calls: list[TTSCall] = []

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def calls(self) -> tuple[TTSCall, ...]:
        return tuple(_call_copy(c) for c in self._calls)

    async def run(self, text: str, settings: TTSModelSettings) -> AsyncIterator[bytes]:
        self._calls.append(TTSCall(text, copy.deepcopy(settings)))
        if not self._results:
            raise UnexpectedVoiceCall("Unexpected TTS call: no scripted results remain.", operation="tts")
        result = self._results.pop(0)
        if isinstance(result, Exception):
            raise result
        for chunk in result.chunks:
            yield chunk

    def assert_complete(self) -> None:
        if self._results:
            raise _unconsumed(len(self._results), "TTS result(s)")


def _tts_step(step: TTSResultItem, index: int) -> TTSResult | Exception:
    """A step as a detached ``TTSResult``; a chunk that is not bytes is a ``UserError`` now, not a failure deep
    in the pipeline's audio conversion later."""
    if isinstance(step, Exception):
        return step
    chunks = tuple(step.chunks if isinstance(step, TTSResult) else step)
    for chunk in chunks:
        if not isinstance(chunk, bytes):
            raise UserError(f"ScriptedTTSModel result {index}: a chunk must be bytes, not {type(chunk).__name__}")
    return TTSResult(chunks)


class ScriptedVoiceWorkflow(VoiceWorkflowBase):
    """Scripted ``turns`` (each: a string, a sequence of text fragments, or an exception) and an optional
    ``start`` for ``on_start()``, which the pipeline asks for on streamed input only."""

    def __init__(
        self, turns: str | Iterable[WorkflowResult] = (), *, start: str | Sequence[str] | Exception = _NO_START
    ) -> None:
        self._turns = [t if isinstance(t, Exception) else _fragments(t) for t in _steps(turns)]
        self._start_configured = start is not _NO_START
        self._start: tuple[str, ...] | Exception = (
            () if not self._start_configured else start if isinstance(start, Exception) else _fragments(start)
        )
        self._start_pending = self._start_configured
        self._transcriptions: list[str] = []

    @property
    def transcriptions(self) -> tuple[str, ...]:
        """What each turn was asked to answer, in order."""
        return tuple(self._transcriptions)

    async def on_start(self) -> AsyncIterator[str]:
        if self._start_configured and not self._start_pending:
            raise UnexpectedVoiceCall("Unexpected workflow startup call: no scripted startup step remains.",
                                      operation="workflow_start")
        self._start_pending = False
        if isinstance(self._start, Exception):
            raise self._start
        for fragment in self._start:
            yield fragment

    async def run(self, transcription: str) -> AsyncIterator[str]:
        self._transcriptions.append(transcription)
        if not self._turns:
            raise UnexpectedVoiceCall("Unexpected workflow turn: no scripted turns remain.", operation="workflow_turn")
        result = self._turns.pop(0)
        if isinstance(result, Exception):
            raise result
        for fragment in result:
            yield fragment

    def assert_complete(self) -> None:
        turns, start = len(self._turns), int(self._start_pending)
        if start and not turns:
            raise UnconsumedVoiceSteps("1 scripted workflow startup step was not consumed.", remaining_steps=1)
        if turns and not start:
            raise _unconsumed(turns, "workflow turn(s)")
        if turns:
            raise _unconsumed(turns + start, "workflow step(s)")


def _call_copy(call: Any, **changes: Any) -> Any:
    """A recorded call with its settings deep-copied (and ``changes``), so reading it cannot alter the record."""
    return type(call)(**{**vars(call), "settings": copy.deepcopy(call.settings), **changes})


def pcm16_samples(samples: Iterable[int]) -> bytes:
    """Integer samples as little-endian 16-bit PCM bytes (what a TTS model yields)."""
    return np.asarray(list(samples), dtype="<i2").tobytes()
