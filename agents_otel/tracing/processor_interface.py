"""The SDK's ``agents.tracing.processor_interface`` path: the trace processor and exporter interfaces.

``TracingExporter`` is what :class:`~agents_otel.tracing.processors.BatchTraceProcessor` hands each batch of
finished traces and spans to. The items are the ``Trace`` / ``Span`` objects the bridge derives from our
OpenTelemetry spans, so an exporter written for the SDK (``item.export()`` for the JSON dict) runs unchanged.
"""

from __future__ import annotations

import abc
from typing import Any

from .sdk_tracing import Span, Trace, TracingProcessor


class TracingExporter(abc.ABC):
    """Receives batches of traces and spans from a ``BatchTraceProcessor``, on its background thread (or the caller's
    during ``force_flush``); an exception it raises is logged and that batch dropped, never the run's concern."""

    @abc.abstractmethod
    def export(self, items: list[Trace | Span[Any]]) -> None:
        """Send these traces and spans somewhere (``item.export()`` is each one's SDK JSON dict)."""


__all__ = ["TracingExporter", "TracingProcessor"]
