"""Eager start for tool calls: run a coroutine's first step now, and make a Task only if it suspends.

A Task per call costs a scheduled callback, an extra trip through the event loop and the Task's own step
machinery, even for a call that never awaits anything. Python 3.12's eager tasks (``eager_start=True``) remove
that; this is the same idea for 3.11 and later. The first step runs at once in a copy of the current context
(exactly what a Task would run it in); a call that suspends is handed to a Task that resumes it where it stopped,
so from then on it is an ordinary Task: cancellation and exceptions reach the tool exactly as usual.
"""

from __future__ import annotations

import asyncio
import collections.abc
import contextvars
from collections.abc import Coroutine, Generator
from typing import Any

_HANDED_OVER: Any = object()


class Started:
    """A call started eagerly: finished (``task is None``, result in ``value``) or continuing in ``task``."""

    __slots__ = ("task", "value")

    def __init__(self, value: Any, task: asyncio.Task[Any] | None) -> None:
        self.value = value
        self.task = task


def start(coro: Coroutine[Any, Any, Any], loop: asyncio.AbstractEventLoop) -> Started:
    """Run ``coro`` until it first suspends. An exception from that first step propagates to the caller."""
    context = contextvars.copy_context()
    try:
        awaited = context.run(coro.send, None)
    except StopIteration as stop:
        return Started(stop.value, None)
    return Started(None, loop.create_task(_Resumed(coro, awaited), context=context))


class _Resumed(collections.abc.Coroutine):  # type: ignore[type-arg]
    """A suspended coroutine, presented to a Task as a fresh one.

    The Task's first ``send`` receives what the coroutine is waiting on; every later ``send``/``throw`` goes to
    the coroutine itself. A plain generator could not do this: a Task cancelled before its first step throws
    into the unstarted generator, and the exception would never reach the suspended tool.
    """

    __slots__ = ("_awaited", "_coro")

    def __init__(self, coro: Coroutine[Any, Any, Any], awaited: Any) -> None:
        self._coro = coro
        self._awaited = awaited

    def send(self, value: Any) -> Any:
        awaited = self._awaited
        if awaited is not _HANDED_OVER:
            self._awaited = _HANDED_OVER
            return awaited
        return self._coro.send(value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        self._awaited = _HANDED_OVER
        if val is None and tb is None:
            return self._coro.throw(typ)
        return self._coro.throw(typ, val, tb)  # pragma: no cover - the three-argument form is deprecated

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, Any]:  # pragma: no cover - only ever driven by a Task
        raise TypeError("_Resumed is driven by a Task, not awaited")
