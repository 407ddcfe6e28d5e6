"""A run's events, numbered, kept for watchers that come late or reconnect.

Ids count from 1 without gaps, so "the events after ``Last-Event-ID: n``" is a slice, and a client can tell
from the first id it sees whether older events were evicted. The buffer is bounded (the newest ``capacity``
events are kept) because a chatty tool can emit progress without end; resuming from an evicted id is refused
(:class:`ReplayUnavailableError`) rather than answered with a silent gap.

Only the loop thread touches it: the run's single consumer task appends, watchers read. Each event is encoded
to JSON once, whatever the number of watchers.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import Any, NamedTuple

from .errors import InvalidRequestError, ReplayUnavailableError
from .event_size import DEFAULT_MAX_EVENT_BYTES, encode_event, utf8_size

DEFAULT_REPLAY_BUFFER_SIZE = 10_000
DEFAULT_REPLAY_BUFFER_BYTES = 4 * 1024 * 1024


class Entry(NamedTuple):
    id: int
    data: str
    """The event as JSON text, ``id`` included."""
    size: int
    """``data``'s UTF-8 length."""


class ReplayBuffer:
    def __init__(
        self,
        capacity: int = DEFAULT_REPLAY_BUFFER_SIZE,
        *,
        max_bytes: int = DEFAULT_REPLAY_BUFFER_BYTES,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        if capacity < 1:
            raise ValueError("replay buffer capacity must be at least 1")
        if max_event_bytes < 256 or max_bytes < 256:
            raise ValueError("max_event_bytes and replay_buffer_bytes must be at least 256")
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.max_event_bytes = min(max_event_bytes, max_bytes)
        """An event never exceeds what the whole buffer may hold."""
        self._entries: deque[Entry] = deque()
        self._bytes = 0
        self.watchers = 0
        """Streams currently reading this buffer (kept by :mod:`.sse`)."""
        self._last_id = 0
        self._closed = False
        self._changed = asyncio.Event()

    @property
    def last_id(self) -> int:
        return self._last_id

    @property
    def first_id(self) -> int:
        """The oldest id still held (``last_id + 1`` while empty)."""
        return self._entries[0].id if self._entries else self._last_id + 1

    @property
    def closed(self) -> bool:
        return self._closed

    def append(self, event: dict[str, Any]) -> int:
        if self._closed:
            raise RuntimeError("replay buffer is closed")
        self._last_id += 1
        data = encode_event({"id": self._last_id, **event}, self.max_event_bytes)
        self._push(Entry(self._last_id, data, utf8_size(data)))
        return self._last_id

    def append_encoded(self, entry_id: int, data: str) -> None:
        """Add an event numbered and encoded elsewhere (a replica mirroring another's run through a broker).

        The same eviction applies, so a mirror fed the owner's events holds exactly what the owner's buffer holds.
        An id past ``last_id + 1`` means the source dropped events in between: everything held is discarded, so a
        watcher that needed them is ended and its resume refused (410), exactly as after a local eviction.
        """
        if self._closed:
            raise RuntimeError("replay buffer is closed")
        if entry_id <= self._last_id:
            raise ValueError(f"event {entry_id} is not after the last one held ({self._last_id})")
        if entry_id != self._last_id + 1:
            self._entries.clear()
            self._bytes = 0
        self._last_id = entry_id
        self._push(Entry(entry_id, data, utf8_size(data)))

    def _push(self, entry: Entry) -> None:
        entries = self._entries
        entries.append(entry)
        self._bytes += entry.size
        while len(entries) > 1 and (len(entries) > self.capacity or self._bytes > self.max_bytes):
            self._bytes -= entries.popleft().size
        self._notify()

    @property
    def held_bytes(self) -> int:
        return self._bytes

    def close(self) -> None:
        """No more events: watchers drain what is left and end."""
        self._closed = True
        self._notify()

    def check_resume(self, after: int) -> None:
        """Raise unless every event after ``after`` can still be replayed."""
        if after < 0 or after > self._last_id:
            raise InvalidRequestError(
                f"Last-Event-ID {after} is not an event of this run (last id so far: {self._last_id})",
                last_event_id=self._last_id,
            )
        if after + 1 < self.first_id:
            raise ReplayUnavailableError(
                f"events after {after} are no longer in the replay buffer (oldest kept: {self.first_id}; "
                f"it holds the newest {self.capacity} events, at most {self.max_bytes} bytes)",
                first_available_id=self.first_id,
            )

    def after(self, after: int) -> list[Entry]:
        """The held events with ids above ``after``, oldest first (from the oldest held if ``after`` is older)."""
        start = max(after + 1 - self.first_id, 0)
        return list(itertools.islice(self._entries, start, None))

    async def wait_beyond(self, after: int) -> None:
        """Return once an event newer than ``after`` exists or the buffer is closed."""
        while self._last_id <= after and not self._closed:
            await self._changed.wait()

    def _notify(self) -> None:
        # One Event per generation: waiters of this generation wake, later waiters wait on the fresh one.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
