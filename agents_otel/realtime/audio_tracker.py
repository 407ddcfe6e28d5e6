"""``ModelAudioTracker``, as the SDK's: the transport's own record of the audio the model sent — per item how long
it lasts and when its first chunk came, and which items each response spoke.

Why per response: an output guardrail may trip on a response after the next one has started speaking; cutting the
audio must then cut only the tripped response's items (``RealtimeModelSendInterrupt(response_id=...)``), never the
answer the listener hears now. Without a ``RealtimePlaybackTracker`` audio counts as heard from the moment it
arrived.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .config import RealtimeAudioFormat
from .model import audio_length_ms


@dataclass
class ModelAudioState:
    initial_received_time: float
    """``time.monotonic()`` when the item's first chunk arrived."""
    audio_length_ms: float
    response_id: str | None = None


class ModelAudioTracker:
    def __init__(self) -> None:
        self._format: RealtimeAudioFormat | None = None
        self._states: dict[tuple[str, int], ModelAudioState] = {}
        self._last: tuple[str, int] | None = None
        self._by_response: dict[str, list[tuple[str, int]]] = {}

    def set_audio_format(self, format: RealtimeAudioFormat) -> None:
        self._format = format

    def on_audio_delta(
        self, item_id: str, item_content_index: int, audio_bytes: bytes, response_id: str | None = None
    ) -> None:
        key = (item_id, item_content_index)
        self._last = key
        length = audio_length_ms(self._format, audio_bytes)
        state = self._states.get(key)
        if state is None:
            self._states[key] = ModelAudioState(time.monotonic(), length, response_id)
        else:
            state.audio_length_ms += length
            if response_id is not None:
                state.response_id = response_id
        if response_id is not None:
            items = self._by_response.setdefault(response_id, [])
            if key not in items:
                items.append(key)

    def on_interrupted(self) -> None:
        """Playback stopped: nothing is playing, and the response that was playing has no audio left to cut."""
        if self._last is not None:
            state = self._states.get(self._last)
            if state is not None and state.response_id is not None:
                self._by_response.pop(state.response_id, None)
        self._last = None

    def on_response_interrupted(self, response_id: str) -> None:
        items = self._by_response.pop(response_id, None)
        if items is not None and self._last in items:
            self._last = None

    def on_response_done(self, response_id: str) -> None:
        self._by_response.pop(response_id, None)

    def clear_response_indexes(self) -> None:
        self._by_response.clear()

    def get_state(self, item_id: str, item_content_index: int) -> ModelAudioState | None:
        return self._states.get((item_id, item_content_index))

    def get_last_audio_item(self) -> tuple[str, int] | None:
        return self._last

    def get_audio_items_for_response(self, response_id: str) -> tuple[tuple[str, int], ...]:
        """The response's audio items, in the order they arrived (none once it was interrupted)."""
        return tuple(self._by_response.get(response_id, ()))


__all__ = ["ModelAudioState", "ModelAudioTracker"]
