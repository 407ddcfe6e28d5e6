"""``await_session_mutation``: how a session waits for a write to settle when its caller is cancelled, the SDK's
``agents.memory.await_session_mutation`` (public since SDK 0.25 for third-party session adapters).

Its own module because both the sessions here and an application's own adapter use it: a cancelled
``add_items`` / ``pop_item`` must not return before the backend has either written or not, or the next writer on
the same session could read a history a call is still changing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def await_session_mutation(awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` to its end even while the caller is being cancelled (once or again and again), then
    answer as the SDK does: its result or its error when nobody cancelled; the caller's first cancellation when
    somebody did, whatever the write's outcome (so a cancellation never means the write was rolled back).

    No timeout, retry, transaction or lock comes with it (a hung backend call delays the cancellation: set the
    client's timeouts), and a cancellation delivered before this coroutine starts is not held back."""
    task = asyncio.ensure_future(awaitable)
    cancelled: asyncio.CancelledError | None = None
    while not task.done():
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError as exc:
            cancelled = cancelled or exc
    if cancelled is not None:
        if not task.cancelled():
            task.exception()  # retrieved, so a failure hidden by the cancellation is not reported as unretrieved
        raise cancelled from None
    return task.result()


__all__ = ["await_session_mutation"]
