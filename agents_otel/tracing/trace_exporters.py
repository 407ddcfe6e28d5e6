"""Which span exporters a process gets: ``OTEL_TRACES_EXPORTER`` and the OTLP protocol, as the SDK reads them.

``OTEL_TRACES_EXPORTER`` is a comma list of exporter names with the SDK auto-configuration's meaning: ``none``
(alone) exports nothing, ``console`` prints spans to stdout, ``otlp`` uses ``OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL``
(``grpc``, ``http/protobuf``, ``http/json``; default ``http/protobuf`` as the specification asks, where the SDK's
own auto-configuration still defaults to gRPC), and the explicit names ``otlp_proto_grpc``, ``otlp_proto_http``,
``otlp_json_http`` and ``otlp_json_file`` (our JSON-lines trace file, the format of OpenTelemetry's exporter of
that name). Any other name is looked up like the SDK does, as an ``opentelemetry_traces_exporter`` entry point
(``zipkin_json`` when installed, for instance). An unknown name or protocol is an error, never ignored.

Unset, the default is ours: OTLP when an endpoint is configured, the JSON-lines file otherwise.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Literal

from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter

from .export_env import TracingConfigurationError
from .file_exporter import JsonLinesSpanExporter
from .otlp_json_http import OTLPJsonHttpSpanExporter, traces_url

logger = logging.getLogger(__name__)

TRACES_EXPORTER_ENV = "OTEL_TRACES_EXPORTER"
Protocol = Literal["grpc", "http/protobuf", "http/json"]
PROTOCOLS: tuple[Protocol, ...] = ("grpc", "http/protobuf", "http/json")
OTLP = "otlp"
FILE = "otlp_json_file"
CONSOLE = "console"
NONE = "none"
_OTLP_BY_NAME: dict[str, Protocol] = {
    "otlp_proto_grpc": "grpc",
    "otlp_proto_http": "http/protobuf",
    "otlp_json_http": "http/json",
}


def exporter_names(explicit: str | Sequence[str] | None) -> list[str] | None:
    """The exporter names asked for (argument, else ``OTEL_TRACES_EXPORTER``); ``None`` when neither is given."""
    raw: str | Sequence[str] | None = explicit if explicit is not None else (_env(TRACES_EXPORTER_ENV) or None)
    if raw is None:
        return None
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    names = [name.strip().lower() for name in items if name.strip()]
    if names == [NONE]:
        return []
    if not names or NONE in names:
        raise TracingConfigurationError(
            f"{TRACES_EXPORTER_ENV}={raw!r}: 'none' cannot be combined with other exporters (and the list is empty)"
        )
    return list(dict.fromkeys(names))


def default_names(endpoint: str | None, explicit_file: bool) -> list[str]:
    """Ours when nothing is asked for: OTLP if an endpoint is set, the file if not (or if a file was given)."""
    names = [OTLP] if endpoint else []
    if explicit_file or not endpoint:
        names.append(FILE)
    return names


def build_exporter(
    name: str,
    *,
    endpoint: str | None,
    protocol: str | None,
    headers: Mapping[str, str] | None,
    timeout: float | None,
    file_path: Path,
) -> SpanExporter:
    """The exporter called ``name``; anything not passed here the exporter reads from the environment itself."""
    if name == FILE:
        return JsonLinesSpanExporter(file_path)
    if name == CONSOLE:
        return ConsoleSpanExporter()
    if name == OTLP:
        return otlp_exporter(endpoint, resolve_protocol(protocol), headers, timeout)
    if name in _OTLP_BY_NAME:
        return otlp_exporter(endpoint, _OTLP_BY_NAME[name], headers, timeout)
    return _entry_point_exporter(name)


def otlp_exporter(
    endpoint: str | None, protocol: Protocol, headers: Mapping[str, str] | None, timeout: float | None
) -> SpanExporter:
    """The OTLP exporter for ``protocol``; ``endpoint`` is a base URL (``/v1/traces`` is appended for HTTP)."""
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        return GrpcExporter(endpoint=endpoint, headers=dict(headers) if headers else None, timeout=timeout)
    url = traces_url(endpoint) if endpoint else None
    if protocol == "http/json":
        return OTLPJsonHttpSpanExporter(url, headers=headers, timeout=timeout)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    return HttpExporter(endpoint=url, headers=headers, timeout=timeout)


def resolve_protocol(explicit: str | None) -> Protocol:
    """The OTLP protocol: argument, else ``OTEL_EXPORTER_OTLP_TRACES_PROTOCOL``, ``OTEL_EXPORTER_OTLP_PROTOCOL``."""
    raw = explicit or _env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or _env("OTEL_EXPORTER_OTLP_PROTOCOL")
    value = (raw or "http/protobuf").strip().lower()
    for protocol in PROTOCOLS:
        if value == protocol:
            return protocol
    raise TracingConfigurationError(f"OTLP protocol {raw!r} is not supported; use one of {', '.join(PROTOCOLS)}")


def _entry_point_exporter(name: str) -> SpanExporter:
    found = entry_points(group="opentelemetry_traces_exporter", name=name)
    for entry_point in found:
        exporter_class = entry_point.load()
        exporter: SpanExporter = exporter_class()
        return exporter
    known = ", ".join([NONE, CONSOLE, OTLP, *_OTLP_BY_NAME, FILE])
    raise TracingConfigurationError(
        f"{TRACES_EXPORTER_ENV}: unknown exporter {name!r}; use {known}, or install the package that provides it "
        "(an 'opentelemetry_traces_exporter' entry point)"
    )


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


__all__ = [
    "CONSOLE",
    "FILE",
    "NONE",
    "OTLP",
    "PROTOCOLS",
    "TRACES_EXPORTER_ENV",
    "Protocol",
    "TracingConfigurationError",
    "build_exporter",
    "default_names",
    "exporter_names",
    "otlp_exporter",
    "resolve_protocol",
]
