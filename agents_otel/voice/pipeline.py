"""``VoicePipeline``, as in the SDK: transcribe the user's audio, run the workflow on the text, speak its answer.

Why one task per run: ``run`` returns at once with a :class:`StreamedAudioResult` and the work goes on behind it,
so the first audio plays while the answer is still being written. The run is an ``invoke_workflow {workflow_name}``
span (the SDK's trace; ``group_id`` is its ``gen_ai.conversation.id``), over the ``transcription`` span, the
workflow's own spans (an agent's run is an ``invoke_agent`` span) and one ``speech_group`` span per turn. A
failure anywhere is recorded on that span and ends the stream with a ``VoiceStreamEventError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from opentelemetry.trace import NoOpTracer

from ..exceptions import UserError
from ..tracing.provider import run_tracer_scope
from ..tracing.workflow import trace
from .input import AudioInput, StreamedAudioInput
from .model import StreamedTranscriptionSession, STTModel, TTSModel
from .pipeline_config import VoicePipelineConfig, coerce_config
from .result import StreamedAudioResult
from .workflow import VoiceWorkflowBase

logger = logging.getLogger(__name__)
Body = Callable[[StreamedAudioResult], Awaitable[None]]


def _model_or_name(value: Any, cls: type, what: str) -> Any:
    if value is None or isinstance(value, str | cls):
        return value
    raise UserError(f"VoicePipeline({what}=...) must be a {cls.__name__}, a model name or None, got "
                    f"{type(value).__name__}")


class VoicePipeline:
    """Audio in, audio out: speech to text, your workflow, text to speech."""

    def __init__(
        self,
        *,
        workflow: VoiceWorkflowBase,
        stt_model: STTModel | str | None = None,
        tts_model: TTSModel | str | None = None,
        config: VoicePipelineConfig | dict[str, Any] | None = None,
    ) -> None:
        """``stt_model`` / ``tts_model``: a model, or a name (or ``None``) the config's provider resolves."""
        if not isinstance(workflow, VoiceWorkflowBase):
            raise UserError(f"VoicePipeline(workflow=...) must be a VoiceWorkflowBase, got {type(workflow).__name__}")
        self.workflow = workflow
        stt = _model_or_name(stt_model, STTModel, "stt_model")
        tts = _model_or_name(tts_model, TTSModel, "tts_model")
        self.stt_model: STTModel | None = stt if isinstance(stt, STTModel) else None
        self.tts_model: TTSModel | None = tts if isinstance(tts, TTSModel) else None
        self._stt_model_name: str | None = stt if isinstance(stt, str) else None
        self._tts_model_name: str | None = tts if isinstance(tts, str) else None
        self.config = (
            VoicePipelineConfig() if config is None else coerce_config(config, VoicePipelineConfig, "VoicePipeline")
        )

    async def run(self, audio_input: AudioInput | StreamedAudioInput) -> StreamedAudioResult:
        """Start the pipeline on ``audio_input``: one turn for an :class:`AudioInput`, a turn per transcript of
        the STT model's session for a :class:`StreamedAudioInput`. Stream the answer with ``result.stream()``."""
        body: Body
        if isinstance(audio_input, AudioInput):
            body = lambda result: self._single_turn(audio_input, result)  # noqa: E731
        elif isinstance(audio_input, StreamedAudioInput):
            body = lambda result: self._turns(audio_input, result)  # noqa: E731
        else:
            raise UserError(f"Unsupported audio input type: {type(audio_input).__name__} (AudioInput or "
                            "StreamedAudioInput)")
        result = StreamedAudioResult(self._get_tts_model(), self.config.tts_settings, self.config)
        result._set_task(asyncio.create_task(self._produce(result, body)))
        return result

    def _get_stt_model(self) -> STTModel:
        if self.stt_model is None:
            self.stt_model = self.config.model_provider.get_stt_model(self._stt_model_name)
        return self.stt_model

    def _get_tts_model(self) -> TTSModel:
        if self.tts_model is None:
            self.tts_model = self.config.model_provider.get_tts_model(self._tts_model_name)
        return self.tts_model

    async def _produce(self, result: StreamedAudioResult, body: Body) -> None:
        config = self.config
        # Disabled: the spans the models and the result open inside record nothing either (they follow the scope).
        quiet = run_tracer_scope(NoOpTracer()) if config.tracing_disabled else contextlib.nullcontext()
        try:
            with quiet, trace(config.workflow_name or "Voice Agent", group_id=config.group_id,
                              metadata=config.trace_metadata, tracing=config.tracing,
                              disabled=config.tracing_disabled):
                try:
                    await body(result)
                except asyncio.CancelledError:
                    if result._failure is not None:  # a piece's failure stopped us: record that, not a cancel
                        raise result._failure from None
                    raise
                finally:
                    result._finish_turn()  # a turn cut short still ends inside the pipeline's span
        except Exception as exc:
            logger.error("voice pipeline failed: %s: %s", type(exc).__name__, exc)
            result._fail(exc)

    async def _transcript(self, text: object, where: str) -> str:
        if not isinstance(text, str):
            raise UserError(f"{where} must return str, got {type(text).__name__}")
        return text

    async def _answer(self, transcript: str, result: StreamedAudioResult) -> None:
        async for text in self.workflow.run(transcript):
            await result._add_text(text)
        await result._turn_done()

    async def _single_turn(self, audio_input: AudioInput, result: StreamedAudioResult) -> None:
        stt = self._get_stt_model()
        text = await stt.transcribe(
            audio_input, self.config.stt_settings, self.config.include_text(), self.config.include_audio()
        )
        await self._answer(await self._transcript(text, f"{type(stt).__name__}.transcribe"), result)
        await result._done()

    async def _turns(self, audio_input: StreamedAudioInput, result: StreamedAudioResult) -> None:
        await self._greeting(result)
        stt = self._get_stt_model()
        session = await stt.create_session(
            audio_input, self.config.stt_settings, self.config.include_text(), self.config.include_audio()
        )
        if not isinstance(session, StreamedTranscriptionSession):
            raise UserError(f"{type(stt).__name__}.create_session must return a StreamedTranscriptionSession, got "
                            f"{type(session).__name__}")
        error: BaseException | None = None
        try:
            async for transcript in session.transcribe_turns():
                await self._answer(await self._transcript(transcript, "transcribe_turns()"), result)
        except BaseException as exc:
            error = exc
        try:
            await session.close()
        except Exception as exc:
            if error is None:
                error = exc
            else:  # the turn's error stays the one reported
                logger.warning("voice transcription session failed to close after an error: %r", exc)
        if error is not None:
            raise error
        await result._done()

    async def _greeting(self, result: StreamedAudioResult) -> None:
        """The workflow's ``on_start`` text as a turn of its own; a failing ``on_start`` is logged and skipped,
        as in the SDK (the session still starts)."""
        said = False
        try:
            async for text in self.workflow.on_start():
                await result._add_text(text)
                said = True
        except Exception as exc:
            if result._failure is not None:
                raise
            logger.warning("voice workflow on_start failed: %s: %s", type(exc).__name__, exc)
        if said:
            await result._turn_done()


__all__ = ["VoicePipeline"]
