"""One time budget for flushing all telemetry when the process exits (``AGENTS_OTEL_EXIT_TIMEOUT``).

The SDK registers one ``atexit`` hook per TracerProvider and per MeterProvider, each with its own 30 s bound, and
they run one after another; against a dead collector a short script then exits seconds late, once per signal.
Providers that this package installs opt out of the SDK's hooks (``shutdown_on_exit=False``) and register their
shutdown here instead. At exit a single hook releases every registered flush at once, each in a daemon thread told
the shared deadline, and returns when all are done or the deadline has passed, whichever comes first. The threads
are started when a flush is registered and wait, idle, for the exit: Python 3.12+ refuses to start a thread from an
``atexit`` hook ("can't create new thread at interpreter shutdown"). A flush still
running then is abandoned (its daemon thread dies with the interpreter), so the whole exit, traces and metrics
together, takes at most the budget plus the interpreter's own teardown.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

from .export_env import DEFAULT_EXIT_TIMEOUT, TracingConfigurationError, exit_timeout_from_env

logger = logging.getLogger(__name__)

ExitFlush = Callable[[float], None]
"""Called at exit with the deadline (a ``time.monotonic()`` value) by which it should have returned."""

_lock = threading.Lock()
_flushes: list[tuple[str, ExitFlush, threading.Thread]] = []
_exiting = threading.Event()
_deadline = 0.0
_budget: float | None = None
_hook_registered = False


def register_exit_flush(name: str, flush: ExitFlush, *, budget: float | None = None) -> None:
    """Run ``flush`` at interpreter exit within the process's one exit budget.

    ``budget`` (seconds) sets the budget for the whole exit; the smallest one given wins, so a provider
    configured with a tighter bound is never held up by one configured later with a looser one. Without any,
    ``AGENTS_OTEL_EXIT_TIMEOUT`` applies (default :data:`DEFAULT_EXIT_TIMEOUT`).
    """
    global _budget, _hook_registered
    thread = threading.Thread(target=_on_exit, args=(name, flush), name=f"agents_otel-exit-{name}", daemon=True)
    thread.start()
    with _lock:
        _flushes.append((name, flush, thread))
        if budget is not None:
            _budget = budget if _budget is None else min(_budget, budget)
        if not _hook_registered:
            atexit.register(run_exit_flushes)
            _hook_registered = True


def run_exit_flushes() -> None:
    """Run every registered flush concurrently against one deadline (the ``atexit`` hook; callable in tests)."""
    with _lock:
        flushes = list(_flushes)
        _flushes.clear()
        budget = _budget
    if budget is None:
        try:
            budget = exit_timeout_from_env()
        except TracingConfigurationError as exc:
            logger.warning("agents_otel: %s; using %s s", exc, DEFAULT_EXIT_TIMEOUT)
            budget = DEFAULT_EXIT_TIMEOUT
    if not flushes:
        return
    global _deadline
    deadline = _deadline = time.monotonic() + budget
    _exiting.set()
    threads = []
    for name, flush, thread in flushes:
        if thread.is_alive():
            threads.append(thread)
        else:  # not started in this process (a forked child): flush here, still bounded by the deadline
            _guarded(name, flush, deadline)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = [thread.name for thread in threads if thread.is_alive()]
    if late:
        logger.warning("agents_otel: telemetry still flushing after %.1f s at exit, abandoned: %s", budget, late)


def _on_exit(name: str, flush: ExitFlush) -> None:
    _exiting.wait()
    _guarded(name, flush, _deadline)


def _guarded(name: str, flush: ExitFlush, deadline: float) -> None:
    try:
        flush(deadline)
    except Exception:  # one broken pipeline must not cost the others their flush
        logger.exception("agents_otel: flushing %s at exit failed", name)


def remaining_millis(deadline: float) -> int:
    """What is left of ``deadline`` in the milliseconds the SDK's shutdown methods take (never negative)."""
    return max(0, int((deadline - time.monotonic()) * 1000))


__all__ = [
    "ExitFlush",
    "register_exit_flush",
    "remaining_millis",
    "run_exit_flushes",
]
