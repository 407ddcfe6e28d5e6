"""The SDK's ``BatchTraceProcessor``: traces and finished spans leave the run's thread through a bounded queue and
reach a ``TracingExporter`` in batches, on a background thread.

Why: an exporter does I/O (``BackendSpanExporter`` posts over HTTP, with retries); a trace processor is called on
the thread that ends the span, so it must only enqueue. The SDK's semantics, kept here:

* a trace is queued when it starts, a span when it ends (``on_trace_end`` / ``on_span_start`` queue nothing);
* the queue holds at most ``max_queue_size`` items; a full queue drops the item and logs a warning (once per
  burst of drops, then the count when room is back) — it never blocks the run. ``dropped`` counts them;
* the worker exports every ``schedule_delay`` seconds, or as soon as the queue reaches ``export_trigger_ratio`` of
  its size, in batches of at most ``max_batch_size``; it starts with the first item (not at construction, so a
  process that forks before tracing anything has no thread to lose);
* ``force_flush()`` exports everything queued now, on the caller's thread, after any batch the worker is exporting;
* ``shutdown(timeout)`` stops the worker after a last export bounded by ``timeout`` (what is still queued then is
  dropped, with a warning), and asks an exporter that can (``BackendSpanExporter``) to stop retrying;
* an exporter that raises loses that batch (logged); the worker and the run go on.

Unlike the SDK's worker, which polls every 0.2 s, this one sleeps on an event that an enqueue reaching the
trigger, a flush or a shutdown sets.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from ..exceptions import UserError
from .processor_interface import TracingExporter
from .sdk_tracing import Span, Trace, TracingProcessor

logger = logging.getLogger("agents_otel.tracing")

Item = Trace | Span[Any]


class BatchTraceProcessor(TracingProcessor):
    """As the SDK's: queue traces (at start) and spans (at end), export them in batches on a background thread."""

    def __init__(
        self,
        exporter: TracingExporter,
        max_queue_size: int = 8192,
        max_batch_size: int = 128,
        schedule_delay: float = 5.0,
        export_trigger_ratio: float = 0.7,
    ) -> None:
        if not callable(getattr(exporter, "export", None)):
            raise UserError(f"BatchTraceProcessor: exporter must be a TracingExporter, got {type(exporter).__name__}")
        if max_queue_size < 1 or max_batch_size < 1:
            raise UserError("BatchTraceProcessor: max_queue_size and max_batch_size must be at least 1")
        if schedule_delay <= 0 or not 0 < export_trigger_ratio <= 1:
            raise UserError("BatchTraceProcessor: schedule_delay must be > 0 and export_trigger_ratio in (0, 1]")
        self._exporter = exporter
        self._queue: deque[Item] = deque()
        self._max_queue_size = max_queue_size
        self._max_batch_size = max_batch_size
        self._schedule_delay = schedule_delay
        self._trigger_size = max(1, int(max_queue_size * export_trigger_ratio))
        self._lock = threading.Lock()  # the queue, the drop count and the worker's start
        self._export_lock = threading.Lock()  # one batch at a time, worker or force_flush
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None
        self._shutdown_deadline: float | None = None
        self._dropped = 0
        self._dropping = 0  # drops since the last warning's burst started

    @property
    def dropped(self) -> int:
        """Items dropped so far because the queue was full (or the processor shut down)."""
        return self._dropped

    def on_trace_start(self, trace: Trace) -> None:
        self._enqueue(trace, "trace")

    def on_trace_end(self, trace: Trace) -> None:
        """Nothing: the trace was queued when it started, as in the SDK."""

    def on_span_start(self, span: Span[Any]) -> None:
        """Nothing: the span is queued when it ends, with its final data."""

    def on_span_end(self, span: Span[Any]) -> None:
        self._enqueue(span, "span")

    def _enqueue(self, item: Item, kind: str) -> None:
        with self._lock:
            if self._stopping.is_set():
                self._dropped += 1
                logger.warning("agents_otel: BatchTraceProcessor is shut down, dropping %s", kind)
                return
            if len(self._queue) >= self._max_queue_size:
                self._dropped += 1
                self._dropping += 1
                first = self._dropping == 1
            else:
                self._queue.append(item)
                first = False
                if len(self._queue) >= self._trigger_size:
                    self._wake.set()
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="agents_otel-batch-trace", daemon=True)
                self._worker.start()
        if first:
            logger.warning(
                "agents_otel: BatchTraceProcessor queue is full (%d items), dropping %s", self._max_queue_size, kind
            )

    def force_flush(self) -> None:
        """Export everything queued now, on this thread (after a batch the worker may be exporting)."""
        self._export_all(None)

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop the worker after a last export; with ``timeout`` (seconds) the whole shutdown is bounded by it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            self._shutdown_deadline = deadline
            self._stopping.set()
            worker = self._worker
        if timeout is not None:
            stop = getattr(self._exporter, "_request_shutdown", None)
            if callable(stop):
                stop()
        self._wake.set()
        if worker is None:
            self._export_all(deadline)
            return
        worker.join(timeout)
        if worker.is_alive():
            logger.warning("agents_otel: BatchTraceProcessor shutdown timed out; queued traces are dropped")

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._schedule_delay)
            self._wake.clear()
            if self._stopping.is_set():
                break
            self._export_all(None)
        self._export_all(self._shutdown_deadline)

    def _take_batch(self) -> list[Item]:
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(self._max_batch_size, len(self._queue)))]
            if self._dropping and len(self._queue) < self._max_queue_size:
                logger.warning("agents_otel: BatchTraceProcessor dropped %d items while its queue was full",
                               self._dropping)
                self._dropping = 0
            return batch

    def _export_all(self, deadline: float | None) -> None:
        with self._export_lock:
            while True:
                if deadline is not None and time.monotonic() >= deadline:
                    with self._lock:
                        left = len(self._queue)
                        self._queue.clear()
                        self._dropped += left
                    if left:
                        logger.warning("agents_otel: trace export deadline reached; dropping %d queued items", left)
                    return
                batch = self._take_batch()
                if not batch:
                    return
                self._export(batch, deadline)

    def _export(self, batch: list[Item], deadline: float | None) -> None:
        try:
            with_deadline = getattr(self._exporter, "_export_with_deadline", None)
            if deadline is not None and callable(with_deadline):
                cast(Callable[[list[Item], float | None], None], with_deadline)(batch, deadline)
            else:
                self._exporter.export(batch)
        except Exception:  # an exporter must not kill the worker and strand everything queued after
            logger.exception(
                "agents_otel: trace exporter %s failed; dropping a batch of %d items",
                type(self._exporter).__name__, len(batch),
            )


__all__ = ["BatchTraceProcessor"]
