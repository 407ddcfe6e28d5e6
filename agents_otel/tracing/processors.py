"""The SDK's ``agents.tracing.processors`` path: ``BatchTraceProcessor``, ``BackendSpanExporter``,
``ConsoleSpanExporter``, ``default_exporter()`` and ``default_processor()``.

One deliberate difference: the SDK registers ``default_processor()`` (uploading to OpenAI whenever
``OPENAI_API_KEY`` is set) on its own. Here traces leave through OpenTelemetry exporters the application
configures, and nothing, neither a key nor a run's data, goes to OpenAI unless the application asks:
``add_trace_processor(default_processor())``. Both objects are made on first call (no thread or connection at
import), once per process, as in the SDK.
"""

from __future__ import annotations

import threading

from .backend_exporter import BackendSpanExporter, ConsoleSpanExporter, ExportOutcome
from .batch_processor import BatchTraceProcessor

_lock = threading.Lock()
_exporter: BackendSpanExporter | None = None
_processor: BatchTraceProcessor | None = None


def default_exporter() -> BackendSpanExporter:
    """The process's ``BackendSpanExporter`` (the one ``set_tracing_export_api_key`` gives its key to)."""
    global _exporter
    with _lock:
        if _exporter is None:
            _exporter = BackendSpanExporter()
        return _exporter


def default_processor() -> BatchTraceProcessor:
    """The process's ``BatchTraceProcessor`` over :func:`default_exporter`; not registered until the application
    does ``add_trace_processor(default_processor())``."""
    global _processor
    exporter = default_exporter()
    with _lock:
        if _processor is None:
            _processor = BatchTraceProcessor(exporter)
        return _processor


def default_processor_if_made() -> BatchTraceProcessor | None:
    """The default processor if something made it (``set_tracing_export_api_key`` asks without making one)."""
    return _processor


__all__ = [
    "BackendSpanExporter",
    "BatchTraceProcessor",
    "ConsoleSpanExporter",
    "ExportOutcome",
    "default_exporter",
    "default_processor",
]
