"""Serving one watcher: the replay buffer from a cursor onwards, as SSE messages whose ``id`` is the event id.

The framing, keep-alive pings and disconnect detection are sse-starlette's. A watcher that disconnects just
stops reading; the run and the other watchers are not affected. A watcher so slow that the buffer evicted
events it had not yet sent is ended, so that its reconnect (with ``Last-Event-ID``) is refused with 410
instead of it silently skipping events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.responses import Response

from .errors import InvalidRequestError
from .replay_buffer import ReplayBuffer

PING_SECONDS = 15


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


def watch_response(buffer: ReplayBuffer, last_event_id: int | None) -> Response:
    """The response for a watcher; validation errors are raised here, before any byte is sent."""
    if last_event_id is None:
        cursor = buffer.first_id - 1
    else:
        buffer.check_resume(last_event_id)
        cursor = last_event_id
        if buffer.closed and cursor >= buffer.last_id:
            # 204 tells an EventSource not to reconnect: it has everything and the run is over.
            return Response(status_code=204)
    return EventSourceResponse(_messages(buffer, cursor), ping=PING_SECONDS, headers={"Cache-Control": "no-store"})


async def _messages(buffer: ReplayBuffer, cursor: int) -> AsyncIterator[ServerSentEvent]:
    while True:
        entries = buffer.after(cursor)
        if entries and entries[0].id != cursor + 1:
            return  # fell behind the buffer; see the module docstring
        for entry in entries:
            yield ServerSentEvent(data=entry.data, id=str(entry.id))
            cursor = entry.id
        if buffer.closed and cursor >= buffer.last_id:
            return
        await buffer.wait_beyond(cursor)
