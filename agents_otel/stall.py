"""The stall / idle watchdog: one loop timer per run, armed at the earliest deadline of its supervised calls.

Why not a timer per progress event: a tool may report hundreds of thousands of times, and re-arming a timer on
each would cost more than the progress itself. Progress only writes a monotonic timestamp on its ToolCall
(``last_activity``); this watchdog wakes at the earliest deadline, compares, and sleeps again. A call is
supervised only if it has a stall timeout or an idle timeout, so runs that use neither pay nothing.

* Stall: no progress for ``stall_timeout`` -> ``ToolCall.mark_stalled`` (one span event, one stream event, one
  count). The call stays stalled until its next progress, which pokes the watchdog so a new quiet period is
  timed from that progress; one report per quiet period, however long.
* Idle: no progress for ``idle_timeout`` -> the call's ``asyncio.timeout`` scope is rescheduled to now, which
  cancels the tool and surfaces as ``ToolTimeoutError`` (the model is told). The scope's own deadline is the
  hard cap, so a tool that keeps reporting still ends.

Everything here runs on the run's event loop; the only cross-thread entry is :meth:`poke`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tool_call import ToolCall

logger = logging.getLogger(__name__)


class StallWatchdog:
    __slots__ = ("_calls", "_handle", "_loop", "_when")

    def __init__(self) -> None:
        self._calls: set[ToolCall] = set()
        self._handle: asyncio.TimerHandle | None = None
        self._when = math.inf
        self._loop: asyncio.AbstractEventLoop | None = None

    def watch(self, call: ToolCall) -> None:
        """Start supervising ``call`` (on the loop thread, after ``call.supervise``)."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._calls.add(call)
        self._arm(self._deadline(call, self._loop.time()))

    def unwatch(self, call: ToolCall) -> None:
        self._calls.discard(call)
        if not self._calls and self._handle is not None:
            self._handle.cancel()
            self._handle = None
            self._when = math.inf

    def poke(self, call: ToolCall) -> None:
        """A stalled call reported progress (any thread): time its next quiet period from now."""
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # loop closed: the run is over, nothing left to supervise
            loop.call_soon_threadsafe(self._repoke, call)

    # ---- on the loop ---------------------------------------------------------------------------------------
    def _repoke(self, call: ToolCall) -> None:
        if call in self._calls and self._loop is not None:
            self._arm(self._deadline(call, self._loop.time()))

    def _arm(self, when: float) -> None:
        if when >= self._when or self._loop is None or when == math.inf:
            return
        if self._handle is not None:
            self._handle.cancel()
        self._when = when
        self._handle = self._loop.call_at(when, self._check)

    def _check(self) -> None:
        self._handle = None
        self._when = math.inf
        assert self._loop is not None
        now = self._loop.time()
        earliest = math.inf
        for call in list(self._calls):
            try:
                self._inspect(call, now)
                deadline = self._deadline(call, now)
            except Exception:  # a watchdog failure must not take the loop's callback machinery down with it
                logger.exception("agents_otel: stall watchdog failed on tool call %r", call.tool_call_id)
                self._calls.discard(call)
                continue
            if deadline < earliest:
                earliest = deadline
        self._arm(earliest)

    @staticmethod
    def _inspect(call: ToolCall, now: float) -> None:
        quiet = now - call.last_activity
        if call.idle_timeout is not None and quiet >= call.idle_timeout:
            call.expire_idle()
            return
        if call.stall_timeout is not None and not call.stalled and quiet >= call.stall_timeout:
            call.mark_stalled(now)

    @staticmethod
    def _deadline(call: ToolCall, now: float) -> float:
        """When this call next needs a look; ``inf`` if nothing can happen until its next progress."""
        if call.ended or call.idle_expired:
            return math.inf
        last = call.last_activity
        deadline = math.inf
        if call.idle_timeout is not None:
            deadline = last + call.idle_timeout
        if call.stall_timeout is not None and not call.stalled:
            deadline = min(deadline, last + call.stall_timeout)
        return deadline
