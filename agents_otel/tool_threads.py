"""The threads sync tools run in: daemon threads, so a call the run abandoned never holds the process open.

A sync function cannot be interrupted. When its call is cancelled or times out, the run moves on and the thread
runs to its end in the background; its ``send_progress`` calls record nothing (the call has ended). With
``concurrent.futures.ThreadPoolExecutor`` such a thread also held interpreter exit until it returned (its workers
are joined at exit): a tool blocked for 29 s after a timeout, or after Ctrl-C in ``run_sync``, kept the process
alive for 29 s. These workers are daemon threads: at exit they are abandoned mid-call, like any daemon thread
(a sync tool that must finish cleanly must not be cancelled, or must run in threads of its own).

Up to ``max_workers`` threads run calls at once, further calls queue; an idle worker is reused.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_Work = tuple[Future[Any], Callable[[], Any]]


class DaemonThreadPool(Executor):
    def __init__(self, max_workers: int, thread_name_prefix: str = "agents_otel-tool") -> None:
        self._max = max_workers
        self._prefix = thread_name_prefix
        self._queue: queue.SimpleQueue[_Work] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._workers = 0
        self._idle = 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        self._queue.put((future, lambda: fn(*args, **kwargs)))
        with self._lock:
            if self._idle > 0:
                self._idle -= 1  # that worker will take it
            elif self._workers < self._max:
                self._workers += 1
                threading.Thread(target=self._work, name=f"{self._prefix}-{self._workers}", daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            future, call = self._queue.get()
            if future.set_running_or_notify_cancel():
                try:
                    result = call()
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del future, call
            with self._lock:
                self._idle += 1

    @property
    def threads(self) -> int:
        return self._workers


_executor: DaemonThreadPool | None = None


def tool_thread_pool() -> DaemonThreadPool:
    """Sync tools run here, not in the loop's default pool, so 20 slow parallel sync tools are not throttled
    to ``cpu_count + 4`` and cannot starve the app's own ``to_thread`` calls; daemon threads, so an abandoned
    call never holds process exit."""
    global _executor
    if _executor is None:
        _executor = DaemonThreadPool(max_workers=64, thread_name_prefix="agents_otel-tool")
    return _executor
