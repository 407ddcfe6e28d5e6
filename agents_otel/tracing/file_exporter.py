"""Spans appended to a local file as OTLP JSON lines: the embedded default when no OTLP endpoint is set.

Each line is byte-for-byte what OpenTelemetry's own file exporter (``otlp_json_file``, package
``opentelemetry-exporter-otlp-json-file``) writes for the same batch: one compact ``{"resourceSpans": [...]}``
object (an ``ExportTraceServiceRequest`` in the OTLP/JSON encoding, see :mod:`.otlp_json`) per exported batch. So the
file feeds the Collector's ``otlpjsonfile`` receiver and reaches Jaeger or Tempo unchanged. What stays ours is the
file handling: the file is opened per batch in append mode, so several processes can share it and moving it away
simply starts a new one (the official exporter keeps one handle open for the process's life).

The exporter runs in the ``BatchSpanProcessor`` worker thread, so file I/O never happens on the event loop.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from .otlp_json import otlp_json_line, spans_to_otlp_json

logger = logging.getLogger(__name__)

TRACE_FILE_ENV = "AGENTS_OTEL_TRACE_FILE"
DEFAULT_TRACE_FILE = Path(".agents_otel") / "traces.jsonl"
"""Relative to the working directory, so each project keeps its own runs (and ``.agents_otel/`` is easy to ignore)."""


def default_trace_file() -> Path:
    """Where the embedded default writes and ``agents-otel traces`` reads (``$AGENTS_OTEL_TRACE_FILE`` or default)."""
    configured = os.environ.get(TRACE_FILE_ENV, "").strip()
    return Path(configured) if configured else DEFAULT_TRACE_FILE


class JsonLinesSpanExporter(SpanExporter):
    """Appends each batch as one OTLP JSON line to ``path`` (created with its directory on first export).

    The file is opened per batch in append mode, so several processes can share it, and deleting or moving
    it while the application runs simply starts a new one.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_trace_file()
        self._lock = threading.Lock()
        self._shutdown = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shutdown:
            return SpanExportResult.FAILURE
        if not spans:
            return SpanExportResult.SUCCESS
        try:
            line = otlp_json_line(spans)
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line)
        except (OSError, ValueError) as exc:
            logger.warning("agents_otel: could not write %d spans to %s: %s", len(spans), self.path, exc)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._shutdown = True

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Every export is written and closed before it returns; nothing is buffered here."""
        return True


__all__ = ["DEFAULT_TRACE_FILE", "TRACE_FILE_ENV", "JsonLinesSpanExporter", "default_trace_file", "spans_to_otlp_json"]
