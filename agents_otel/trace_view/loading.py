"""Reading OTLP JSON lines (this package's file exporter, or the Collector's ``file`` exporter) into traces.

Robust to what a live file looks like: a half-written last line, lines from other tools, and ids in base64
(protobuf's generic JSON mapping) as well as the hex OTLP/JSON prescribes. Large files are read from the end
only (``max_bytes``), since the view shows recent runs.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .model import EventRecord, SpanRecord, TraceRecord

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""How much of the end of a trace file is read: recent runs only, at a bounded cost however old the file."""

_HEX = frozenset("0123456789abcdefABCDEF")


def load_traces(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[TraceRecord]:
    """Traces in the file, newest first. Raises ``FileNotFoundError`` if there is no file."""
    return traces_from_requests(_read_requests(Path(path), max_bytes))


def traces_from_requests(requests: Iterable[dict[str, Any]]) -> list[TraceRecord]:
    """Traces from OTLP/JSON ``ExportTraceServiceRequest`` objects, newest first (by the trace's first span)."""
    by_trace: dict[str, dict[str, SpanRecord]] = {}
    for request in requests:
        for span in _spans(request):
            by_trace.setdefault(span.trace_id, {})[span.span_id] = span
    traces = [_link(trace_id, spans) for trace_id, spans in by_trace.items()]
    traces.sort(key=lambda t: t.start, reverse=True)
    return traces


def _read_requests(path: Path, max_bytes: int) -> Iterator[dict[str, Any]]:
    with path.open("rb") as f:
        size = f.seek(0, os.SEEK_END)
        start = max(0, size - max_bytes)
        f.seek(start)
        data = f.read()
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # the first line was cut in the middle
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:  # a batch still being written, or not ours
            continue
        if isinstance(obj, dict):
            yield obj


def _spans(request: dict[str, Any]) -> Iterator[SpanRecord]:
    for resource_spans in request.get("resourceSpans") or ():
        resource = _attributes((resource_spans.get("resource") or {}).get("attributes"))
        service = str(resource.get("service.name", ""))
        for scope_spans in resource_spans.get("scopeSpans") or ():
            for span in scope_spans.get("spans") or ():
                record = _span(span, service)
                if record is not None:
                    yield record


def _span(span: dict[str, Any], service: str) -> SpanRecord | None:
    trace_id = _id(span.get("traceId"))
    span_id = _id(span.get("spanId"))
    if not trace_id or not span_id:
        return None
    start = int(span.get("startTimeUnixNano") or 0)
    end = int(span.get("endTimeUnixNano") or start)
    status = span.get("status") or {}
    return SpanRecord(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=_id(span.get("parentSpanId")),
        name=str(span.get("name", "")),
        start=start,
        end=end,
        attributes=_attributes(span.get("attributes")),
        events=[
            EventRecord(str(e.get("name", "")), int(e.get("timeUnixNano") or start), _attributes(e.get("attributes")))
            for e in span.get("events") or ()
        ],
        status_code=_status_code(status.get("code")),
        status_message=str(status.get("message", "")),
        service_name=service,
    )


def _link(trace_id: str, spans: dict[str, SpanRecord]) -> TraceRecord:
    roots: list[SpanRecord] = []
    for span in spans.values():
        parent = spans.get(span.parent_span_id) if span.parent_span_id else None
        if parent is None:
            roots.append(span)  # a true root, or a child whose parent is not (yet) in the file
        else:
            parent.children.append(span)
    for span in spans.values():
        span.children.sort(key=lambda s: s.start)
    roots.sort(key=lambda s: (bool(s.parent_span_id), s.start))
    ordered = sorted(spans.values(), key=lambda s: s.start)
    return TraceRecord(trace_id, ordered, roots)


def _id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    if len(value) in (16, 32) and _HEX.issuperset(value):
        return value.lower()
    try:
        return base64.b64decode(value, validate=True).hex()
    except (binascii.Error, ValueError):
        return value


def _status_code(value: Any) -> int:
    if isinstance(value, int):
        return value
    return {"STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}.get(str(value), 0)


def _attributes(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {str(kv.get("key")): _value(kv.get("value") or {}) for kv in items if isinstance(kv, dict)}


def _value(value: dict[str, Any]) -> Any:
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        return [_value(v) for v in (value["arrayValue"] or {}).get("values") or ()]
    if "kvlistValue" in value:
        return _attributes((value["kvlistValue"] or {}).get("values"))
    if "bytesValue" in value:
        return value["bytesValue"]
    return None
