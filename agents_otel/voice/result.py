"""``StreamedAudioResult``, as in the SDK: what ``VoicePipeline.run`` returns; ``stream()`` yields the answer's
audio and its lifecycle as they are produced.

Why this shape: text arrives from the workflow in deltas and is spoken a few sentences at a time, each piece by
its own text-to-speech call running at once with the others, while the audio must come out in the order the text
was written. Each piece and each lifecycle mark is queued in order; one dispatcher forwards them to the stream,
a piece's audio as soon as it is spoken. A turn is a ``speech_group`` span over its pieces' ``speech`` spans.
The first failure (transcription, workflow, speech) ends the stream with a ``VoiceStreamEventError``; ``stream()``
then raises it, as the SDK's does, and stops the work still running — nothing is left waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..exceptions import UserError
from ..tracing.sdk_spans import SdkSpan
from ..tracing.sdk_voice_spans import capturing, speech_group_span
from .events import VoiceStreamEvent, VoiceStreamEventError, VoiceStreamEventLifecycle
from .model import TTSModel, TTSModelSettings
from .speech import Segment, output_dtype, speak

if TYPE_CHECKING:
    from .pipeline_config import VoicePipelineConfig


class StreamedAudioResult:
    """The answer of one pipeline run, streamed: ``async for event in result.stream()``."""

    def __init__(
        self, tts_model: TTSModel, tts_settings: TTSModelSettings, voice_pipeline_config: VoicePipelineConfig
    ) -> None:
        output_dtype(tts_settings)  # a bad dtype fails here, before any work
        self.tts_model = tts_model
        self.tts_settings = tts_settings
        self.total_output_text = ""
        """Everything the workflow said, across turns."""
        self.text_generation_task: asyncio.Task[Any] | None = None
        self._config = voice_pipeline_config
        self._include = (voice_pipeline_config.include_text(), voice_pipeline_config.include_audio())
        self._events: asyncio.Queue[VoiceStreamEvent | None] = asyncio.Queue()
        self._order: asyncio.Queue[Segment | VoiceStreamEventLifecycle] = asyncio.Queue()
        self._dispatcher: asyncio.Task[None] | None = None
        self._speaking: list[asyncio.Task[None]] = []  # the current turn's pieces
        self._tasks: list[asyncio.Task[None]] = []  # every piece ever started
        self._text_buffer = ""
        self._turn_text = ""
        self._group: SdkSpan[Any] | None = None
        self._failure: Exception | None = None

    # -- what the pipeline calls -------------------------------------------------------------------------------

    def _set_task(self, task: asyncio.Task[Any]) -> None:
        self.text_generation_task = task

    async def _add_text(self, text: str) -> None:
        """More of the workflow's answer: spoken as soon as the splitter releases it."""
        self._raise_failure()
        if not isinstance(text, str):
            raise UserError(f"a voice workflow must yield str, got {type(text).__name__}")
        if self._group is None:
            self._start_turn()
        self._text_buffer += text
        self._turn_text += text
        self.total_output_text += text
        ready, self._text_buffer = self.tts_settings.text_splitter(self._text_buffer)
        if ready:
            self._speak(ready)

    async def _turn_done(self) -> None:
        """The turn's text is complete: speak the rest, wait for its pieces, close the turn."""
        self._raise_failure()
        if self._text_buffer.strip():
            self._speak(self._text_buffer)
        self._text_buffer = ""
        if self._group is None:
            return  # the workflow said nothing: no turn
        await asyncio.gather(*self._speaking)
        self._speaking = []
        self._raise_failure()
        self._finish_turn()
        self._enqueue(VoiceStreamEventLifecycle(event="turn_ended"))

    async def _done(self) -> None:
        """The session is over: ``session_ended`` after everything queued, once the dispatcher forwarded it."""
        self._raise_failure()
        self._enqueue(VoiceStreamEventLifecycle(event="session_ended"))
        assert self._dispatcher is not None
        await self._dispatcher

    async def _add_error(self, error: Exception) -> None:
        self._fail(error)

    # -- inside ----------------------------------------------------------------------------------------------------

    def _start_turn(self) -> None:
        self._group = capturing(speech_group_span(), self._include[0])  # under the pipeline's span
        self._group.start()
        self._enqueue(VoiceStreamEventLifecycle(event="turn_started"))

    def _finish_turn(self) -> None:
        if self._group is not None:
            self._group.span_data.input = self._turn_text  # its length always; the text only if it may be recorded
            self._group.finish()
        self._group = None
        self._turn_text = ""

    def _speak(self, text: str) -> None:
        assert self._group is not None
        segment: Segment = asyncio.Queue()
        self._enqueue(segment)
        task = asyncio.create_task(
            speak(self.tts_model, text, self.tts_settings, segment, self._group, self._include, self._fail)
        )
        self._speaking.append(task)
        self._tasks.append(task)

    def _enqueue(self, item: Segment | VoiceStreamEventLifecycle) -> None:
        self._order.put_nowait(item)
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch())

    async def _dispatch(self) -> None:
        """Forward pieces and marks in the order they were queued."""
        while True:
            item = await self._order.get()
            if isinstance(item, VoiceStreamEventLifecycle):
                self._events.put_nowait(item)
                if item.event == "session_ended":
                    self._events.put_nowait(None)
                    return
                continue
            while (event := await item.get()) is not None:
                self._events.put_nowait(event)

    def _fail(self, error: Exception) -> None:
        """The first failure ends the stream at once; the pieces still being spoken are stopped."""
        if self._failure is not None:
            return
        self._failure = error
        self._events.put_nowait(VoiceStreamEventError(error))
        self._events.put_nowait(None)
        # The pipeline's task too, when the failure is a piece's: it may be waiting on the workflow; it records the
        # failure on the pipeline's span (see pipeline.py) and ends.
        current = asyncio.current_task()
        for task in [self.text_generation_task, *self._tasks, self._dispatcher]:
            if task is not None and task is not current:
                task.cancel()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    async def _stop(self) -> None:
        """Stop every task of this result (the caller's excepted) and wait for them; close an open turn."""
        current = asyncio.current_task()
        tasks = [t for t in [self.text_generation_task, *self._tasks, self._dispatcher] if t is not None]
        tasks = [t for t in tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._finish_turn()

    # -- what the application calls --------------------------------------------------------------------------------

    async def stream(self) -> AsyncIterator[VoiceStreamEvent]:
        """The events as they come: audio, ``turn_started`` / ``turn_ended``, ``session_ended`` last; or a
        :class:`VoiceStreamEventError` last, after which the error is raised."""
        error: Exception | None = None
        ended = False
        try:
            while (event := await self._events.get()) is not None:
                if isinstance(event, VoiceStreamEventError):
                    error = event.error
                yield event
            ended = True
        finally:
            producer = self.text_generation_task
            if ended and producer is not None:
                # The pipeline's span ends after the last event: wait for it, so the trace is whole when the stream
                # is. (It is ending: it queued the last event, or a failure cancelled it.)
                await asyncio.wait({producer})
            await self._stop()  # a consumer that left early: stop the work nobody will hear
        if error is not None:
            raise error


__all__ = ["StreamedAudioResult"]
