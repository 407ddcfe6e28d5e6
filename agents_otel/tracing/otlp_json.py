"""Spans as OTLP/JSON: the one encoding behind the JSON-lines trace file and the ``http/json`` exporter.

The bytes are those of OpenTelemetry's own JSON encoder (``opentelemetry-exporter-otlp-json-common``, the encoder
of the official ``otlp_json_file`` and ``otlp_json_http`` exporters), one compact ``json.dumps`` of an
``ExportTraceServiceRequest`` per batch, exactly as the official file exporter formats a line. That encoder is
used whenever it is installed (the ``otlp-json`` extra). It is not a required dependency because its releases are
pinned to one SDK minor version; without it the same bytes come from the protobuf encoder the OTLP exporters use
(``encode_spans``), mapped to OTLP/JSON here: ``MessageToDict`` with integer enums, then lowercase hex trace and
span ids instead of base64 (the one place OTLP/JSON departs from protobuf's canonical JSON), and keys in the
``.proto`` declaration order rather than field-number order. ``tests/test_export_otlp_json.py`` pins the two
paths byte-for-byte to each other.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor  # type: ignore[import-untyped]
from google.protobuf.json_format import MessageToDict  # type: ignore[import-untyped]
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans as encode_spans_proto
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan

_official_encode_spans: Callable[[Sequence[ReadableSpan]], Any] | None
try:  # the official encoder, when the ``otlp-json`` extra is installed
    from opentelemetry.exporter.otlp.json.common.trace_encoder import encode_spans as _official_encode_spans
except ImportError:  # pragma: no cover - exercised by the fallback test through ``use_official=False``
    _official_encode_spans = None

_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def official_encoder_available() -> bool:
    """Whether OpenTelemetry's own JSON encoder is installed (and therefore used)."""
    return _official_encode_spans is not None


def spans_to_otlp_json(spans: Sequence[ReadableSpan], *, use_official: bool | None = None) -> dict[str, Any]:
    """One OTLP/JSON ``ExportTraceServiceRequest`` for ``spans``, as a dict ready for ``json.dumps``.

    ``use_official`` (tests only) forces one path; by default the official encoder is used when installed.
    """
    if use_official is None:
        use_official = _official_encode_spans is not None
    if use_official:
        if _official_encode_spans is None:
            raise RuntimeError("opentelemetry-exporter-otlp-json-common is not installed")
        result: dict[str, Any] = _official_encode_spans(spans).to_dict()
        return result
    return _protobuf_otlp_json(spans)


def otlp_json_line(spans: Sequence[ReadableSpan], *, use_official: bool | None = None) -> str:
    """The line the official ``otlp_json_file`` exporter writes for one batch (compact JSON, ASCII, ``\\n``)."""
    return json.dumps(spans_to_otlp_json(spans, use_official=use_official), separators=(",", ":")) + "\n"


def _protobuf_otlp_json(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    request = encode_spans_proto(spans)
    message: dict[str, Any] = MessageToDict(request, use_integers_for_enums=True)
    for resource_spans in message.get("resourceSpans", ()):
        for scope_spans in resource_spans.get("scopeSpans", ()):
            for span in scope_spans.get("spans", ()):
                _hex_ids(span)
                for link in span.get("links", ()):
                    _hex_ids(link)
    return _declaration_order(message, ExportTraceServiceRequest.DESCRIPTOR)


def _hex_ids(obj: dict[str, Any]) -> None:
    for field in _ID_FIELDS:
        value = obj.get(field)
        if value:
            obj[field] = base64.b64decode(value).hex()


def _declaration_order(obj: dict[str, Any], descriptor: Descriptor) -> dict[str, Any]:
    """``obj``'s keys in the order the ``.proto`` file declares the fields (as the official encoder emits them)."""
    ordered: dict[str, Any] = {}
    for field in descriptor.fields:
        if field.json_name not in obj:
            continue
        value = obj[field.json_name]
        if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type is not None:
            sub = field.message_type
            if isinstance(value, list):
                value = [_declaration_order(v, sub) if isinstance(v, dict) else v for v in value]
            elif isinstance(value, dict):
                value = _declaration_order(value, sub)
        ordered[field.json_name] = value
    return ordered


__all__ = ["official_encoder_available", "otlp_json_line", "spans_to_otlp_json"]
