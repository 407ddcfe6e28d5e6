"""``OpenAIRealtimeWebSocketModel``, as the SDK's: the OpenAI Realtime API (GA protocol) over a websocket.

Why a response gate: the API refuses ``response.create`` while a response is in progress, and a function call
arrives before its response is done — so each ``response.create`` (after a user message, after a tool output)
waits, in the background, until no response is running. A server ``error`` while one is pending releases the gate,
so nothing waits forever. The socket closing normally ends the event stream (``disconnected``, then
``end_of_stream``); closing any other way is a ``RealtimeModelExceptionEvent`` carrying a
``RealtimeConnectionClosedError``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..exceptions import UserError
from .audio_tracker import ModelAudioTracker
from .config import RealtimeSessionModelSettings
from .exceptions import RealtimeConnectionClosedError
from .imports import ClientConnection, ConnectionClosed, ConnectionClosedOK, websockets
from .items import RealtimeToolCallItem
from .model import ListenerList, RealtimeModel, RealtimeModelConfig, RealtimeModelListener, RealtimePlaybackState
from .model_events import (
    RealtimeModelAudioInterruptedEvent,
    RealtimeModelConnectionStatusEvent,
    RealtimeModelEndOfStreamEvent,
    RealtimeModelEvent,
    RealtimeModelExceptionEvent,
    RealtimeModelItemUpdatedEvent,
)
from .model_inputs import (
    RealtimeModelSendAudio,
    RealtimeModelSendEvent,
    RealtimeModelSendInterrupt,
    RealtimeModelSendRawMessage,
    RealtimeModelSendSessionUpdate,
    RealtimeModelSendToolOutput,
    RealtimeModelSendUserInput,
)
from .openai_events import handle_server_event, playback_state
from .openai_session import (
    DEFAULT_MODEL_SETTINGS,
    DEFAULT_REALTIME_MODEL,
    audio_append,
    session_config,
    tool_output_item,
    tracing_config,
    truncate,
    user_input_item,
)

if TYPE_CHECKING:
    from openai.types.realtime import RealtimeSessionCreateRequest

    from .agent import RealtimeAgent
    from .config import RealtimeRunConfig

REALTIME_URL = "wss://api.openai.com/v1/realtime"
"""The Realtime API's websocket, joined with ``?model=`` or ``?call_id=`` unless ``model_config["url"]`` is given."""


async def get_api_key(key: str | Callable[[], str | Awaitable[str]] | None) -> str | None:
    """``key``, or what calling it returns (sync or async), else ``OPENAI_API_KEY``."""
    if isinstance(key, str):
        return key
    if callable(key):
        value = key()
        if inspect.isawaitable(value):
            value = await value
        if not isinstance(value, str):
            raise UserError(f"api_key callable must return str, got {type(value).__name__}")
        return value
    return os.getenv("OPENAI_API_KEY")


class _ResponseGate:
    """Whether a response is running (``response.created`` .. ``response.done``), or one was asked for."""

    def __init__(self) -> None:
        self.busy = False
        self.current: str | None = None  # the running response's id, once response.created named it
        self.requested = False  # a response.create sent, its response.created not yet seen
        self.cancelled = False  # a response.cancel sent for the running response: a second would be an error
        self.idle = asyncio.Event()
        self.idle.set()

    async def acquire(self) -> None:
        while self.busy:
            await self.idle.wait()
        self.busy = self.requested = True
        self.idle.clear()

    def created(self, response_id: str | None = None) -> None:
        self.busy, self.requested, self.current, self.cancelled = True, False, response_id, False
        self.idle.clear()

    def done(self) -> None:
        self.busy = self.requested = self.cancelled = False
        self.current = None
        self.idle.set()

    def failed(self) -> None:
        """A server error while our ``response.create`` has no response yet: the API refused it, so the requests
        waiting behind it must not wait forever. An error during a running response leaves the gate shut."""
        if self.requested:
            self.done()


class OpenAIRealtimeWebSocketModel(ListenerList, RealtimeModel):
    def __init__(self, *, transport_config: dict[str, Any] | None = None) -> None:
        self.model = DEFAULT_REALTIME_MODEL
        self._transport_config = dict(transport_config or {})
        self._websocket: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._listeners: list[RealtimeModelListener] = []
        self._responses = _ResponseGate()
        self._pending: set[asyncio.Task[None]] = set()
        self._audio = ModelAudioTracker()
        self._muted: set[str] = set()  # responses whose audio was cut: their later audio deltas are dropped
        self._playback_tracker: Any = None
        self._created_session: dict[str, Any] = {}
        self._tracing: Any = "auto"
        self._closing = False
        self._call_id: str | None = None
        """The call this session is attached to (``model_config={"call_id": ...}``), else ``None``."""

    async def connect(self, options: RealtimeModelConfig) -> None:
        """Open the websocket and send the first ``session.update``. With ``call_id`` the session attaches to that
        existing call (``?call_id=`` instead of ``?model=``) and keeps the call's audio formats unless the settings
        name one, as in the SDK."""
        if self._websocket is not None:
            raise UserError("OpenAIRealtimeWebSocketModel is already connected")
        settings: RealtimeSessionModelSettings = options.get("initial_model_settings", {})
        call_id = options.get("call_id") or None
        if call_id is not None and settings.get("model_name"):
            raise UserError("Cannot specify both call_id and model_name: an existing realtime call has its model")
        self._call_id = call_id
        self._playback_tracker = options.get("playback_tracker")
        self.model = settings.get("model_name") or self.model
        self._tracing = settings.get("tracing", "auto")
        default_format = None if call_id is not None else DEFAULT_MODEL_SETTINGS["output_audio_format"]
        fmt = (settings.get("audio") or {}).get("output", {}).get("format") or settings.get(
            "output_audio_format", default_format
        )
        if fmt is not None:  # else the call's own, from session.created
            self._audio.set_audio_format(fmt)
            if self._playback_tracker is not None:
                self._playback_tracker.set_audio_format(fmt)
        query = f"call_id={quote(call_id, safe='')}" if call_id is not None else f"model={self.model}"
        url = options.get("url") or f"{REALTIME_URL}?{query}"
        headers = options.get("headers")
        if headers is None:
            api_key = await get_api_key(options.get("api_key"))
            if not api_key:
                raise UserError("API key is required but was not provided (api_key, or OPENAI_API_KEY)")
            headers = {"Authorization": f"Bearer {api_key}"}
        kwargs: dict[str, Any] = {"additional_headers": headers, "max_size": None}
        for ours, theirs in (("ping_interval", "ping_interval"), ("ping_timeout", "ping_timeout"),
                             ("handshake_timeout", "open_timeout"), ("max_size", "max_size")):
            if ours in self._transport_config:
                kwargs[theirs] = self._transport_config[ours]
        first_update = {"type": "session.update", "session": self._session_config(settings)}  # fails early
        self._closing = False
        self._websocket = await websockets.connect(url, **kwargs)
        self._reader = asyncio.create_task(self._read())
        await self._emit(RealtimeModelConnectionStatusEvent(status="connected"))
        await self._send(first_update)

    def _session_config(self, settings: RealtimeSessionModelSettings) -> dict[str, Any]:
        return session_config(settings, self.model, attached=self._call_id is not None)

    async def _emit(self, event: RealtimeModelEvent) -> None:
        for listener in list(self._listeners):
            await listener.on_event(event)

    async def _send(self, message: dict[str, Any]) -> None:
        if self._websocket is None:
            raise UserError("The realtime model is not connected (enter the session first)")
        await self._websocket.send(json.dumps(message))

    async def _read(self) -> None:
        assert self._websocket is not None
        try:
            async for message in self._websocket:
                try:
                    event = json.loads(message)
                except ValueError as exc:
                    await self._emit(RealtimeModelExceptionEvent(exc, "a websocket message that is not JSON"))
                    continue
                if isinstance(event, dict):
                    await handle_server_event(self, event)
        except ConnectionClosedOK:
            pass
        except ConnectionClosed as exc:
            if not self._closing:
                self._responses.done()
                error = RealtimeConnectionClosedError(f"The Realtime API websocket closed unexpectedly: {exc}")
                await self._emit(RealtimeModelExceptionEvent(error, "WebSocket connection closed unexpectedly"))
            return
        finally:
            self._responses.done()
        if not self._closing:
            await self._emit(RealtimeModelConnectionStatusEvent(status="disconnected"))
            await self._emit(RealtimeModelEndOfStreamEvent())

    async def _send_tracing_config(self) -> None:
        if self._tracing is not None:
            session = {"type": "realtime", "model": self.model, "tracing": tracing_config(self._tracing)}
            await self._send({"type": "session.update", "session": session})

    def _request_response(self) -> None:
        """``response.create`` once no response is running, without holding up the caller."""

        async def when_idle() -> None:
            await self._responses.acquire()
            try:
                await self._send({"type": "response.create"})
            except BaseException:
                self._responses.done()
                raise

        task = asyncio.create_task(when_idle())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def send_event(self, event: RealtimeModelSendEvent) -> None:
        if isinstance(event, RealtimeModelSendRawMessage):
            message = {**event.message.get("other_data", {}), "type": event.message["type"]}
            if message["type"] == "response.create" and len(message) == 1:
                self._request_response()
            else:
                await self._send(message)
        elif isinstance(event, RealtimeModelSendUserInput):
            await self._send(user_input_item(event))
            self._request_response()
        elif isinstance(event, RealtimeModelSendAudio):
            await self._send(audio_append(event.audio))
            if event.commit:
                await self._send({"type": "input_audio_buffer.commit"})
        elif isinstance(event, RealtimeModelSendToolOutput):
            await self._send(tool_output_item(event))
            call = event.tool_call
            item = RealtimeToolCallItem(
                item_id=call.id or "", previous_item_id=call.previous_item_id, call_id=call.call_id,
                status="completed", arguments=call.arguments, name=call.name, output=event.output,
            )
            await self._emit(RealtimeModelItemUpdatedEvent(item=item))
            if event.start_response:
                self._request_response()
        elif isinstance(event, RealtimeModelSendInterrupt):
            await self._interrupt(event)
        elif isinstance(event, RealtimeModelSendSessionUpdate):
            await self._send({"type": "session.update", "session": self._session_config(event.session_settings)})
        else:
            raise UserError(f"send_event: not a realtime model input: {type(event).__name__}")

    def _playback_state(self) -> RealtimePlaybackState:
        if self._playback_tracker is not None:
            state: RealtimePlaybackState = self._playback_tracker.get_state()
            return state
        return playback_state(self._audio)

    async def _interrupt(self, event: RealtimeModelSendInterrupt) -> None:
        if event.playback_only and (event.cancel_response_only or event.force_response_cancel):
            raise UserError("RealtimeModelSendInterrupt: playback_only cancels nothing; it cannot be combined with "
                            "force_response_cancel or cancel_response_only")
        if event.cancel_response_only:
            if event.response_id is None:
                raise UserError("RealtimeModelSendInterrupt: cancel_response_only needs a response_id")
            await self._cancel(event.response_id)
            return
        if event.response_id is not None:
            self._muted.add(event.response_id)
        await self._interrupt_playback(event.response_id, event.playback_only)
        if not event.playback_only:
            await self._cancel_unless_server_does(event.force_response_cancel, event.response_id)

    async def _cancel_unless_server_does(self, force: bool, response_id: str | None) -> None:
        detection = ((self._created_session.get("audio") or {}).get("input") or {}).get("turn_detection") or {}
        if force or detection.get("interrupt_response") is not True:
            await self._cancel(response_id)

    async def _cancel(self, response_id: str | None) -> None:
        """``response.cancel`` for the running response; for ``response_id`` only if it is the one running."""
        gate = self._responses
        if not gate.busy or gate.cancelled or (response_id is not None and gate.current not in (None, response_id)):
            return
        gate.cancelled = True
        await self._send({"type": "response.cancel", **({"response_id": response_id} if response_id else {})})

    async def _interrupt_playback(self, response_id: str | None = None, playback_only: bool = False) -> None:
        """Stop the audio the listener is hearing: tell the session (``audio_interrupted``) and cut the server's
        copy of the answer where playback stopped (``conversation.item.truncate``). ``response_id``: only that
        response's audio; if the listener hears another response's now, that one plays on."""
        state = self._playback_state()
        item_id, elapsed = state["current_item_id"], state["elapsed_ms"]
        index = state["current_item_content_index"] or 0
        scoped: tuple[tuple[str, int], ...] = ()
        if response_id is not None:
            scoped = self._audio.get_audio_items_for_response(response_id)
            if not scoped:
                return
            for scoped_id, scoped_index in scoped:
                await self._emit(RealtimeModelAudioInterruptedEvent(item_id=scoped_id, content_index=scoped_index))
            if (item_id, index) not in scoped:
                self._audio.on_response_interrupted(response_id)
                return
        if item_id is None or elapsed is None or elapsed < 0:
            return
        if response_id is None:
            await self._emit(RealtimeModelAudioInterruptedEvent(item_id=item_id, content_index=index))
        length = self._audio.get_state(item_id, index)
        full = length.audio_length_ms if length is not None else None
        heard = int(elapsed)
        if (self._responses.busy and not playback_only) or full is None or heard < full:
            if full is not None:
                heard = min(heard, int(-(-full // 1)))
            await self._send(truncate(item_id, index, heard))
        if response_id is not None:
            self._audio.on_response_interrupted(response_id)
        else:
            self._audio.on_interrupted()
        if self._playback_tracker is not None:
            self._playback_tracker.on_interrupted()

    async def close(self) -> None:
        self._closing = True
        for task in list(self._pending):
            task.cancel()
        if self._pending:
            await asyncio.wait(list(self._pending))
        websocket, self._websocket = self._websocket, None
        if websocket is not None:
            await websocket.close()
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            await asyncio.wait([reader])
        self._responses.done()
        self._muted.clear()
        self._audio.clear_response_indexes()


class OpenAIRealtimeSIPModel(OpenAIRealtimeWebSocketModel):
    """As the SDK's: a session attached to a call that came in over SIP (the Realtime Calls API), by the
    ``call_id`` of its ``realtime.call.incoming`` webhook: ``model_config={"call_id": ...}`` is required."""

    @staticmethod
    async def build_initial_session_payload(
        agent: RealtimeAgent[Any],
        *,
        context: Any = None,
        model_config: RealtimeModelConfig | None = None,
        run_config: RealtimeRunConfig | None = None,
        overrides: RealtimeSessionModelSettings | None = None,
    ) -> RealtimeSessionCreateRequest:
        """The session a ``RealtimeSession`` for ``agent`` would send when it connects (its instructions, enabled
        tools and handoffs, the run's and ``model_config``'s settings, then ``overrides``), as the payload that
        accepting the call (``POST /realtime/calls/{call_id}/accept``) takes, so the call starts as configured."""
        from openai.types.realtime import RealtimeSessionCreateRequest

        from .session import RealtimeSession

        session = RealtimeSession(OpenAIRealtimeWebSocketModel(), agent, context, model_config, run_config)
        overrides = overrides or {}
        replaced = {key: overrides[key] for key in ("tools", "handoffs") if key in overrides}
        # new tools or handoffs are offered as the agent's own are: without the disabled ones
        settings = await session._settings_for(agent.clone(**replaced) if replaced else agent)
        settings.update({key: value for key, value in overrides.items() if key not in replaced})  # type: ignore[typeddict-item]
        return RealtimeSessionCreateRequest.model_validate(session_config(settings, DEFAULT_REALTIME_MODEL))

    async def connect(self, options: RealtimeModelConfig) -> None:
        if not options.get("call_id"):
            raise UserError("OpenAIRealtimeSIPModel requires `call_id` in the model configuration")
        await super().connect(options)


__all__ = ["DEFAULT_MODEL_SETTINGS", "OpenAIRealtimeSIPModel", "OpenAIRealtimeWebSocketModel", "get_api_key"]
