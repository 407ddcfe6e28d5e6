"""Spans appended to a local file as OTLP JSON lines: the embedded default when no OTLP endpoint is set.

The format is exactly what the OpenTelemetry Collector's ``file`` exporter writes, so the file can be fed to
the Collector's ``otlpjsonfile`` receiver later and reaches Jaeger or Tempo unchanged: one
``{"resourceSpans": [...]}`` object (an ``ExportTraceServiceRequest``) per line, one line per exported batch.
OTLP/JSON differs from protobuf's canonical JSON mapping in one place that matters here: trace and span ids
are lowercase hex strings, not base64 (enums are integers, 64-bit integers are decimal strings, field names
lowerCamelCase; see the OTLP specification, "JSON Protobuf Encoding").

The exporter runs in the ``BatchSpanProcessor`` worker thread, so file I/O never happens on the event loop.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict  # type: ignore[import-untyped]
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

logger = logging.getLogger(__name__)

TRACE_FILE_ENV = "AGENTS_OTEL_TRACE_FILE"
DEFAULT_TRACE_FILE = Path(".agents_otel") / "traces.jsonl"
"""Relative to the working directory, so each project keeps its own runs (and ``.agents_otel/`` is easy to ignore)."""

_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def default_trace_file() -> Path:
    """Where the embedded default writes and ``agents-otel traces`` reads (``$AGENTS_OTEL_TRACE_FILE`` or default)."""
    configured = os.environ.get(TRACE_FILE_ENV, "").strip()
    return Path(configured) if configured else DEFAULT_TRACE_FILE


def spans_to_otlp_json(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """One OTLP/JSON ``ExportTraceServiceRequest`` for ``spans``, as a dict ready for ``json.dumps``."""
    message: dict[str, Any] = MessageToDict(encode_spans(spans), use_integers_for_enums=True)
    for resource_spans in message.get("resourceSpans", ()):
        for scope_spans in resource_spans.get("scopeSpans", ()):
            for span in scope_spans.get("spans", ()):
                _hex_ids(span)
                for link in span.get("links", ()):
                    _hex_ids(link)
    return message


def _hex_ids(obj: dict[str, Any]) -> None:
    for field in _ID_FIELDS:
        value = obj.get(field)
        if value:
            obj[field] = base64.b64decode(value).hex()


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
            line = json.dumps(spans_to_otlp_json(spans), separators=(",", ":"), ensure_ascii=False) + "\n"
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
