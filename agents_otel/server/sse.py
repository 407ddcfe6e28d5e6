"""Serving one watcher: the replay buffer from a cursor onwards, as SSE messages whose ``id`` is the event id.

The framing, keep-alive pings and disconnect detection are sse-starlette's. A watcher that disconnects just
stops reading; the run and the other watchers are not affected.

- A watcher without ``Last-Event-ID`` starts at the oldest event held **when its stream starts sending**, not
  when the request arrived: on a chatty run the buffer may have moved on in between.
- A watcher slower than its run falls behind the bounded buffer. It is never silently skipped ahead: it gets one
  ``events_skipped`` message naming the ids it missed (``first_skipped_id``, ``last_skipped_id``, ``count``),
  whose SSE id is the last missed id, so a reconnect resumes after the gap; then it follows from the oldest
  held event. Explicitly resuming from an evicted id is still refused with 410 (nothing has been sent yet).
- A watcher that stops reading is closed once one send has waited ``send_timeout`` seconds (its socket buffers
  are full), so it cannot hold a connection open long after the run ended.
- On server shutdown (sse-starlette notices uvicorn's exit signal) a watcher asks the registry to cancel every
  run (``on_shutdown``), so each stream receives ``run_cancelled`` and ends by itself; after
  ``shutdown_grace`` seconds sse-starlette cuts whatever is left (a watcher that does not read).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable

import anyio
from sse_starlette import EventSourceResponse, ServerSentEvent
from sse_starlette.sse import SendTimeoutError
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import InvalidRequestError
from .replay_buffer import ReplayBuffer

PING_SECONDS = 15
DEFAULT_SEND_TIMEOUT = 30.0
DEFAULT_SHUTDOWN_GRACE = 5.0

logger = logging.getLogger("agents_otel.server")


def parse_last_event_id(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        parsed = int(value.strip())
    except ValueError:
        raise InvalidRequestError(f"Last-Event-ID must be an event id (an integer), got {value!r}") from None
    if parsed < 0:
        raise InvalidRequestError(f"Last-Event-ID must not be negative, got {parsed}")
    return parsed


def watch_response(
    buffer: ReplayBuffer,
    last_event_id: int | None,
    *,
    send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
    on_shutdown: Callable[[], None] | None = None,
    shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE,
) -> Response:
    """The response for a watcher; validation errors are raised here, before any byte is sent."""
    if last_event_id is not None:
        buffer.check_resume(last_event_id)
        if buffer.closed and last_event_id >= buffer.last_id:
            # 204 tells an EventSource not to reconnect: it has everything and the run is over.
            return Response(status_code=204)
    shutdown = anyio.Event()

    async def relay_shutdown() -> None:
        await shutdown.wait()
        if on_shutdown is not None:
            on_shutdown()

    return _WatcherResponse(
        _messages(buffer, last_event_id),
        ping=PING_SECONDS,
        send_timeout=send_timeout,
        headers={"Cache-Control": "no-store"},
        shutdown_event=shutdown,
        shutdown_grace_period=shutdown_grace,
        data_sender_callable=relay_shutdown,
    )


class _WatcherResponse(EventSourceResponse):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except SendTimeoutError:
            logger.info("closed a watcher that stopped reading (send timeout %s s)", self.send_timeout)
        except BaseExceptionGroup as group:
            _, rest = group.split(SendTimeoutError)
            if rest is not None:
                raise rest from None
            logger.info("closed a watcher that stopped reading (send timeout %s s)", self.send_timeout)


async def _messages(buffer: ReplayBuffer, last_event_id: int | None) -> AsyncIterator[ServerSentEvent]:
    buffer.watchers += 1
    try:
        cursor = buffer.first_id - 1 if last_event_id is None else last_event_id
        while True:
            entries = buffer.after(cursor)
            if entries and entries[0].id != cursor + 1:
                yield _skipped(cursor + 1, entries[0].id - 1)
                cursor = entries[0].id - 1
            for entry in entries:
                yield ServerSentEvent(data=entry.data, id=str(entry.id))
                cursor = entry.id
            if buffer.closed and cursor >= buffer.last_id:
                return
            await buffer.wait_beyond(cursor)
    finally:
        buffer.watchers -= 1


def _skipped(first: int, last: int) -> ServerSentEvent:
    notice = {
        "id": last,
        "type": "events_skipped",
        "first_skipped_id": first,
        "last_skipped_id": last,
        "count": last - first + 1,
    }
    return ServerSentEvent(data=json.dumps(notice, separators=(",", ":")), id=str(last))
