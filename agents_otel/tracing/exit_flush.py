"""One time budget for flushing all telemetry when the process exits (``AGENTS_OTEL_EXIT_TIMEOUT``).

The SDK registers one ``atexit`` hook per TracerProvider and per MeterProvider, each with its own 30 s bound, and
they run one after another; against a dead collector a short script then exits seconds late, once per signal.
Providers that this package installs opt out of the SDK's hooks (``shutdown_on_exit=False``) and register their
shutdown here instead. At exit a single hook starts every registered flush at once, each in a daemon thread told
the shared deadline, and returns when all are done or the deadline has passed, whichever comes first. A flush still
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
_flushes: list[tuple[str, ExitFlush]] = []
_budget: float | None = None
_hook_registered = False


def register_exit_flush(name: str, flush: ExitFlush, *, budget: float | None = None) -> None:
    """Run ``flush`` at interpreter exit within the process's one exit budget.

    ``budget`` (seconds) sets the budget for the whole exit; the smallest one given wins, so a provider
    configured with a tighter bound is never held up by one configured later with a looser one. Without any,
    ``AGENTS_OTEL_EXIT_TIMEOUT`` applies (default :data:`DEFAULT_EXIT_TIMEOUT`).
    """
    global _budget, _hook_registered
    with _lock:
        _flushes.append((name, flush))
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
    deadline = time.monotonic() + budget
    threads = [
        threading.Thread(target=_guarded, args=(name, flush, deadline), name=f"agents_otel-exit-{name}", daemon=True)
        for name, flush in flushes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = [thread.name for thread in threads if thread.is_alive()]
    if late:
        logger.warning("agents_otel: telemetry still flushing after %.1f s at exit, abandoned: %s", budget, late)


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
