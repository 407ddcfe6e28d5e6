"""The per-run event buffer between the runtime (any thread) and the ``stream_events()`` consumer (the loop).

Why not ``asyncio.Queue``: producers include worker threads, and a tool may call ``send_progress`` hundreds of
thousands of times in a tight loop. So this buffer is thread-safe, wakes the consumer only when it is waiting,
and is bounded for progress: once ``max_buffered`` events wait undelivered, a new progress event of a call
replaces that call's newest still-undelivered progress event instead of queueing behind it (latest value wins).
The first progress event of each call is never replaced and the last one always lands (it is the newest), and a
delivered event whose predecessors were replaced says how many in ``coalesced``. Lifecycle events are never
dropped or replaced; they are bounded by the number of tool calls, not by how chatty a tool is.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections import deque
from typing import Any

from .run_config import DEFAULT_MAX_BUFFERED
from .stream_events import StreamEvent, ToolProgressStreamEvent


class _Pending:
    """A queued progress event that a newer one of the same call may still replace."""

    __slots__ = ("coalesced", "event")

    def __init__(self, event: ToolProgressStreamEvent) -> None:
        self.event = event
        self.coalesced = 0


class EventStream:
    def __init__(self, loop: asyncio.AbstractEventLoop, max_buffered: int = DEFAULT_MAX_BUFFERED) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._max = max_buffered
        self._items: deque[Any] = deque()
        self._pending: dict[str, _Pending] = {}  # call id -> its newest undelivered, replaceable progress
        self._wrapped = False  # a _Pending is buffered: get_batch must unwrap (only once past max_buffered)
        self._lock = threading.Lock()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self.coalesced_total = 0

    # ---- producers (any thread) --------------------------------------------------------------------------
    def put(self, event: StreamEvent) -> None:
        if threading.get_ident() == self._loop_thread:
            # The loop's own producers (every lifecycle event but a nested run's in a worker thread) take no lock:
            # the consumer and close() run on this thread, so neither can interleave, and a worker thread's put
            # in the middle of this one at worst wakes the same waiter twice (each wake checks done()).
            if self._closed:
                return
            self._items.append(event)  # deque.append is atomic against a worker thread's append
            waiter = self._waiter
            if waiter is not None:
                self._waiter = None
                if not waiter.done():
                    waiter.set_result(None)
            return
        with self._lock:
            if self._closed:
                return
            self._items.append(event)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._wake(waiter)

    def put_progress(self, event: ToolProgressStreamEvent) -> None:
        with self._lock:
            if self._closed:
                return
            if len(self._items) < self._max:
                self._items.append(event)  # the consumer keeps up: nothing will ever need replacing
            else:
                slot = self._pending.get(event.tool_call_id)
                if slot is not None:
                    slot.event = event
                    slot.coalesced += 1
                    self.coalesced_total += 1
                    return
                # Past the bound each call gets one replaceable slot, so the buffer holds at most
                # max_buffered + one event per running call.
                slot = _Pending(event)
                self._items.append(slot)
                self._wrapped = True
                if event.sequence > 1:  # the first of a call is never replaced
                    self._pending[event.tool_call_id] = slot
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._wake(waiter)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._wake(waiter)

    def _wake(self, waiter: asyncio.Future[None]) -> None:
        if threading.get_ident() == self._loop_thread:
            if not waiter.done():
                waiter.set_result(None)
        else:
            self._loop.call_soon_threadsafe(_resolve, waiter)

    # ---- the consumer (the loop thread) ------------------------------------------------------------------
    async def get_batch(self) -> list[StreamEvent]:
        """Everything buffered so far, oldest first; an empty list once closed and drained."""
        while True:
            with self._lock:
                if self._items:
                    items = self._items
                    self._items = deque()
                    if not self._wrapped:
                        return list(items)
                    self._wrapped = False
                    if self._pending:
                        self._pending.clear()
                    return [_unwrap(item) for item in items]
                if self._closed:
                    return []
                waiter = self._waiter = self._loop.create_future()
            await waiter

    def __len__(self) -> int:
        return len(self._items)


def _unwrap(item: Any) -> StreamEvent:
    if type(item) is not _Pending:
        return item  # type: ignore[no-any-return]
    if item.coalesced:
        return dataclasses.replace(item.event, coalesced=item.event.coalesced + item.coalesced)
    return item.event


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
