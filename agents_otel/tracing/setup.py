"""Sending traces out of the process: ``configure_tracing`` and the zero-config default behind it.

The first run of a process that has not set a global TracerProvider calls :func:`auto_configured_provider`,
which builds one from the standard ``OTEL_*`` variables and sets it as the global provider, so every other
OpenTelemetry instrumentation in the process nests under the same traces. With an OTLP endpoint configured it
exports there (gRPC or HTTP/protobuf); without one it appends OTLP JSON lines to a local file that
``agents-otel traces`` renders. A provider the application set itself is never touched, and
``AGENTS_OTEL_AUTO_CONFIGURE=false`` (or :func:`disable_auto_configure`) turns the default off.

Exporting never blocks a run: spans go through a ``BatchSpanProcessor`` whose worker thread does all network
and file I/O. What can block is interpreter exit, where the SDK flushes the queue: an OTLP exporter facing a
dead endpoint retries with backoff for its whole timeout, per batch. The processor installed here therefore
bounds its shutdown (``AGENTS_OTEL_EXIT_TIMEOUT``) and then shuts the exporter down, which aborts the retries.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import Sampler
from opentelemetry.util.types import AttributeValue

from .export_env import (
    DEFAULT_EXIT_TIMEOUT,
    DEFAULT_EXPORT_TIMEOUT,
    EXIT_TIMEOUT_ENV,
    TracingConfigurationError,
    env,
    exit_timeout_from_env,
    export_timeout_from_env,
)
from .export_processor import BoundedBatchSpanProcessor
from .file_exporter import TRACE_FILE_ENV, JsonLinesSpanExporter, default_trace_file

logger = logging.getLogger(__name__)

AUTO_CONFIGURE_ENV = "AGENTS_OTEL_AUTO_CONFIGURE"

Protocol = Literal["grpc", "http/protobuf"]
_PROTOCOLS: tuple[Protocol, ...] = ("grpc", "http/protobuf")
_HTTP_TRACES_PATH = "/v1/traces"


_lock = threading.Lock()
_auto_lock = threading.Lock()
"""Held while the default is built, so a concurrent first run waits for it instead of running untraced."""
_auto_attempted = False
_file_processors: list[tuple[Path, BatchSpanProcessor]] = []


def configure_tracing(
    *,
    endpoint: str | None = None,
    protocol: Protocol | None = None,
    headers: Mapping[str, str] | None = None,
    service_name: str | None = None,
    resource_attributes: Mapping[str, AttributeValue] | None = None,
    sampler: Sampler | None = None,
    file: str | os.PathLike[str] | None = None,
    export_timeout: float | None = None,
    exit_timeout: float | None = None,
    set_global: bool = True,
) -> TracerProvider:
    """Build an SDK TracerProvider that exports this process's traces, and (by default) make it the global one.

    Every argument left as ``None`` comes from the standard variables, read by the SDK and the OTLP exporters
    themselves: ``OTEL_EXPORTER_OTLP[_TRACES]_ENDPOINT``, ``..._PROTOCOL`` (default ``http/protobuf``, as the
    OTel specification asks), ``..._HEADERS``, ``..._TIMEOUT``, ``OTEL_SERVICE_NAME``,
    ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER`` and ``OTEL_TRACES_SAMPLER_ARG``. ``endpoint`` means what
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` means: the base URL (``/v1/traces`` is appended for HTTP).

    With no endpoint, spans go to an OTLP JSON-lines file (``file``, else ``$AGENTS_OTEL_TRACE_FILE``, else
    ``./.agents_otel/traces.jsonl``). A file given explicitly (argument or variable) is written in addition to an
    OTLP endpoint. Explicit arguments win over variables.

    ``set_global=False`` leaves the global provider alone: pass the result as ``RunConfig(tracer_provider=...)``.
    With ``set_global=True`` a global provider set earlier (by the application or by a previous call) is an
    error rather than being silently kept or replaced.
    """
    if set_global and not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        raise TracingConfigurationError(
            "a global TracerProvider is already set; call configure_tracing(set_global=False) and pass the result "
            "as RunConfig(tracer_provider=...), or keep using the existing provider"
        )
    exit_bound = exit_timeout if exit_timeout is not None else exit_timeout_from_env()
    resolved_endpoint = endpoint or env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env("OTEL_EXPORTER_OTLP_ENDPOINT")
    explicit_file = file if file is not None else (env(TRACE_FILE_ENV) or None)

    exporters: list[SpanExporter] = []
    if resolved_endpoint:
        exporters.append(_otlp_exporter(endpoint, _resolve_protocol(protocol), headers, export_timeout))
    file_path: Path | None = None
    if explicit_file is not None or not resolved_endpoint:
        file_path = Path(explicit_file if explicit_file is not None else default_trace_file()).absolute()
        exporters.append(JsonLinesSpanExporter(file_path))

    attributes: dict[str, AttributeValue] = dict(resource_attributes or {})
    if service_name is not None:
        attributes[SERVICE_NAME] = service_name
    provider = TracerProvider(resource=Resource.create(attributes), sampler=sampler)
    for exporter in exporters:
        processor = BoundedBatchSpanProcessor(exporter, shutdown_timeout=exit_bound)
        provider.add_span_processor(processor)
        if isinstance(exporter, JsonLinesSpanExporter) and file_path is not None:
            with _lock:
                _file_processors.append((file_path, processor))

    if set_global:
        trace.set_tracer_provider(provider)
        if trace.get_tracer_provider() is not provider:  # another thread won the one-time set
            provider.shutdown()
            raise TracingConfigurationError("a global TracerProvider was set concurrently")
    destination = resolved_endpoint or str(file_path)
    logger.debug("agents_otel: tracing configured, exporting to %s", destination)
    return provider


def auto_configured_provider() -> trace.TracerProvider:
    """The global provider, after configuring the zero-config default on the first call if none was set.

    Cheap after the first call (one ``isinstance``). Configuration errors are logged, never raised: a typo
    in an ``OTEL_*`` variable must not fail the application's agent runs.
    """
    global _auto_attempted
    current = trace.get_tracer_provider()
    if _auto_attempted or not isinstance(current, trace.ProxyTracerProvider):
        return current
    with _auto_lock:
        if _auto_attempted or not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            return trace.get_tracer_provider()
        _auto_attempted = True
        if env(AUTO_CONFIGURE_ENV).lower() in ("false", "0", "no", "off"):
            return current
        try:
            provider = configure_tracing()
        except TracingConfigurationError as exc:
            logger.warning("agents_otel: tracing not configured automatically: %s", exc)
            return trace.get_tracer_provider()
        try:  # metrics go where the traces go (when an OTLP endpoint is configured)
            from .metrics_export import configure_metrics_from_env

            configure_metrics_from_env()
        except Exception as exc:  # a metrics misconfiguration must not cost the run its traces
            logger.warning("agents_otel: metrics not configured automatically: %s", exc)
        return provider


def disable_auto_configure() -> None:
    """Never configure the zero-config default in this process (the in-code ``AGENTS_OTEL_AUTO_CONFIGURE=false``).

    For libraries and test suites that run agents but must not set a process-wide provider; unlike the variable,
    it does not reach child processes.
    """
    global _auto_attempted
    with _auto_lock:
        _auto_attempted = True


def flush_file_exports(path: str | os.PathLike[str] | None = None) -> None:
    """Write spans still queued for JSON-lines files (only ``path``'s, if given) before the file is read.

    Only file exporters are flushed: the SDK's ``force_flush`` exports in the calling thread and ignores its
    timeout, which is harmless for a local file and could stall on a dead OTLP endpoint.
    """
    target = Path(path).absolute() if path is not None else None
    with _lock:
        processors = [p for file_path, p in _file_processors if target is None or file_path == target]
    for processor in processors:
        processor.force_flush()


def _otlp_exporter(
    endpoint: str | None, protocol: Protocol, headers: Mapping[str, str] | None, timeout: float | None
) -> SpanExporter:
    """The OTLP exporter for ``protocol``; anything not passed here it reads from the environment itself."""
    if timeout is None:
        timeout = export_timeout_from_env("TRACES")
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        return GrpcExporter(endpoint=endpoint, headers=dict(headers) if headers else None, timeout=timeout)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    return HttpExporter(endpoint=_http_traces_url(endpoint) if endpoint else None, headers=headers, timeout=timeout)


def _http_traces_url(base: str) -> str:
    if urlparse(base).path.rstrip("/").endswith(_HTTP_TRACES_PATH):
        return base
    return base.rstrip("/") + _HTTP_TRACES_PATH


def _resolve_protocol(explicit: str | None) -> Protocol:
    raw = explicit or env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env("OTEL_EXPORTER_OTLP_PROTOCOL")
    value = (raw or "http/protobuf").strip().lower()
    for protocol in _PROTOCOLS:
        if value == protocol:
            return protocol
    raise TracingConfigurationError(
        f"OTLP protocol {raw!r} is not supported; use one of {', '.join(_PROTOCOLS)} (Python has no http/json exporter)"
    )


__all__ = [
    "AUTO_CONFIGURE_ENV",
    "DEFAULT_EXIT_TIMEOUT",
    "DEFAULT_EXPORT_TIMEOUT",
    "EXIT_TIMEOUT_ENV",
    "BoundedBatchSpanProcessor",
    "TracingConfigurationError",
    "auto_configured_provider",
    "configure_tracing",
    "disable_auto_configure",
    "exit_timeout_from_env",
    "export_timeout_from_env",
    "flush_file_exports",
]
