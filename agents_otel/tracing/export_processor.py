"""The span processor ``configure_tracing`` installs: batched export that a collector outage cannot hurt.

Two failure modes of the SDK's ``BatchSpanProcessor`` matter to an agent runtime:

* **Exit.** ``shutdown()`` waits up to 30 s for its worker while an OTLP exporter retries a dead endpoint for its
  whole timeout per batch. Here shutdown waits at most ``shutdown_timeout`` and then shuts the exporter down,
  which interrupts the retry backoff.
* **Outage.** While the endpoint is down the queue fills, every span pays for queueing, the worker encodes
  batches it cannot send (holding the GIL), and once the queue is full the SDK logs a warning per dropped span.
  Here the processor *sheds* instead: once an export has failed (or has been stuck for ``stuck_after`` seconds)
  ``on_end`` drops spans with one check, for a cool-down that doubles on every failed attempt (up to
  ``max_cooldown``) and resets on the first success. Dropped spans are counted (``dropped_spans``) and the outage
  is logged once when it starts and once when it ends, not per span.

Healthy export pays one attribute check per span.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

logger = logging.getLogger(__name__)

DEFAULT_SHUTDOWN_TIMEOUT = 2.0
DEFAULT_STUCK_AFTER = 1.0
"""Seconds an export may run before spans are shed: a healthy collector answers far sooner, and an exporter
retrying a refused or black-holed endpoint is still inside its (seconds-long) retry loop."""
MIN_COOLDOWN = 1.0
MAX_COOLDOWN = 60.0


class _ExportHealth:
    """Written by the exporter wrapper (the worker thread), read by ``on_end`` (any thread)."""

    __slots__ = ("clock", "cooldown", "exporting_since", "failing", "lock", "min_cooldown", "retry_at", "shed")

    def __init__(self, clock: Callable[[], float], min_cooldown: float) -> None:
        self.clock = clock
        self.min_cooldown = min_cooldown
        self.exporting_since = 0.0
        """``time.monotonic()`` when the current export began; 0 when none is running."""
        self.retry_at = 0.0
        """Until then (monotonic), spans are shed; 0 when export is healthy."""
        self.cooldown = min_cooldown
        self.failing = False
        self.shed = 0
        self.lock = threading.Lock()


class _HealthReportingExporter(SpanExporter):
    def __init__(self, inner: SpanExporter, health: _ExportHealth) -> None:
        self.inner = inner
        self._health = health

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        health = self._health
        health.exporting_since = health.clock()
        try:
            result = self.inner.export(spans)
        except Exception:  # an exporter that raises is an exporter that failed; the worker must survive it
            logger.exception("agents_otel: span exporter %s raised", type(self.inner).__name__)
            result = SpanExportResult.FAILURE
        finally:
            health.exporting_since = 0.0
        if result is SpanExportResult.SUCCESS:
            if health.failing:
                with health.lock:
                    shed, health.shed = health.shed, 0
                logger.warning("agents_otel: span export recovered; %d spans were dropped during the outage", shed)
            health.failing = False
            health.retry_at = 0.0
            health.cooldown = health.min_cooldown
        else:
            if not health.failing:
                logger.warning(
                    "agents_otel: span export to %s failed; dropping new spans until it recovers",
                    type(self.inner).__name__,
                )
            health.failing = True
            health.retry_at = health.clock() + health.cooldown
            health.cooldown = min(health.cooldown * 2, MAX_COOLDOWN)
        return result

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self.inner.force_flush(timeout_millis)


class BoundedBatchSpanProcessor(BatchSpanProcessor):
    """A ``BatchSpanProcessor`` with a bounded shutdown and load shedding during export outages."""

    def __init__(
        self,
        span_exporter: SpanExporter,
        *,
        shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
        stuck_after: float = DEFAULT_STUCK_AFTER,
        min_cooldown: float = MIN_COOLDOWN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` is for tests: outage timing without sleeping."""
        self._health = _ExportHealth(clock, min_cooldown)
        self.exporter = span_exporter
        super().__init__(_HealthReportingExporter(span_exporter, self._health))
        self.shutdown_timeout = shutdown_timeout
        self.stuck_after = stuck_after

    @property
    def dropped_spans(self) -> int:
        """Spans shed since the current outage began (reset, after logging, when export recovers)."""
        return self._health.shed

    def on_end(self, span: ReadableSpan) -> None:
        health = self._health
        if health.retry_at or health.exporting_since:
            now = health.clock()
            since = health.exporting_since
            if now < health.retry_at or (since and now - since > self.stuck_after):
                with health.lock:
                    health.shed += 1
                return
        super().on_end(span)

    def shutdown(self) -> None:
        self._bounded_shutdown(self.shutdown_timeout)

    def shutdown_by(self, deadline: float) -> None:
        """Shut down by ``deadline`` (``time.monotonic()``), the exit hook's share of the process's exit budget."""
        self._bounded_shutdown(max(0.0, deadline - time.monotonic()))

    def _bounded_shutdown(self, seconds: float) -> None:
        inner: Any = getattr(self, "_batch_processor", None)
        bounded: Any = getattr(inner, "shutdown", None)
        if bounded is None:  # pragma: no cover - an SDK without the inner processor
            super().shutdown()  # type: ignore[no-untyped-call]
            return
        bounded(timeout_millis=int(seconds * 1000))
