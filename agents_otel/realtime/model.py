"""The transport interface (``RealtimeModel``) and playback tracking, as the SDK's ``agents.realtime.model``.

Why playback tracking lives beside the transport: the model speaks faster than the listener hears; when the user
interrupts, the server's copy of the answer must be cut where the listener actually stopped hearing it
(``conversation.item.truncate``), and only the application knows that for remote playback (a phone call).
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping
from typing import NotRequired

from typing_extensions import TypedDict

from .config import RealtimeAudioFormat, RealtimeSessionModelSettings
from .model_events import RealtimeModelEvent
from .model_inputs import RealtimeModelSendEvent

_G711 = {"g711_ulaw", "g711_alaw", "audio/pcmu", "audio/pcma", "pcmu", "pcma"}


def audio_length_ms(format: RealtimeAudioFormat | None, audio: bytes) -> float:
    """PCM16 at 24 kHz (the API's default, and the fallback for formats it does not name), G.711 at 8 kHz."""
    kind = format.get("type") if isinstance(format, Mapping) else format
    if isinstance(kind, str) and kind.lower() in _G711:
        return len(audio) / 8
    return len(audio) / 2 / 24


class RealtimePlaybackState(TypedDict):
    current_item_id: str | None
    current_item_content_index: int | None
    elapsed_ms: float | None


class RealtimePlaybackTracker:
    """Pass one in ``model_config={"playback_tracker": ...}`` and report what the listener has heard
    (``on_play_bytes`` / ``on_play_ms``): an interruption then truncates the answer there. Without one, audio counts
    as heard the moment it arrives."""

    def __init__(self) -> None:
        self._format: RealtimeAudioFormat | None = None
        self._current: tuple[str, int] | None = None
        self._elapsed_ms: float | None = None

    def on_play_bytes(self, item_id: str, item_content_index: int, bytes: bytes) -> None:
        self.on_play_ms(item_id, item_content_index, audio_length_ms(self._format, bytes))

    def on_play_ms(self, item_id: str, item_content_index: int, ms: float) -> None:
        if self._current != (item_id, item_content_index) or self._elapsed_ms is None:
            self._current = (item_id, item_content_index)
            self._elapsed_ms = ms
        else:
            self._elapsed_ms += ms

    def on_interrupted(self) -> None:
        self._current = None
        self._elapsed_ms = None

    def set_audio_format(self, format: RealtimeAudioFormat) -> None:
        self._format = format

    def get_state(self) -> RealtimePlaybackState:
        if self._current is None:
            return {"current_item_id": None, "current_item_content_index": None, "elapsed_ms": None}
        return {
            "current_item_id": self._current[0],
            "current_item_content_index": self._current[1],
            "elapsed_ms": self._elapsed_ms,
        }


class RealtimeModelListener(abc.ABC):
    @abc.abstractmethod
    async def on_event(self, event: RealtimeModelEvent) -> None:
        """Called for each event of the transport, in order."""


class RealtimeModelConfig(TypedDict):
    """``runner.run(model_config=...)``: how to connect."""

    api_key: NotRequired[str | Callable[[], str | Awaitable[str]]]
    """Else ``OPENAI_API_KEY``."""
    url: NotRequired[str]
    """Else ``wss://api.openai.com/v1/realtime?model=<model>`` (``?call_id=<call_id>`` with a ``call_id``)."""
    headers: NotRequired[dict[str, str]]
    """Sent as they are, instead of the ``Authorization`` header (e.g. ``{"api-key": ...}`` for Azure)."""
    initial_model_settings: NotRequired[RealtimeSessionModelSettings]
    playback_tracker: NotRequired[RealtimePlaybackTracker]
    call_id: NotRequired[str]
    """Attach to this existing call (one that came in over SIP) instead of starting a session; not together
    with ``initial_model_settings["model_name"]`` (a ``UserError``). ``OpenAIRealtimeSIPModel`` requires it."""


class RealtimeModel(abc.ABC):
    """A realtime transport: connect, send the session's events, tell the listeners what the server said."""

    @abc.abstractmethod
    async def connect(self, options: RealtimeModelConfig) -> None: ...

    @abc.abstractmethod
    def add_listener(self, listener: RealtimeModelListener) -> None: ...

    @abc.abstractmethod
    def remove_listener(self, listener: RealtimeModelListener) -> None: ...

    @abc.abstractmethod
    async def send_event(self, event: RealtimeModelSendEvent) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...


class ListenerList:
    """The listeners a realtime model tells what the server said, each once, in the order added: what both of
    our models keep (the SDK's interface leaves it to each model). Mixed in before ``RealtimeModel``."""

    _listeners: list[RealtimeModelListener]

    def add_listener(self, listener: RealtimeModelListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: RealtimeModelListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)


__all__ = [
    "ListenerList",
    "RealtimeModel",
    "RealtimeModelConfig",
    "RealtimeModelListener",
    "RealtimePlaybackState",
    "RealtimePlaybackTracker",
    "audio_length_ms",
]
