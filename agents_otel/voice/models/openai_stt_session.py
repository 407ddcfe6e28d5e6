"""``OpenAISTTTranscriptionSession``: a :class:`StreamedAudioInput` transcribed over OpenAI's realtime
transcription websocket, one transcript per turn, as in the SDK.

Why this shape: the audio is pushed while the user speaks and the server's turn detection decides where a turn ends,
so sending and receiving run apart — one task appends the input's audio as it comes, one reads the server's events
— and everything they have to report (an event, the end of the input, the connection closing) goes through one
queue, read by ``transcribe_turns`` alone: the session's state has one writer, and a failure anywhere reaches the
pipeline as one typed error (:class:`STTWebsocketConnectionError`), never a hang. Each turn is a
``transcription {model}`` span, started with the turn's first audio and ended by its transcript.

Why the session ends when the input does (the SDK keeps listening until the server closes or a long silence): a
program that ends its input expects the run to end. The audio not yet transcribed is committed, and the session
closes once the server has answered that commit and transcribed every turn it committed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import openai

from ...exceptions import UserError
from ...tracing import attributes as A
from ...tracing.sdk_span_data import TranscriptionSpanData
from ...tracing.sdk_spans import SdkSpan
from ...tracing.sdk_voice_spans import capturing, transcription_span
from ...tracing.spans import record_outcome
from ..exceptions import STTWebsocketConnectionError
from ..imports import websockets_module
from ..input import StreamedAudioInput, _int16
from ..model import StreamedTranscriptionSession, STTModelSettings
from ._audio_spans import config_for, record_size
from ._openai_websocket import WEBSOCKET_LOGGER, refresh_api_key, websocket_headers, websocket_url

logger = logging.getLogger(__name__)

EVENT_INACTIVITY_TIMEOUT = 1000.0
"""Seconds without any event after which the session is taken as over (as in the SDK)."""
SESSION_CREATION_TIMEOUT = 10.0
SESSION_UPDATE_TIMEOUT = 10.0
DEFAULT_TURN_DETECTION: dict[str, Any] = {"type": "semantic_vad"}
SAMPLE_RATE = 24000
"""The input's audio is 16-bit mono PCM at this rate (what the session tells the server)."""

_CREATED = ("session.created", "transcription_session.created")
_UPDATED = ("session.updated", "transcription_session.updated")
_COMPLETED = ("conversation.item.input_audio_transcription.completed", "input_audio_transcription_completed")
_FAILED = "conversation.item.input_audio_transcription.failed"
_COMMIT_EMPTY = "input_audio_buffer_commit_empty"
_LANGUAGE_LIST_MODELS = frozenset({"gpt-transcribe", "gpt-live-transcribe"})
"""Models whose session takes ``languages`` (a list) rather than ``language``."""


class _InputEnded:
    """The input's ``None``: every append before it is sent."""


@dataclass
class _Closed:
    """The connection closed: cleanly (``error`` is ``None``) or not."""

    error: BaseException | None


_Item = dict[str, Any] | _InputEnded | _Closed | Exception
_END = object()


def transcription_config(model: str, settings: STTModelSettings) -> dict[str, Any]:
    """The ``transcription`` object a session is configured with, as the SDK builds it: the model; ``languages``
    when set (else ``language``, as a one-item ``languages`` list for the models that take a list); the prompt
    and the keywords when set."""
    transcription: dict[str, Any] = {"model": model}
    if settings.languages is not None:
        transcription["languages"] = list(settings.languages)
    elif settings.language is not None:
        if model in _LANGUAGE_LIST_MODELS:
            transcription["languages"] = [settings.language]
        else:
            transcription["language"] = settings.language
    if settings.prompt is not None:
        transcription["prompt"] = settings.prompt
    if settings.keywords is not None:
        transcription["keywords"] = list(settings.keywords)
    return transcription


def session_update(model: str, settings: STTModelSettings, turn_detection: dict[str, Any]) -> dict[str, Any]:
    """The ``session.update`` that configures a transcription session: PCM at 24 kHz, the
    :func:`transcription_config`, and the turn detection."""
    audio_input = {"format": {"type": "audio/pcm", "rate": SAMPLE_RATE},
                   "transcription": transcription_config(model, settings), "turn_detection": turn_detection}
    return {"type": "session.update", "session": {"type": "transcription", "audio": {"input": audio_input}}}


class OpenAISTTTranscriptionSession(StreamedTranscriptionSession):
    """What ``OpenAISTTModel.create_session`` returns: connects when ``transcribe_turns`` is first iterated."""

    def __init__(
        self,
        input: StreamedAudioInput,
        client: openai.AsyncOpenAI,
        model: str,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> None:
        self.connected = False
        """Whether the session is set up (connected and configured)."""
        self._input = input
        self._client = client
        self._model = model
        self._settings = settings
        self._turn_detection = settings.turn_detection or DEFAULT_TURN_DETECTION
        self._include_text = trace_include_sensitive_data
        self._include_audio = trace_include_sensitive_audio_data
        if settings.temperature is not None:
            logger.warning("STTModelSettings.temperature is not sent: a realtime transcription session has none "
                           "(it is recorded on the transcription spans only)")
        self._events: asyncio.Queue[_Item] = asyncio.Queue()
        self._ws: Any = None
        self._websockets: ModuleType | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._span: SdkSpan[TranscriptionSpanData] | None = None
        self._turn_audio: list[bytes] = []
        self._turn_size = 0
        self._pending: set[Any] = set()  # items committed, not transcribed yet
        self._final_commit: str | None = None  # the event id of the commit sent when the input ended
        self._commit_answered = False
        self._started = False
        self._closed = False

    async def transcribe_turns(self) -> AsyncIterator[str]:
        """Each turn's transcript as the server completes it; returns when the input has ended and every turn is
        transcribed, when the server closes the connection, or after a long silence. A server error, a dropped
        connection or a failed set-up is an :class:`STTWebsocketConnectionError`."""
        if self._started:
            raise UserError("OpenAISTTTranscriptionSession.transcribe_turns() can be iterated once per session")
        self._started = True
        try:
            stash = await self._set_up()
            self._tasks.append(asyncio.create_task(self._send_audio()))
            self.connected = True
            while True:
                item: _Item
                if stash:
                    item = stash.pop(0)
                else:
                    try:
                        item = await asyncio.wait_for(self._events.get(), EVENT_INACTIVITY_TIMEOUT)
                    except TimeoutError:
                        return
                outcome = await self._handle(item)
                if outcome is _END:
                    return
                if isinstance(outcome, str):
                    yield outcome
                if self._final_commit is not None and self._commit_answered and not self._pending:
                    return
        except GeneratorExit:
            raise
        except BaseException as exc:
            self._end_turn(None, exc)
            raise
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop sending and reading, close the connection, end an open turn's span (a turn cut short)."""
        if self._closed:
            return
        self._closed = True
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._ws is not None:
                await self._ws.close()
        finally:
            self._end_turn(None)

    # -- connecting ----------------------------------------------------------------------------------------------

    async def _set_up(self) -> list[_Item]:
        """Connect, wait for the session, configure it. Returns what the server sent meanwhile besides."""
        websockets = self._websockets = websockets_module()
        await refresh_api_key(self._client)
        url = websocket_url(self._client, "/realtime", {"intent": "transcription"}, "Streamed transcription")
        headers = websocket_headers(self._client, {"OpenAI-Log-Session": "1"})
        try:
            self._ws = await websockets.connect(url, additional_headers=headers, logger=WEBSOCKET_LOGGER)
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
            where = url.split("?", 1)[0]  # the query may carry a proxy's token
            raise STTWebsocketConnectionError(f"Could not connect the transcription websocket to {where}: "
                                              f"{type(exc).__name__}: {exc}") from exc
        self._tasks.append(asyncio.create_task(self._listen()))
        stash: list[_Item] = []
        await self._wait_for(_CREATED, "transcription_session.created", SESSION_CREATION_TIMEOUT, stash)
        await self._send(session_update(self._model, self._settings, self._turn_detection))
        await self._wait_for(_UPDATED, "transcription_session.updated", SESSION_UPDATE_TIMEOUT, stash)
        return stash

    async def _wait_for(self, kinds: tuple[str, ...], what: str, seconds: float, stash: list[_Item]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            try:
                item = await asyncio.wait_for(self._events.get(), max(deadline - loop.time(), 0))
            except TimeoutError:
                raise STTWebsocketConnectionError(f"Timeout waiting for {what} event") from None
            if isinstance(item, _Closed):
                raise STTWebsocketConnectionError(
                    f"The transcription websocket closed before the session was set up ({what} expected)"
                ) from item.error
            if isinstance(item, STTWebsocketConnectionError):
                raise item
            if isinstance(item, Exception):
                raise STTWebsocketConnectionError("The transcription websocket failed while setting up") from item
            if isinstance(item, dict) and item.get("type") in kinds:
                return
            if isinstance(item, dict) and item.get("type") == "error":
                raise STTWebsocketConnectionError(f"Error event: {item.get('error')}")
            stash.append(item)

    # -- the two tasks -------------------------------------------------------------------------------------------

    async def _listen(self) -> None:
        assert self._websockets is not None
        try:
            async for message in self._ws:
                try:
                    event = json.loads(message)
                except ValueError:
                    event = None
                if not isinstance(event, dict):
                    raise STTWebsocketConnectionError("The transcription websocket sent a message that is not a "
                                                      "JSON object")
                self._events.put_nowait(event)
            self._events.put_nowait(_Closed(None))
        except self._websockets.exceptions.ConnectionClosed as exc:
            self._events.put_nowait(_Closed(exc))
        except Exception as exc:
            self._events.put_nowait(exc)

    async def _send_audio(self) -> None:
        assert self._websockets is not None
        try:
            while (buffer := await self._input.queue.get()) is not None:
                pcm = _int16(buffer).tobytes()
                self._add_turn_audio(pcm)
                await self._ws.send(json.dumps({"type": "input_audio_buffer.append",
                                                "audio": base64.b64encode(pcm).decode("ascii")}))
                await asyncio.sleep(0)  # let the events be read between appends
            self._events.put_nowait(_InputEnded())
        except self._websockets.exceptions.ConnectionClosed:
            return  # the listener reports how it closed
        except Exception as exc:
            self._events.put_nowait(exc)

    async def _send(self, event: dict[str, Any]) -> None:
        assert self._websockets is not None
        with contextlib.suppress(self._websockets.exceptions.ConnectionClosed):  # the listener reports the close
            await self._ws.send(json.dumps(event))

    # -- what the server said ------------------------------------------------------------------------------------

    async def _handle(self, item: _Item) -> object:
        """A transcript to yield, ``_END``, or ``None``."""
        if isinstance(item, _InputEnded):
            self._final_commit = f"event_{uuid.uuid4().hex}"
            await self._send({"event_id": self._final_commit, "type": "input_audio_buffer.commit"})
            return None
        if isinstance(item, _Closed):
            if item.error is None:
                return _END
            raise STTWebsocketConnectionError(f"The transcription websocket closed unexpectedly: {item.error}") \
                from item.error
        if isinstance(item, Exception):
            if isinstance(item, STTWebsocketConnectionError | UserError):
                raise item
            raise STTWebsocketConnectionError(f"The transcription session failed: {type(item).__name__}") from item
        kind = item.get("type")
        if kind == "error":
            error = item.get("error")
            code = error.get("code") if isinstance(error, dict) else None
            if self._final_commit is not None and code == _COMMIT_EMPTY:
                self._commit_answered = True  # nothing was left to commit
                return None
            raise STTWebsocketConnectionError(f"Error event: {error}")
        if kind == "input_audio_buffer.committed":
            self._pending.add(item.get("item_id"))
            if self._final_commit is not None:
                self._commit_answered = True
        elif kind in _COMPLETED:
            self._pending.discard(item.get("item_id"))
            transcript = item.get("transcript")
            if isinstance(transcript, str) and transcript:
                self._end_turn(transcript)
                return transcript
        elif kind == _FAILED:
            self._pending.discard(item.get("item_id"))
            logger.warning("the transcription of a turn failed: %s", item.get("error"))
        return None

    # -- the turn's span -----------------------------------------------------------------------------------------

    def _add_turn_audio(self, pcm: bytes) -> None:
        if self._span is None:
            self._start_turn()
        self._turn_size += len(pcm)
        if self._include_audio:  # kept only for the span: a whole turn of PCM held for nothing otherwise
            self._turn_audio.append(pcm)

    def _start_turn(self) -> None:
        sent = transcription_config(self._model, self._settings)
        config = config_for({"temperature": self._settings.temperature, "language": sent.get("language"),
                             "languages": sent.get("languages"), "keywords": sent.get("keywords"),
                             "prompt": sent.get("prompt"), "turn_detection": self._turn_detection},
                            self._include_text, ("prompt", "keywords"))
        span = transcription_span(model=self._model, input_format="pcm", model_config=config)
        self._span = capturing(span, self._include_text or self._include_audio)
        self._span.start()

    def _end_turn(self, transcript: str | None, error: BaseException | None = None) -> None:
        """End the turn's span: with its transcript, or cut short (``None``), or failed (``error``)."""
        if self._span is None:
            if transcript is None:
                return
            self._start_turn()  # a transcript of audio sent before the previous one arrived
        span = self._span
        assert span is not None
        self._span = None
        if self._include_audio:
            span.span_data.input = base64.b64encode(b"".join(self._turn_audio)).decode("ascii")
        else:
            record_size(span, A.AUDIO_INPUT_SIZE, self._turn_size)
        if transcript is not None and self._include_text:
            span.span_data.output = transcript
        if error is not None:
            record_outcome(span.span, error)
        span.finish()
        self._turn_audio = []
        self._turn_size = 0


__all__ = ["OpenAISTTTranscriptionSession"]
